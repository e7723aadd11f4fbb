"""The single writer: every change to the database goes through here, in order.

Votes arrive far faster than a disk can commit them one by one, and a vote may only be
acknowledged once it is on disk. So the writer takes everything queued while the previous
commit was in flight and commits it as one transaction (group commit): each vote still waits
for its own commit, but thousands share one fsync. A vote batch reads whether its polls are
still open in the same transaction as it writes the votes, so a vote queued before a close is
counted and one queued after is refused. On SQLite this writer is the only one and needs no
locks, and a batch of votes is written in one step in the connection's own thread (begin, the
check, the rows, commit), not statement by statement through the event loop, which is busy
with the votes still coming in. On PostgreSQL several processes each run a writer (``dialect.shared``): a batch takes
its polls' rows FOR SHARE in poll order (so batches never deadlock one another, and a close,
which takes the row FOR UPDATE, waits for the batches already under way and is waited for by
the later ones), claims its update ids by the unique key of ``seen_events`` (so an update
redelivered to another process is dropped there), and writes rows in key order; a batch of
votes chosen as a deadlock's victim all the same is tried again. A change run in the writer
(``run``) takes the rows it needs in whatever order its feature does, so two processes' batches
can deadlock over them: the victim change alone is rolled back to its savepoint (which frees
its locks, so the other process goes on) and run again, the rest of its batch untouched.

Secret ballots are kept unlinkable on disk, in the database and in its write-ahead log: a batch
is committed as consecutive transactions, each holding only secret changes (secret ballots,
the receipts of polls that store them, the keyed marks of the proxies they cancel, the keyed update ids) or only the
rest, in queue order. So no commit that
writes a secret ballot writes anything that names a person, and the update ids it records are
keyed hashes: the platforms' ids (a Telegram private chat's id is its person's id) are never
stored. Without the key file nothing on disk links a voter to a choice.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
import sqlite3
import time
import traceback
from array import array
from bisect import bisect_left
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from itertools import groupby
from typing import Any, TypeVar

import aiosqlite
import numpy as np

from bot.kernel.errors import UserError
from bot.kernel.language import ENGLISH_SPEECH, Speech, current, speaking
from bot.kernel.ports import Writer as Writes
from bot.storage import dialect
from bot.storage.database import in_one_step

log = logging.getLogger(__name__)
T = TypeVar("T")

DUPLICATE = "duplicate"
"""The outcome of a write whose platform event was already applied."""


class Duplicate(Exception):
    """Raised by ``Writer.run`` when the event was already applied (a redelivery)."""


async def change_once(
    writer: Writes, change: Callable[[Any], Awaitable[bool]], refusal: str, event_id: str | None = None
) -> None:
    """Run CHANGE (closing, cancelling, withdrawing something) in the writer; if it changed
    nothing (it returns False: already closed, never signed), refuse with REFUSAL and keep
    nothing, not even the update id, so the person can send it again."""

    async def op(conn: Any) -> None:
        if not await change(conn):
            raise UserError(refusal)

    await writer.run(op, event_id)


@dataclass(slots=True)
class VoteWrite:
    poll_id: int
    voter: str  # for a secret ballot, already a keyed hash (bot/kernel/secrecy.py)
    choice: str | None  # None withdraws the vote
    weight: int
    secret: bool  # a secret ballot: stored apart, never timed, committed with nothing that names anyone
    event_id: str | None
    check: Callable[[], str | None]  # re-checked at commit time; a message refuses the vote
    identity: tuple[str, str] | None = None  # (identity, display name) to remember
    receipt: str | None = None  # a secret ballot's receipt code
    cast_by: str | None = None  # who cast it, where that is kept (polls that take proxies)
    cancels: str | None = None  # the keyed mark of the proxy this vote cancels (its giver votes)
    late: Callable[[], str] | None = None  # the refusal when the database has the poll closed
    future: asyncio.Future[str | None] = field(default=None)  # type: ignore[assignment]
    speech: Speech = ENGLISH_SPEECH  # the language of whoever queued it: its refusal is in theirs


@dataclass(slots=True)
class _Op:
    fn: Callable[[aiosqlite.Connection], Awaitable[Any]]
    event_id: str | None
    future: asyncio.Future[Any]
    secret: bool = False
    # The language of whoever queued the change: it runs in the writer's own task, so a message
    # it writes (a refusal, a note it queues in the outbox) is written in that language there.
    speech: Speech = ENGLISH_SPEECH


KEYED = "k:"
"""The prefix of an update id stored as a keyed hash."""

_COMPACT = 1 << 16
"""Update ids kept as whole tokens before they are packed into the sorted array."""

_TOKENS = 1 << 14
"""Tokens of recent update ids kept, so an update is hashed once, not at each check."""

_PAGE = 1 << 17
"""Applied update ids read at once when loading."""

_NAMES = 1 << 16
"""Display names remembered (to skip rewriting an unchanged one); the rest are looked up by SQL."""


_KEYED_TOKEN = re.compile("k:[0-9a-f]{32}")

RETRIES = 5
"""Times a batch of votes, or a change, chosen as a deadlock's victim (PostgreSQL, several
processes) is tried again."""

_RETRYABLE = {"40P01", "40001"}  # deadlock detected, serialization failure


def _retryable(e: BaseException) -> bool:
    return getattr(e, "sqlstate", None) in _RETRYABLE


def _unquoted(e: BaseException) -> str:
    """E, from writing secret ballots, as a log line or an error may tell it: its kind (and the
    SQLSTATE a server gave), never its words. A database may fill those with the row it refused
    (PostgreSQL: "DETAIL: Failing row contains (3, h:…, 2, …)"), a ballot's key beside its
    choice, and the time of the line would tie that to the member whose vote failed."""
    code = getattr(e, "sqlstate", None)
    return type(e).__name__ + (f" (SQLSTATE {code})" if code else "")


def _stack(e: BaseException) -> str:
    """Where E was raised, without its message: the frames' file, line and code only."""
    return "".join(traceback.format_tb(e.__traceback__)).rstrip()


