"""Reminders and the scheduler, on a manual clock: nothing sleeps."""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.features.polls.model import Poll
from bot.features.reminders.model import rounds_for
from bot.kernel.clock import ManualClock
from bot.kernel.durations import Span
from bot.storage import outbox
from tests.helpers import Chat, import_roll


async def _setup(chat: Chat, secret: bool = True) -> None:
    codes = await import_roll(chat)
    for who in ("ann", "bob", "cat"):
        await chat.say(f"{who} (private): /join {codes[who]}")
    secrecy = " --secret" if secret else ""
    await chat.say(f"chair: /poll Strike? --roll --closes 48h{secrecy}", "ann (private): /vote 1 yes")


async def _tick(chat: Chat, duration: str) -> str:
    start = len(chat.transport.transcript)
    await chat.advance(duration)
    await chat.app.outbox.drain()
    return "\n".join(chat.transport.transcript[start:])


def private_lines(out: str, who: str) -> list[str]:
    return [ln for ln in out.splitlines() if ln.startswith(f"  [{who} (private)]") and "Reminder" in ln]


async def test_reminders_go_privately_to_non_voters_once(chat: Chat) -> None:
    await _setup(chat)
    out = await _tick(chat, "23h")
    assert "Reminder" not in out
    out = await _tick(chat, "1h")  # 24h before the close
    assert private_lines(out, "bob") and private_lines(out, "cat") and not private_lines(out, "ann")
    assert "#main" not in out  # the group warning comes only an hour before
    out = await _tick(chat, "1m")
    assert "Reminder" not in out  # once per round
    await chat.say("cat (private): /remind off")
    out = await _tick(chat, "23h")  # 1h before the close
    assert private_lines(out, "bob") and not private_lines(out, "cat")
    group = [ln for ln in out.splitlines() if "[#main]" in ln]
    assert len(group) == 1 and "1 of 3 has voted" in group[0]
    assert "bob" not in group[0].lower() and "Bob" not in group[0]  # nobody is named in the group
    out = await _tick(chat, "1h")
    assert "Result" in out and "Reminder" not in out


@pytest.mark.parametrize("secret", [False, True])
async def test_restart_repeats_no_reminder_and_sends_only_the_latest(tmp_path: Path, secret: bool) -> None:
    clock = ManualClock()
    chat = await Chat.start(tmp_path, clock=clock)
    await _setup(chat, secret)
    out = await _tick(chat, "24h")
    assert len(private_lines(out, "bob")) == 1 and len(private_lines(out, "cat")) == 1
    sent = await chat.query("SELECT count(*) FROM outbox WHERE sent_at IS NOT NULL")
    assert sent == [(0 if secret else 2,)]  # a secret ballot's reminders are deleted once sent
    await chat.stop()
    # Restart: nothing new is due, nothing is sent again.
    chat = await Chat.start(tmp_path, clock=clock)
    await chat.app.scheduler.run_due()
    await chat.app.outbox.drain()
    assert "Reminder" not in "\n".join(chat.transport.transcript)
    assert await chat.query("SELECT count(*) FROM outbox") == sent
    await chat.stop()
    # Down across the 1h round and the group warning; back 30 minutes before the close.
    clock.advance(timedelta(hours=23, minutes=30))
    chat = await Chat.start(tmp_path, clock=clock)
    await chat.app.scheduler.run_due()
    await chat.app.outbox.drain()
    out = "\n".join(chat.transport.transcript)
    assert len(private_lines(out, "bob")) == 1 and len(private_lines(out, "cat")) == 1
    assert out.count("[#main]") == 1
    await chat.stop()


