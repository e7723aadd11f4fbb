"""Which private conversation a person is in, and how far they got, so that a reply such as
"yes" is read by the one that asked (signing a campaign, a sign-up form, a pool registration)
and by no other, whichever process gets it and however many restarts came between.

A conversation is one row per person in ``dialogues``: starting one ends any other that person
had open. Each step is written under the answer's update id, so a redelivered answer is not
taken twice; the last one stores a sign-up or registration in the same transaction that deletes
the row (a signature is stored by its own feature, and the row deleted just after).

The answers given so far are personal data given before consent, and a person who cancels is
told nothing was kept. So the state is sealed (bot/storage/sealing.py) under a data key of the
conversation's own, made when it starts and destroyed with its row whenever it ends (answered,
cancelled, expired, erased): old copies of the row left in the database's pages or log are then
ciphertext that nothing opens, and the person's own data key (what their stored sign-ups and
signatures are sealed under) is neither made nor touched by a conversation. The row and that key
are named by the keyed hash of the person's identity, so neither table names anybody. A
conversation untouched for ``LIFETIME`` ends: a late "yes" signs nothing (the feature says it
ended), and its row and key are deleted within the hour.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from bot.kernel.clock import Clock
from bot.kernel.errors import UserError
from bot.kernel.language import _
from bot.kernel.ports import Conn, Reader, Writer
from bot.kernel.routing import Duty
from bot.kernel.times import iso
from bot.storage.sealing import KEYS_TABLE, Sealer

log = logging.getLogger(__name__)

LIFETIME = timedelta(days=1)
"""How long a conversation waits for its next answer."""

PRUNE_EVERY = timedelta(hours=1)
PLACE = "dialogues.state"


def _own(actor: str) -> str:
    """Whose key seals ACTOR's conversation: a name of its own, apart from ACTOR's data key."""
    return f"dialogue\x00{actor}"


@dataclass(frozen=True)
class Open:
    """A person's open conversation: its NAME (the feature's), the STATE it keeps, and whether
    it waited past its lifetime (EXPIRED: it is over, and only says so)."""

    name: str
    state: dict[str, Any]
    expired: bool
    sealed: str = ""  # the state as stored: a step taken from it is written only if it is still so


class Dialogues:
    def __init__(self, reader: Reader, writer: Writer, clock: Clock, sealer: Sealer) -> None:
        self._reader = reader
        self._writer = writer
        self._clock = clock
        self._sealer = sealer
        self._next_prune = clock.now()  # due at the first look: a restart never delays it

    async def current(self, actor: str) -> Open | None:
        """ACTOR's conversation as committed (a read, taken for every private message that is
        not a command), or None."""
        return await self.read(self._reader, actor)

    async def read(self, conn: Conn, actor: str) -> Open | None:
        """ACTOR's conversation as CONN sees it (inside a step's transaction), or None."""
        own = _own(actor)
        rows = await conn.execute_fetchall("SELECT name, state, expires FROM dialogues WHERE holder = ?",
                                           (self._sealer.holder(own),))
        if not rows:
            return None
        name, sealed, expires = rows[0][0], rows[0][1], rows[0][2]
        key = (await self._sealer.keys(conn, [own])).get(own)
        if key is None:  # ended meanwhile (the row and its key go in one transaction): nothing of it opens
            return None
        state = json.loads(key.open(PLACE, sealed) or "{}")
        return Open(name, state, expires <= iso(self._clock.now()), sealed)

    async def keep(self, conn: Conn, actor: str, name: str, state: dict[str, Any]) -> None:
        """Inside the step's transaction: ACTOR is in conversation NAME, at STATE, for another
        LIFETIME; any other they had open ends."""
        own = _own(actor)
        key = await self._sealer.key(conn, own)
        await conn.execute(
            "INSERT INTO dialogues(holder, name, state, expires) VALUES (?, ?, ?, ?) ON CONFLICT (holder) DO UPDATE"
            " SET name = excluded.name, state = excluded.state, expires = excluded.expires",
            (self._sealer.holder(own), name, key.seal(PLACE, json.dumps(state)),
             iso(self._clock.now() + LIFETIME)))

    async def end(self, conn: Conn, actor: str, name: str | None = None) -> bool:
        """Inside a transaction: end ACTOR's conversation NAME (any, when None), destroying the
        key its state was sealed under; whether one ended."""
        holder = self._sealer.holder(_own(actor))
        if name is None:
            cur = await conn.execute("DELETE FROM dialogues WHERE holder = ?", (holder,))
        else:
            cur = await conn.execute("DELETE FROM dialogues WHERE holder = ? AND name = ?", (holder, name))
        if not cur.rowcount:
            return False
        await self._sealer.destroy(conn, _own(actor))
        return True

    async def save(self, actor: str, name: str, state: dict[str, Any], event_id: str | None,
                   was: Open | None = None) -> None:
        """Open conversation NAME for ACTOR, or take it from WAS (as read for this answer) to
        STATE, in a transaction of its own under EVENT_ID (the answer's update: a redelivery is
        dropped). Should another answer of theirs have moved it meanwhile (on PostgreSQL, two
        answers sent at once reaching two processes), this one is refused, to be sent again: it
        was read against a question no longer asked."""
        moved = _("Your previous answer was still being taken when this one came; please send this one again.")

        async def op(conn: Conn) -> None:
            if was is None:
                await self.keep(conn, actor, name, state)
                return
            own = _own(actor)
            key = await self._sealer.key(conn, own)
            cur = await conn.execute(
                "UPDATE dialogues SET state = ?, expires = ? WHERE holder = ? AND name = ? AND state = ?",
                (key.seal(PLACE, json.dumps(state)), iso(self._clock.now() + LIFETIME), self._sealer.holder(own),
                 name, was.sealed))
            if not cur.rowcount:
                raise UserError(moved)

        await self._writer.run(op, event_id)

    async def finish(self, actor: str, name: str, last: Callable[[Conn], Awaitable[None]],
                     event_id: str | None) -> None:
        """The last step of ACTOR's conversation NAME: LAST stores what it gathered (a sign-up, a
        registration) and the conversation ends, in one transaction under EVENT_ID. Refused by
        LAST (closed meanwhile, done already), the conversation ends all the same: its question
        is answered, and asking it again would change nothing."""

        async def op(conn: Conn) -> None:
            await last(conn)
            await self.end(conn, actor, name)

        try:
            await self._writer.run(op, event_id)
        except UserError:
            await self.close(actor, name)
            raise

    async def close(self, actor: str, name: str | None, event_id: str | None = None) -> None:
        """End ACTOR's conversation NAME (any, when None) in a transaction of its own."""

        async def op(conn: Conn) -> None:
            await self.end(conn, actor, name)

        await self._writer.run(op, event_id)

    def pruning(self) -> Duty:
        """Delete, hourly, the conversations that waited past their lifetime."""
        return Duty(lambda: self._next_prune, self._prune)

    async def _prune(self) -> None:
        now = self._clock.now()
        self._next_prune = now + PRUNE_EVERY

        async def op(conn: Conn) -> int:
            cutoff = (iso(now),)
            await conn.execute(f"DELETE FROM {KEYS_TABLE} WHERE holder IN"
                               " (SELECT holder FROM dialogues WHERE expires <= ?)", cutoff)
            cur = await conn.execute("DELETE FROM dialogues WHERE expires <= ?", cutoff)
            return int(cur.rowcount)

        ended = await self._writer.run(op)
        if ended:
            log.info("dialogues: %d left unanswered for %s ended", ended, LIFETIME)