def _prefix(token: str) -> int:
    """The first 64 bits of a keyed token (`k:` and 32 hex digits)."""
    return int(token[2:18], 16)


class _Applied:
    """Which update tokens are committed, in bounded memory and exactly.

    A bot that has run for a while has a million applied update ids on record; a Python set of
    them costs over 100 MB and seconds to load. So tokens committed since the last packing are
    held whole (a set), and all the others as their first 64 bits in one sorted array of
    unsigned 64-bit integers (8 bytes each; numpy merges it, bisect searches it, since a numpy
    call per vote costs more than the search). A token in the set is applied; one whose 64 bits
    are not in the array is not; one whose 64 bits are there (a redelivery, or a 1-in-10^13
    coincidence) is looked up in seen_events, whose primary key decides. So nothing is ever counted twice or dropped by
    mistake, and memory grows by 8 bytes per remembered update.
    """

    def __init__(self) -> None:
        self.recent: set[str] = set()
        self.packed = array("Q")

    def maybe(self, token: str) -> bool | None:
        """True: applied. False: not applied. None: ask the database."""
        if token in self.recent:
            return True
        packed = self.packed
        if not packed or len(token) != 34 or not token.startswith(KEYED):
            return False  # an unusual token on record is in the set above
        try:
            p = _prefix(token)
        except ValueError:
            return False
        i = bisect_left(packed, p)
        return None if i < len(packed) and packed[i] == p else False

    def add(self, tokens: set[str]) -> None:
        self.recent |= tokens
        if len(self.recent) >= _COMPACT:
            self._pack()

    def _pack(self) -> None:
        """Move the keyed tokens of the set into the array, in a few milliseconds: it runs between
        two commits, and every vote waiting for the next one waits for it too. Their prefixes are
        read as one hex string, and merged into the sorted array (a prefix there already, a
        1-in-10^13 coincidence, is kept twice, which changes no answer)."""
        keyed = [t for t in self.recent if len(t) == 34 and t.startswith(KEYED)]
        try:
            fresh = np.frombuffer(bytes.fromhex("".join([t[2:18] for t in keyed])), dtype=">u8").astype(np.uint64)
        except ValueError:  # an unusual token on record among them: sort them out one by one
            keyed = [t for t in self.recent if _is_keyed(t)]
            fresh = np.array([_prefix(t) for t in keyed], dtype=np.uint64)
        fresh.sort()
        packed = np.frombuffer(self.packed, dtype=np.uint64)
        self.packed = _as_array(np.insert(packed, np.searchsorted(packed, fresh), fresh))
        self.recent.difference_update(keyed)

    async def load(self, conn: aiosqlite.Connection) -> None:
        """Every recorded token, a page at a time in key order (so the array comes out sorted).

        The database joins each page's 64-bit prefixes into one hex string (``group_concat``,
        PostgreSQL's ``string_agg``), so a million tokens cost a few dozen rows crossing into
        Python, not a million."""
        parts: list[np.ndarray] = []
        odd: set[str] = set()
        after = ""
        while True:
            rows = await conn.execute_fetchall(
                "SELECT group_concat(substr(event_id, 3, 16), ''), count(*),"
                " sum(CASE WHEN length(event_id) = 34 AND substr(event_id, 1, 2) = 'k:' THEN 1 ELSE 0 END),"
                " max(event_id)"
                " FROM (SELECT event_id FROM seen_events WHERE event_id > ? ORDER BY event_id LIMIT ?) AS page",
                (after, _PAGE),
            )
            hexes, count, keyed, last = rows[0]
            if not count:
                break
            try:
                if keyed != count or len(hexes) != 16 * count:
                    raise ValueError("not all keyed tokens")
                parts.append(np.frombuffer(bytes.fromhex(hexes), dtype=">u8").astype(np.uint64))
            except ValueError:  # something else on record: read this page row by row
                page = await conn.execute_fetchall(
                    "SELECT event_id FROM seen_events WHERE event_id > ? ORDER BY event_id LIMIT ?", (after, _PAGE)
                )
                good = [r[0] for r in page if _is_keyed(r[0])]
                odd.update(r[0] for r in page if not _is_keyed(r[0]))
                parts.append(np.array([_prefix(t) for t in good], dtype=np.uint64))
            after = last
        packed = np.concatenate(parts) if parts else np.zeros(0, dtype=np.uint64)
        if packed.size > 1 and not bool((packed[1:] >= packed[:-1]).all()):
            packed.sort()
        self.packed = _as_array(packed)
        self.recent = odd