async def test_organiser_reminds_now_and_may_name_non_voters(chat: Chat) -> None:
    await _setup(chat)
    out = await chat.say("ann: /remind 1")
    assert "Only an organiser" in out
    # In a secret ballot even who has voted is secret: nobody is named, and nothing is sent.
    before = await chat.snapshot()
    out = await chat.say("chair: /remind 1 --names")
    assert "secret ballot" in out and "/remind 1" in out
    assert await chat.snapshot() == before
    await chat.say("chair: /poll Affiliate? --roll --closes 48h", "ann: /vote 2 yes")
    out = await chat.say("chair: /remind 2 --names")
    assert "2 members" in out
    await chat.app.outbox.drain()
    out = "\n".join(chat.transport.transcript)
    assert "Not yet voted: Bob Jones, Cat Lee" in out
    out = await chat.say("chair: /remind")
    assert "Usage: /remind" in out


async def test_room_polls_get_a_group_warning_only(chat: Chat) -> None:
    await chat.say("chair: /poll Picnic? --closes 3h")
    out = await _tick(chat, "2h")
    assert "[#main]" in out and "closes at" in out and "(private)" not in out


def test_rounds_rule() -> None:
    from datetime import UTC, datetime

    opened = datetime(2026, 6, 1, 12, tzinfo=UTC)
    poll = Poll(1, "r", "c", "Q", ("Yes", "No"), "proposal", 1, 1, False, False, False, False, None, None,
                "roll", None, 3, 3, opened, opened + timedelta(minutes=90))
    offs = (Span(0, timedelta(hours=24)), Span(0, timedelta(hours=1)))
    hour, tz = Span(0, timedelta(hours=1)), ZoneInfo("UTC")
    # A 90-minute poll gets the 1h reminder and warning, not the 24h one.
    assert [n for n, _ in rounds_for(poll, offs, hour, tz)] == ["1h", "group-1h"]
    poll.electorate_kind = "room"
    assert [n for n, _ in rounds_for(poll, offs, hour, tz)] == ["group-1h"]
    poll.closes_at = None
    assert rounds_for(poll, offs, hour, tz) == []


async def test_private_messages_are_deleted_30_days_after_they_were_sent(chat: Chat) -> None:
    """A sent reminder of an open ballot says who had not voted; the outbox keeps it 30 days
    (KEEP_PRIVATE), then deletes it, while group messages and a private message still waiting to
    go stay. (A secret ballot's go at once: tests/reliability/test_secret_at_rest.py.)"""
    await _setup(chat, secret=False)
    await _tick(chat, "24h")  # bob's and cat's reminders sent

    # Bob's, as if its platform had been down since, and as if it outlived the poll (as a draw's
    # ticket does: a reminder still waiting at the close is given up, tests/reliability/test_outbox.py).
    async def waiting(conn) -> None:  # type: ignore[no-untyped-def]
        await conn.execute("UPDATE outbox SET sent_at = NULL, not_before = '9999-01-01T00:00:00+00:00',"
                           " ends_with = NULL WHERE private = 1 AND target LIKE '%bob'")

    await chat.app.writer.run(waiting)
    private = "SELECT target, sent_at IS NOT NULL FROM outbox WHERE private = 1 ORDER BY target"
    assert await chat.query(private) == [("console:bob", 0), ("console:cat", 1)]
    await _tick(chat, "24h")  # the poll closes: its result goes to the group
    groups = await chat.query("SELECT dedupe FROM outbox WHERE private = 0 ORDER BY id")
    assert groups
    await _tick(chat, "28d")  # 29 days after the reminders
    assert await chat.query(private) == [("console:bob", 0), ("console:cat", 1)]
    await _tick(chat, "25h")
    assert await chat.query(private) == [("console:bob", 0)]  # not sent yet: kept, however old
    assert await chat.query("SELECT dedupe FROM outbox WHERE private = 0 ORDER BY id") == groups


