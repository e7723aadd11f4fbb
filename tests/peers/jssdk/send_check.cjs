// matrix-js-sdk, with its Rust crypto as Element's, sends one message and reads the bot's answer.
//
// Usage: node send_check.cjs '<json>' where the JSON holds homeserver, userId, accessToken,
// deviceId, roomId, text and botId. It logs in with the token, starts end-to-end encryption (an
// in-memory store: a device new to the bot), sends TEXT to the room (encrypted if the room is,
// for every device of every member, verified or not, as Element does by default), then waits
// for the bot's message in reply and prints one JSON line:
//   {"encrypted": true, "answer": "<the reply's body, decrypted>"}
"use strict";

if (!globalThis.crypto) {
    globalThis.crypto = require("node:crypto").webcrypto;
}

const sdk = require("matrix-js-sdk");
const { logger } = require("matrix-js-sdk/lib/logger");

logger.setLevel("error");

function fail(message) {
    process.stdout.write(JSON.stringify({ error: message }) + "\n");
    process.exit(1);
}

function waitFor(check, what, ms = 60000) {
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

async function main() {
    const job = JSON.parse(process.argv[2]);
    const client = sdk.createClient({
        baseUrl: job.homeserver,
        userId: job.userId,
        accessToken: job.accessToken,
        deviceId: job.deviceId,
    });
    await client.initRustCrypto({ useIndexedDB: false });
    await client.startClient({ initialSyncLimit: 20 });
    await waitFor(() => client.getSyncState() === "PREPARED" || client.getSyncState() === "SYNCING", "the first sync");
    const room = await waitFor(() => client.getRoom(job.roomId), "the room");
    const { event_id: sent } = await client.sendTextMessage(job.roomId, job.text);
    const sentEvent = await waitFor(() => room.findEventById(sent), "the message in the room");
    const answer = await waitFor(async () => {
        for (const event of room.getLiveTimeline().getEvents()) {
            if (event.getSender() !== job.botId) continue;
            const reply = event.getWireContent()["m.relates_to"];
            if (!reply || !reply["m.in_reply_to"] || reply["m.in_reply_to"].event_id !== sent) continue;
            await client.decryptEventIfNeeded(event);
            if (event.isDecryptionFailure()) return null;
            return event;
        }
        return null;
    }, "the bot's answer");
    client.stopClient();
    process.stdout.write(JSON.stringify({
        encrypted: sentEvent.isEncrypted(),
        answer: answer.getContent().body || "",
    }) + "\n");
    process.exit(0);
}

main().catch((e) => fail(String(e && e.stack ? e.stack : e)));
