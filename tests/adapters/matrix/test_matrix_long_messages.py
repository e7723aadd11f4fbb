"""Long texts on a real homeserver: a message too long for one event goes in parts; an edit,
which changes one event, never shows part of a text as if it were the whole."""

from __future__ import annotations

import json

from nio import Event

from adapters.matrix import content
from bot.kernel.effects import Edit, Send
from bot.kernel.markup import b, lines, pre
from tests.adapters.matrix.running_bot import StartBot
from tests.adapters.matrix.scenes import joined
from tests.peers.synapse import UserFactory, create_room
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