async def test_a_redelivered_remind_after_a_restart_sends_nothing_again(tmp_path: Path) -> None:
    """The platform sends /remind again (the bot stopped before it confirmed it): the record of
    applied updates drops the copy, so no second round goes to the members."""
    from bot.kernel.events import Actor, Message, Room

    clock = ManualClock()
    chat = await Chat.start(tmp_path, clock=clock)
    await _setup(chat)
    remind = Message(Actor("console:chair", "chair"), Room("console:main"), "/remind 1", event_id="EV-1")
    await chat.app.handle(remind)
    await chat.app.outbox.drain()
    await chat.settle()
    assert len(private_lines("\n".join(chat.transport.transcript), "bob")) == 1
    before = await chat.snapshot()
    await chat.stop()
    chat = await Chat.start(tmp_path, clock=ManualClock(clock.now() + timedelta(seconds=5)))
    await chat.app.outbox.drain()
    start = len(chat.transport.transcript)
    await chat.app.handle(remind)
    await chat.app.outbox.drain()
    await chat.settle()
    assert chat.transport.transcript[start:] == []
    assert await chat.snapshot() == before
    await chat.stop()


async def test_two_organisers_reminding_at_once_send_one_round(tmp_path: Path) -> None:
    """The second is told a round is on its way already, not that it went to nobody."""
    import asyncio

    from bot.kernel.config import parse_config
    from bot.kernel.events import Actor, Message, Room

    chat = await Chat.start(tmp_path, config=parse_config({"console": {"organisers": ["chair", "sec"]}}))
    await _setup(chat)
    start = len(chat.transport.transcript)
    room = Room("console:main")
    await asyncio.gather(chat.app.handle(Message(Actor("console:chair", "chair"), room, "/remind 1", event_id="a")),
                         chat.app.handle(Message(Actor("console:sec", "sec"), room, "/remind 1", event_id="b")))
    await chat.app.outbox.drain()
    await chat.settle()
    out = "\n".join(chat.transport.transcript[start:])
    assert "on their way to 2 members who have not voted" in out
    assert "A reminder round for poll 1 is on its way already" in out
    assert "0 members" not in out
    assert len(private_lines(out, "bob")) == 1 and len(private_lines(out, "cat")) == 1
    await chat.stop()


def test_time_left_reads_in_days_and_hours() -> None:
    from bot.app.bootstrap import LOCALES
    from bot.engines.language import Catalogues
    from bot.features.reminders.render import in_words
    from bot.kernel.language import speaking

    catalogues = Catalogues(LOCALES)
    pl, cy = catalogues.get("pl"), catalogues.get("cy")
    assert pl is not None and cy is not None

    assert in_words(timedelta(minutes=3887)) == "2 days 16 hours"
    assert in_words(timedelta(days=2)) == "2 days"
    assert in_words(timedelta(days=1, minutes=59)) == "1 day"
    assert in_words(timedelta(hours=5, minutes=47)) == "5 hours 47 minutes"
    assert in_words(timedelta(hours=1)) == "1 hour"
    assert in_words(timedelta(minutes=12)) == "12 minutes"
    with speaking(pl):
        assert in_words(timedelta(minutes=3887)) == "2 dni 16 godzin"
        assert in_words(timedelta(hours=2, minutes=22)) == "2 godziny 22 minuty"
    with speaking(cy):
        assert in_words(timedelta(hours=5, minutes=1)) == "5 awr 1 munud"


async def test_reminders_know_about_proxies(chat: Chat) -> None:
    """Ann gave Bob her proxy: she is not told to vote (that would cancel it), but where it is;
    Bob, who voted himself, is reminded to cast hers."""
    codes = await import_roll(chat)
    for who in ("ann", "bob", "cat"):
        await chat.say(f"{who} (private): /join {codes[who]}")
    await chat.say("chair: /poll Affiliate? --roll --proxies 2 --closes 2d", "ann (private): /proxy 1 Bob Jones",
                   "bob: /vote 1 yes")
    out = await _tick(chat, "1d")
    ann, bob, cat = private_lines(out, "ann"), private_lines(out, "bob"), private_lines(out, "cat")
    assert len(ann) == 1 and "You have not voted yet" not in ann[0] and "/vote 1 OPTION" not in ann[0]
    assert "Your proxy is with Bob Jones" in ann[0] and "cancel" in ann[0]
    assert len(bob) == 1 and "You have not voted yet" not in bob[0]
    assert "/vote 1 OPTION --for Ann Smith" in out
    assert len(cat) == 1 and "You have not voted yet" in cat[0] and "proxy" not in cat[0]
    out = await chat.say("chair: /remind 1")
    assert "2 members who have not voted" in out  # Ann and Cat; Bob, who has, is reminded of her proxy
    await chat.app.outbox.drain()  # the reminders it queued go now, not with the next round
    # Bob casts it: nobody has anything left to do about it.
    await chat.say("bob (private): /vote 1 no --for Ann Smith")
    out = await _tick(chat, "23h")
    assert not private_lines(out, "ann") and not private_lines(out, "bob") and private_lines(out, "cat")


