"""/pool: sortition pools — registration, quotas, the committed draw and its reveal."""

from __future__ import annotations

import re

from bot.commands.registry import command
from bot.context import Context
from bot.csv_export import send_privately
from bot.kernel.errors import UserError
from bot.kernel.grammar import is_number
from bot.kernel.markup import esc, pre
from bot.pools import Pool, parse_questions

USAGE = (
    "/pool new TITLE | QUESTION: OPTION, OPTION … | …  ·  /pool P join · leave · status · document · decline  ·  "
    "organisers: /pool P size N · quota QUESTION=ANSWER MIN-MAX · freeze [--simple] · draw RANDOMNESS · "
    "replace RANDOMNESS · panel"
)
_QUOTA = re.compile(r"^([^=\s]+)\s*=\s*(.+?)\s+(\d{1,6})\s*-\s*(\d{1,6})$")


async def _organiser(ctx: Context, pool: Pool) -> None:
    if not await ctx.is_organiser(pool.room):
        raise UserError(f"Only an organiser of pool {pool.id}'s room can do that.")


@command("pool", summary="sortition: volunteer pools and verifiable draws", usage=USAGE,
         details="Volunteers register privately (/pool P join) with their answers and consent. Organisers set "
         "the panel size and quotas, freeze the pool (this publishes a commitment to the fair LEXIMIN lottery), "
         "then draw with randomness announced in advance. See the README's sortition section.")
async def pool_command(ctx: Context, args: str) -> None:
    core = ctx.core
    service = core.pools
    head, _, rest = args.strip().partition(" ")
    if head.lower() == "new":
        if ctx.room.private:
            raise UserError("Open a pool in the group whose assembly it is, not in a private chat.")
        if not await ctx.is_organiser():
            raise UserError("Only organisers of this room can open a pool.")
        parts = rest.split("|")
        title = parts[0].strip()
        if not title or len(title) > 200:
            raise UserError(f"Give the pool a title (up to 200 characters). Usage: {USAGE}")
        questions = parse_questions(parts[1:])
        pool_id = await service.create(ctx, title, questions)
        names = ", ".join(q["name"] for q in questions)
        await ctx.reply(f"Pool {pool_id} is open: {esc(title)} (questions: {esc(names)}). Volunteers, message me "
                        f"privately: /pool {pool_id} join")
        return
    digits = head.lstrip("Pp#")
    if not is_number(digits):
        raise UserError(f"Say which pool, e.g. /pool 1 join. Usage: {USAGE}")
    pool = await service.get(int(digits))
    verb, _, arg = rest.strip().partition(" ")
    verb, arg = verb.lower(), arg.strip()
    if verb == "join" and not arg:
        await service.begin(ctx, pool)
    elif verb == "leave" and not arg:
        await service.leave(ctx, pool)
    elif verb == "decline" and not arg:
        await service.decline(ctx, pool)
    elif verb == "status" and not arg:
        count = len(await service.volunteers(pool))
        quotas = await core.db.execute_fetchall(  # type: ignore[union-attr]
            "SELECT feature, value, min, max FROM pool_quotas WHERE pool_id = ? ORDER BY feature, value", (pool.id,)
        )
        lines = [f"Pool {pool.id}: {esc(pool.title)} — {pool.status}, {count} volunteers, "
                 f"panel size {pool.panel_size or 'not set'}"]
        lines += [f"{esc(f)} = {esc(v)}: {lo}–{hi}" for f, v, lo, hi in quotas]
        if pool.commitment:
            lines.append(f"Commitment: {pool.commitment}")
        if pool.panel:
            lines.append(f"Panel: {', '.join(map(str, pool.panel))}")
        await ctx.reply("\n".join(lines))
    elif verb == "document" and not arg:
        if pool.document is None:
            raise UserError(f"Pool {pool.id} is not frozen yet; its document is published at the freeze.")
        import json

        await ctx.reply(pre(json.dumps(pool.document, sort_keys=True, indent=1)))
    elif verb == "size":
        await _organiser(ctx, pool)
        if not is_number(arg) or int(arg) < 1:
            raise UserError(f"Usage: /pool {pool.id} size N (a whole number of at least 1).")
        await service.set_size(ctx, pool, int(arg))
    elif verb == "quota":
        await _organiser(ctx, pool)
        m = _QUOTA.match(arg)
        if not m:
            raise UserError(f"Usage: /pool {pool.id} quota QUESTION=ANSWER MIN-MAX, e.g. quota gender=female 14-16.")
        low, high = int(m.group(3)), int(m.group(4))
        if low > high:
            raise UserError(f"The minimum {low} is above the maximum {high}.")
        await service.set_quota(ctx, pool, m.group(1), m.group(2), low, high)
    elif verb == "freeze" and arg in ("", "--simple"):
        await _organiser(ctx, pool)
        await service.freeze(ctx, pool, "simple" if arg else "leximin")
    elif verb in ("draw", "replace"):
        await _organiser(ctx, pool)
        if not arg:
            raise UserError(f"Give the randomness announced in advance: /pool {pool.id} {verb} 17 4 29 8 …")
        await (service.draw if verb == "draw" else service.replace)(ctx, pool, arg)
    elif verb == "panel" and not arg:
        await _organiser(ctx, pool)
        header, rows = await service.panel_rows(pool)
        await send_privately(ctx, f"Pool {pool.id} panel", header, rows, "the panel list")
    else:
        raise UserError(f"Unknown or malformed pool command. Usage: {USAGE}")
