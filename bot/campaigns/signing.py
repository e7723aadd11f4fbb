"""Signing by message, the same for model motions (M12) and trigger campaigns (T2).

People sign privately in any of three ways: ``/sign M12``, typing ``sign M12``, or a deep link
button (``/start sign-M12``). The bot first says what is kept and who sees it; the signature is
recorded only when the person answers yes, which is the consent stored with it. ``/sign M12 yes``
does both at once.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING
from weakref import WeakKeyDictionary

from bot import dialogue
from bot.context import Context
from bot.installers import INSTALLERS, Stopper
from bot.kernel.errors import UserError
from bot.kernel.ids import ref_kind

if TYPE_CHECKING:
    from bot.core import Quorum

USAGE = "/sign M12 (or T2) — then reply yes; /sign M12 yes [BRANCH] signs at once; /unsign M12 withdraws"
MAX_BRANCH = 100
_NAME = "sign"
_TYPED = re.compile(r"^\s*(sign|unsign)\s+([A-Za-z]\d{1,9})\s*$", re.I)
_ANSWER = re.compile(r"^\s*(yes|y|no|n)\b\s*(.*)$", re.I | re.S)


@dataclass(frozen=True)
class Signable:
    """What can be signed under one id letter."""

    describe: Callable[[Context, int], Awaitable[str]]  # what signing means; UserError if not open
    sign: Callable[[Context, int, str | None], Awaitable[str]]  # records it; the confirmation
    unsign: Callable[[Context, int], Awaitable[str]]


SIGNABLE: dict[str, Signable] = {}
_PENDING: WeakKeyDictionary[Quorum, dict[str, tuple[str, int]]] = WeakKeyDictionary()


def _pending(core: Quorum) -> dict[str, tuple[str, int]]:
    return _PENDING.setdefault(core, {})


def _target(text: str) -> tuple[str, int]:
    found = ref_kind(text)
    if found is None or found[0] not in SIGNABLE:
        raise UserError(f"{text.strip()[:30]!r} is not something to sign: give a motion campaign or trigger "
                        f"id such as M12 or T2. Usage: {USAGE}")
    return found


def _branch(text: str) -> str | None:
    branch = " ".join(text.split())
    if len(branch) > MAX_BRANCH:
        raise UserError(f"That branch name is too long; keep it under {MAX_BRANCH} characters.")
    return branch or None


def _private(ctx: Context, ref: str) -> None:
    if not ctx.room.private:
        raise UserError(f"Sign privately, so the group does not see who signed: message me sign {ref}")


async def begin(ctx: Context, ref: str) -> None:
    letter, n = _target(ref)
    _private(ctx, f"{letter}{n}")
    prompt = await SIGNABLE[letter].describe(ctx, n)
    _pending(ctx.core)[ctx.actor.id] = (letter, n)
    dialogue.begin(ctx.core, ctx.actor.id, _NAME)
    await ctx.reply(f"{prompt}\nReply yes to sign (or yes BRANCH NAME to add your branch), or no to cancel.")


async def confirm(ctx: Context, letter: str, n: int, branch: str | None) -> None:
    _private(ctx, f"{letter}{n}")
    text = await SIGNABLE[letter].sign(ctx, n, branch)
    _forget(ctx)
    await ctx.reply(text)


async def unsign(ctx: Context, ref: str) -> None:
    letter, n = _target(ref)
    _private(ctx, f"{letter}{n}")
    await ctx.reply(await SIGNABLE[letter].unsign(ctx, n))


def _forget(ctx: Context) -> None:
    _pending(ctx.core).pop(ctx.actor.id, None)
    dialogue.end(ctx.core, ctx.actor.id, _NAME)


async def sign_command(ctx: Context, args: str) -> None:
    ref, _, rest = args.strip().partition(" ")
    if not ref:
        raise UserError(f"Say what to sign. Usage: {USAGE}")
    if not rest.strip():
        await begin(ctx, ref)
        return
    m = _ANSWER.match(rest)
    if not m or m.group(1).lower() not in ("yes", "y"):
        raise UserError(f"Usage: {USAGE}")
    letter, n = _target(ref)
    await confirm(ctx, letter, n, _branch(m.group(2)))


async def _conversation(ctx: Context, text: str) -> bool:
    typed = _TYPED.match(text)
    if typed:
        if typed.group(1).lower() == "sign":
            await begin(ctx, typed.group(2))
        else:
            await unsign(ctx, typed.group(2))
        return True
    core = ctx.core
    waiting = _pending(core).get(ctx.actor.id)
    if waiting is None or dialogue.owner(core, ctx.actor.id) != _NAME:
        return False
    m = _ANSWER.match(text)
    if not m:
        raise UserError(f"Reply yes to sign {waiting[0]}{waiting[1]} (or yes BRANCH NAME), or no to cancel.")
    if m.group(1).lower() in ("no", "n"):
        _forget(ctx)
        await ctx.reply(f"Not signed: nothing about you was kept for {waiting[0]}{waiting[1]}.")
        return True
    await confirm(ctx, waiting[0], waiting[1], _branch(m.group(2)))
    return True


async def install(core: Quorum) -> Stopper | None:
    core.conversations.append(_conversation)
    return None


INSTALLERS.append(install)