async def test_proxies_in_a_secret_ballot_are_reminded_privately_only(chat: Chat) -> None:
    codes = await import_roll(chat)
    for who in ("ann", "bob", "cat"):
        await chat.say(f"{who} (private): /join {codes[who]}")
    await chat.say("chair: /poll Strike? --roll --secret --proxies 1 --closes 2d",
                   "ann (private): /proxy 1 Cat Lee")
    out = await _tick(chat, "1d")
    cat = private_lines(out, "cat")
    assert len(cat) == 1 and "You have not voted yet" in cat[0] and "--for Ann Smith" in out
    out = await _tick(chat, "23h")
    group = [ln for ln in out.splitlines() if "[#main]" in ln]
    assert len(group) == 1 and "Ann" not in group[0] and "proxy" not in group[0].lower()



async def test_reminders_name_the_zone_and_a_day_before_is_a_calendar_day(tmp_path: Path) -> None:
    """Members read a reminder far from the organisation: the close it names says its zone, in
    private and in the group. A reminder "1d" before a close is at the same time of day the day
    before, as --closes 1d reads a day: across the clocks going back that is 25 hours."""
    from datetime import UTC, datetime

    from bot.kernel.config import parse_config

    config = parse_config({"bot": {"timezone": "Europe/London"}, "reminders": {"offsets": ["1d"]}})
    chat = await Chat.start(tmp_path, config, clock=ManualClock(datetime(2026, 10, 23, 12, 0, tzinfo=UTC)))
    try:
        codes = await import_roll(chat)
        for who in ("ann", "bob"):
            await chat.say(f"{who} (private): /join {codes[who]}")
        out = await chat.say("chair: /poll Strike? --roll --closes 2026-10-25 13:00")  # Sunday, in GMT
        assert "Closes Sun 25 Oct 13:00 (Europe/London)." in out, out
        out = await _tick(chat, "23h59m")  # Saturday 12:59 BST
        assert "Reminder" not in out, out
        out = await _tick(chat, "1m")  # Saturday 13:00 BST: the day before, 25 hours before the close
        assert "closes at Sun 25 Oct 13:00 (Europe/London), in 1 day 1 hour." in private_lines(out, "bob")[0], out
        out = await _tick(chat, "24h")  # Sunday 12:00 GMT: the group's warning, an hour before
        group = [ln for ln in out.splitlines() if "[#main]" in ln]
        assert group and "closes at 13:00 (Europe/London), in 1 hour." in group[0], out
    finally:
        await chat.stop()


async def test_a_round_that_fails_holds_up_no_other_polls_round(chat: Chat) -> None:
    """Poll 1's round cannot be queued (its work fails each time): poll 2's goes all the same,
    and poll 1's is tried again at the next pass, not given up."""
    await _setup(chat, secret=False)
    await chat.say("chair: /poll Affiliate? --roll --closes 48h")
    reminders = chat.app.services.reminders
    queue_round = reminders._queue_round
    broken = {1}

    async def failing(poll, **kwargs):  # type: ignore[no-untyped-def]
        if poll.id in broken:
            raise OSError("the database went away")
        return await queue_round(poll, **kwargs)

    reminders._queue_round = failing  # type: ignore[method-assign]
    out = await _tick(chat, "24h")
    assert [ln for ln in private_lines(out, "bob") if "poll 2" in ln], out
    assert not [ln for ln in private_lines(out, "bob") if "poll 1" in ln]
    broken.clear()
    out = await _tick(chat, "30s")  # the safety tick's pass
    assert [ln for ln in private_lines(out, "bob") if "poll 1" in ln]
    assert not [ln for ln in private_lines(out, "bob") if "poll 2" in ln]


