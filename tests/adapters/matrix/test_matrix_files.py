"""Files on Matrix: exports and result charts are uploaded to the content repository and posted
as m.file / m.image, encrypted (key in the event) where the room is."""

from __future__ import annotations

import json
import struct

from nio.crypto.attachments import decrypt_attachment

from tests.adapters.matrix.running_bot import RunningBot, StartBot
from tests.adapters.matrix.scenes import Branch, branch_room, command, joined
from tests.adapters.matrix.test_matrix_encryption import in_the_clear, readable
from tests.peers.synapse import MatrixUser, UserFactory, download, join, notice_from, open_direct_room
from tests.peers.synapse.users import EventPredicate

CAPTION = "Election 1: the ballots as a BLT file."


def a_file(bot_id: str, msgtype: str) -> EventPredicate:
    return lambda e: (e.source.get("sender") == bot_id and e.source.get("type") == "m.room.message"
                      and e.source.get("content", {}).get("msgtype") == msgtype)


async def direct_room(user: MatrixUser, bot_id: str, *, encrypted: bool = False) -> str:
    room_id = await open_direct_room(user, bot_id, encrypted=encrypted)
    await user.wait_for_event(room_id, joined(bot_id))
    return room_id


async def closed_election(branch: Branch, bot: RunningBot, *, encrypted_dms: bool = False) -> dict[str, str]:
    """Election 1 in the branch room, ranked by each member in a direct chat, then closed; returns
    each member's direct room."""
    await command(branch.secretary, branch.room_id, "!poll Chair? | Asha | Bilal | Chen --ranked", bot.user_id,
                  "Poll 1")
    rooms: dict[str, str] = {}
    for member, ranking in zip(branch.members, ("1 2", "2 3 1"), strict=True):
        dm = await direct_room(member, bot.user_id, encrypted=encrypted_dms)
        await command(member, dm, f"!rank 1 {ranking}", bot.user_id, "Your ranking in poll 1")
        rooms[member.user_id] = dm
    await command(branch.secretary, branch.room_id, "!close 1", bot.user_id, "Result")
    return rooms


async def blt_of_election(bot: RunningBot) -> bytes:
    ((result,),) = await bot.query("SELECT result FROM polls WHERE id = 1")
    return str(json.loads(result)["blt"]).encode("utf-8")


async def test_a_chart_follows_the_result_as_an_image_and_ballots_come_as_a_file(
    start_bot: StartBot, matrix_users: UserFactory
) -> None:
    bot = await start_bot()
    branch = await branch_room(matrix_users, bot.user_id, members=2)
    secretary, room = branch.secretary, branch.room_id
    mark = secretary.mark(room)
    await closed_election(branch, bot)

    # The result's chart: an m.image after the result, its size in pixels given, its bytes a PNG.
    image = await secretary.wait_for_event(room, a_file(bot.user_id, "m.image"), start=mark)
    result = secretary.find_events(room, notice_from(bot.user_id, containing="Result"), start=mark)[0]
    events = secretary.events(room)
    assert events.index(image) > events.index(result)  # the text first, then its chart
    content = image.source["content"]
    assert content["body"] == content["filename"] == "poll-1-result.png"
    png = await download(secretary, content["url"])
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert content["info"] == {"mimetype": "image/png", "size": len(png),
                               "w": struct.unpack(">I", png[16:20])[0], "h": struct.unpack(">I", png[20:24])[0]}

    # /ballots in the room: the BLT file itself, byte for byte, then its caption as a notice.
    mark = secretary.mark(room)
    await command(secretary, room, "!ballots 1", bot.user_id, CAPTION)
    (file,) = secretary.find_events(room, a_file(bot.user_id, "m.file"), start=mark)
    (caption,) = secretary.find_events(room, notice_from(bot.user_id, containing=CAPTION), start=mark)
    events = secretary.events(room)
    assert events.index(file) < events.index(caption)
    content = file.source["content"]
    assert content["body"] == content["filename"] == "election-1-ballots.blt"
    blt = await blt_of_election(bot)
    assert await download(secretary, content["url"]) == blt
    assert content["info"] == {"mimetype": "text/plain", "size": len(blt)}
    assert "file" not in content


async def test_an_export_in_an_encrypted_direct_chat_is_an_encrypted_attachment(
    start_bot: StartBot, matrix_users: UserFactory
) -> None:
    bot = await start_bot()
    branch = await branch_room(matrix_users, bot.user_id, members=2)
    ann = branch.members[0]
    dms = await closed_election(branch, bot, encrypted_dms=True)
    dm = dms[ann.user_id]

    mark = ann.mark(dm)
    await command(ann, dm, "!ballots 1", bot.user_id, CAPTION)
    (file,) = ann.find_events(dm, a_file(bot.user_id, "m.file"), start=mark)
    assert readable(file)  # the event was encrypted, and her client decrypted it
    content = file.source["content"]
    assert "url" not in content  # the address is inside the encrypted event only
    secret = content["file"]
    assert secret["v"] == "v2" and secret["key"]["alg"] == "A256CTR" and secret["mimetype"] == "text/plain"
    ciphertext = await download(ann, secret["url"])
    blt = await blt_of_election(bot)
    assert ciphertext != blt  # the homeserver holds ciphertext only
    plain = decrypt_attachment(ciphertext, secret["key"]["k"], secret["hashes"]["sha256"], secret["iv"])
    assert plain == blt
    assert content["info"] == {"mimetype": "text/plain", "size": len(blt)}
    assert in_the_clear(ann, dm) == []

    # A list with personal data goes privately: into the direct chat the bot opens, encrypted.
    secretary = branch.secretary
    await command(secretary, branch.room_id, "!signup open Assembly", bot.user_id, "S1")
    await command(secretary, branch.room_id, "!signup S1 export", bot.user_id, "sent you the sign-up list privately")
    private = await secretary.wait_for_invite()
    await join(secretary, private)
    file = await secretary.wait_for_event(private, a_file(bot.user_id, "m.file"))
    assert readable(file) and "url" not in file.source["content"]
    secret = file.source["content"]["file"]
    assert secret["mimetype"] == "text/csv" and file.source["content"]["body"] == "S1-sign-ups.csv"
    data = decrypt_attachment(await download(secretary, secret["url"]), secret["key"]["k"], secret["hashes"]["sha256"],
                              secret["iv"])
    assert data.decode("utf-8").splitlines() == ["name,area,contact,signed_at,consent"]
    await secretary.wait_for_event(private, notice_from(bot.user_id, containing="S1 sign-ups: "))
