// A second Matrix client in the tests: matrix-js-sdk, the SDK Element is built on.
//
// Usage: node poll_check.cjs '<json>' where the JSON holds homeserver, userId, accessToken,
// deviceId, roomId, pollId and a list of steps. It logs in with the token, syncs, finds the poll
// through the SDK's own poll model (Room.polls, filled from the timeline as Element's is), then
// runs the steps and prints one JSON line with what it saw:
//   {"respond": ["1", "2"]}   send a response built by the SDK (PollResponseEvent.serialize)
//   {"redact": N}             redact the response sent by the Nth respond step (0-based)
//   {"tally": true}           wait until the poll is ended, then count it as Element does
// Run the tally in a fresh run: the poll model then reads the responses from the homeserver, as
// Element does when it shows a poll.
//
// Counting as Element does: the SDK's Poll model gives the responses (redacted ones dropped,
// those after the end left out); of each sender the latest by origin_server_ts counts; a response
// is validated against the poll start (unknown answers spoil it, extra answers are cut to
// max_selections), and a spoiled one counts for nothing.
"use strict";

if (!globalThis.crypto) {
    // Node 18 (Debian's) has Web Crypto only as a module.
    globalThis.crypto = require("node:crypto").webcrypto;
}

const sdk = require("matrix-js-sdk");
// The poll model parses a start event with matrix-events-sdk, the SDK's own dependency.
const { PollStartEvent } = require("matrix-events-sdk");
const { PollResponseEvent } = require("matrix-js-sdk/lib/extensible_events_v1/PollResponseEvent");
const { logger } = require("matrix-js-sdk/lib/logger");

logger.setLevel("error");

function fail(message) {
    process.stdout.write(JSON.stringify({ error: message }) + "\n");
    process.exit(1);
}

function waitFor(check, what, ms = 30000) {
    return new Promise((resolve, reject) => {
        const started = Date.now();
        const tick = async () => {
            try {
                const value = await check();
                if (value) return resolve(value);
            } catch (e) {
                return reject(e);
            }
            if (Date.now() - started > ms) return reject(new Error(`timed out waiting for ${what}`));
            setTimeout(tick, 100);
        };
        tick();
    });
}

function countAsElement(poll, responses) {
    const start = poll.pollEvent;
    const latest = new Map();
    for (const event of responses.getRelations()) {
        const sender = event.getSender();
        const seen = latest.get(sender);
        if (!seen || seen.getTs() < event.getTs()) latest.set(sender, event);
    }
    const counts = {};
    for (const answer of start.answers) counts[answer.id] = 0;
    let voters = 0;
    for (const event of latest.values()) {
        const response = new PollResponseEvent({ type: event.getType(), content: event.getContent() });
        response.validateAgainst(start);
        if (response.spoiled) continue;
        voters += 1;
        for (const id of response.answerIds) counts[id] = (counts[id] || 0) + 1;
    }
    return { counts, voters };
}

async function main() {
    const job = JSON.parse(process.argv[2]);
    const client = sdk.createClient({
        baseUrl: job.homeserver,
        userId: job.userId,
        accessToken: job.accessToken,
        deviceId: job.deviceId,
    });
    await client.startClient({ initialSyncLimit: 200 });
    await waitFor(() => client.getSyncState() === "PREPARED" || client.getSyncState() === "SYNCING", "the first sync");
    const room = await waitFor(() => client.getRoom(job.roomId), "the room");
    const poll = await waitFor(() => room.polls.get(job.pollId), "the poll in the SDK's poll model");

    const start = poll.pollEvent;
    if (!(start instanceof PollStartEvent)) fail("the SDK did not parse the poll start as a PollStartEvent");
    const out = {
        question: start.question.text,
        answers: start.answers.map((a) => ({ id: a.id, text: a.text })),
        maxSelections: start.maxSelections,
        kind: start.kind.name,
        sent: [],
    };
    for (const step of job.steps) {
        if (step.respond) {
            const wire = PollResponseEvent.from(step.respond, job.pollId).serialize();
            const { event_id: eventId } = await client.sendEvent(job.roomId, wire.type, wire.content);
            out.sent.push(eventId);
            // In the room (so the next step is later by the homeserver's clock, too).
            await waitFor(() => room.findEventById(eventId), "the response in the room");
            await new Promise((resolve) => setTimeout(resolve, 20));
        } else if (step.redact !== undefined) {
            const redacted = out.sent[step.redact];
            await client.redactEvent(job.roomId, redacted);
            await waitFor(() => room.findEventById(redacted)?.isRedacted(), "the redaction in the room");
        } else if (step.tally) {
            await waitFor(() => poll.isEnded, "the end of the poll", 60000);
            const responses = await waitFor(async () => {
                const r = await poll.getResponses();
                return poll.isFetchingResponses ? null : r;
            }, "the poll's responses");
            out.ended = poll.isEnded;
            out.endedBy = poll.endEventId ? room.findEventById(poll.endEventId)?.getSender() : null;
            Object.assign(out, countAsElement(poll, responses));
        }
    }
    client.stopClient();
    process.stdout.write(JSON.stringify(out) + "\n");
    process.exit(0);
}

main().catch((e) => fail(String(e && e.stack ? e.stack : e)));
