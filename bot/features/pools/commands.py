"""/pool: sortition pools — registration, quotas, the committed draw and its reveal."""

from __future__ import annotations

import json

from bot.features.pools.model import Pool, document_file
from bot.features.pools.parse import USAGE, parse_freeze, parse_questions, parse_quota, parse_randomness, parse_ticket
from bot.features.pools.render import panel_label, panel_sheet, status, the_panel_list
from bot.features.pools.service import PoolService
from bot.kernel.context import Context
from bot.kernel.csv_export import send_privately
from bot.kernel.errors import UserError
from bot.kernel.grammar import is_number
from bot.kernel.language import N_, _
from bot.kernel.routing import Router

router = Router("pools")


async def _organiser(ctx: Context, pool: Pool) -> None:
    if not await ctx.is_organiser(pool.room):
        raise UserError(_("Only an organiser of pool {id}'s room can do that.").format(id=pool.id))


async def _new(ctx: Context, rest: str, pools: PoolService) -> None:
    if ctx.room.private:
        raise UserError(_("Open a pool in the group whose assembly it is, not in a private chat."))
    if not await ctx.is_organiser():
        raise UserError(_("Only organisers of this room can open a pool."))
    parts = rest.split("|")
    title = parts[0].strip()
    if not title or len(title) > 200:
        raise UserError(_("Give the pool a title (up to 200 characters). Usage: {usage}").format(usage=_(USAGE)))
    questions = parse_questions(parts[1:])
    pool_id = await pools.create(ctx, title, questions)
    names = ", ".join(q["name"] for q in questions)
    await ctx.reply(_("Pool {id} is open: {title} (questions: {questions}). Volunteers, message me privately: "
                      "/pool {id} join").format(id=pool_id, title=title, questions=names))


@router.command("pool", summary=N_("sortition: volunteer pools and verifiable draws"), usage=USAGE,
                details=N_("Volunteers register privately (/pool P join) with their answers and consent. Organisers "
                "set the panel size and quotas, freeze the pool (this publishes a commitment to the fair LEXIMIN "
                "lottery), then draw with randomness announced in advance. A declined seat is refilled with "
                "replace; when nobody left keeps the quotas, leave it empty (empty TICKET) or relax a quota for "
                "replacements (relax QUESTION=ANSWER MIN-MAX). See the README's sortition section."))
async def pool_command(ctx: Context, args: str, pools: PoolService) -> None:
    head, _sep, rest = args.strip().partition(" ")
    if head.lower() == "new":
        await _new(ctx, rest, pools)
        return
    digits = head.lstrip("Pp#")
    if not is_number(digits):
        raise UserError(_("Say which pool, e.g. /pool 1 join. Usage: {usage}").format(usage=_(USAGE)))
    pool = await pools.get(int(digits))
    verb, _sep, arg = rest.strip().partition(" ")
    verb, arg = verb.lower(), arg.strip()
    # First, whatever follows: from another room (a group, or privately by someone not in its room),
    # only the organisers of its room work on it; anyone else asks there (or privately), and what is
    # wrong with the rest is said there. Volunteers (who need not be in the room) join privately.
    volunteering = ctx.room.private and verb in ("join", "leave", "decline")
    if not volunteering and not await ctx.reaches(pool.room):
        raise UserError(_("Pool {id} belongs to another room: ask there, or privately as a member of "
                          "it.").format(id=pool.id))
    if verb == "join" and not arg:
        await pools.begin(ctx, pool)
    elif verb == "leave" and not arg:
        await pools.leave(ctx, pool)
    elif verb == "decline" and not arg:
        await pools.decline(ctx, pool)
    elif verb in ("status", "document") and not await ctx.in_room(pool.room):  # first, whatever follows
        raise UserError(_("Pool {id} belongs to another room: ask there, or privately as a member of "
                          "it.").format(id=pool.id))
    elif verb == "status" and not arg:
        state, steps, in_force = await pools.after_draw(pool) if pool.panel else (None, [], None)
        await ctx.reply(status(pool, await pools.volunteer_count(pool), await pools.quota_list(pool), in_force,
                               state, steps))
    elif verb == "document" and not arg:
        if pool.document is None:
            raise UserError(_("Pool {id} is not frozen yet; its document is published at the freeze.").format(
                id=pool.id))
        document = json.dumps(pool.document, sort_keys=True, indent=1).encode("utf-8")
        await ctx.send_file(document_file(pool.id), document,
                            _("Pool {id}: the published draw document. Anyone can check the draw with it: quorum "
                              "sortition verify FILE --randomness \"…\"").format(id=pool.id), private=False)
    elif verb == "size":
        await _organiser(ctx, pool)
        if not is_number(arg) or int(arg) < 1:
            raise UserError(_("Usage: /pool {id} size N (a whole number of at least 1).").format(id=pool.id))
        await pools.set_size(ctx, pool, int(arg))
    elif verb == "quota":
        await _organiser(ctx, pool)
        await pools.set_quota(ctx, pool, *parse_quota(pool.id, arg))
    elif verb == "freeze":
        await _organiser(ctx, pool)
        await pools.freeze(ctx, pool, parse_freeze(pool.id, arg))
    elif verb in ("draw", "replace"):
        await _organiser(ctx, pool)
        await (pools.draw if verb == "draw" else pools.replace)(ctx, pool, parse_randomness(pool.id, verb, arg))
    elif verb == "relax":
        await _organiser(ctx, pool)
        await pools.relax(ctx, pool, *parse_quota(pool.id, arg, "relax"))
    elif verb == "empty":
        await _organiser(ctx, pool)
        await pools.leave_empty(ctx, pool, parse_ticket(pool.id, arg))
    elif verb == "panel" and not arg:
        await _organiser(ctx, pool)
        rows = await pools.panel_rows(pool)
        # The list goes to the organiser's private chat, in their language; a word in the room in the room's.
        with await ctx.speaking_to(ctx.actor.id):
            header, cells = panel_sheet(pool, rows)
            label = panel_label(pool)
        await send_privately(ctx, label, header, cells, the_panel_list())
    else:
        raise UserError(_("Unknown or malformed pool command. Usage: {usage}").format(usage=_(USAGE)))


@router.startup
async def seal_stored_registrations(pools: PoolService) -> None:
    """Registrations stored before names and answers were sealed (bot/storage/sealing.py) are
    sealed now."""
    await pools.seal_stored()


@router.conversation
async def registration(ctx: Context, text: str, pools: PoolService) -> bool:
    return await pools.converse(ctx, text)
