"""A native MSC3381 poll run end to end on a real homeserver: invite, poll, votes, close."""

from __future__ import annotations

from tests.adapters.matrix.running_bot import StartBot
from tests.adapters.matrix.scenes import body, bot_poll_start, branch_room, command, count_line
from tests.peers.synapse import (
    PollFormat,
    UserFactory,
    is_poll_end_of,
    notice_from,
    send_poll_response,
    send_text,
)


async def test_an_organiser_runs_a_native_poll_that_members_answer_in_the_client(
    start_bot: StartBot, matrix_users: UserFactory
) -> None:
    bot = await start_bot()
    branch = await branch_room(matrix_users, bot.user_id)  # the bot accepted the founder's invite
    secretary, (ann, ben, cat) = branch.secretary, branch.members
    room = branch.room_id

    await send_text(secretary, room, "!poll Lunch? | Pizza | Soup --native")
    start = await ann.wait_for_event(room, bot_poll_start(bot.user_id))
    poll = start.source["content"]["org.matrix.msc3381.poll.start"]
    assert start.source["type"] == "org.matrix.msc3381.poll.start"
    assert poll["question"] == {"org.matrix.msc1767.text": "Lunch?"}
    assert poll["kind"] == "org.matrix.msc3381.poll.disclosed" and poll["max_selections"] == 1
    texts = [a["org.matrix.msc1767.text"] for a in poll["answers"]]
    assert texts == ["Pizza", "Soup"]
    pizza, soup = (a["id"] for a in poll["answers"])
    assert "Lunch?" in start.source["content"]["org.matrix.msc1767.text"]

    start_id = start.source["event_id"]
    await send_poll_response(ann, room, start_id, [pizza])
    await send_poll_response(ben, room, start_id, [soup], poll_format=PollFormat.STABLE)
    await send_poll_response(cat, room, start_id, [pizza])
    await send_poll_response(cat, room, start_id, [soup])  # changes her mind: the latest counts

    mark = secretary.mark(room)
    close_id = await send_text(secretary, room, "!close 1")
    end = await secretary.wait_for_event(room, is_poll_end_of(start_id), start=mark)
    assert end.source["sender"] == bot.user_id
    assert end.source["type"] == "org.matrix.msc3381.poll.end"
    assert "Closed" in end.source["content"]["org.matrix.msc1767.text"]
    result = await secretary.wait_for_event(room, notice_from(bot.user_id, containing="Result"), start=mark)
    text = body(result)
    assert count_line("Pizza", 1).search(text) and count_line("Soup", 2).search(text), text
    assert "Votes cast: 3" in text
    content = result.source["content"]
    assert content["format"] == "org.matrix.custom.html" and "<br>" in content["formatted_body"]
    assert close_id  # the close itself is the organiser's command; the result is for the room

    rows = await bot.query("SELECT voter, choice FROM votes WHERE poll_id = 1 ORDER BY voter")
    assert sorted(rows) == sorted([(f"mx:{ann.user_id}", "0"), (f"mx:{ben.user_id}", "1"), (f"mx:{cat.user_id}", "1")])

    # A response after the end is refused, and the member is told so privately.
    await send_poll_response(ann, room, start_id, [soup])
    dm = await ann.wait_for_invite()
    assert dm != room
    await ann.client.join(dm)
    refusal = await ann.wait_for_event(dm, notice_from(bot.user_id, containing="not counted"))
    assert "closed" in body(refusal)
    assert await bot.query("SELECT choice FROM votes WHERE poll_id = 1 AND voter = ?", f"mx:{ann.user_id}") == [("0",)]


async def test_commands_need_an_organiser_and_replies_thread_to_the_command(
    start_bot: StartBot, matrix_users: UserFactory
) -> None:
    bot = await start_bot()
    branch = await branch_room(matrix_users, bot.user_id, members=1)
    (ann,) = branch.members
    room = branch.room_id

    command_id, refusal = await command(ann, room, "/poll Strike? | Yes | No", bot.user_id, "organisers")
    assert "Only organisers" in body(refusal)
    assert refusal.source["content"]["msgtype"] == "m.notice"
    assert refusal.source["content"]["m.relates_to"] == {"m.in_reply_to": {"event_id": command_id}}
    assert await bot.query("SELECT count(*) FROM polls") == [(0,)]

    # The room's creator is not in the power levels (room version 12) yet is an organiser.
    await command(branch.founder, room, "!poll Adjourn?", bot.user_id, "Poll 1")
    bot.adapter.transport.edit_interval = 0.1  # the live tally is edited in soon after a vote
    _, ballot = await command(branch.secretary, room, "!poll Extend the meeting?", bot.user_id, "Poll 2")
    assert "/vote 2" in body(ballot)
    _, answer = await command(ann, room, "!vote 2 yes", bot.user_id, "Your vote")
    assert "Yes" in body(answer)
    ballot_id = ballot.source["event_id"]
    edit = await ann.wait_for_event(
        room, lambda e: e.source.get("content", {}).get("m.relates_to", {}).get("event_id") == ballot_id
    )
    assert edit.source["content"]["m.relates_to"]["rel_type"] == "m.replace"
    assert "1 voted so far" in edit.source["content"]["m.new_content"]["body"]
