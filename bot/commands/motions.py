"""/motion: drafting motions together, submitting them, putting them to the vote, and exporting
the final text in the standard layout. Amendments are in bot.commands.amendments."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import aiosqlite

from bot.commands import amendments as _amendment_commands  # noqa: F401  (/amend, /amendment)
from bot.commands.registry import command
from bot.context import Context
from bot.kernel.durations import DeadlineError, parse_deadline
from bot.kernel.errors import UserError
from bot.kernel.grammar import GrammarError, split_options
from bot.kernel.ids import ref_kind, split_ref
from bot.kernel.markup import b, esc, pre
from bot.kernel.pages import pages
from bot.motions import decisions  # noqa: F401  (installs the ballot close listener)
from bot.motions.access import in_room, require_organiser
from bot.motions.store import (
    AMENDABLE,
    EDITABLE,
    Motion,
    amendments_of,
    history,
    load_motion,
    record,
    save_text,
)
from bot.motions.text import MAX_POINT, MAX_TITLE, SECTIONS, MotionText, chat, composite, markdown, plain_text
from bot.motions.workflow import amendment_line, ballot_spec, motion_here, no_pending, now_iso, run
from bot.poll import iso
from bot.poll_render import when

USAGE = (
    "/motion new TITLE [--emergency] [--deadline 14d] [--conference] | /motion M12 show | "
    "/motion M12 notes|believes|resolves TEXT | /motion M12 edit resolves 2 TEXT | "
    "/motion M12 remove resolves 2 | /motion M12 mover|seconder|proposer NAME | /motion M12 submit | "
    "/motion M12 vote [--closes 10m] | /motion M12 status carried|lost|remitted|withdrawn | "
    "/motion M12 history | /motion M12 amendments | /motion M12 export md|text | /motion list | "
    "/motion composite M3 M4 TITLE"
)
DETAILS = (
    "A motion has a title and numbered points under notes, believes and resolves. Anyone in the "
    "room drafts it; every change is kept (/motion M12 history). Once submitted, the text changes "
    "only by amendment (/amend). Amendments are voted before the motion itself. Emergency motions "
    "(marked by an organiser) may be submitted after the deadline."
)
STATUSES = ("debated", "carried", "lost", "remitted", "withdrawn")
FINAL = ("carried", "lost", "remitted", "withdrawn", "composited")
MAX_NAME = 100
BALLOT = ("Yes", "No", "Abstain")

Sub = Callable[[Context, int, str], Awaitable[None]]




def _section(word: str, usage: str) -> str:
    if word.lower() not in SECTIONS:
        raise UserError(f"{word[:20]!r} is not a section: use notes, believes or resolves. Usage: {usage}")
    return word.lower()


def _point_text(text: str, usage: str) -> str:
    text = text.strip()
    if not text:
        raise UserError(f"Say the text. Usage: {usage}")
    if len(text) > MAX_POINT:
        raise UserError(f"That point is {len(text)} characters; keep each point under {MAX_POINT}.")
    return text


def _editable(motion: Motion) -> None:
    if motion.status in FINAL:
        raise UserError(f"Motion {motion.ref} is {motion.status}; its text can no longer change.")
    if motion.status not in EDITABLE:
        raise UserError(
            f"Motion {motion.ref} is {motion.status}: its text now changes only by amendment "
            f"(/amend {motion.ref} …)."
        )


# -- /motion new, list -------------------------------------------------------------------------


async def _new(ctx: Context, args: str) -> None:
    usage = "/motion new TITLE [--emergency] [--deadline 14d] [--conference]"
    if ctx.room.private:
        raise UserError("Start a motion in the group that will draft it, not in a private chat.")
    try:
        title, opts = split_options(args, frozenset({"emergency", "conference"}), frozenset({"deadline"}), usage)
    except GrammarError as e:
        raise UserError(f"{e}.") from None
    if not title:
        raise UserError(f"Give the motion a title. Usage: {usage}")
    if len(title) > MAX_TITLE:
        raise UserError(f"The title is {len(title)} characters; keep it under {MAX_TITLE}.")
    core = ctx.core
    emergency = "emergency" in opts.flags
    if (emergency or "deadline" in opts.values) and not await ctx.is_organiser():
        raise UserError("Only an organiser can set a deadline or mark a motion as an emergency motion.")
    deadline = None
    if "deadline" in opts.values:
        try:
            deadline = parse_deadline(opts.values["deadline"], core.clock.now(), core.config.tz)
        except DeadlineError as e:
            raise UserError(f"--deadline: {e}.") from None
    voice = "Conference" if "conference" in opts.flags else "This branch"
    text = MotionText(title, voice)
    now = now_iso(ctx)

    async def op(conn: aiosqlite.Connection) -> int:
        cur = await conn.execute(
            "INSERT INTO motions(room, title, voice, sections, emergency, deadline, created_by, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (ctx.room.id, title, voice, text.to_json(), int(emergency), iso(deadline) if deadline else None,
             ctx.actor.id, now),
        )
        assert cur.lastrowid is not None
        await record(conn, cur.lastrowid, ctx.actor.id, ctx.actor.label, now, f"created: {title}")
        return cur.lastrowid

    motion_id = await run(ctx, op, ctx.event_id)
    extra = f" Submission deadline: {when(deadline, core.config.tz)}." if deadline else ""
    await ctx.reply(
        f"Motion {b(f'M{motion_id}')} created: {esc(title)}.{extra}\n"
        f"Add points with /motion M{motion_id} notes TEXT, believes TEXT, resolves TEXT."
    )


async def _list(ctx: Context, args: str) -> None:
    if args:
        raise UserError("Usage: /motion list (no arguments).")
    assert ctx.core.db is not None
    async with ctx.core.db.execute(
        "SELECT id, room, title, status, emergency FROM motions ORDER BY id DESC LIMIT 200"
    ) as cur:
        rows = await cur.fetchall()
    lines = []
    visible: dict[str, bool] = {}
    for mid, room, title, status, emergency in rows:
        if room not in visible:
            visible[room] = room == ctx.room.id or (ctx.room.private and await in_room(ctx, room))
        if not visible[room]:
            continue
        flag = ", emergency" if emergency else ""
        lines.append(f"{b(f'M{mid}')}: {esc(title)} ({status}{flag})")
    if not lines:
        await ctx.reply("No motions here yet. Start one with /motion new TITLE.")
        return
    for page in pages("Motions:\n" + "\n".join(reversed(lines[:50]))):
        await ctx.reply(page)


async def _composite(ctx: Context, args: str) -> None:
    usage = "/motion composite M3 M4 [M5 …] TITLE"
    if ctx.room.private:
        raise UserError("Composite motions in their group, not in a private chat.")
    await require_organiser(ctx, ctx.room.id, "composite motions")
    words = args.split()
    ids: list[int] = []
    while words and (found := ref_kind(words[0])) is not None and found[0] == "M":
        ids.append(found[1])
        words.pop(0)
    title = " ".join(words)
    if len(ids) < 2 or len(set(ids)) != len(ids):
        raise UserError(f"Name at least two different motions, then the new title. Usage: {usage}")
    if not title or len(title) > MAX_TITLE:
        raise UserError(f"Give the composite a title of 1 to {MAX_TITLE} characters. Usage: {usage}")
    now = now_iso(ctx)
    refs = ", ".join(f"M{i}" for i in ids)

    async def op(conn: aiosqlite.Connection) -> int:
        motions = [await load_motion(conn, i) for i in ids]
        for m in motions:
            if m.room != ctx.room.id:
                raise UserError(f"Motion {m.ref} belongs to another room; composite motions of one room.")
            if m.status not in AMENDABLE:
                raise UserError(f"Motion {m.ref} is {m.status}; only drafts and submitted motions can be composited.")
            await no_pending(conn, m)
        text = composite(title, [m.text for m in motions])
        cur = await conn.execute(
            "INSERT INTO motions(room, title, voice, sections, proposer, emergency, composite_of, created_by,"
            " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (ctx.room.id, title, text.voice, text.to_json(), f"Composite of {refs}",
             int(any(m.emergency for m in motions)), refs.replace(" ", ""), ctx.actor.id, now),
        )
        new_id = cur.lastrowid
        assert new_id is not None
        await record(conn, new_id, ctx.actor.id, ctx.actor.label, now, f"composited from {refs}: {title}")
        for m in motions:
            await conn.execute("UPDATE motions SET status = 'composited' WHERE id = ?", (m.id,))
            await record(conn, m.id, ctx.actor.id, ctx.actor.label, now, f"composited into M{new_id}")
        return new_id

    new_id = await run(ctx, op, ctx.event_id)
    await ctx.reply(f"Composite motion {b(f'M{new_id}')} ({esc(title)}) is drafted from {refs}, which are now "
                    f"composited. Edit it into one text (/motion M{new_id} show, edit, remove), name its mover and "
                    f"seconder, and submit it.")


# -- drafting ----------------------------------------------------------------------------------


def _add_point(section: str) -> Sub:
    async def add(ctx: Context, motion_id: int, args: str) -> None:
        usage = f"/motion M{motion_id} {section} TEXT"
        text = _point_text(args, usage)
        await motion_here(ctx, motion_id)
        now = now_iso(ctx)

        async def op(conn: aiosqlite.Connection) -> int:
            motion = await load_motion(conn, motion_id)
            _editable(motion)
            motion.text.sections[section].append(text)
            n = len(motion.text.sections[section])
            await save_text(conn, motion)
            await record(conn, motion_id, ctx.actor.id, ctx.actor.label, now, f"added {section} {n}: {text}")
            return n

        n = await run(ctx, op, ctx.event_id)
        await ctx.reply(f"Added to M{motion_id} as {section} {n}.")

    return add


def _point_ref(args: str, usage: str) -> tuple[str, int, str]:
    sec, _, rest = args.strip().partition(" ")
    section = _section(sec, usage) if sec else ""
    if not section:
        raise UserError(f"Say which point. Usage: {usage}")
    num, _, rest = rest.strip().partition(" ")
    if not num.isdigit() or not 0 < int(num) < 10_000:
        raise UserError(f"Give the point's number after the section, e.g. {section} 2. Usage: {usage}")
    return section, int(num), rest.strip()


def _check_point(motion: Motion, section: str, n: int) -> None:
    points = motion.text.sections[section]
    if not 1 <= n <= len(points):
        have = f"it has {len(points)}" if points else "it has none yet"
        raise UserError(f"Motion {motion.ref} has no point {section} {n} ({have}).")


async def _edit(ctx: Context, motion_id: int, args: str) -> None:
    usage = f"/motion M{motion_id} edit SECTION N TEXT"
    section, n, rest = _point_ref(args, usage)
    text = _point_text(rest, usage)
    await motion_here(ctx, motion_id)
    now = now_iso(ctx)

    async def op(conn: aiosqlite.Connection) -> None:
        motion = await load_motion(conn, motion_id)
        _editable(motion)
        _check_point(motion, section, n)
        old = motion.text.sections[section][n - 1]
        if old == text:
            raise UserError(f"{section} {n} already reads like that; nothing changed.")
        motion.text.sections[section][n - 1] = text
        await save_text(conn, motion)
        await record(conn, motion_id, ctx.actor.id, ctx.actor.label, now, f"edited {section} {n}: {old!r} → {text!r}")

    await run(ctx, op, ctx.event_id)
    await ctx.reply(f"M{motion_id} {section} {n} now reads: {esc(text)}")


async def _remove(ctx: Context, motion_id: int, args: str) -> None:
    usage = f"/motion M{motion_id} remove SECTION N"
    section, n, rest = _point_ref(args, usage)
    if rest:
        raise UserError(f"Unexpected {rest[:30]!r}. Usage: {usage}")
    await motion_here(ctx, motion_id)
    now = now_iso(ctx)

    async def op(conn: aiosqlite.Connection) -> None:
        motion = await load_motion(conn, motion_id)
        _editable(motion)
        _check_point(motion, section, n)
        old = motion.text.sections[section].pop(n - 1)
        await save_text(conn, motion)
        await record(conn, motion_id, ctx.actor.id, ctx.actor.label, now, f"removed {section} {n}: {old}")

    await run(ctx, op, ctx.event_id)
    await ctx.reply(f"Removed {section} {n} from M{motion_id}; the points after it are renumbered.")


async def _title(ctx: Context, motion_id: int, args: str) -> None:
    title = args.strip()
    if not title or len(title) > MAX_TITLE:
        raise UserError(f"Give a title of 1 to {MAX_TITLE} characters: /motion M{motion_id} title TEXT")
    await motion_here(ctx, motion_id)
    now = now_iso(ctx)

    async def op(conn: aiosqlite.Connection) -> None:
        motion = await load_motion(conn, motion_id)
        _editable(motion)
        old = motion.text.title
        motion.text.title = title
        await save_text(conn, motion)
        await record(conn, motion_id, ctx.actor.id, ctx.actor.label, now, f"title: {old!r} → {title!r}")

    await run(ctx, op, ctx.event_id)
    await ctx.reply(f"M{motion_id} is now titled: {esc(title)}")


def _person(field: str) -> Sub:
    async def set_person(ctx: Context, motion_id: int, args: str) -> None:
        name = args.strip()
        if not name or len(name) > MAX_NAME:
            raise UserError(f"Give a name of 1 to {MAX_NAME} characters: /motion M{motion_id} {field} NAME")
        await motion_here(ctx, motion_id)
        now = now_iso(ctx)

        async def op(conn: aiosqlite.Connection) -> None:
            motion = await load_motion(conn, motion_id)
            if motion.status not in AMENDABLE:
                raise UserError(f"Motion {motion.ref} is {motion.status}; its {field} can no longer change.")
            if getattr(motion, field) == name:
                raise UserError(f"{name} is already the {field} of {motion.ref}; nothing changed.")
            await conn.execute(f"UPDATE motions SET {field} = ? WHERE id = ?", (name, motion_id))
            await record(conn, motion_id, ctx.actor.id, ctx.actor.label, now, f"{field}: {name}")

        await run(ctx, op, ctx.event_id)
        await ctx.reply(f"The {field} of M{motion_id} is {esc(name)}.")

    return set_person


async def _emergency(ctx: Context, motion_id: int, args: str) -> None:
    if args.lower() not in ("", "on", "off"):
        raise UserError(f"Usage: /motion M{motion_id} emergency [on|off]")
    on = args.lower() != "off"
    motion = await motion_here(ctx, motion_id)
    await require_organiser(ctx, motion.room, "mark a motion as an emergency motion")
    now = now_iso(ctx)

    async def op(conn: aiosqlite.Connection) -> None:
        m = await load_motion(conn, motion_id)
        if m.status != "draft":
            raise UserError(f"Motion {m.ref} is already {m.status}.")
        if m.emergency == on:
            raise UserError(f"Motion {m.ref} is {'already' if on else 'not'} an emergency motion; nothing changed.")
        await conn.execute("UPDATE motions SET emergency = ? WHERE id = ?", (int(on), motion_id))
        await record(conn, motion_id, ctx.actor.id, ctx.actor.label, now, f"emergency: {'yes' if on else 'no'}")

    await run(ctx, op, ctx.event_id)
    await ctx.reply(f"M{motion_id} is {'now' if on else 'no longer'} an emergency motion.")


async def _deadline(ctx: Context, motion_id: int, args: str) -> None:
    motion = await motion_here(ctx, motion_id)
    await require_organiser(ctx, motion.room, "set a motion's deadline")
    core = ctx.core
    try:
        deadline = parse_deadline(args, core.clock.now(), core.config.tz)
    except DeadlineError as e:
        raise UserError(f"Deadline: {e}. Usage: /motion M{motion_id} deadline 2026-06-10T17:00") from None
    now = now_iso(ctx)

    async def op(conn: aiosqlite.Connection) -> None:
        m = await load_motion(conn, motion_id)
        if m.status != "draft":
            raise UserError(f"Motion {m.ref} is already {m.status}.")
        await conn.execute("UPDATE motions SET deadline = ? WHERE id = ?", (iso(deadline), motion_id))
        await record(conn, motion_id, ctx.actor.id, ctx.actor.label, now, f"deadline: {iso(deadline)}")

    await run(ctx, op, ctx.event_id)
    await ctx.reply(f"M{motion_id} must be submitted by {when(deadline, core.config.tz)}.")


async def _submit(ctx: Context, motion_id: int, args: str) -> None:
    if args:
        raise UserError(f"Usage: /motion M{motion_id} submit")
    await motion_here(ctx, motion_id)
    core = ctx.core
    now_t = core.clock.now()
    now = iso(now_t)

    async def op(conn: aiosqlite.Connection) -> None:
        m = await load_motion(conn, motion_id)
        if m.status != "draft":
            raise UserError(f"Motion {m.ref} is already {m.status}.")
        if not m.text.sections["resolves"]:
            raise UserError(f"Motion {m.ref} resolves nothing yet: add /motion {m.ref} resolves TEXT first.")
        if not m.mover or not m.seconder:
            raise UserError(f"Name the mover and seconder first: /motion {m.ref} mover NAME, "
                            f"/motion {m.ref} seconder NAME.")
        if m.deadline and now_t > m.deadline and not m.emergency:
            raise UserError(
                f"The deadline for {m.ref} passed at {when(m.deadline, core.config.tz)}; only an emergency "
                f"motion can be submitted now (an organiser can mark it: /motion {m.ref} emergency)."
            )
        await conn.execute("UPDATE motions SET status = 'submitted', submitted_at = ? WHERE id = ?", (now, motion_id))
        await record(conn, motion_id, ctx.actor.id, ctx.actor.label, now, "submitted")

    await run(ctx, op, ctx.event_id)
    await ctx.reply(f"Motion M{motion_id} is submitted. Its text now changes only by amendment "
                    f"(/amend M{motion_id} …); export it with /motion M{motion_id} export md.")


async def _status(ctx: Context, motion_id: int, args: str) -> None:
    usage = f"/motion M{motion_id} status {'|'.join(STATUSES)}"
    status = args.strip().lower()
    if status not in STATUSES:
        raise UserError(f"Usage: {usage}")
    motion = await motion_here(ctx, motion_id)
    if not (status == "withdrawn" and ctx.actor.id == motion.created_by):
        await require_organiser(ctx, motion.room, "record a motion's outcome")
    core = ctx.core
    if motion.vote_poll_id is not None and motion.vote_poll_id in core.polls.open:
        raise UserError(f"Motion {motion.ref} is being voted on (poll {motion.vote_poll_id}); the ballot decides it.")
    now = now_iso(ctx)

    async def op(conn: aiosqlite.Connection) -> None:
        m = await load_motion(conn, motion_id)
        if m.status in FINAL:
            raise UserError(f"Motion {m.ref} is already {m.status}; that is final.")
        if m.status == status:
            raise UserError(f"Motion {m.ref} is already {status}; nothing changed.")
        if status != "withdrawn":
            await no_pending(conn, m)
        await conn.execute("UPDATE motions SET status = ? WHERE id = ?", (status, motion_id))
        await record(conn, motion_id, ctx.actor.id, ctx.actor.label, now, f"status: {status}")

    await run(ctx, op, ctx.event_id)
    await ctx.reply(f"Motion M{motion_id} is now {status}.")




async def _vote(ctx: Context, motion_id: int, args: str) -> None:
    usage = f"/motion M{motion_id} vote [--closes 10m] [--secret] [--roll]"
    motion = await motion_here(ctx, motion_id)
    await require_organiser(ctx, motion.room, "open the vote on a motion")
    spec = ballot_spec(ctx, args, usage, f"Motion {motion.ref}: {motion.text.title} — carry the motion?")
    now = now_iso(ctx)

    async def reserve(conn: aiosqlite.Connection) -> int:
        m = await load_motion(conn, motion_id)
        if m.status not in ("submitted", "debated") or m.vote_poll_id is not None:
            if m.status == "draft":
                raise UserError(f"Motion {m.ref} is still a draft: submit it first (/motion {m.ref} submit).")
            if m.vote_poll_id is not None and m.status == "debated":
                raise UserError(f"Motion {m.ref} is already being voted on (poll {m.vote_poll_id}).")
            raise UserError(f"Motion {m.ref} is {m.status}; it cannot be put to the vote now.")
        await no_pending(conn, m)
        await conn.execute("UPDATE motions SET status = 'debated' WHERE id = ?", (motion_id,))
        return await record(conn, motion_id, ctx.actor.id, ctx.actor.label, now, "put to the vote")

    previous = motion.status
    entry = await run(ctx, reserve, ctx.event_id)
    try:
        poll = await ctx.core.polls.open_poll(motion.room, ctx.actor.id, spec)
    except BaseException:
        async def undo(conn: aiosqlite.Connection) -> None:
            await conn.execute("UPDATE motions SET status = ? WHERE id = ?", (previous, motion_id))
            await conn.execute("DELETE FROM motion_history WHERE id = ?", (entry,))
        await run(ctx, undo)
        raise

    async def link(conn: aiosqlite.Connection) -> None:
        await conn.execute("UPDATE motions SET vote_poll_id = ? WHERE id = ?", (poll.id, motion_id))

    await run(ctx, link)
    if ctx.room.id != motion.room:
        await ctx.reply(f"The vote on M{motion_id} is open as poll {poll.id} in its room.")




# -- reading -----------------------------------------------------------------------------------


async def _show(ctx: Context, motion_id: int, args: str) -> None:
    if args:
        raise UserError(f"Usage: /motion M{motion_id} show")
    motion = await motion_here(ctx, motion_id)
    text = chat(motion.text, motion.info)
    if motion.deadline:
        text += f"\nSubmission deadline: {when(motion.deadline, ctx.core.config.tz)}."
    for page in pages(text):
        await ctx.reply(page)


async def _history(ctx: Context, motion_id: int, args: str) -> None:
    if args:
        raise UserError(f"Usage: /motion M{motion_id} history")
    await motion_here(ctx, motion_id)
    assert ctx.core.db is not None
    rows = await history(ctx.core.db, motion_id)
    lines = [f"History of M{motion_id}:"]
    lines += [f"{at.replace('T', ' ')[:16]} {name}: {change}" for at, name, change in rows]
    for page in pages("\n".join(lines)):
        await ctx.reply(esc(page))


async def _amendments(ctx: Context, motion_id: int, args: str) -> None:
    if args:
        raise UserError(f"Usage: /motion M{motion_id} amendments")
    await motion_here(ctx, motion_id)
    assert ctx.core.db is not None
    rows = await amendments_of(ctx.core.db, motion_id)
    if not rows:
        await ctx.reply(f"No amendments to M{motion_id}. Propose one with /amend M{motion_id} …")
        return
    lines = [f"Amendments to M{motion_id}:"] + [amendment_line(a) for a in rows]
    for page in pages("\n".join(lines)):
        await ctx.reply(page)




async def _export(ctx: Context, motion_id: int, args: str) -> None:
    fmt = args.strip().lower()
    if fmt not in ("md", "markdown", "text", "txt"):
        raise UserError(f"Usage: /motion M{motion_id} export md|text")
    motion = await motion_here(ctx, motion_id)
    body = markdown(motion.text, motion.info) if fmt in ("md", "markdown") else plain_text(motion.text, motion.info)
    for page in pages(body):
        await ctx.reply(pre(page))


SUBS: dict[str, Sub] = {
    "show": _show,
    "notes": _add_point("notes"),
    "believes": _add_point("believes"),
    "resolves": _add_point("resolves"),
    "edit": _edit,
    "remove": _remove,
    "title": _title,
    "mover": _person("mover"),
    "seconder": _person("seconder"),
    "proposer": _person("proposer"),
    "emergency": _emergency,
    "deadline": _deadline,
    "submit": _submit,
    "status": _status,
    "vote": _vote,
    "history": _history,
    "amendments": _amendments,
    "export": _export,
}


@command("motion", summary="draft, show, submit and export motions", usage=USAGE, details=DETAILS)
async def motion_command(ctx: Context, args: str) -> None:
    head, _, rest = args.strip().partition(" ")
    if head.lower() == "new":
        await _new(ctx, rest.strip())
        return
    if head.lower() == "list":
        await _list(ctx, rest.strip())
        return
    if head.lower() == "composite":
        await _composite(ctx, rest.strip())
        return
    motion_id, rest = split_ref(args, "M", "/motion new TITLE or /motion M12 … (send /help motion for more)")
    sub, _, rest = rest.partition(" ")
    handler = SUBS.get(sub.lower() or "show")
    if handler is None:
        raise UserError(f"There is no /motion M{motion_id} {sub[:20]}. Send /help motion for the commands.")
    await handler(ctx, motion_id, rest.strip())