def _as_array(values: np.ndarray) -> array[int]:
    out = array("Q")
    out.frombytes(values.astype(np.uint64).tobytes())
    return out


def _is_keyed(token: str) -> bool:
    return _KEYED_TOKEN.fullmatch(token) is not None


def _hmac_pads(key: bytes) -> tuple[Any, Any]:
    """SHA-256 already fed HMAC's inner and outer padded KEY (RFC 2104)."""
    if len(key) > 64:
        key = hashlib.sha256(key).digest()
    key = key.ljust(64, b"\0")
    return hashlib.sha256(bytes(b ^ 0x36 for b in key)), hashlib.sha256(bytes(b ^ 0x5C for b in key))


def _parts(batch: list[VoteWrite | _Op]) -> list[list[VoteWrite | _Op]]:
    """BATCH cut into runs of secret and of other changes, in queue order: one transaction each."""
    return [list(run) for _, run in groupby(batch, key=lambda item: item.secret)]


@dataclass(slots=True)
class _Rows:
    """What a run of accepted votes writes, each table's rows in key order: the same on every
    backend, so the dialects differ only in how they send them."""

    keep: list[VoteWrite]  # votes cast or changed (a later vote of the same voter in the run replaces an earlier)
    deletes: list[tuple[int, str]]  # (poll, voter) of votes withdrawn
    receipts: list[tuple[int, str]]  # (poll, code) of secret ballots' receipts
    cancels: list[tuple[int, str]]  # (poll, mark) of proxies cancelled by their giver's vote
    names: dict[str, str]  # display names new or changed (a secret ballot names nobody)
    tokens: list[str]  # the update ids applied (on a shared database claimed before, by Writer._claim)


def _rows(accepted: list[tuple[VoteWrite, str | None]], known: dict[str, str], in_batch: dict[str, str]) -> _Rows:
    """The rows of ACCEPTED, with the display names not already KNOWN or written IN_BATCH."""
    last: dict[tuple[int, str], VoteWrite] = {}
    names: dict[str, str] = {}
    receipts: list[tuple[int, str]] = []
    cancels: set[tuple[int, str]] = set()
    for v, _ in accepted:
        last[(v.poll_id, v.voter)] = v
        if v.identity is not None and not v.secret:
            who, name = v.identity
            if known.get(who) != name and in_batch.get(who) != name:
                names[who] = name
        if v.receipt is not None and v.choice is not None:
            receipts.append((v.poll_id, v.receipt))
        if v.cancels is not None and v.choice is not None:  # for good, should a later vote withdraw it
            cancels.add((v.poll_id, v.cancels))
    ordered = sorted(last.items())
    return _Rows(
        keep=[v for _, v in ordered if v.choice is not None],
        deletes=[key for key, v in ordered if v.choice is None],
        receipts=sorted(receipts),
        cancels=sorted(cancels),
        names=names,
        tokens=[t for _, t in accepted if t is not None],
    )


