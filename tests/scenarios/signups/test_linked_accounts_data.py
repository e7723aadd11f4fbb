"""/mydata and /mydata erase for a member who linked several chat accounts to one membership:
what each of them left is listed once and erased together, and the answer names the accounts it
covers. Also what a member moved, seconded or amended, kept with the motions."""

from __future__ import annotations

from bot.kernel.events import Actor, Message, Room
from bot.storage.sealing import Sealer
from tests.helpers import Chat, add_members, import_roll

MATRIX = "mx:@ann:example.org"


async def _matrix(chat: Chat, text: str) -> None:
    """Ann's Matrix account says TEXT to the bot privately (the console has no Matrix adapter:
    what the bot answers there is dropped, and what it stored is read back instead)."""
    await chat.app.handle(Message(Actor(MATRIX, "Ann M"), Room("mx:!dm:example.org", private=True), text))
    await chat.settle()


async def _keys(chat: Chat, *identities: str) -> list[str]:
    """Which of IDENTITIES still have a data key."""
    sealer = Sealer(chat.app.config.secret or "")
    held = {r[0] for r in await chat.query("SELECT holder FROM data_keys")}
    return [i for i in identities if sealer.holder(i) in held]


async def test_mydata_lists_and_erases_what_every_linked_account_left(chat: Chat) -> None:
    """Before linking it, Ann's Matrix account signed the model motion M1 as a supporter, signed up
    to S1 and registered in pool 1, and it has a sign-up form half answered. Once both accounts are
    her membership's, /mydata from this one lists all of it (each once) and says which accounts
    it covers, and /mydata erase erases it all, destroying both accounts' keys."""
    codes = await import_roll(chat)
    await chat.say("chair: /motion new Fund our schools", "chair: /motion M1 resolves To fund schools.",
                   "chair: /motion M1 status carried", "chair: /campaign M1 open --signatures 3",
                   "chair: /signup open Assembly", "chair: /signup open Second form",
                   "chair: /pool new Panel | gender: f, m")
    for text in ("/sign M1 yes", "/signup S1", "Ann Matrix", "Leeds", "skip", "yes",
                 "/pool 1 join", "f", "Ann Matrix", "yes", "/signup S2", "Ann half"):
        await _matrix(chat, text)
    assert await chat.query("SELECT identity FROM signups") == [(MATRIX,)]
    await _matrix(chat, f"/join {codes['ann']}")
    await chat.say(f"ann (private): /join {codes['ann']}")
    # From this account she also signs up herself, and signs M1 (refused: she signed it already).
    await chat.say("ann (private): /signup S2", "ann (private): Ann", "ann (private): York",
                   "ann (private): skip", "ann (private): yes")
    assert "signed M1 already" in await chat.say("ann (private): /sign M1 yes")

    out = await chat.say("ann (private): /mydata")
    assert out.count("signature on M1") == 1, out
    assert "sign-up S1 (Assembly): name Ann Matrix" in out and "sign-up S2 (Second form): name Ann" in out, out
    assert out.count("pool P1 (Panel): name Ann Matrix") == 1, out
    assert "console:ann" in out and MATRIX in out and "linked to your membership" in out, out
    assert await _keys(chat, "console:ann", MATRIX) == ["console:ann", MATRIX]

    out = await chat.say("ann (private): /mydata erase")
    assert "2 sign-ups" in out and "1 model-motion signature" in out and "1 pool registration" in out, out
    assert "console:ann" in out and MATRIX in out, out
    for table in ("signups", "campaign_signatures", "pool_volunteers", "dialogues"):
        assert await chat.query(f"SELECT * FROM {table}") == [], table
    assert await _keys(chat, "console:ann", MATRIX) == []
    assert "0 signatures of 3" in await chat.say("chair: /campaign M1")
    assert "nothing to erase" in await chat.say("ann (private): /mydata erase")


async def test_a_trigger_signature_given_from_another_linked_account_is_erased_and_no_longer_counts(
        chat: Chat) -> None:
    """Ann signs T1 from her Matrix account and erases from this one: the signature goes, and T1
    counts one fewer (an open campaign); a campaign that fired keeps its signatures, as from the
    account that gave them."""
    codes = await import_roll(chat)
    await _matrix(chat, f"/join {codes['ann']}")
    await chat.say(f"ann (private): /join {codes['ann']}", f"bob (private): /join {codes['bob']}")
    await chat.say("chair: /trigger open recall Cllr Smith --signatures 3 --closes 14d",
                   "chair: /trigger open recall Cllr Jones --signatures 2 --closes 14d")
    await _matrix(chat, "/sign T1 yes")
    await _matrix(chat, "/sign T2 yes")
    await chat.say("bob (private): /sign T1 yes")
    assert "fired" in await chat.say("bob (private): /sign T2 yes")
    assert (await chat.say("ann (private): /mydata")).count("signature on T1") == 1
    out = await chat.say("ann (private): /mydata erase")
    assert "1 trigger signature" in out, out
    assert await chat.query("SELECT trigger_id, identity FROM trigger_signatures ORDER BY trigger_id, identity") == [
        (1, "console:bob"), (2, "console:bob"), (2, MATRIX)]
    assert "1 signature of the 3 needed" in await chat.say("chair: /trigger T1")
    # Signed again, T1 counts her once more, and two signatures do not fire it.
    assert "fired" not in await chat.say("ann (private): /sign T1 yes")


