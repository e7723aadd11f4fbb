"""A room upgraded mid-poll (Synapse's /upgrade, as Element's "upgrade room" makes it): the bot
follows the tombstone, its polls move to the replacement and go on there, and what members
still send to the old room is refused once each with the way to the new one. Members who follow
the room into its replacement keep their place in a poll's electorate, and only theirs: one who
came to the old room after the poll opened, or comes to the new one, is still late."""

from __future__ import annotations

import asyncio
from urllib.parse import quote

from tests.adapters.matrix.running_bot import StartBot
from tests.adapters.matrix.scenes import (
    body,
    bot_poll_start,
    branch_room,
    command,
    count_line,
    joined,
    native_poll,
    replies_to,
)
from tests.peers.synapse import (
    UserFactory,
    invite,
    is_poll_end_of,
    join,
    notice_from,
    send_poll_response,
    send_text,
    set_power_level,
    upgrade_room,
)

POINTER = "has been upgraded"
VOTES = "SELECT voter, choice FROM votes WHERE poll_id = 1"
LATE = "fixed when it opened"


async def test_a_poll_goes_on_in_the_room_that_replaces_an_upgraded_one(
    start_bot: StartBot, matrix_users: UserFactory
) -> None:
    bot = await start_bot()
    branch = await branch_room(matrix_users, bot.user_id, members=2)
    founder, secretary, (ann, ben) = branch.founder, branch.secretary, branch.members
    old = branch.room_id
    start_id, pizza, soup = await native_poll(branch, bot.user_id)
    await send_poll_response(ann, old, start_id, [pizza])
    await bot.wait_until("SELECT count(*) FROM votes WHERE poll_id = 1", 1)

    # The founder upgrades the room and invites everyone to the new one, as Element offers to.
    new = await upgrade_room(founder, old)
    for who in (bot.user_id, secretary, ann, ben):
        await invite(founder, new, who)
    for who in (secretary, ann, ben):
        await join(who, new)

    # The open poll is announced again in the new room, as a native poll, and lives there now.
    start = await ben.wait_for_event(new, bot_poll_start(bot.user_id))
    poll = start.source["content"]["org.matrix.msc3381.poll.start"]
    assert [a["org.matrix.msc1767.text"] for a in poll["answers"]] == ["Pizza", "Soup"]
    assert await bot.query("SELECT room FROM polls WHERE id = 1") == [(f"mx:{new}",)]
    assert await bot.query("SELECT old_room, new_room FROM room_moves") == [(f"mx:{old}", f"mx:{new}")]
    new_start = start.source["event_id"]
    new_soup = poll["answers"][1]["id"]
    await send_poll_response(ben, new, new_start, [new_soup])
    await bot.wait_until("SELECT count(*) FROM votes WHERE poll_id = 1", 2)

    # Late in the old room, where the upgrade left only moderators the right to post (the bot is
    # none): the secretary's vote is not counted, and she is told privately where the room went.
    late = await send_text(secretary, old, "!vote 1 Pizza")
    dm = await secretary.wait_for_invite()
    await join(secretary, dm)
    pointer = await secretary.wait_for_event(dm, notice_from(bot.user_id, containing=POINTER))
    assert quote(new, safe="") in body(pointer), body(pointer)
    await send_text(secretary, old, "!vote 1 Pizza")  # once is enough: no second message
    await send_poll_response(secretary, old, start_id, [pizza])
    # Where the bot may post in the old room, the way to the new one is a reply there.
    await set_power_level(founder, old, bot.user_id, 50)
    mark = founder.mark(old)
    late = await send_text(founder, old, "!results 1")
    pointer = await founder.wait_for_event(old, replies_to(bot.user_id, late), start=mark)
    assert POINTER in body(pointer) and quote(new, safe="") in body(pointer), body(pointer)
    await secretary.sync()
    assert len(secretary.find_events(dm, notice_from(bot.user_id, containing=POINTER))) == 1
    in_old = secretary.find_events(old, notice_from(bot.user_id, containing=POINTER))
    assert [e.source["event_id"] for e in in_old] == [pointer.source["event_id"]]  # the founder's only
    assert sorted(await bot.query(VOTES)) == sorted([(f"mx:{ann.user_id}", "0"), (f"mx:{ben.user_id}", "1")])

    # Organisers of the new room are who its own power levels say (the secretary's 50 was carried
    # over by the upgrade; a member raised there only is one too).
    await set_power_level(founder, new, ann, 50)
    await command(ann, new, "!poll Adjourn?", bot.user_id, "Poll 2")

    # After a restart the bot still knows where the room went (and tells each member once again).
    await bot.stop()
    bot = await start_bot()
    mark = secretary.mark(old)
    late = await send_text(secretary, old, "!close 1")
    pointer = await secretary.wait_for_event(old, replies_to(bot.user_id, late), start=mark)
    assert POINTER in body(pointer)
    assert await bot.query("SELECT closed_at FROM polls WHERE id = 1") == [(None,)]

    # Closed in the new room, with every vote: the one cast before the upgrade and the one after.
    mark = secretary.mark(new)
    await send_text(secretary, new, "!close 1")
    end = await secretary.wait_for_event(new, is_poll_end_of(new_start), start=mark)
    assert end.source["sender"] == bot.user_id
    result = await secretary.wait_for_event(new, notice_from(bot.user_id, containing="Result"), start=mark)
    text = body(result)
    assert count_line("Pizza", 1).search(text) and count_line("Soup", 1).search(text), text
    assert "Votes cast: 2" in text


