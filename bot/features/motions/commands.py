"""/motion, /amend and /amendment: drafting motions together, amending them, putting them to the
vote, and exporting the final text in the standard layout."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.features.motions.model import (
    NAMING,
    RECORDABLE,
    WITHDRAWN,
    Entry,
    Motion,
    MotionText,
    entry,
    motion_status,
)
from bot.features.motions.parse import (
    COMPOSITE_USAGE,
    composite_refs,
    parse_amendment,
    parse_composite,
    parse_new,
    person,
    point_ref,
    point_text,
    title,
)
from bot.features.motions.parse import USAGE as AMEND_USAGE
from bot.features.motions.render import amendment_line, chat, markdown, plain_text, void_with_point
from bot.features.motions.service import MotionService
from bot.features.polls.model import PollClosed
from bot.features.polls.render import too_few_for_secrecy
from bot.kernel.context import Context
from bot.kernel.csv_export import file_name
from bot.kernel.durations import DeadlineError
from bot.kernel.errors import UserError
from bot.kernel.ids import ref_kind, split_ref
from bot.kernel.language import N_, _, ngettext, speaking
from bot.kernel.markup import b, lines, markup
from bot.kernel.pages import pages
from bot.kernel.routing import Router
from bot.kernel.wording import number, quoted

router = Router("motions")

USAGE = (
    "/motion new TITLE [--emergency] [--deadline 14d] [--conference] | /motion M12 show | "
    "/motion M12 notes|believes|resolves TEXT | /motion M12 edit resolves 2 TEXT | "
    "/motion M12 remove resolves 2 | /motion M12 mover|seconder|proposer NAME | /motion M12 submit | "
    "/motion M12 vote [--closes 10m] | /motion M12 status carried|lost|remitted|withdrawn | "
    "/motion M12 history | /motion M12 amendments | /motion M12 export md|text | /motion list | "
    "/motion M12 invite | /motion M12 draft CODE"
)
DETAILS = N_(
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
        raise UserError(_("Start a motion in the group that will draft it, not in a private chat."))
    new = parse_new(args)
    if (new.emergency or new.deadline is not None) and not await ctx.is_organiser():
        raise UserError(_("Only an organiser can set a deadline or mark a motion as an emergency motion."))
    deadline = None
    if new.deadline is not None:
        try:
            deadline = motions.deadline(new.deadline)
        except DeadlineError as e:
            raise UserError(_("--deadline: {error}.").format(error=e)) from None
    motion_id = await motions.create(ctx, MotionText(new.title, new.voice), new.emergency, deadline)
    fields = {"ref": b(f"M{motion_id}"), "title": new.title, "id": motion_id}
    if deadline:
        await ctx.reply(markup(_("Motion {ref} created: {title}. Submission deadline: {deadline}.\nAdd points with "
                                 "/motion M{id} notes TEXT, believes TEXT, resolves TEXT."),
                               deadline=motions.when(deadline), **fields))
    else:
        await ctx.reply(markup(_("Motion {ref} created: {title}.\nAdd points with /motion M{id} notes TEXT, "
                                 "believes TEXT, resolves TEXT."), **fields))


def _listed(m: Motion) -> str:
    fields = {"ref": b(m.ref), "title": m.text.title, "status": motion_status(m.status)}
    if m.emergency:
        return markup(_("{ref}: {title} ({status}, emergency)"), **fields)
    return markup(_("{ref}: {title} ({status})"), **fields)


async def _list(ctx: Context, args: str, motions: MotionService) -> None:
    if args:
        raise UserError(_("Usage: /motion list (no arguments)."))
    listed = [_listed(m) for m in await motions.visible(ctx)]
    if not listed:
        await ctx.reply(_("No motions here yet. Start one with /motion new TITLE."))
        return
    await _reply_pages(ctx, lines(_("Motions:"), *reversed(listed[:50])))


async def _composite_moved(ctx: Context, args: str, motions: MotionService) -> None:
    raise UserError(_("Composites have their own command: {usage} (send /help composite).").format(
        usage=COMPOSITE_USAGE))


# -- drafting ----------------------------------------------------------------------------------


def _add_point(section: str) -> Sub:
    async def add(ctx: Context, motion_id: int, args: str, motions: MotionService) -> None:
        text = point_text(args, f"/motion M{motion_id} {section} TEXT")
        await motions.require(ctx, "edit", await motions.here(ctx, motion_id))

        def edit(m: Motion) -> Entry:
            m.text.sections[section].append(text)
            return entry(N_("added {section} {n}: {text}"), section=section, n=len(m.text.sections[section]),
                         text=text)

        m = await motions.change(ctx, motion_id, "edit", edit)
        await ctx.reply(_("Added to M{id} as {section} {n}.").format(id=motion_id, section=section,
                                                                    n=len(m.text.sections[section])))

    return add


def _check_point(m: Motion, section: str, n: int) -> None:
    points = m.text.sections[section]
    if not 1 <= n <= len(points):
        if not points:
            raise UserError(_("Motion {ref} has no point {section} {n} (it has none yet).").format(
                ref=m.ref, section=section, n=n))
        raise UserError(ngettext("Motion {ref} has no point {section} {n} (it has {count} point).",
                                 "Motion {ref} has no point {section} {n} (it has {count} points).",
                                 len(points)).format(ref=m.ref, section=section, n=n, count=number(len(points))))


async def _edit(ctx: Context, motion_id: int, args: str, motions: MotionService) -> None:
    usage = f"/motion M{motion_id} edit SECTION N TEXT"
    section, n, rest = point_ref(args, usage)
    text = point_text(rest, usage)
    await motions.require(ctx, "edit", await motions.here(ctx, motion_id))

    def edit(m: Motion) -> Entry:
        _check_point(m, section, n)
        old = m.text.sections[section][n - 1]
        if old == text:
            raise UserError(_("{section} {n} already reads like that; nothing changed.").format(section=section, n=n))
        m.text.sections[section][n - 1] = text
        return entry(N_("edited {section} {n}: {old} → {new}"), section=section, n=n, old=quoted(old),
                     new=quoted(text))

    await motions.change(ctx, motion_id, "edit", edit)
    await ctx.reply(_("M{id} {section} {n} now reads: {text}").format(id=motion_id, section=section, n=n, text=text))


async def _remove(ctx: Context, motion_id: int, args: str, motions: MotionService) -> None:
    usage = f"/motion M{motion_id} remove SECTION N"
    section, n, rest = point_ref(args, usage)
    if rest:
        raise UserError(_("Unexpected {words}. Usage: {usage}").format(words=quoted(rest, 30), usage=usage))
    await motions.require(ctx, "edit", await motions.here(ctx, motion_id))

    voided = await motions.remove_point(ctx, motion_id, section, n, lambda m: _check_point(m, section, n))
    said = _("Removed {section} {n} from M{id}; the points after it are renumbered.").format(
        section=section, n=n, id=motion_id)
    await ctx.reply(lines(said, void_with_point(voided)) if voided else said)


async def _title(ctx: Context, motion_id: int, args: str, motions: MotionService) -> None:
    new_title = title(args, f"/motion M{motion_id} title TEXT")
    await motions.require(ctx, "edit", await motions.here(ctx, motion_id))

    def edit(m: Motion) -> Entry:
        old, m.text.title = m.text.title, new_title
        return entry(N_("title: {old} → {new}"), old=quoted(old), new=quoted(new_title))

    await motions.change(ctx, motion_id, "edit", edit)
    await ctx.reply(_("M{id} is now titled: {title}").format(id=motion_id, title=new_title))


def _already(field: str) -> str:
    match field:
        case "mover":
            return _("{name} is already the mover of {ref}; nothing changed.")
        case "seconder":
            return _("{name} is already the seconder of {ref}; nothing changed.")
    return _("{name} is already the proposer of {ref}; nothing changed.")


def _named(field: str) -> str:
    match field:
        case "mover":
            return _("The mover of {ref} is {name}.")
        case "seconder":
            return _("The seconder of {ref} is {name}.")
    return _("The proposer of {ref} is {name}.")


def _named_entry(field: str, name: str) -> Entry:
    return entry(NAMING[field], name=name)


def _person(field: str) -> Sub:
    async def set_person(ctx: Context, motion_id: int, args: str, motions: MotionService) -> None:
        name = person(args, f"/motion M{motion_id} {field} NAME")
        await motions.require(ctx, "name", await motions.here(ctx, motion_id))

        def edit(m: Motion) -> Entry:
            if getattr(m, field) == name:
                raise UserError(_already(field).format(name=name, ref=m.ref))
            setattr(m, field, name)
            return _named_entry(field, name)

        await motions.change(ctx, motion_id, "name", edit, what=field)
        await ctx.reply(_named(field).format(ref=f"M{motion_id}", name=name))

    return set_person


async def _emergency(ctx: Context, motion_id: int, args: str, motions: MotionService) -> None:
    if args.lower() not in ("", "on", "off"):
        raise UserError(_("Usage: {usage}").format(usage=f"/motion M{motion_id} emergency [on|off]"))
    on = args.lower() != "off"
    motion = await motions.here(ctx, motion_id)
    await motions.require(ctx, "emergency", motion)

    def edit(m: Motion) -> Entry:
        if m.emergency == on:
            refused = (_("Motion {ref} is already an emergency motion; nothing changed.") if on else
                       _("Motion {ref} is not an emergency motion; nothing changed."))
            raise UserError(refused.format(ref=m.ref))
        m.emergency = on
        return entry(N_("emergency: yes")) if on else entry(N_("emergency: no"))

    await motions.change(ctx, motion_id, "mark", edit)
    said = _("M{id} is now an emergency motion.") if on else _("M{id} is no longer an emergency motion.")
    await ctx.reply(said.format(id=motion_id))


async def _deadline(ctx: Context, motion_id: int, args: str, motions: MotionService) -> None:
    motion = await motions.here(ctx, motion_id)
    await motions.require(ctx, "deadline", motion)
    try:
        deadline = motions.deadline(args)
    except DeadlineError as e:
        raise UserError(_("Deadline: {error}. Usage: {usage}").format(
            error=e, usage=f"/motion M{motion_id} deadline 2026-06-10T17:00")) from None

    def edit(m: Motion) -> Entry:
        m.deadline = deadline
        return entry(N_("deadline: {at}"), at=deadline.isoformat(timespec="seconds"))

    await motions.change(ctx, motion_id, "mark", edit)
    await ctx.reply(_("M{id} must be submitted by {deadline}.").format(id=motion_id, deadline=motions.when(deadline)))


async def _submit(ctx: Context, motion_id: int, args: str, motions: MotionService) -> None:
    if args:
        raise UserError(_("Usage: {usage}").format(usage=f"/motion M{motion_id} submit"))
    await motions.require(ctx, "submit", await motions.here(ctx, motion_id))
    await motions.submit(ctx, motion_id)
    await ctx.reply(_("Motion M{id} is submitted. Its text now changes only by amendment (/amend M{id} …); export it "
                      "with /motion M{id} export md.").format(id=motion_id))


async def _status(ctx: Context, motion_id: int, args: str, motions: MotionService) -> None:
    status = args.strip().lower()
    if status not in RECORDABLE:
        raise UserError(_("Usage: {usage}").format(usage=f"/motion M{motion_id} status {'|'.join(RECORDABLE)}"))
    motion = await motions.here(ctx, motion_id)
    if not (status == WITHDRAWN and ctx.actor.id == motion.created_by):
        await motions.require(ctx, "record", motion)
    await motions.record_outcome(ctx, motion, status)
    await ctx.reply(_("Motion M{id} is now {status}.").format(id=motion_id, status=motion_status(status)))


async def _vote(ctx: Context, motion_id: int, args: str, motions: MotionService) -> None:
    motion = await motions.here(ctx, motion_id)
    await motions.require(ctx, "vote", motion)
    with speaking(await ctx.languages.speech_for(motion.room)):  # the question is read in the motion's room
        question = _("Motion {ref}: {title} — carry the motion?").format(ref=motion.ref, title=motion.text.title)
    spec = motions.ballot(args, f"/motion M{motion_id} vote [--closes 10m] [--secret] [--roll]", question)
    poll = await motions.put_to_vote(ctx, motion, spec)
    if ctx.room.id != motion.room:
        await ctx.reply(_("The vote on M{id} is open as poll {poll} in its room.").format(id=motion_id, poll=poll.id))
    if poll.too_few_for_secrecy:  # said once, to the organiser who opened it, as /poll says it
        await ctx.reply(too_few_for_secrecy(poll))


async def _invite(ctx: Context, motion_id: int, args: str, motions: MotionService) -> None:
    if args:
        raise UserError(_("Usage: {usage}").format(usage=f"/motion M{motion_id} invite"))
    motion = await motions.here(ctx, motion_id)
    await motions.require(ctx, "invite", motion)
    motions.allows("invite", motion)
    with await ctx.speaking_to(ctx.actor.id):  # privately: in the drafter's own language
        invitation = _("To draft {ref} ({title}) with you, someone in its room sends: {command}").format(
            ref=motion.ref, title=motion.text.title,
            command=f"/motion {motion.ref} draft {motions.drafting_code(motion)}")
    # TRANSLATORS: completes "I could not send you … privately".
    await ctx.surely_private(invitation, _("the drafting code of {ref}").format(ref=motion.ref))
    if not ctx.room.private:
        await ctx.reply(_("I sent you the drafting code of {ref} privately: pass it on to whom you invite.").format(
            ref=motion.ref))


async def _draft(ctx: Context, motion_id: int, args: str, motions: MotionService) -> None:
    if not args or " " in args:
        raise UserError(_("Usage: /motion M{id} draft CODE (a drafter of M{id} gives you the code).").format(
            id=motion_id))
    motion = await motions.here(ctx, motion_id)
    if await motions.join_drafting(ctx, motion, args):
        await ctx.reply(_("You are now a drafter of {ref}.").format(ref=motion.ref))
    else:
        await ctx.reply(_("You are a drafter of {ref} already.").format(ref=motion.ref))


# -- reading -----------------------------------------------------------------------------------


async def _show(ctx: Context, motion_id: int, args: str, motions: MotionService) -> None:
    if args:
        raise UserError(_("Usage: {usage}").format(usage=f"/motion M{motion_id} show"))
    motion = await motions.here(ctx, motion_id)
    text = chat(motion.text, motion.info)
    if motion.deadline:
        text += "\n" + _("Submission deadline: {deadline}.").format(deadline=motions.when(motion.deadline))
    await _reply_pages(ctx, text)


async def _history(ctx: Context, motion_id: int, args: str, motions: MotionService) -> None:
    if args:
        raise UserError(_("Usage: {usage}").format(usage=f"/motion M{motion_id} history"))
    await motions.here(ctx, motion_id)
    entries = [f"{at} {name}: {change}" for at, name, change in await motions.history(motion_id)]
    await _reply_pages(ctx, "\n".join([_("History of M{id} (times in {zone}):").format(id=motion_id, zone=motions.zone),
                                       *entries]))


async def _amendments(ctx: Context, motion_id: int, args: str, motions: MotionService) -> None:
    if args:
        raise UserError(_("Usage: {usage}").format(usage=f"/motion M{motion_id} amendments"))
    await motions.here(ctx, motion_id)
    rows = await motions.amendments(motion_id)
    if not rows:
        await ctx.reply(_("No amendments to M{id}. Propose one with /amend M{id} …").format(id=motion_id))
        return
    await _reply_pages(ctx, lines(_("Amendments to M{id}:").format(id=motion_id), *(amendment_line(a) for a in rows)))


async def _export(ctx: Context, motion_id: int, args: str, motions: MotionService) -> None:
    fmt = args.strip().lower()
    if fmt not in ("md", "markdown", "text", "txt"):
        raise UserError(_("Usage: {usage}").format(usage=f"/motion M{motion_id} export md|text"))
    motion = await motions.here(ctx, motion_id)
    md = fmt in ("md", "markdown")
    # The document goes into the room it is asked in: its headings in the language of this answer.
    body = markdown(motion.text, motion.info) if md else plain_text(motion.text, motion.info)
    caption = (_("M{id}: {title}, as Markdown.") if md else _("M{id}: {title}, as text.")).format(
        id=motion_id, title=motion.text.title)
    await ctx.send_file(file_name(f"M{motion_id} {motion.text.title}", ".md" if md else ".txt"), body.encode("utf-8"),
                        caption, private=False)


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


@router.command("motion", summary=N_("draft, show, submit and export motions"), usage=USAGE, details=DETAILS)
async def motion_command(ctx: Context, args: str, motions: MotionService) -> None:
    head, _space, rest = args.strip().partition(" ")
    top = TOP.get(head.lower())
    if top is not None:
        await top(ctx, rest.strip(), motions)
        return
    motion_id, rest = split_ref(args, "M", _("/motion new TITLE or /motion M12 … (send /help motion for more)"))
    await motions.here(ctx, motion_id)  # first: a motion of another room is worked on there, typos and all
    sub, _space, rest = rest.partition(" ")
    handler = SUBS.get(sub.lower() or "show")
    if handler is None:
        raise UserError(_("There is no {command}. Send /help motion for the commands.").format(
            command=f"/motion M{motion_id} {sub[:20]}"))
    await handler(ctx, motion_id, rest.strip(), motions)


# -- amendments --------------------------------------------------------------------------------


@router.command("amend", summary=N_("propose an amendment to a motion"), usage=AMEND_USAGE,
                details=N_("Quote the words exactly. An amendment needs a seconder (/amendment A3 second) and is "
                           "then put to the vote by an organiser (/amendment A3 vote --closes 10m); if carried it is "
                           "applied to the text."))
async def amend_command(ctx: Context, args: str, motions: MotionService) -> None:
    motion_id, rest = split_ref(args, "M", AMEND_USAGE)
    await motions.here(ctx, motion_id)  # first: a motion of another room is amended there
    amendment = parse_amendment(rest)
    amendment_id = await motions.propose(ctx, motion_id, amendment)
    await ctx.reply(
        markup(_("Amendment {ref} to M{motion} by {mover}: {summary}\nIt needs a seconder: /amendment A{id} second"),
               ref=b(f"A{amendment_id}"), motion=motion_id, mover=ctx.actor.label, summary=amendment.summary,
               id=amendment_id)
    )


@router.command("amendment", summary=N_("second, withdraw or put an amendment to the vote"), usage=AMENDMENT_USAGE)
async def amendment_command(ctx: Context, args: str, motions: MotionService) -> None:
    amendment_id, rest = split_ref(args, "A", AMENDMENT_USAGE)
    sub, _space, rest = rest.partition(" ")
    sub, rest = sub.lower() or "show", rest.strip()
    row = await motions.amendment(amendment_id)
    motion = await motions.here(ctx, row.motion_id)
    if sub == "show":
        if rest:
            raise UserError(_("Usage: {usage}").format(usage=AMENDMENT_USAGE))
        await ctx.reply(amendment_line(row) + "\n" + _("Motion: {ref} {title}").format(ref=motion.ref,
                                                                                       title=motion.text.title))
    elif sub == "second":
        if rest:
            raise UserError(_("Usage: {usage}").format(usage=f"/amendment A{amendment_id} second"))
        await motions.second(ctx, amendment_id)
        await ctx.reply(_("Amendment A{id} is seconded by {seconder}. An organiser puts it to the vote: "
                          "/amendment A{id} vote --closes 10m").format(id=amendment_id, seconder=ctx.actor.label))
    elif sub == "withdraw":
        if rest:
            raise UserError(_("Usage: {usage}").format(usage=f"/amendment A{amendment_id} withdraw"))
        if row.mover != ctx.actor.id:
            await motions.require(ctx, "withdraw amendment", motion)
        await motions.withdraw(ctx, amendment_id)
        await ctx.reply(_("Amendment A{id} is withdrawn.").format(id=amendment_id))
    elif sub == "vote":
        await motions.require(ctx, "vote on amendment", motion)
        with speaking(await ctx.languages.speech_for(motion.room)):  # the question is read in the motion's room
            question = _("Amendment {ref} to {motion} ({title}): {summary} — agree?").format(
                ref=row.ref, motion=motion.ref, title=motion.text.title, summary=row.amendment.summary)
        spec = motions.ballot(rest, f"/amendment {row.ref} vote [--closes 10m] [--secret] [--roll]", question)
        poll = await motions.amendment_to_vote(ctx, row, motion, spec)
        if ctx.room.id != motion.room:
            await ctx.reply(_("The vote on {ref} is open as poll {poll} in its room.").format(ref=row.ref,
                                                                                             poll=poll.id))
        if poll.too_few_for_secrecy:  # said once, to the organiser who opened it, as /poll says it
            await ctx.reply(too_few_for_secrecy(poll))
    else:
        raise UserError(_("There is no {command}. Usage: {usage}").format(
            command=f"/amendment A{amendment_id} {sub[:20]}", usage=AMENDMENT_USAGE))


COMPOSITE_HELP = f"{COMPOSITE_USAGE} | /composite C1 [show] | /composite C1 agree | /composite list"
COMPOSITE_DETAILS = N_(
    "The room's organisers (as arrangements committee) merge similar motions into one composite: a new "
    "draft motion with every point of the originals (points word for word the same kept once), which "
    "remembers where each point came from; the originals are marked composited. The composite is edited "
    "as any motion (/motion M… edit, remove, mover, seconder). A drafter of each original motion agrees to "
    "its words with /composite C1 agree; the composite can be submitted once every original has agreed "
    "to its present words (an edit after an agreement asks for it again)."
)


def _and(refs: list[str]) -> str:
    """REFS as a list read aloud: "M1", "M1 and M2", "M1, M2 and M3"."""
    if len(refs) < 2:
        return "".join(refs)
    # TRANSLATORS: the last two of a list of motions, e.g. "M1, M2 and M3".
    return _("{list} and {last}").format(list=", ".join(refs[:-1]), last=refs[-1])


@router.command("composite", summary=N_("merge motions into a composite their movers agree to"), usage=COMPOSITE_HELP,
                details=COMPOSITE_DETAILS)
async def composite_command(ctx: Context, args: str, motions: MotionService) -> None:
    head, _space, rest = args.strip().partition(" ")
    rest = rest.strip()
    if head.lower() == "list":
        if rest:
            raise UserError(_("Usage: /composite list (no arguments)."))
        found = await motions.composites(ctx)
        if not found:
            await ctx.reply(_("No composites here yet. An organiser makes one with {usage}").format(
                usage=COMPOSITE_USAGE))
            return
        await _reply_pages(ctx, lines(_("Composites:"), *(markup("{ref} ({motion}): {title}", ref=b(c), motion=m,
                                                                 title=t) for c, m, t, _room in reversed(found[:50]))))
        return
    kind = ref_kind(head)
    if kind is not None and kind[0] == "C":
        composite_id = kind[1]
        found = await motions.get_composite(composite_id)
        await motions.here(ctx, found.motion_id)  # first: a composite of another room is worked on there
        sub = rest.lower() or "show"
        if sub == "show":
            await _reply_pages(ctx, await motions.composite_view(ctx, composite_id))
        elif sub == "agree":
            after, refs, waiting = await motions.agree(ctx, composite_id)
            fields = {"ref": after.ref, "id": after.motion_id, "agreed": _and(refs),
                      "waiting": ", ".join(waiting)}
            if waiting:
                said = _("You agree to the words of composite {ref} (M{id}) for {agreed}. Still waiting for "
                         "{waiting}.")
            else:
                said = _("You agree to the words of composite {ref} (M{id}) for {agreed}. Every original has agreed: "
                         "its drafters can submit it (/motion M{id} submit).")
            await ctx.reply(said.format(**fields))
        else:
            raise UserError(_("There is no {command}. Usage: {usage}").format(
                command=f"/composite C{composite_id} {rest[:20]}", usage=COMPOSITE_HELP))
        return
    if (kind is None or kind[0] != "M") and not await ctx.is_organiser(ctx.room.id):
        # A member typed no composite (nothing, or no id): what they can do, not whom merging is for.
        raise UserError(_("Say which composite, e.g. /composite C1 (send /composite list to see them); organisers "
                          "merge motions with {usage}.").format(usage=COMPOSITE_USAGE))
    if ctx.room.private:
        raise UserError(_("Composite motions in their group, not in a private chat."))
    await motions.require(ctx, "composite")
    await motions.of_this_room(ctx, composite_refs(args))  # first: the motions' room, whatever else is wrong
    ids, new_title = parse_composite(args)
    made = await motions.composite(ctx, ids, new_title)
    refs = ", ".join(f"M{i}" for i in ids)
    await ctx.reply(markup(
        _("Composite {ref} is motion {motion} ({title}), drafted from {originals}, which are now composited. Edit it "
          "into one text (/motion M{id} show, edit, remove), name its mover and seconder; a drafter of each original "
          "agrees to its words with /composite {ref} agree, and then it can be submitted."),
        ref=b(made.ref), motion=b(f"M{made.motion_id}"), title=new_title, originals=refs, id=made.motion_id))
    await motions.ask_agreement(ctx, made, new_title)


@router.subscribe(PollClosed)
async def settle(event: PollClosed, motions: MotionService) -> None:
    await motions.settle(event.poll)


@router.startup
async def settle_missed(motions: MotionService) -> None:
    await motions.settle_missed()