def _closed_sqlite(c: sqlite3.Connection, poll_ids: set[int]) -> set[int]:
    """Which of POLL_IDS are closed, as of this transaction (SQLite: this writer is the only one)."""
    ids = sorted(poll_ids)
    rows = c.execute(f"SELECT id, closed_at FROM polls WHERE id IN ({', '.join('?' * len(ids))})", ids).fetchall()
    return {r[0] for r in rows if r[1] is not None}


def _write_sqlite(c: sqlite3.Connection, secret: bool, rows: _Rows, now: str) -> None:
    """ROWS on SQLite, in the connection's own thread (``in_one_step``)."""
    if secret:
        if rows.keep:
            c.executemany(
                "INSERT INTO secret_ballots(poll_id, voter, choice, weight, cast_by) VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT(poll_id, voter) DO UPDATE SET choice = excluded.choice,"
                " weight = excluded.weight, cast_by = excluded.cast_by",
                [(v.poll_id, v.voter, v.choice, v.weight, v.cast_by) for v in rows.keep],
            )
        if rows.deletes:
            c.executemany("DELETE FROM secret_ballots WHERE poll_id = ? AND voter = ?", rows.deletes)
    else:
        if rows.keep:
            c.executemany(
                "INSERT INTO votes(poll_id, voter, choice, weight, cast_at, cast_by) VALUES (?, ?, ?, ?, ?, ?)"
                " ON CONFLICT(poll_id, voter) DO UPDATE SET choice = excluded.choice,"
                " weight = excluded.weight, cast_at = excluded.cast_at, cast_by = excluded.cast_by",
                [(v.poll_id, v.voter, v.choice, v.weight, now, v.cast_by) for v in rows.keep],
            )
        if rows.deletes:
            c.executemany("DELETE FROM votes WHERE poll_id = ? AND voter = ?", rows.deletes)
    if rows.tokens:
        c.executemany("INSERT OR IGNORE INTO seen_events(event_id, seen_at) VALUES (?, ?)",
                      [(t, now) for t in rows.tokens])
    if rows.receipts:
        c.executemany("INSERT OR IGNORE INTO receipts(poll_id, code) VALUES (?, ?)", rows.receipts)
    if rows.cancels:
        c.executemany("INSERT OR IGNORE INTO proxy_cancellations(poll_id, mark) VALUES (?, ?)", rows.cancels)
    if rows.names:
        c.executemany(
            "INSERT INTO identities(identity, display_name) VALUES (?, ?)"
            " ON CONFLICT(identity) DO UPDATE SET display_name = excluded.display_name"
            " WHERE identities.display_name != excluded.display_name",
            sorted(rows.names.items()),
        )