async def test_what_a_member_moved_seconded_or_amended_is_listed_and_their_name_erased_from_it(
        chat: Chat) -> None:
    """The motions keep who proposed and seconded each amendment and who changed what: /mydata
    lists it, and /mydata erase puts "an erased member" in place of the name. The motion, its
    amendments and its history stay: they are the organisation's record."""
    await add_members(chat, [("bob", None), ("cat", None)])
    await chat.say("chair: /motion new Fund our schools", "chair: /motion M1 resolves To support the campaign.",
                   'bob: /amend M1 resolves 1 replace "support" with "lead"', "cat: /amendment A1 second",
                   'cat: /amend M1 resolves 1 insert "national" before "campaign"', "bob: /amendment A2 second")
    out = await chat.say("bob (private): /mydata")
    assert "amendment A1 to M1, proposed by you as bob" in out, out
    assert "amendment A2 to M1, seconded by you as bob" in out, out
    assert "history of M1: 2 changes under your name" in out, out
    out = await chat.say("bob (private): /mydata erase")
    assert "your name on the record of 1 motion" in out and "an erased member" in out, out
    assert "bob" not in "".join(map(str, await chat.query(
        "SELECT actor, actor_name FROM motion_history UNION ALL SELECT mover, mover_name FROM amendments"
        " UNION ALL SELECT seconder, '' FROM amendments WHERE seconder IS NOT NULL")))
    out = await chat.say("chair: /motion M1 history")
    assert "bob" not in out and out.count("an erased member") == 2 and "cat" in out, out
    out = await chat.say("chair: /amendment A1")
    assert "an erased member" in out and "cat" in out, out
    assert "I keep no sign-ups, signatures, pool registrations or motion records of yours." \
        in await chat.say("bob (private): /mydata")
    # The motion and its amendments stand: A1 is still seconded and goes to the vote.
    assert "A1" in await chat.say("chair: /amendment A1 vote --closes 10m")


async def test_a_member_cannot_second_her_own_amendment_from_another_linked_account(chat: Chat) -> None:
    """An amendment needs a second member: Ann's Matrix account, linked to her membership, is Ann,
    so its second is refused (in her language, privately) and the amendment stays unseconded."""
    codes = await import_roll(chat)
    await _matrix(chat, f"/join {codes['ann']}")
    await chat.say(f"ann (private): /join {codes['ann']}", "chair: /motion new Fund our schools",
                   "chair: /motion M1 resolves To support the campaign.",
                   'ann: /amend M1 resolves 1 replace "support" with "lead"')
    before = await chat.snapshot()
    await _matrix(chat, "/amendment A1 second")
    assert await chat.query("SELECT status, seconder FROM amendments") == [("proposed", None)]
    assert await chat.snapshot() == before
    assert "seconded by" in await chat.say("bob: /amendment A1 second")


async def test_a_mover_or_seconder_named_in_text_is_listed_and_erased_when_it_is_the_members_name(
        chat: Chat) -> None:
    """A drafter types a motion's mover, seconder or proposer as text, tied to no account. Where
    it is, whole, a name the member goes by here (her name on the roll, in any case and spacing,
    or her account's), /mydata lists it and /mydata erase puts "an erased member" in its place
    and in the history entry that named it; a name that only contains hers stays, as do others'."""
    codes = await import_roll(chat)
    await chat.say(f"bob (private): /join {codes['bob']}",
                   "chair: /motion new Fund our schools", "chair: /motion M1 resolves To fund schools.",
                   "chair: /motion M1 mover Bob Jones", "chair: /motion M1 seconder Cat Lee",
                   "chair: /motion M1 proposer North branch",
                   "chair: /motion new Fund our libraries", "chair: /motion M2 resolves To fund libraries.",
                   "chair: /motion M2 mover Bob Jones (North)", "chair: /motion M2 seconder bob   JONES",
                   "chair: /motion new Fund our parks", "chair: /motion M3 proposer bob")
    out = await chat.say("bob (private): /mydata")
    assert "motion M1: its mover is named as Bob Jones" in out, out
    assert "motion M2: its seconder is named as bob   JONES" in out, out
    assert "motion M3: its proposer is named as bob" in out, out
    assert "M2: its mover" not in out and "Cat Lee" not in out, out

    out = await chat.say("bob (private): /mydata erase")
    assert "your name on the records of 3 motions" in out, out
    assert await chat.query("SELECT id, proposer, mover, seconder FROM motions ORDER BY id") == [
        (1, "North branch", "an erased member", "Cat Lee"), (2, None, "Bob Jones (North)", "an erased member"),
        (3, "an erased member", None, None)]
    out = await chat.say("chair: /motion M1 show", "chair: /motion M1 history", "chair: /motion M2 history")
    assert "Mover: an erased member" in out and "Seconder: Cat Lee" in out, out
    assert "mover: an erased member" in out and "seconder: an erased member" in out, out
    assert "mover: Bob Jones (North)" in out and "mover: Bob Jones\n" not in out + "\n", out
    assert "JONES" not in out, out
    # Read in another language, the erased name is that language's.
    await chat.say("chair (private): /language pl")
    out = await chat.say("chair (private): /motion M1 history")
    assert "usunięty członek" in out and "an erased member" not in out, out
    assert "I keep no sign-ups, signatures, pool registrations or motion records of yours." \
        in await chat.say("bob (private): /mydata")
    assert "M1 is submitted" in await chat.say("chair: /motion M1 submit")  # named still: its record stands
