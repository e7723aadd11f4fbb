"""/motion, /amend and /amendment: drafting motions together, amending them, putting them to the
vote, and exporting the final text in the standard layout."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.features.motions.model import RECORDABLE, WITHDRAWN, Motion, MotionText
from bot.features.motions.parse import (
    COMPOSITE_USAGE,
    parse_amendment,
    parse_composite,
    parse_new,
    person,
    point_ref,
    point_text,
    title,
)
from bot.features.motions.parse import USAGE as AMEND_USAGE
from bot.features.motions.render import amendment_line, chat, markdown, plain_text
from bot.features.motions.service import MotionService
from bot.features.polls.model import PollClosed
from bot.kernel.context import Context
from bot.kernel.csv_export import file_name
from bot.kernel.durations import DeadlineError
from bot.kernel.errors import UserError
from bot.kernel.ids import ref_kind, split_ref
from bot.kernel.markup import b, lines, markup
from bot.kernel.pages import pages
from bot.kernel.routing import Router
from bot.kernel.wording import count_of, quoted

router = Router("motions")

USAGE = (
    "/motion new TITLE [--emergency] [--deadline 14d] [--conference] | /motion M12 show | "
    "/motion M12 notes|believes|resolves TEXT | /motion M12 edit resolves 2 TEXT | "
    "/motion M12 remove resolves 2 | /motion M12 mover|seconder|proposer NAME | /motion M12 submit | "
    "/motion M12 vote [--closes 10m] | /motion M12 status carried|lost|remitted|withdrawn | "
    "/motion M12 history | /motion M12 amendments | /motion M12 export md|text | /motion list | "
    "/motion M12 invite | /motion M12 draft CODE"
)
DETAILS = (
    "A motion has a title and numbered points under notes, believes and resolves. Whoever starts it "
    "drafts it, with those they invite (/motion M12 invite sends them a code for /motion M12 draft "
    "CODE) and the room's organisers; every change is kept (/motion M12 history). Once submitted, the "
    "text changes only by amendment (/amend), which anyone in the room may propose. Amendments are "
    "voted before the motion itself. Emergency motions (marked by an organiser) may be submitted after "
    "the deadline."
)
AMENDMENT_USAGE = "/amendment A3 [show] | /amendment A3 second | /amendment A3 withdraw | " \
                  "/amendment A3 vote [--closes 10m] [--secret] [--roll]"

Sub = Callable[[Context, int, str, MotionService], Awaitable[None]]


async def _reply_pages(ctx: Context, text: str) -> None:
    for page in pages(text):
        await ctx.reply(page)


# -- /motion new, list ------------------------------------------------------------------------


async def _new(ctx: Context, args: str, motions: MotionService) -> None:
    if ctx.room.private:
        raise UserError("Start a motion in the group that will draft it, not in a private chat.")
    new = parse_new(args)
    if (new.emergency or new.deadline is not None) and not await ctx.is_organiser():
        raise UserError("Only an organiser can set a deadline or mark a motion as an emergency motion.")
    deadline = None
    if new.deadline is not None:
        try:
            deadline = motions.deadline(new.deadline)
        except DeadlineError as e:
            raise UserError(f"--deadline: {e}.") from None
    motion_id = await motions.create(ctx, MotionText(new.title, new.voice), new.emergency, deadline)
    extra = f" Submission deadline: {motions.when(deadline)}." if deadline else ""
    await ctx.reply(
        markup("Motion {} created: {}.{}\nAdd points with /motion M{} notes TEXT, believes TEXT, resolves TEXT.",
               b(f"M{motion_id}"), new.title, extra, motion_id)
    )


async def _list(ctx: Context, args: str, motions: MotionService) -> None:
    if args:
        raise UserError("Usage: /motion list (no arguments).")
    listed = [markup("{}: {} ({}{})", b(m.ref), m.text.title, m.status, ", emergency" if m.emergency else "")
              for m in await motions.visible(ctx)]
    if not listed:
        await ctx.reply("No motions here yet. Start one with /motion new TITLE.")
        return
    await _reply_pages(ctx, lines("Motions:", *reversed(listed[:50])))


async def _composite_moved(ctx: Context, args: str, motions: MotionService) -> None:
    raise UserError(f"Composites have their own command: {COMPOSITE_USAGE} (send /help composite).")


# -- drafting ----------------------------------------------------------------------------------


def _add_point(section: str) -> Sub:
    async def add(ctx: Context, motion_id: int, args: str, motions: MotionService) -> None:
        text = point_text(args, f"/motion M{motion_id} {section} TEXT")
        await motions.require(ctx, "edit", await motions.here(ctx, motion_id))

        def edit(m: Motion) -> str:
            m.text.sections[section].append(text)
            return f"added {section} {len(m.text.sections[section])}: {text}"

        m = await motions.change(ctx, motion_id, "edit", edit)
        await ctx.reply(f"Added to M{motion_id} as {section} {len(m.text.sections[section])}.")

    return add


def _check_point(m: Motion, section: str, n: int) -> None:
    points = m.text.sections[section]
    if not 1 <= n <= len(points):
        have = f"it has {count_of(len(points), 'point')}" if points else "it has none yet"
        raise UserError(f"Motion {m.ref} has no point {section} {n} ({have}).")


async def _edit(ctx: Context, motion_id: int, args: str, motions: MotionService) -> None:
    usage = f"/motion M{motion_id} edit SECTION N TEXT"
    section, n, rest = point_ref(args, usage)
    text = point_text(rest, usage)
    await motions.require(ctx, "edit", await motions.here(ctx, motion_id))

    def edit(m: Motion) -> str:
        _check_point(m, section, n)
        old = m.text.sections[section][n - 1]
        if old == text:
            raise UserError(f"{section} {n} already reads like that; nothing changed.")
        m.text.sections[section][n - 1] = text
        return f"edited {section} {n}: {quoted(old)} → {quoted(text)}"

    await motions.change(ctx, motion_id, "edit", edit)
    await ctx.reply(f"M{motion_id} {section} {n} now reads: {text}")


async def _remove(ctx: Context, motion_id: int, args: str, motions: MotionService) -> None:
    usage = f"/motion M{motion_id} remove SECTION N"
    section, n, rest = point_ref(args, usage)
    if rest:
        raise UserError(f"Unexpected {quoted(rest, 30)}. Usage: {usage}")
    await motions.require(ctx, "edit", await motions.here(ctx, motion_id))

    def edit(m: Motion) -> str:
        _check_point(m, section, n)
        return f"removed {section} {n}: {m.text.sections[section].pop(n - 1)}"

    await motions.change(ctx, motion_id, "edit", edit)
    await ctx.reply(f"Removed {section} {n} from M{motion_id}; the points after it are renumbered.")


async def _title(ctx: Context, motion_id: int, args: str, motions: MotionService) -> None:
    new_title = title(args, f"/motion M{motion_id} title TEXT")
    await motions.require(ctx, "edit", await motions.here(ctx, motion_id))

    def edit(m: Motion) -> str:
        old, m.text.title = m.text.title, new_title
        return f"title: {quoted(old)} → {quoted(new_title)}"

    await motions.change(ctx, motion_id, "edit", edit)
    await ctx.reply(f"M{motion_id} is now titled: {new_title}")


def _person(field: str) -> Sub:
    async def set_person(ctx: Context, motion_id: int, args: str, motions: MotionService) -> None:
        name = person(args, f"/motion M{motion_id} {field} NAME")
        await motions.require(ctx, "name", await motions.here(ctx, motion_id))

        def edit(m: Motion) -> str:
            if getattr(m, field) == name:
                raise UserError(f"{name} is already the {field} of {m.ref}; nothing changed.")
            setattr(m, field, name)
            return f"{field}: {name}"

        await motions.change(ctx, motion_id, "name", edit, what=field)
        await ctx.reply(f"The {field} of M{motion_id} is {name}.")

    return set_person


async def _emergency(ctx: Context, motion_id: int, args: str, motions: MotionService) -> None:
    if args.lower() not in ("", "on", "off"):
        raise UserError(f"Usage: /motion M{motion_id} emergency [on|off]")
    on = args.lower() != "off"
    motion = await motions.here(ctx, motion_id)
    await motions.require(ctx, "emergency", motion)

    def edit(m: Motion) -> str:
        if m.emergency == on:
            raise UserError(f"Motion {m.ref} is {'already' if on else 'not'} an emergency motion; nothing changed.")
        m.emergency = on
        return f"emergency: {'yes' if on else 'no'}"

    await motions.change(ctx, motion_id, "mark", edit)
    await ctx.reply(f"M{motion_id} is {'now' if on else 'no longer'} an emergency motion.")


async def _deadline(ctx: Context, motion_id: int, args: str, motions: MotionService) -> None:
    motion = await motions.here(ctx, motion_id)
    await motions.require(ctx, "deadline", motion)
    try:
        deadline = motions.deadline(args)
    except DeadlineError as e:
        raise UserError(f"Deadline: {e}. Usage: /motion M{motion_id} deadline 2026-06-10T17:00") from None

    def edit(m: Motion) -> str:
        m.deadline = deadline
        return f"deadline: {deadline.isoformat(timespec='seconds')}"

    await motions.change(ctx, motion_id, "mark", edit)
    await ctx.reply(f"M{motion_id} must be submitted by {motions.when(deadline)}.")


async def _submit(ctx: Context, motion_id: int, args: str, motions: MotionService) -> None:
    if args:
        raise UserError(f"Usage: /motion M{motion_id} submit")
    await motions.require(ctx, "submit", await motions.here(ctx, motion_id))
    await motions.submit(ctx, motion_id)
    await ctx.reply(f"Motion M{motion_id} is submitted. Its text now changes only by amendment "
                    f"(/amend M{motion_id} …); export it with /motion M{motion_id} export md.")


async def _status(ctx: Context, motion_id: int, args: str, motions: MotionService) -> None:
    status = args.strip().lower()
    if status not in RECORDABLE:
        raise UserError(f"Usage: /motion M{motion_id} status {'|'.join(RECORDABLE)}")
    motion = await motions.here(ctx, motion_id)
    if not (status == WITHDRAWN and ctx.actor.id == motion.created_by):
        await motions.require(ctx, "record", motion)
    await motions.record_outcome(ctx, motion, status)
    await ctx.reply(f"Motion M{motion_id} is now {status}.")


async def _vote(ctx: Context, motion_id: int, args: str, motions: MotionService) -> None:
    motion = await motions.here(ctx, motion_id)
    await motions.require(ctx, "vote", motion)
    spec = motions.ballot(args, f"/motion M{motion_id} vote [--closes 10m] [--secret] [--roll]",
                          f"Motion {motion.ref}: {motion.text.title} — carry the motion?")
    poll = await motions.put_to_vote(ctx, motion, spec)
    if ctx.room.id != motion.room:
        await ctx.reply(f"The vote on M{motion_id} is open as poll {poll.id} in its room.")


async def _invite(ctx: Context, motion_id: int, args: str, motions: MotionService) -> None:
    if args:
        raise UserError(f"Usage: /motion M{motion_id} invite")
    motion = await motions.here(ctx, motion_id)
    await motions.require(ctx, "invite", motion)
    await ctx.private(f"To draft {motion.ref} ({motion.text.title}) with you, someone in its room sends: "
                      f"/motion {motion.ref} draft {motions.drafting_code(motion)}")
    if not ctx.room.private:
        await ctx.reply(f"I sent you the drafting code of {motion.ref} privately: pass it on to whom you invite.")


async def _draft(ctx: Context, motion_id: int, args: str, motions: MotionService) -> None:
    if not args or " " in args:
        raise UserError(f"Usage: /motion M{motion_id} draft CODE (a drafter of M{motion_id} gives you the code).")
    motion = await motions.here(ctx, motion_id)
    if await motions.join_drafting(ctx, motion, args):
        await ctx.reply(f"You are now a drafter of {motion.ref}.")
    else:
        await ctx.reply(f"You are a drafter of {motion.ref} already.")


# -- reading -----------------------------------------------------------------------------------


async def _show(ctx: Context, motion_id: int, args: str, motions: MotionService) -> None:
    if args:
        raise UserError(f"Usage: /motion M{motion_id} show")
    motion = await motions.here(ctx, motion_id)
    text = chat(motion.text, motion.info)
    if motion.deadline:
        text += f"\nSubmission deadline: {motions.when(motion.deadline)}."
    await _reply_pages(ctx, text)


async def _history(ctx: Context, motion_id: int, args: str, motions: MotionService) -> None:
    if args:
        raise UserError(f"Usage: /motion M{motion_id} history")
    await motions.here(ctx, motion_id)
    entries = [f"{at.replace('T', ' ')[:16]} {name}: {change}" for at, name, change in await motions.history(motion_id)]
    await _reply_pages(ctx, "\n".join([f"History of M{motion_id}:", *entries]))


async def _amendments(ctx: Context, motion_id: int, args: str, motions: MotionService) -> None:
    if args:
        raise UserError(f"Usage: /motion M{motion_id} amendments")
    await motions.here(ctx, motion_id)
    rows = await motions.amendments(motion_id)
    if not rows:
        await ctx.reply(f"No amendments to M{motion_id}. Propose one with /amend M{motion_id} …")
        return
    await _reply_pages(ctx, lines(f"Amendments to M{motion_id}:", *(amendment_line(a) for a in rows)))


async def _export(ctx: Context, motion_id: int, args: str, motions: MotionService) -> None:
    fmt = args.strip().lower()
    if fmt not in ("md", "markdown", "text", "txt"):
        raise UserError(f"Usage: /motion M{motion_id} export md|text")
    motion = await motions.here(ctx, motion_id)
    md = fmt in ("md", "markdown")
    body = markdown(motion.text, motion.info) if md else plain_text(motion.text, motion.info)
    await ctx.send_file(file_name(f"M{motion_id} {motion.text.title}", ".md" if md else ".txt"), body.encode("utf-8"),
                        markup("M{}: {}, as {}.", motion_id, motion.text.title, "Markdown" if md else "text"),
                        private=False)


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
    "invite": _invite,
    "draft": _draft,
    "status": _status,
    "vote": _vote,
    "history": _history,
    "amendments": _amendments,
    "export": _export,
}
TOP = {"new": _new, "list": _list, "composite": _composite_moved}


@router.command("motion", summary="draft, show, submit and export motions", usage=USAGE, details=DETAILS)
async def motion_command(ctx: Context, args: str, motions: MotionService) -> None:
    head, _, rest = args.strip().partition(" ")
    top = TOP.get(head.lower())
    if top is not None:
        await top(ctx, rest.strip(), motions)
        return
    motion_id, rest = split_ref(args, "M", "/motion new TITLE or /motion M12 … (send /help motion for more)")
    sub, _, rest = rest.partition(" ")
    handler = SUBS.get(sub.lower() or "show")
    if handler is None:
        raise UserError(f"There is no /motion M{motion_id} {sub[:20]}. Send /help motion for the commands.")
    await handler(ctx, motion_id, rest.strip(), motions)


# -- amendments --------------------------------------------------------------------------------


@router.command("amend", summary="propose an amendment to a motion", usage=AMEND_USAGE,
                details="Quote the words exactly. An amendment needs a seconder (/amendment A3 second) and is then "
                "put to the vote by an organiser (/amendment A3 vote --closes 10m); if carried it is applied to the "
                "text.")
async def amend_command(ctx: Context, args: str, motions: MotionService) -> None:
    motion_id, rest = split_ref(args, "M", AMEND_USAGE)
    amendment = parse_amendment(rest)
    await motions.here(ctx, motion_id)
    amendment_id = await motions.propose(ctx, motion_id, amendment)
    await ctx.reply(
        markup("Amendment {} to M{} by {}: {}\nIt needs a seconder: /amendment A{} second",
               b(f"A{amendment_id}"), motion_id, ctx.actor.label, amendment.summary, amendment_id)
    )


@router.command("amendment", summary="second, withdraw or put an amendment to the vote", usage=AMENDMENT_USAGE)
async def amendment_command(ctx: Context, args: str, motions: MotionService) -> None:
    amendment_id, rest = split_ref(args, "A", AMENDMENT_USAGE)
    sub, _, rest = rest.partition(" ")
    sub, rest = sub.lower() or "show", rest.strip()
    row = await motions.amendment(amendment_id)
    motion = await motions.here(ctx, row.motion_id)
    if sub == "show":
        if rest:
            raise UserError(f"Usage: {AMENDMENT_USAGE}")
        await ctx.reply(amendment_line(row) + f"\nMotion: {motion.ref} {motion.text.title}")
    elif sub == "second":
        if rest:
            raise UserError(f"Usage: /amendment A{amendment_id} second")
        await motions.second(ctx, amendment_id)
        await ctx.reply(f"Amendment A{amendment_id} is seconded by {ctx.actor.label}. "
                        f"An organiser puts it to the vote: /amendment A{amendment_id} vote --closes 10m")
    elif sub == "withdraw":
        if rest:
            raise UserError(f"Usage: /amendment A{amendment_id} withdraw")
        if row.mover != ctx.actor.id:
            await motions.require(ctx, "withdraw amendment", motion)
        await motions.withdraw(ctx, amendment_id)
        await ctx.reply(f"Amendment A{amendment_id} is withdrawn.")
    elif sub == "vote":
        await motions.require(ctx, "vote on amendment", motion)
        question = f"Amendment {row.ref} to {motion.ref} ({motion.text.title}): {row.amendment.summary} — agree?"
        spec = motions.ballot(rest, f"/amendment {row.ref} vote [--closes 10m] [--secret] [--roll]", question)
        poll = await motions.amendment_to_vote(ctx, row, motion, spec)
        if ctx.room.id != motion.room:
            await ctx.reply(f"The vote on {row.ref} is open as poll {poll.id} in its room.")
    else:
        raise UserError(f"There is no /amendment A{amendment_id} {sub[:20]}. Usage: {AMENDMENT_USAGE}")


COMPOSITE_HELP = f"{COMPOSITE_USAGE} | /composite C1 [show] | /composite C1 agree | /composite list"
COMPOSITE_DETAILS = (
    "The room's organisers (as arrangements committee) merge similar motions into one composite: a new "
    "draft motion with every point of the originals (points word for word the same kept once), which "
    "remembers where each point came from; the originals are marked composited. The composite is edited "
    "as any motion (/motion M… edit, remove, mover, seconder). A drafter of each original motion agrees to "
    "its words with /composite C1 agree; the composite can be submitted once every original has agreed "
    "to its present words (an edit after an agreement asks for it again)."
)


@router.command("composite", summary="merge motions into a composite their movers agree to", usage=COMPOSITE_HELP,
                details=COMPOSITE_DETAILS)
async def composite_command(ctx: Context, args: str, motions: MotionService) -> None:
    head, _, rest = args.strip().partition(" ")
    rest = rest.strip()
    if head.lower() == "list":
        if rest:
            raise UserError("Usage: /composite list (no arguments).")
        found = await motions.composites(ctx)
        if not found:
            await ctx.reply(f"No composites here yet. An organiser makes one with {COMPOSITE_USAGE}")
            return
        await _reply_pages(ctx, lines("Composites:", *(markup("{} ({}): {}", b(c), m, t)
                                                        for c, m, t, _ in reversed(found[:50]))))
        return
    kind = ref_kind(head)
    if kind is not None and kind[0] == "C":
        composite_id = kind[1]
        sub = rest.lower() or "show"
        if sub == "show":
            await _reply_pages(ctx, await motions.composite_view(ctx, composite_id))
        elif sub == "agree":
            found = await motions.get_composite(composite_id)
            await motions.here(ctx, found.motion_id)
            after, refs, waiting = await motions.agree(ctx, composite_id)
            agreed = " and ".join(refs)
            tail = (f" Still waiting for {', '.join(waiting)}." if waiting else
                    f" Every original has agreed: its drafters can submit it (/motion M{after.motion_id} submit).")
            await ctx.reply(f"You agree to the words of composite {after.ref} (M{after.motion_id}) for {agreed}.{tail}")
        else:
            raise UserError(f"There is no /composite C{composite_id} {rest[:20]}. Usage: {COMPOSITE_HELP}")
        return
    if ctx.room.private:
        raise UserError("Composite motions in their group, not in a private chat.")
    await motions.require(ctx, "composite")
    ids, new_title = parse_composite(args)
    made = await motions.composite(ctx, ids, new_title)
    refs = ", ".join(f"M{i}" for i in ids)
    await ctx.reply(markup(
        "Composite {} is motion {} ({}), drafted from {}, which are now composited. Edit it into one text "
        "(/motion M{} show, edit, remove), name its mover and seconder; a drafter of each original agrees to "
        "its words with /composite {} agree, and then it can be submitted.",
        b(made.ref), b(f"M{made.motion_id}"), new_title, refs, made.motion_id, made.ref))


@router.subscribe(PollClosed)
async def settle(event: PollClosed, motions: MotionService) -> None:
    await motions.settle(event.poll)


@router.startup
async def settle_missed(motions: MotionService) -> None:
    await motions.settle_missed()
