"""What can be signed, and what holds a person's data.

Signing is one procedure for everything people put their name to by message: the bot says what
is kept and who sees it, and records the signature only when the person answers yes (the consent
stored with it). A Signable is one kind of thing to sign, under its id letter (M: a model-motion
campaign, T: a trigger campaign); bootstrap hands the signing service the ones there are.

A DataHolder is a feature that keeps personal data of supporters or members: it can list what it
keeps about a person (/mydata) and erase it (/mydata erase), inside one transaction with the
others, so an erasure is whole or nothing. A Withdrawable is one whose entries a person can also
withdraw one at a time from /mydata, under its id letter (P1: a sortition pool).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from bot.kernel.context import Context
from bot.kernel.language import _
from bot.kernel.times import parse_iso
from bot.kernel.wording import when, zoned


class Signable(Protocol):
    async def describe(self, ctx: Context, n: int) -> str:
        """What signing N means and what is kept; UserError if it takes no signatures now."""
        ...

    async def sign(self, ctx: Context, n: int, branch: str | None) -> str:
        """Record the speaker's signature on N; the confirmation."""
        ...

    async def unsign(self, ctx: Context, n: int) -> None:
        """Delete the speaker's signature on N; UserError if there is none (``not_signed``) or
        it can no longer be withdrawn, and then nothing changes."""
        ...


class DataHolder(Protocol):
    """IDENTITIES: every chat account of the person (the one asking first; for a member, each
    account linked to the membership: what any of them left is theirs); MEMBER: the membership,
    if any. A holder that also finds rows by the member lists each of them once."""

    async def personal_data(self, identities: Sequence[str], member: int | None) -> list[str]:
        """Lines for /mydata: what this feature keeps about the person, as plain text."""
        ...

    async def erase(self, conn: Any, identities: Sequence[str], member: int | None) -> tuple[str, int]:
        """Inside the erasure's transaction: delete what is kept about the person; (what, how
        many), WHAT naming one of them in English ("sign-up"), which ``erased``
        (bot/features/signups/render.py) writes with its count in the reader's language."""
        ...


class Withdrawable(Protocol):
    async def withdraw(self, ctx: Context, n: int) -> None:
        """Withdraw the speaker's entry in N and say so; UserError if there is none, or it can no
        longer be withdrawn, and then nothing changes."""
        ...


def not_signed(ref: str) -> str:
    return _("You have not signed {ref}; nothing to withdraw.").format(ref=ref)


def already_signed(ref: str, signed_at: str, tz: ZoneInfo, now: datetime) -> str:
    """The refusal of a second signature, naming when the first was given (SIGNED_AT, as
    stored) as every time is named: in the organisation's zone TZ, with its day unless it was
    today, in the reader's language."""
    at = parse_iso(signed_at)
    assert at is not None
    return _("You signed {ref} already, at {time}; nothing changed.").format(
        ref=ref, time=zoned(when(at, tz, now), tz))