async def test_who_came_after_a_poll_opened_is_late_in_the_replacement_too(
    start_bot: StartBot, matrix_users: UserFactory
) -> None:
    """Every member joins the replacement, after the poll opened: for one who is in the old
    room that is following it, no join; one who joined the old room late stays late, and one
    who was never in it joins anew."""
    bot = await start_bot()
    branch = await branch_room(matrix_users, bot.user_id, members=1)
    founder, (ann,), old = branch.founder, branch.members, branch.room_id
    late, outsider = await matrix_users("late", encrypted=True), await matrix_users("outsider", encrypted=True)
    await command(branch.secretary, old, "!poll Strike? | Yes | No", bot.user_id, "Poll 1")
    await asyncio.sleep(1.1)  # the opening is kept to the second: what follows is after it
    await invite(founder, old, late)
    await join(late, old)
    await founder.wait_for_event(old, joined(late.user_id))
    await command(late, old, "!vote 1 Yes", bot.user_id, LATE)

    new = await upgrade_room(founder, old)
    await invite(founder, new, bot.user_id)
    await bot.wait_until("SELECT new_room FROM room_moves", f"mx:{new}")
    for who in (branch.secretary, ann, late, outsider):
        await invite(founder, new, who)
        await join(who, new)
    for who in (late, outsider):
        _, refusal = await command(who, new, "!vote 1 Yes", bot.user_id, LATE)
        assert "you joined the room after" in body(refusal), body(refusal)
    await command(ann, new, "!vote 1 No", bot.user_id, "Your vote in poll 1: No")
    assert await bot.query(VOTES) == [(f"mx:{ann.user_id}", "1")]


BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


async def test_the_way_to_the_new_room_is_its_name_and_a_link_never_a_bare_id_or_a_reordering_name(
    start_bot: StartBot, matrix_users: UserFactory
) -> None:
    """Whoever says where an upgraded room went (the adapter, or the core for a room the bot
    could not follow) names the room as members find it: its name, stripped of the controls
    that would reorder the sentence around it, and a matrix.to link, never a bare room id."""
    bot = await start_bot()
    branch = await branch_room(matrix_users, bot.user_id, members=1)
    founder, secretary, old = branch.founder, branch.secretary, branch.room_id
    hostile = "Branch \u202eniaga\u202c \u2066office\u2069"
    await founder.client.room_put_state(old, "m.room.name", {"name": hostile})
    new = await upgrade_room(founder, old)  # the name goes with it
    await invite(founder, new, bot.user_id)
    await bot.wait_until("SELECT count(*) FROM room_moves", 1)

    # The adapter says it, privately (the upgrade left only moderators the right to post in the old room: the
    # secretary is one, the bot none).
    await send_text(secretary, old, "!polls")
    dm = await secretary.wait_for_invite()
    await join(secretary, dm)
    pointer = await secretary.wait_for_event(dm, notice_from(bot.user_id, containing=POINTER))
    text, html = body(pointer), str(pointer.source["content"].get("formatted_body", ""))
    assert "Branch niaga office" in text and quote(new, safe="") in text, text
    assert not any(c in text + html for c in BIDI), ascii(text + html)
    assert new not in text

    # The bot is put out of the new room and restarted: it cannot follow the room any more, so
    # the core refuses what is sent to the old one (where the bot may post now), the same way.
    await founder.client.room_kick(new, bot.user_id)
    await set_power_level(founder, old, bot.user_id, 50)
    await bot.stop()
    bot = await start_bot()
    mark = secretary.mark(old)
    late = await send_text(secretary, old, "!results 1")
    answer = await secretary.wait_for_event(old, replies_to(bot.user_id, late), start=mark)
    text = body(answer)
    assert POINTER in text and quote(new, safe="") in text and "https://matrix.to/#/" in text, text
    assert new not in text and new.split(":", 1)[0] not in text, text