@pytest.mark.parametrize(("start", "closes", "local_before", "at_before", "left"), [
    # The clocks go forward (01:00 GMT -> 02:00 BST on Sun 29 Mar): 24 hours before Sunday 13:00
    # BST is Saturday 12:00 GMT, when the clocks read 12:00, not 13:00.
    ("2026-03-27T12:00:00+00:00", "2026-03-29 13:00", "23h59m", "1m", "in 1 day."),
    # The clocks go back (02:00 BST -> 01:00 GMT on Sun 25 Oct): Saturday 14:00 BST.
    ("2026-10-23T12:00:00+00:00", "2026-10-25 13:00", "24h59m", "1m", "in 1 day."),
    # Both sides of the change, the round after it: a close on Monday is 24 hours after Sunday's.
    ("2026-10-24T12:00:00+00:00", "2026-10-26 13:00", "24h59m", "1m", "in 1 day."),
])
async def test_a_reminder_24h_before_the_close_is_24_hours_before_it_across_a_clock_change(
    tmp_path: Path, start: str, closes: str, local_before: str, at_before: str, left: str,
) -> None:
    """``24h`` is elapsed time: the reminder falls 24 hours before the close whichever way the
    clocks of the poll's zone changed in between, neither an hour early nor an hour late."""
    from datetime import datetime

    from bot.kernel.config import parse_config

    config = parse_config({"bot": {"timezone": "Europe/London"}, "reminders": {"offsets": ["24h"]}})
    chat = await Chat.start(tmp_path, config, clock=ManualClock(datetime.fromisoformat(start)))
    try:
        codes = await import_roll(chat)
        for who in ("ann", "bob"):
            await chat.say(f"{who} (private): /join {codes[who]}")
        await chat.say(f"chair: /poll Strike? --roll --closes {closes}")
        [(closes_at,)] = await chat.query("SELECT closes_at FROM polls")
        out = await _tick(chat, local_before)
        assert "Reminder" not in out, out
        out = await _tick(chat, at_before)
        assert private_lines(out, "bob") and left in private_lines(out, "bob")[0], out
        reminded_at = chat.app.clock.now()
        assert datetime.fromisoformat(closes_at) - reminded_at == timedelta(hours=24)
    finally:
        await chat.stop()


SEVEN = "name,number\n" + "".join(f"{n} Member,{1000 + i}\n" for i, n in enumerate(
    ("Ann", "Bob", "Cat", "Dan", "Eve", "Fay", "Gus")))


async def test_an_open_polls_round_is_queued_a_page_at_a_time_and_a_crash_reminds_each_member_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """An open poll's round is never built whole: it is one walk through the electorate, whose
    reminders are queued a page of members per transaction, each page with the walk's progress,
    as the queue runs low (pages of two members here). The database failing after two pages,
    and the bot restarted, every non-voter is reminded once: none twice, none missed. When
    the walk is over, how many it reminded is logged (a count, across the restart: no name)."""
    caplog.set_level(logging.INFO, logger="bot.storage.outbox")
    monkeypatch.setattr(outbox, "WALK_PAGE", 2)
    pages: list[list[int]] = []
    queue_page = outbox._queue_page
    fail_after: list[int] = [2]

    async def recorded(conn, walk, page, now):  # type: ignore[no-untyped-def]
        if fail_after and len(pages) >= fail_after[0]:
            raise OSError("disk I/O error")
        pages.append(page.steps)
        return await queue_page(conn, walk, page, now)

    monkeypatch.setattr(outbox, "_queue_page", recorded)
    clock = ManualClock()
    chat = await Chat.start(tmp_path, clock=clock)
    try:
        codes = await import_roll(chat, SEVEN)
        for who in codes:
            await chat.say(f"{who} (private): /join {codes[who]}")
        await chat.say("chair: /poll Strike? --roll --closes 48h", "ann (private): /vote 1 yes")
        await chat.advance("24h")  # the round is queued as a walk; its pages as the outbox gets to them
        try:
            await chat.app.outbox.drain()
        except OSError:
            pass
        assert pages == [[1, 2], [3, 4]]
        assert await chat.query("SELECT queued, done_to FROM outbox_walks") == [(1, 4)]
        reminded = [line.split("]")[0] for line in chat.transport.transcript if "Reminder" in line]
    finally:
        await chat.stop()
    fail_after.clear()
    chat = await Chat.start(tmp_path, clock=clock)
    try:
        while await chat.app.outbox.drain():
            pass
        assert pages == [[1, 2], [3, 4], [5, 6], [7]]
        reminded += [line.split("]")[0] for line in chat.transport.transcript if "Reminder" in line]
        assert sorted(reminded) == [f"  [{who} (private)" for who in ("bob", "cat", "dan", "eve", "fay", "gus")]
        assert await chat.query("SELECT count(*) FROM outbox_walks") == [(0,)]
        assert await chat.query("SELECT target FROM outbox WHERE dedupe LIKE 'remind:1:%' ORDER BY id") == [
            (f"console:{who}",) for who in ("bob", "cat", "dan", "eve", "fay", "gus")]
        over = [r.getMessage() for r in caplog.records if "is over" in r.getMessage()]
        assert over == ["outbox: walk 1 (remind 1:1d) is over: 6 messages queued in all"]
    finally:
        await chat.stop()


