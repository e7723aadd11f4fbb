"""Fixtures for the motion, campaign, sign-up and trigger scenarios."""

from __future__ import annotations

from tests.helpers import Chat


async def add_members(chat: Chat, members: list[tuple[str, str | None]]) -> None:
    """Put MEMBERS (name, branch) on the roll and link each to the console account of that name,
    as /join would; quicker than playing a /join per member in the big scenarios."""
    app = chat.app

    links: list[tuple[str, int]] = []

    async def op(conn) -> None:  # type: ignore[no-untyped-def]
        links.clear()
        for n, (name, branch) in enumerate(members):
            cur = await conn.execute(
                "INSERT INTO members(name, branch, join_code, created_at) VALUES (?, ?, ?, '2026-01-01T00:00:00')",
                (name, branch, f"CODE-{name}-{n}"),
            )
            await conn.execute(
                "INSERT INTO identities(identity, display_name, member_id, linked_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT(identity) DO UPDATE SET member_id = excluded.member_id",
                (f"console:{name}", name, cur.lastrowid, "2026-01-01T00:00:00"),
            )
            links.append((f"console:{name}", cur.lastrowid))

    assert app.writer is not None
    await app.writer.run(op)
    for identity, member_id in links:
        app.services.roll.linked(identity, member_id)


async def transcript_after_outbox(chat: Chat) -> str:
    """The whole transcript once the outbox (announcements queued with a decision) is sent."""
    await chat.app.outbox.drain()
    await chat.settle()
    return "\n".join(chat.transport.transcript)