class Writer:
    def __init__(
        self, conn: aiosqlite.Connection, now: Callable[[], str], key: str, max_batch: int = 5000
    ) -> None:
        self._conn = conn
        self._shared = dialect.shared(conn)  # other processes write the same database
        self._now = now
        self._key = key.encode()
        # HMAC's two padded keys, hashed once: a token then costs two hash copies, not a new HMAC.
        self._inner, self._outer = _hmac_pads(self._key)
        self._max_batch = max_batch
        self._queue: asyncio.Queue[VoteWrite | _Op] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self.batches = 0
        # Told (seconds the commit took, votes it acknowledged) after each commit: /metrics.
        self.on_commit: Callable[[float, int], None] | None = None
        self._acked = 0
        # The applied update ids, so a redelivery is recognised without a query per vote. The
        # table seen_events is the durable copy; as the only writer, this process sees them all.
        self._applied = _Applied()
        self._names: OrderedDict[str, str] = OrderedDict()
        self._tokens: dict[str, str] = {}

    def token(self, event_id: str) -> str:
        """How update EVENT_ID is recorded: a keyed hash, which names no chat and no person.

        Each update's token is wanted twice (the dispatcher's check, then the commit), so the
        latest few thousand are kept rather than hashed again."""
        token = self._tokens.get(event_id)
        if token is None:
            inner = self._inner.copy()  # HMAC-SHA256 of the update's id, as hmac.digest computes it
            inner.update(b"update\x00" + event_id.encode("utf-8", "surrogatepass"))
            outer = self._outer.copy()
            outer.update(inner.digest())
            token = KEYED + outer.digest()[:16].hex()
            if len(self._tokens) >= _TOKENS:
                self._tokens.clear()
            self._tokens[event_id] = token
        return token

    async def load(self) -> None:
        conn = self._conn
        # Update ids recorded as they came (before they were keyed) are keyed now, once.
        plain = [row[0] for row in await conn.execute_fetchall(
            "SELECT event_id FROM seen_events WHERE event_id NOT LIKE 'k:%'")]
        if plain:
            await conn.execute("BEGIN IMMEDIATE")
            await conn.executemany(
                "UPDATE OR REPLACE seen_events SET event_id = ? WHERE event_id = ?",
                [(self.token(e), e) for e in plain],
            )
            await conn.execute("COMMIT")
        await self._applied.load(conn)

    async def forget_before(self, cutoff: str) -> int:
        """Drop the record of updates applied before CUTOFF (an ISO time). Platforms redeliver
        only recent updates (Telegram keeps them a day), so the record need not grow forever."""

        async def op(conn: aiosqlite.Connection) -> int:
            cur = await conn.execute("DELETE FROM seen_events WHERE seen_at < ?", (cutoff,))
            # Rebuilt inside the writer's own transaction, so no id committed meanwhile is missed.
            await self._applied.load(conn)
            return cur.rowcount

        return await self.run(op)

    async def has_seen(self, event_id: str) -> bool:
        """Whether a change caused by EVENT_ID is committed (so a redelivery can be dropped)."""
        token = self.token(event_id)
        known = self._applied.maybe(token)
        return await self._lookup(token) if known is None else known

    async def _applied_before(self, token: str) -> bool:
        known = self._applied.maybe(token)
        return await self._lookup(token) if known is None else known

    async def _lookup(self, token: str) -> bool:
        """The database's answer, for the rare token whose first 64 bits are on record."""
        return bool(await self._conn.execute_fetchall("SELECT 1 FROM seen_events WHERE event_id = ?", (token,)))

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._loop(), name="quorum-writer")

    @property
    def alive(self) -> bool:
        return self._task is not None and not self._task.done()

    async def stop(self) -> None:
        if self._task is None:
            return
        await self._queue.join()
        self._task.cancel()
        try:
            await self._task
        except asyncio.CancelledError:
            pass
        self._task = None

    async def vote(self, item: VoteWrite) -> str | None:
        """Queue a vote; returns None once committed, DUPLICATE, or the refusal message."""
        item.future = asyncio.get_running_loop().create_future()
        item.speech = current()
        self._queue.put_nowait(item)
        return await item.future

    async def run(
        self, fn: Callable[[aiosqlite.Connection], Awaitable[T]], event_id: str | None = None, *,
        secret: bool = False,
    ) -> T:
        """Run FN inside the writer's transaction; its changes are committed when this returns.

        If FN raises, its changes are rolled back (a savepoint) and the exception propagates;
        the rest of the batch is unaffected. A SECRET change (one that writes secret ballots)
        is committed with other secret changes only, and must write nothing that names anyone.
        FN runs in the caller's language (bot/kernel/language.py), though on the writer's task.
        """
        fut: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait(_Op(fn, event_id, fut, secret, current()))
        return await fut

    async def _loop(self) -> None:
        while True:
            first = await self._queue.get()
            batch = [first]
            while len(batch) < self._max_batch and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            try:
                for part in _parts(batch):
                    try:
                        await self._commit(part)
                    except Exception as e:  # the database itself failed: nobody in it is acknowledged
                        if part[0].secret:
                            log.error("commit failed (secret ballots): %s\n%s", _unquoted(e), _stack(e))
                        else:
                            log.exception("commit failed")
            finally:
                for _ in batch:
                    self._queue.task_done()

    async def _commit(self, batch: list[VoteWrite | _Op]) -> None:
        votes_only = all(isinstance(item, VoteWrite) for item in batch)
        for attempt in range(RETRIES + 1):
            try:
                await self._attempt(batch)
                return
            except Exception as e:
                # Only votes are tried again: they keep nothing in memory until the commit, where
                # a change run in the writer may have (a deadlock cannot happen on SQLite).
                if not (votes_only and _retryable(e) and attempt < RETRIES):
                    self._fail(batch, e)
                    raise
                log.info("a batch of %d votes was a deadlock's victim; trying it again", len(batch))

    @staticmethod
    def _fail(batch: list[VoteWrite | _Op], e: BaseException) -> None:
        told = _unquoted(e) if batch[0].secret else str(e)  # a batch is all secret or all not (_parts)
        for item in batch:
            if not item.future.done():
                item.future.set_exception(RuntimeError(f"could not save: {told}"))

    async def _attempt(self, batch: list[VoteWrite | _Op]) -> None:
        conn = self._conn
        results: list[tuple[asyncio.Future[Any], Any, BaseException | None]] = []
        seen_in_batch: set[str] = set()
        names_in_batch: dict[str, str] = {}
        started = time.perf_counter()
        self._acked = 0
        votes = [item for item in batch if isinstance(item, VoteWrite)]
        if not self._shared and len(votes) == len(batch):
            # The usual batch under load: votes alone, the whole transaction one step in the
            # connection's thread (see _flush_votes).
            await self._flush_votes(votes, seen_in_batch, names_in_batch, results, whole=True)
        else:
            await conn.execute("BEGIN IMMEDIATE")
            try:
                run: list[VoteWrite] = []
                for item in batch:
                    if isinstance(item, VoteWrite):
                        run.append(item)
                        continue
                    if run:
                        await self._flush_votes(run, seen_in_batch, names_in_batch, results)
                        run = []
                    await self._run_op(item, seen_in_batch, results)
                if run:
                    await self._flush_votes(run, seen_in_batch, names_in_batch, results)
                await conn.execute("COMMIT")
            except BaseException:
                try:
                    await conn.execute("ROLLBACK")
                except Exception:
                    log.exception("rollback failed")
                raise
        self.batches += 1
        elapsed, acked = time.perf_counter() - started, self._acked
        self._applied.add(seen_in_batch)
        for who, name in names_in_batch.items():
            self._names[who] = name
            self._names.move_to_end(who)
        while len(self._names) > _NAMES:
            self._names.popitem(last=False)
        for fut, value, exc in results:
            if fut.done():
                continue
            if exc is not None:
                fut.set_exception(exc)
            else:
                fut.set_result(value)
        if self.on_commit is not None:
            try:  # after the acknowledgements: counting them must never hold one back
                self.on_commit(elapsed, acked)
            except Exception:
                log.exception("recording a commit's metrics failed")

    async def _run_op(self, op: _Op, seen_in_batch: set[str], results: list) -> None:
        conn = self._conn
        token = self.token(op.event_id) if op.event_id is not None else None
        if token is not None and (token in seen_in_batch or await self._applied_before(token)):
            results.append((op.future, None, Duplicate()))
            return
        await conn.execute("SAVEPOINT op")
        if token is not None and self._shared and not await self._claim([token], self._now()):
            await conn.execute("RELEASE op")  # another process applied this update
            results.append((op.future, None, Duplicate()))
            return
        # On a shared database a change may be a deadlock's victim: it is then rolled back to a
        # savepoint of its own (freeing its locks, so the other side goes on; the claim above
        # stays) and run again, as if it had come a moment later. It failed at a statement, before
        # it returned anything to keep. SQLite has one writer and no deadlocks: one attempt.
        attempts = RETRIES + 1 if self._shared else 1
        for attempt in range(attempts):
            if attempts > 1:
                await conn.execute("SAVEPOINT change")
            try:
                with speaking(op.speech):
                    value = await op.fn(conn)
                if token is not None and not self._shared:
                    await conn.execute(
                        "INSERT INTO seen_events(event_id, seen_at) VALUES (?, ?)", (token, self._now())
                    )
                if attempts > 1:
                    await conn.execute("RELEASE change")
                break
            except Exception as e:
                if attempts > 1:
                    await conn.execute("ROLLBACK TO change")
                    await conn.execute("RELEASE change")
                    if _retryable(e) and attempt < attempts - 1:
                        log.info("a change was a deadlock's victim; running it again")
                        continue
                await conn.execute("ROLLBACK TO op")
                await conn.execute("RELEASE op")
                if op.secret and not isinstance(e, UserError):  # its words may quote a ballot
                    e = RuntimeError(f"could not save: {_unquoted(e)}")
                results.append((op.future, None, e))
                return
        if token is not None:
            seen_in_batch.add(token)
        await conn.execute("RELEASE op")
        results.append((op.future, value, None))

    async def _claim(self, tokens: list[str], at: str) -> set[str]:
        """Record TOKENS (applied AT) in seen_events; those that were not there before.

        On a shared database this is what drops an update redelivered to another process: the
        table's unique key decides, and a second transaction inserting the same token waits for
        the first one's outcome."""
        rows = await self._conn.execute_fetchall(
            "INSERT INTO seen_events(event_id, seen_at) SELECT e, ? FROM unnest(?::text[]) AS t(e)"
            " ON CONFLICT DO NOTHING RETURNING event_id",
            (at, sorted(set(tokens))),  # in key order, as every process takes them: one statement a batch
        )
        return {r[0] for r in rows}

    async def _closed_polls(self, poll_ids: set[int]) -> set[int]:
        """Which of POLL_IDS the shared database has closed, as of this transaction. The rows are
        locked FOR SHARE in id order until the commit, so a close (FOR UPDATE) is ordered before
        or after this whole batch, never in the middle of it. One statement whatever the number
        of polls."""
        rows = await self._conn.execute_fetchall(
            "SELECT id, closed_at FROM polls WHERE id = ANY(?::integer[]) ORDER BY id FOR SHARE", (sorted(poll_ids),))
        return {r[0] for r in rows if r[1] is not None}

    async def _flush_votes(
        self, run: list[VoteWrite], seen_in_batch: set[str], names_in_batch: dict[str, str], results: list, *,
        whole: bool = False,
    ) -> None:
        applied = self._applied
        candidates: list[tuple[VoteWrite, str | None]] = []
        # Each check is said in its voter's language; a run of votes in one language (a burst in
        # one room) enters it once, not once per vote.
        said: Speech | None = None
        voice: speaking | None = None
        try:
            for v in run:
                token = self.token(v.event_id) if v.event_id is not None else None
                if token is not None and (
                    token in seen_in_batch or (applied.maybe(token) is not False and await self._applied_before(token))
                ):
                    results.append((v.future, DUPLICATE, None))
                    continue
                if v.speech is not said:
                    if voice is not None:
                        voice.__exit__()
                    said, voice = v.speech, speaking(v.speech)
                    voice.__enter__()
                refusal = v.check()
                if refusal is not None:
                    results.append((v.future, refusal, None))
                    continue
                if token is not None:
                    seen_in_batch.add(token)  # a second copy in this batch is a duplicate of the first
                candidates.append((v, token))
        finally:
            if voice is not None:
                voice.__exit__()
        if not candidates:
            return
        now = self._now()
        secret = run[0].secret  # a run is all secret or all not (see _parts)
        polls = {v.poll_id for v, _ in candidates}
        if self._shared:
            closed = await self._closed_polls(polls)
        else:
            # On SQLite what is left of the run is written in one step in the connection's own
            # thread: its statements back to back, with no trip through the event loop between
            # them (each such trip waits for the loop to come round, behind the votes it is
            # handling). WHOLE: the step begins and commits the transaction too.
            known = self._names

            def step(c: sqlite3.Connection) -> tuple[set[int], _Rows]:
                if whole:
                    c.execute("BEGIN IMMEDIATE")
                try:
                    closed = _closed_sqlite(c, polls)
                    rows = _rows([(v, t) for v, t in candidates if v.poll_id not in closed], known, names_in_batch)
                    _write_sqlite(c, secret, rows, now)
                    if whole:
                        c.execute("COMMIT")
                except BaseException:
                    if whole and c.in_transaction:
                        c.execute("ROLLBACK")
                    raise
                return closed, rows

            closed, rows = await in_one_step(self._conn, step)
        if closed:  # closed by a change earlier in this batch, or by another process
            late = [(v, t) for v, t in candidates if v.poll_id in closed]
            candidates = [(v, t) for v, t in candidates if v.poll_id not in closed]
            for _, token in late:
                if token is not None:
                    seen_in_batch.discard(token)
            again = await self._already_applied([t for _, t in late if t is not None]) if self._shared else set()
            for v, token in late:
                if token in again:
                    results.append((v.future, DUPLICATE, None))
                else:
                    with speaking(v.speech):
                        refusal = v.late() if v.late is not None else v.check() or "closed"
                    results.append((v.future, refusal, None))
        if self._shared:
            tokens = [t for _, t in candidates if t is not None]
            claimed = await self._claim(tokens, now) if tokens else set()
            for v, token in candidates:
                if token is not None and token not in claimed:
                    seen_in_batch.discard(token)
                    results.append((v.future, DUPLICATE, None))  # applied by another process
            candidates = [(v, t) for v, t in candidates if t is None or t in claimed]
            rows = _rows(candidates, self._names, names_in_batch)
            await self._write_arrays(secret, rows, now)
        names_in_batch.update(rows.names)
        for v, _ in candidates:
            results.append((v.future, None, None))
            self._acked += 1

    async def _write_arrays(self, secret: bool, rows: _Rows, now: str) -> None:
        """A batch's rows on PostgreSQL: each table's rows as columns of arrays, one statement per
        table and batch (the server runs it once, where ``executemany`` runs it once per row), in
        key order (unnest keeps the arrays' order). The update ids were claimed already."""
        keep, deletes, receipts, names = rows.keep, rows.deletes, rows.receipts, rows.names
        conn = self._conn
        if keep:
            columns = ([v.poll_id for v in keep], [v.voter for v in keep], [v.choice for v in keep],
                       [v.weight for v in keep], [v.cast_by for v in keep])
            if secret:
                await conn.execute(
                    "INSERT INTO secret_ballots(poll_id, voter, choice, weight, cast_by)"
                    " SELECT * FROM unnest(?::integer[], ?::text[], ?::text[], ?::integer[], ?::text[])"
                    " ON CONFLICT(poll_id, voter) DO UPDATE SET choice = excluded.choice,"
                    " weight = excluded.weight, cast_by = excluded.cast_by",
                    columns,
                )
            else:
                await conn.execute(
                    "INSERT INTO votes(poll_id, voter, choice, weight, cast_at, cast_by)"
                    " SELECT p, v, c, w, ?, b FROM unnest(?::integer[], ?::text[], ?::text[], ?::integer[], ?::text[])"
                    " AS t(p, v, c, w, b)"
                    " ON CONFLICT(poll_id, voter) DO UPDATE SET choice = excluded.choice,"
                    " weight = excluded.weight, cast_at = excluded.cast_at, cast_by = excluded.cast_by",
                    (now, *columns),
                )
        if deletes:
            table = "secret_ballots" if secret else "votes"
            await conn.execute(
                f"DELETE FROM {table} WHERE (poll_id, voter) IN (SELECT * FROM unnest(?::integer[], ?::text[]))",
                ([p for p, _ in deletes], [v for _, v in deletes]),
            )
        if receipts:
            await conn.execute(
                "INSERT INTO receipts(poll_id, code) SELECT * FROM unnest(?::integer[], ?::text[])"
                " ON CONFLICT DO NOTHING",
                ([p for p, _ in receipts], [c for _, c in receipts]),
            )
        if rows.cancels:
            await conn.execute(
                "INSERT INTO proxy_cancellations(poll_id, mark) SELECT * FROM unnest(?::integer[], ?::text[])"
                " ON CONFLICT DO NOTHING",
                ([p for p, _ in rows.cancels], [m for _, m in rows.cancels]),
            )
        if names:
            ordered = sorted(names.items())
            await conn.execute(
                "INSERT INTO identities(identity, display_name) SELECT * FROM unnest(?::text[], ?::text[])"
                " ON CONFLICT(identity) DO UPDATE SET display_name = excluded.display_name"
                " WHERE identities.display_name != excluded.display_name",
                ([w for w, _ in ordered], [n for _, n in ordered]),
            )

    async def _already_applied(self, tokens: list[str]) -> set[str]:
        """Which of TOKENS are on record: a late vote that is a redelivery stays a duplicate."""
        if not tokens:
            return set()
        rows = await self._conn.execute_fetchall(
            "SELECT event_id FROM seen_events WHERE event_id = ANY(?::text[])", (tokens,))
        return {r[0] for r in rows}