class _Untouched(dict[int, int]):
    """A poll's electorate in memory that counts the passes over it (a lookup is no pass)."""

    passes = 0

    def __iter__(self):  # type: ignore[no-untyped-def]
        _Untouched.passes += 1
        return super().__iter__()

    def keys(self):  # type: ignore[no-untyped-def]
        _Untouched.passes += 1
        return super().keys()

    def items(self):  # type: ignore[no-untyped-def]
        _Untouched.passes += 1
        return super().items()

    def values(self):  # type: ignore[no-untyped-def]
        _Untouched.passes += 1
        return super().values()


async def test_a_page_of_a_round_reads_its_own_members_only(chat: Chat, monkeypatch: pytest.MonkeyPatch) -> None:
    """A page of a round's walk costs its own members, however large the electorate: its
    members are read as a range of the stored electorate (not picked by a pass over the whole
    of it in memory), and only the proxies its members gave or hold are read, not the poll's
    list. Seven members, a page of two after member 2: members 3 and 4, and Dan's proxy only."""
    codes = await import_roll(chat, SEVEN)
    for who in codes:
        await chat.say(f"{who} (private): /join {codes[who]}")
    await chat.say("chair: /poll Strike? --roll --proxies 2 --closes 48h", "ann (private): /proxy 1 Gus Member",
                   "dan (private): /proxy 1 Bob Member", "eve (private): /proxy 1 Fay Member")
    poll = chat.app.services.polls.open_polls()[0]
    assert poll.electorate is not None
    poll.electorate = _Untouched(poll.electorate)
    reader = chat.app.reader
    reads: list[tuple[str, list[tuple[object, ...]]]] = []
    read = reader.execute_fetchall

    async def recorded(sql: str, parameters: object = ()) -> list[tuple[object, ...]]:
        rows = list(await read(sql, parameters))
        reads.append((sql, [tuple(r) for r in rows]))
        return rows

    monkeypatch.setattr(reader, "execute_fetchall", recorded)
    walked = await chat.app.services.reminders.walk("1:test", 2, 2)
    monkeypatch.undo()
    assert walked is not None and walked.steps == [3, 4] and sorted(walked.messages) == [3, 4]
    assert "Your proxy is with Bob Member" in walked.messages[4][1]
    assert _Untouched.passes == 0  # no pass over the electorate in memory
    assert [rows for sql, rows in reads if "FROM poll_electorate" in sql] == [[(3,), (4,)]]
    proxies = [row for sql, rows in reads if "FROM poll_proxies" in sql for row in rows]
    assert [(giver, holder) for _poll, giver, holder, *_rest in proxies] == [(4, 2)]
