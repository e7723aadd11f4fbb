"""Long texts on a real homeserver: a message too long for one event goes in parts; an edit,
which changes one event, never shows part of a text as if it were the whole."""

from __future__ import annotations

import asyncio
import json

from nio import Event

from adapters.matrix import content
from bot.kernel.effects import Edit, Send
from bot.kernel.markup import b, lines, pre
from bot.kernel.ports import Conn
from bot.storage.outbox import enqueue
from tests.adapters.matrix.running_bot import StartBot
from tests.adapters.matrix.scenes import branch_room, command, joined
from tests.peers.synapse import FaultyProxy, UserFactory, create_room, notice_from
from tests.peers.synapse.users import EventPredicate

CUT = "… (too long for one message: the rest is cut)"


def edit_of(event_id: str) -> EventPredicate:
    def matches(event: Event) -> bool:
        relation = event.source.get("content", {}).get("m.relates_to", {})
        return relation.get("rel_type") == "m.replace" and relation.get("event_id") == event_id

    return matches


async def test_an_edit_too_long_for_one_event_says_it_was_cut(start_bot: StartBot, matrix_users: UserFactory) -> None:
    """Nothing the bot edits is that long (a ballot fits in one event); if something were, the
    event shows what fits, cut at a line end, and says the rest is cut."""
    bot = await start_bot()
    founder = await matrix_users("founder")
    room = await create_room(founder, invite=[bot.user_id])
    await founder.wait_for_event(room, joined(bot.user_id))
    rows = "\n".join(f"Round {n}: " + "█" * 300 for n in range(1, 201))
    delivered = await bot.app.transports.send(Send(f"mx:{room}", lines(b("Transfers"), pre(rows))))
    assert delivered is not None and delivered.ref

    counts = "\n".join(f"Count {n}: " + "▒" * 300 for n in range(1, 201))
    await bot.app.transports.send(Edit(f"mx:{room}", delivered.ref, lines(b("Recount"), pre(counts))))

    edit = await founder.wait_for_event(room, edit_of(delivered.ref))
    shown = str(edit.source["content"]["m.new_content"]["body"])
    assert shown.startswith("Recount\nCount 1: ") and shown.endswith("\n" + CUT)
    last = shown.splitlines()[-2]  # a whole line: the cut falls at a line end
    assert last.startswith("Count ") and last.endswith(" " + "▒" * 300)
    assert CUT in str(edit.source["content"]["m.new_content"]["formatted_body"])


def test_a_cut_edit_with_its_mark_fits_in_an_event() -> None:
    bars = "\n".join(f"{n} " + "█" * 700 for n in range(100))  # JSON spells each bar in 6 bytes
    shown = content.cut_to_fit(f"<b>Result</b>\n<pre>{bars}</pre>", "… cut", lambda m: content.edit(m, "$e"))
    assert shown.endswith("</pre>\n… cut") and shown.startswith("<b>Result</b>\n<pre>0 ")
    assert len(json.dumps(content.edit(shown, "$e")).encode()) <= content.MAX_CONTENT_BYTES


async def test_a_long_message_whose_later_part_failed_resumes_after_the_parts_sent(
    faulty_proxy: FaultyProxy, start_bot: StartBot, matrix_users: UserFactory
) -> None:
    """The homeserver takes the first part and fails the second for longer than the adapter's
    brief retry: the outbox records the part sent, and its retry posts only the rest, so no
    reader sees a part twice (a part sent again has a new transaction id: a new event)."""
    bot = await start_bot(homeserver=faulty_proxy.url)
    branch = await branch_room(matrix_users, bot.user_id, members=1)
    room = branch.room_id
    await command(branch.founder, room, "!help", bot.user_id, "poll")
    rows = "\n".join(f"round {n:4}: transfer {n * 7:6} votes" for n in range(2000))
    fault = faulty_proxy.fail(r"/rooms/[^/]+/send/", 502, method="PUT", after=1)  # the first part goes
    now = bot.app.clock.now()

    async def queue(conn: Conn) -> None:
        await enqueue(conn, dedupe="count", target=f"mx:{room}", private=False,
                      text=lines(b("Count"), pre(rows), "The end."), now=now)

    await bot.app.writer.run(queue)
    await asyncio.wait_for(bot.app.outbox.drain(), 30)
    assert fault.failed
    assert await bot.query("SELECT parts_sent, sent_at IS NULL, failed IS NULL FROM outbox WHERE dedupe = 'count'") \
        == [(1, 1, 1)]
    fault.heal()
    await bot.wait_until("SELECT sent_at IS NOT NULL FROM outbox WHERE dedupe = 'count'", 1, within=60)
    await branch.founder.wait_for_event(room, notice_from(bot.user_id, containing="The end."))
    parts = [str(e.source["content"]["body"]) for e in branch.founder.find_events(room, notice_from(bot.user_id))
             if "round" in str(e.source["content"]["body"])]
    shown = "".join(parts)
    assert len(parts) >= 3 and shown.count("round") == 2000 and shown.count("Count") == 1
