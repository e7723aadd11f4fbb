"""Who may organise and who belongs: group administrators and members, asked of Telegram.

Telegram bots cannot list a group's members, but they can ask about one person
(``getChatMember``) and list the administrators (``getChatAdministrators``). Both answers are
cached for a few minutes, because a busy poll would otherwise ask once per vote; concurrent
questions about the same chat share one request.

A demotion must count at once, though. A bot that administers the group is told of every
promotion and demotion (a ``chat_member`` update drops the list at once, ``forget``), so the
list it fetched is trusted for CONFIRM_SECONDS (several processes may answer for one token, and
the update reaches one of them); after that, an administrator it names is confirmed with
``getChatMember`` for that one person. A bot that administers nothing is told of nothing: an
administrator its list names is confirmed every time (organisers' commands are few, votes need
no such check), or a member demoted a moment after the list was fetched would still organise.
Whether the bot administers the group is read from the same list, which names it then; the
bot's own promotion or demotion (``my_chat_member``) drops the list too.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from telegram import ChatMember, ChatMemberRestricted

CACHE_SECONDS = 300.0
CONFIRM_SECONDS = 10.0

ADMIN_STATUSES = frozenset({ChatMember.OWNER, ChatMember.ADMINISTRATOR})
MEMBER_STATUSES = frozenset({ChatMember.OWNER, ChatMember.ADMINISTRATOR, ChatMember.MEMBER})


def belongs(member: ChatMember) -> bool:
    if member.status in MEMBER_STATUSES:
        return True
    return isinstance(member, ChatMemberRestricted) and member.is_member


class Roles:
    def __init__(
        self,
        admins: Callable[[int], Awaitable[frozenset[int]]],
        member: Callable[[int, int], Awaitable[bool]],
        ttl: float = CACHE_SECONDS,
        *,
        status: Callable[[int, int], Awaitable[str | None]] | None = None,
        confirm_after: float = CONFIRM_SECONDS,
    ) -> None:
        self._fetch_admins = admins
        self._fetch_member = member
        self._fetch_status = status
        self._confirm_after = confirm_after
        self._ttl = ttl
        self._admins: dict[int, tuple[float, asyncio.Future[frozenset[int]]]] = {}
        self._members: dict[tuple[int, int], float] = {}
        self.me: int | None = None  # the bot's own id, once known: whether it is told of demotions

    async def is_admin(self, user_id: int, chat_id: int) -> bool:
        if chat_id > 0:
            return False  # a private chat has no administrators
        now = time.monotonic()
        cached = self._admins.get(chat_id)
        if cached is None or cached[0] < now or (cached[1].done() and cached[1].exception() is not None):
            future: asyncio.Future[frozenset[int]] = asyncio.ensure_future(self._fetch_admins(chat_id))
            self._admins[chat_id] = (now + self._ttl, future)
            cached = self._admins[chat_id]
        admins = await asyncio.shield(cached[1])
        if user_id not in admins:
            return False
        fetched_at = cached[0] - self._ttl
        told_of_demotions = self.me is not None and self.me in admins
        if self._fetch_status is None or (told_of_demotions and now - fetched_at < self._confirm_after):
            return True
        if await self._fetch_status(chat_id, user_id) in ADMIN_STATUSES:
            return True
        self.forget(chat_id)  # the list is out of date: a demotion
        return False

    async def is_member(self, user_id: int, chat_id: int) -> bool:
        if chat_id > 0:
            return chat_id == user_id
        now = time.monotonic()
        if self._members.get((chat_id, user_id), 0.0) > now:
            return True
        if await self._fetch_member(chat_id, user_id):
            if len(self._members) > 100_000:
                self._members = {k: t for k, t in self._members.items() if t > now}
            self._members[(chat_id, user_id)] = now + self._ttl
            return True
        return False

    def forget(self, chat_id: int) -> None:
        """Ask again who administers CHAT_ID (someone was promoted or demoted)."""
        self._admins.pop(chat_id, None)

    def forget_member(self, chat_id: int, user_id: int) -> None:
        """Ask again whether USER_ID belongs to CHAT_ID (they left, or were removed)."""
        self._members.pop((chat_id, user_id), None)
