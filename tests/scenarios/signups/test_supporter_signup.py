"""Story 5: a supporter signs up with consent; organisers export; the supporter withdraws and
erases, and the erased details (stored sealed: bot/storage/sealing.py) are gone from the
database file itself. tests/reliability/test_shredding.py checks the sealing on both backends."""

from __future__ import annotations

import pytest

from tests.helpers import Chat, add_members, exported_csv, import_roll

ERASED = pytest.mark.not_on_postgresql("checks that erased details are gone from the SQLite file and its log; "
                                   "on PostgreSQL tests/reliability/test_shredding.py checks the destroyed key")

NAME = "Zebedee Quixotic-Marchbanks"
AREA = "Upper Snodsbury"
CONTACT = "zq.privacy-check@example.org"


def _csv(out: str) -> list[list[str]]:
    assert "S1 sign-ups: " in out, out
    return exported_csv(out)


def _raw(chat: Chat) -> bytes:
    path = chat.app.config.database
    data = path.read_bytes()
    wal = path.with_name(path.name + "-wal")
    if wal.exists():
        data += wal.read_bytes()
    return data


@ERASED
async def test_signup_consent_export_withdraw_and_erase(chat: Chat) -> None:
    out = await chat.say("chair: /signup open People's assembly for Riverside")
    assert "/signup S1" in out and "[Sign up]" in out
    out = await chat.say("zed (private): /start signup-S1")
    assert "What name should we use" in out
    out = await chat.say(f"zed (private): {NAME}", f"zed (private): {AREA}", f"zed (private): {CONTACT}")
    assert "Do you consent" in out and NAME in out
    before = await chat.snapshot()
    assert before["signups"] == []  # nothing is stored before consent
    out = await chat.say("zed (private): yes")
    assert "you are signed up for S1" in out
    out = await chat.say("amy (private): /signup S1", "amy (private): Amy Jones", "amy (private): Lowtown",
                         "amy (private): skip", "amy (private): maybe")
    assert "Please reply yes" in out
    await chat.say("amy (private): yes")
    # Declining consent keeps nothing.
    await chat.say("bo (private): /signup S1", "bo (private): Bo", "bo (private): Hill", "bo (private): skip")
    out = await chat.say("bo (private): no")
    assert "nothing about you was kept" in out
    rows = _csv(await chat.say("chair: /signup S1 export"))
    assert rows[0] == ["name", "area", "contact", "signed_at", "consent"]
    assert sorted(r[0] for r in rows[1:]) == ["Amy Jones", NAME]
    assert [r for r in rows if r[0] == NAME][0][1:3] == [AREA, CONTACT]
    # Not for members who are not organisers.
    before = await chat.snapshot()
    out = await chat.say("amy: /signup S1 export")
    assert "Only an organiser" in out
    assert await chat.snapshot() == before
    # Signing up twice is refused.
    out = await chat.say("amy (private): /signup S1")
    assert "signed up for S1 already" in out
    # Withdrawal.
    out = await chat.say("amy (private): /mydata withdraw S1")
    assert "withdrawn" in out
    rows = _csv(await chat.say("chair: /signup S1 export"))
    assert [r[0] for r in rows[1:]] == [NAME]
    # Seeing and erasing one's own data.
    out = await chat.say("zed (private): /mydata")
    assert NAME in out and AREA in out and CONTACT in out
    # Stored sealed: not in the file in the clear, but its ciphertext is, until the erasure.
    sealed = [v for row in await chat.query("SELECT name, area, contact FROM signups WHERE identity = ?",
                                            "console:zed") for v in row]
    assert len(sealed) == 3 and all(v.startswith("sealed1:") for v in sealed)
    raw = _raw(chat)
    assert all(v.encode() in raw for v in sealed)
    assert NAME.encode() not in raw
    out = await chat.say("zed (private): /mydata erase")
    assert "Erased: 1 sign-up. " in out
    out = await chat.say("zed (private): /mydata")
    assert "I keep no sign-ups" in out
    assert await chat.query("SELECT count(*) FROM signups") == [(0,)]
    raw = _raw(chat)
    for secret in (NAME, AREA, CONTACT, *sealed):
        assert secret.encode() not in raw, secret

    async def secure_delete(conn) -> int:  # type: ignore[no-untyped-def]
        async with conn.execute("PRAGMA secure_delete") as cur:
            return (await cur.fetchone())[0]

    # Set explicitly, not left to how the SQLite library happened to be built.
    assert chat.app.writer is not None
    assert await chat.app.writer.run(secure_delete) == 1
    # Erasing again: a clear answer, nothing changes.
    before = await chat.snapshot()
    out = await chat.say("zed (private): /mydata erase")
    assert "nothing to erase" in out
    assert await chat.snapshot() == before


@ERASED
async def test_erased_data_stays_gone_after_restart(tmp_path) -> None:  # type: ignore[no-untyped-def]
    chat = await Chat.start(tmp_path)
    try:
        await chat.say("chair: /signup open Assembly")
        await chat.say("zed (private): /signup S1", f"zed (private): {NAME}", f"zed (private): {AREA}",
                       f"zed (private): {CONTACT}", "zed (private): yes")
        # Later writes move pages around; the erased row must not survive in any copy.
        await chat.say("chair: /signup open Second assembly")
        await chat.say("zed (private): /mydata erase")
    finally:
        await chat.stop()
    raw = _raw(chat)
    for secret in (NAME, AREA, CONTACT):
        assert secret.encode() not in raw, secret


async def test_withdrawing_something_that_is_not_there(chat: Chat) -> None:
    """/mydata withdraw with an id of no kind it withdraws gets /mydata's usage (not /sign's), and
    one of no campaign says there is none, to a member or not: never that only members can sign."""
    await add_members(chat, [("ann", None), ("bob", None)])
    assert "T1" in await chat.say("chair: /trigger open recall Cllr Smith --signatures 2 --closes 14d")
    before = await chat.snapshot()
    for typed in ("X1", "5", "S"):
        out = await chat.say(f"zed (private): /mydata withdraw {typed}")
        assert "/mydata withdraw T2 | /mydata withdraw P1" in out and "/sign" not in out, out
    for who in ("zed", "ann"):
        for said in ("/mydata withdraw T9", "/unsign T9", "unsign T9"):
            out = await chat.say(f"{who} (private): {said}")
            assert "There is no trigger campaign T9." in out and "Only members" not in out, out
        out = await chat.say(f"{who} (private): /mydata withdraw T1")
        assert "You have not signed T1; nothing to withdraw." in out, out
    assert await chat.snapshot() == before


async def test_erasure_ends_a_question_left_open_so_a_later_yes_signs_nothing(chat: Chat) -> None:
    """A supporter asked to sign, who erases their data instead and then answers "yes" (meaning
    the erasure, perhaps), signs nothing: the question ended with the erasure."""
    codes = await import_roll(chat)
    await chat.say(f"bob (private): /join {codes['bob']}",
                   "chair: /trigger open recall Cllr X --signatures 3 --closes 14d")
    assert "Reply yes to sign" in await chat.say("bob (private): sign T1")
    await chat.say("bob (private): /mydata erase")
    before = await chat.snapshot()
    out = await chat.say("bob (private): yes")
    assert "signed" not in out and "I understand commands" in out, out
    assert await chat.snapshot() == before
