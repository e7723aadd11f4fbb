"""The Matrix adapter's pure translations, both ways, without a homeserver."""

from __future__ import annotations

import json
import re
import time
from types import SimpleNamespace
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from nio import RoomSendError

from adapters.matrix import content, media
from adapters.matrix.batching import steps
from adapters.matrix.inbound import after_own_join, native_ref, state_of, strip_reply_fallback, to_core_event
from adapters.matrix.invites import invite_of, may_invite
from adapters.matrix.responses import as_element_counts
from adapters.matrix.rooms import Levels, Rooms, creators_of, levels_of
from adapters.matrix.sending import Backoff, retry_after
from bot.kernel.effects import Button
from bot.kernel.events import Actor, Message, NativePollAnswer, Room
from bot.kernel.markup import html_text

BOT = "@quorum:example.org"
ROOM = "!abcDEF123"


def inbound(source: dict[str, Any], private: bool = False) -> Any:
    return to_core_event(
        source, ROOM, bot_user_id=BOT, bot_names=[BOT, "Quorum"], private=private, room_title="Branch",
        sender_name="Ann",
    )


def message(body: str, **extra: Any) -> dict[str, Any]:
    return {
        "type": "m.room.message", "sender": "@ann:example.org", "event_id": "$m1",
        "content": {"msgtype": "m.text", "body": body, **extra},
    }


def test_line_breaks_become_br_except_in_preformatted_blocks() -> None:
    assert content.formatted("<b>Poll 1</b>\n1. Yes\n<pre>a  1\nb  2</pre>\nend") == (
        "<b>Poll 1</b><br>1. Yes<br><pre>a  1\nb  2</pre><br>end"
    )


def test_a_notice_carries_html_plain_text_and_the_reply_relation() -> None:
    sent = content.notice("<b>Poll 1</b> &amp; more\nline", reply_to="$cmd")
    assert sent["msgtype"] == "m.notice"
    assert sent["body"] == "Poll 1 & more\nline"
    assert sent["format"] == "org.matrix.custom.html"
    assert sent["formatted_body"] == "<b>Poll 1</b> &amp; more<br>line"
    assert sent["m.relates_to"] == {"m.in_reply_to": {"event_id": "$cmd"}}
    assert "m.relates_to" not in content.notice("x")


def test_a_notice_in_a_thread_stays_in_it() -> None:
    assert content.notice("x", reply_to="$cmd", thread="$root")["m.relates_to"] == {
        "rel_type": "m.thread", "event_id": "$root", "is_falling_back": False, "m.in_reply_to": {"event_id": "$cmd"},
    }
    assert content.notice("more", thread="$root")["m.relates_to"] == {  # a second part of a long answer
        "rel_type": "m.thread", "event_id": "$root", "is_falling_back": True, "m.in_reply_to": {"event_id": "$root"},
    }


def test_an_edit_replaces_the_bots_message() -> None:
    sent = content.edit("new <i>text</i>", "$orig")
    assert sent["m.relates_to"] == {"rel_type": "m.replace", "event_id": "$orig"}
    assert sent["m.new_content"]["body"] == "new text" and sent["body"] == "* new text"


def test_deep_link_buttons_become_an_instruction_and_vote_buttons_disappear() -> None:
    keyboard = ((Button("Vote privately", start="vote-3"),), (Button("Yes", data="v:3:0"),))
    text = html_text(content.with_buttons("Poll 3", keyboard, BOT))
    assert text == f"Poll 3\nVote privately: message me privately ({BOT}) with /start vote-3"
    assert content.with_buttons("Poll 3", ((Button("Yes", data="v:3:0"),),), BOT) == "Poll 3"


@given(st.lists(st.text(alphabet="ab <>/pre\u00e9", max_size=40), min_size=1, max_size=60), st.booleans())
def test_long_texts_split_into_parts_that_fit_and_lose_nothing(lines: list[str], fenced: bool) -> None:
    markup = "\n".join(lines)
    if fenced:
        markup = f"head\n<pre>{markup}</pre>\ntail"
    parts = content.split_html(markup, limit=60)
    assert all(len(p) <= 60 for p in parts)
    rejoined = re.sub(r"</?pre>", "", "\n".join(parts))
    original = re.sub(r"</?pre>", "", markup)
    assert rejoined.replace("\n", "") == original.replace("\n", "")


def test_a_short_text_is_one_part() -> None:
    assert content.split_html("short") == ["short"]


def test_the_poll_start_is_what_element_renders() -> None:
    start = content.poll_start("Lunch?", ("Pizza", "Soup"), 1, "Lunch?\n1. Pizza\n2. Soup")
    poll = start["org.matrix.msc3381.poll.start"]
    assert poll["question"] == {"org.matrix.msc1767.text": "Lunch?"}
    assert poll["kind"] == "org.matrix.msc3381.poll.disclosed"
    assert poll["answers"] == [
        {"id": "1", "org.matrix.msc1767.text": "Pizza"},
        {"id": "2", "org.matrix.msc1767.text": "Soup"},
    ]
    assert start["org.matrix.msc1767.text"].startswith("Lunch?")
    end = content.poll_end("$start", "Closed.")
    assert end["m.relates_to"] == {"rel_type": "m.reference", "event_id": "$start"}
    assert "org.matrix.msc3381.poll.end" in end


def test_answer_ids_map_back_to_options_and_strangers_are_marked_invalid() -> None:
    assert [content.answer_index(content.answer_id(n)) for n in range(12)] == list(range(12))
    for bad in ("0", "x", "", None, 3, "１", "99999"):
        assert content.answer_index(bad) == -1
    assert content.answer_index("3", options=2) == -1


def test_a_text_command_becomes_a_message_replying_to_its_event() -> None:
    event = inbound(message("/vote 1 yes"), private=True)
    assert isinstance(event, Message)
    assert event.text == "/vote 1 yes" and event.event_id == "$m1" and event.ref == "$m1"
    assert event.actor.id == "mx:@ann:example.org" and event.actor.name == "Ann"
    assert event.room.id == f"mx:{ROOM}" and event.room.private


def test_reply_quotes_and_mentions_of_the_bot_are_not_part_of_the_command() -> None:
    assert strip_reply_fallback("> <@quorum:example.org> Poll 1\n> 1. Yes\n\n!vote 1 yes") == "!vote 1 yes"
    assert inbound(message("Quorum: !polls")).text == "!polls"
    reply = {"m.relates_to": {"m.in_reply_to": {"event_id": "$poll"}}}
    assert inbound(message("> <@quorum:example.org> Poll 1\n\n!vote 1 yes", **reply)).text == "!vote 1 yes"


def test_a_command_after_a_mention_of_the_bot_is_addressed_to_it() -> None:
    """In a room shared with other bots the core answers an unknown command only if it names
    this bot (or is a slip for one of its own): the mention is how a member names it."""
    assert inbound(message("Quorum: !frobnicate")).addressed
    assert inbound(message(f"{BOT}, /frobnicate")).addressed
    assert not inbound(message("!frobnicate")).addressed
    edit = message("* Quorum: !frobnicate", **{"m.new_content": {"msgtype": "m.text", "body": "Quorum: !frobnicate"},
                                               "m.relates_to": {"rel_type": "m.replace", "event_id": "$m0"}})
    assert inbound(edit).addressed


def test_a_quotation_written_in_a_message_that_is_not_a_reply_is_kept() -> None:
    answer = inbound(message("> We demand a fair wage\nas the branch resolved in May"), private=True)
    assert answer.text == "> We demand a fair wage\nas the branch resolved in May"
    quoting = {"m.relates_to": {"m.in_reply_to": {"event_id": "$poll"}}}  # a reply without a fallback (Matrix 1.13)
    assert inbound(message("> our words\nthanks", **quoting)).text == "> our words\nthanks"
    assert inbound(message(f"{BOT}, !polls")).text == "!polls"


def test_edits_notices_and_the_bots_own_events_are_ignored() -> None:
    edit = message("* /vote 1 no", **{"m.relates_to": {"rel_type": "m.replace", "event_id": "$m0"}})
    assert inbound(edit) is None
    assert inbound({**message("/polls"), "content": {"msgtype": "m.notice", "body": "/polls"}}) is None
    assert inbound({**message("/polls"), "sender": BOT}) is None
    assert inbound({**message("/polls"), "type": "m.reaction"}) is None


def test_an_edit_carries_its_new_text_and_answers_the_message_it_edits() -> None:
    relation = {"m.relates_to": {"rel_type": "m.replace", "event_id": "$m0"}}
    edit = message("* Quorum: /vote 1 no", **{"m.new_content": {"msgtype": "m.text", "body": "Quorum: /vote 1 no"},
                                              **relation})
    event = inbound(edit)
    assert isinstance(event, Message) and event.edited
    assert event.text == "/vote 1 no" and event.event_id == "$m1" and event.ref == "$m0"
    notice = {"msgtype": "m.notice", "body": "/vote 1 no"}
    assert inbound(message("* /vote 1 no", **{"m.new_content": notice, **relation})) is None


def test_poll_responses_in_both_namespaces_become_native_answers_tied_to_the_room() -> None:
    relation = {"m.relates_to": {"rel_type": "m.reference", "event_id": "$start"}}
    unstable = {
        "type": "org.matrix.msc3381.poll.response", "sender": "@ann:example.org", "event_id": "$r1",
        "content": {"org.matrix.msc3381.poll.response": {"answers": ["2"]}, **relation},
    }
    stable = {
        "type": "m.poll.response", "sender": "@ann:example.org", "event_id": "$r2",
        "content": {"m.selections": ["1", "1", "zz"], **relation},
    }
    first, second = inbound(unstable), inbound(stable)
    assert isinstance(first, NativePollAnswer) and isinstance(second, NativePollAnswer)
    assert first.native_ref == native_ref(ROOM, "$start") and first.options == (1,) and first.event_id == "$r1"
    assert second.options == (0, -1)  # an unknown id: the response is spoiled (see below)
    assert native_ref("!other", "$start") != first.native_ref
    retract = {**unstable, "content": {"org.matrix.msc3381.poll.response": {"answers": []}, **relation}}
    assert inbound(retract).options == ()
    assert inbound({**unstable, "content": {"org.matrix.msc3381.poll.response": {}, **relation}}) is None
    assert inbound({**unstable, "type": "m.poll.start"}) is None


def test_responses_count_as_element_counts_them() -> None:
    assert as_element_counts((0, 2), answers=3, most=2) == (0, 2)
    assert as_element_counts((2, 0, 1), answers=3, most=2) == (2, 0)  # the first ones allowed
    assert as_element_counts((0, -1), answers=3, most=2) == ()  # an answer the poll lacks spoils it
    assert as_element_counts((3,), answers=3, most=1) == ()
    start = content.poll_start("Lunch?", ("Pizza", "Soup", "Salad"), 2, "Lunch?")
    assert content.poll_shape(start) == (3, 2)
    start["org.matrix.msc3381.poll.start"]["max_selections"] = 7
    assert content.poll_shape(start) == (3, 3)
    del start["org.matrix.msc3381.poll.start"]["max_selections"]
    assert content.poll_shape(start) == (3, 1)
    assert content.poll_shape({"body": "not a poll"}) is None


def test_events_before_the_bots_own_join_are_history() -> None:
    def ev(**source: Any) -> Any:
        return SimpleNamespace(source=source)

    before = ev(type="m.room.message", sender="@ann:example.org")
    join = ev(type="m.room.member", state_key=BOT, content={"membership": "join"})
    profile = ev(
        type="m.room.member", state_key=BOT, content={"membership": "join"},
        unsigned={"prev_content": {"membership": "join"}},
    )
    after = ev(type="m.room.message", sender="@ben:example.org")
    assert after_own_join([before, join, after, profile], BOT) == [after, profile]
    assert after_own_join([before, after], BOT) == [before, after]


def test_invites_are_accepted_from_listed_users_and_servers() -> None:
    assert may_invite("@ann:example.org", [])
    assert may_invite("@ann:example.org", [":Example.org"])
    assert may_invite("@ann:example.org", ["@ann:example.org"])
    assert not may_invite("@ann:example.org", ["@ben:example.org", ":other.org"])
    assert not may_invite("@ann:evil.example.org", [":example.org"])
    state = [
        {"type": "m.room.member", "state_key": "@ann:example.org", "sender": "@ann:example.org",
         "content": {"membership": "join"}},
        {"type": "m.room.member", "state_key": BOT, "sender": "@ann:example.org",
         "content": {"membership": "invite", "is_direct": True}},
    ]
    assert invite_of(state, BOT) == ("@ann:example.org", True)
    assert invite_of(state[:1], BOT) is None


def test_creators_have_power_only_from_room_version_12() -> None:
    create = {
        "type": "m.room.create", "sender": "@ann:example.org", "state_key": "",
        "content": {"room_version": "12", "additional_creators": ["@ben:example.org"]},
    }
    assert creators_of(create) == {"@ann:example.org", "@ben:example.org"}
    assert creators_of({**create, "content": {"room_version": "10"}}) == set()


def test_only_rate_limits_and_server_failures_are_worth_retrying() -> None:
    limited = RoomSendError("Too Many Requests", "M_LIMIT_EXCEEDED", retry_after_ms=1500)
    assert retry_after(limited) == 1.5
    assert retry_after(RoomSendError("You are not in this room", "M_FORBIDDEN")) is None
    backoff = Backoff(first=0.5, cap=4.0)
    waits = [backoff.next() for _ in range(6)]
    assert all(0.4 <= w <= 4.0 for w in waits) and waits[-1] >= 3.2
    backoff.reset()
    assert backoff.next() <= 0.5


def test_every_part_of_a_huge_message_fits_in_an_event() -> None:
    bars = "\n".join(f"{n} " + "█" * 700 for n in range(100))  # JSON spells each bar in 6 bytes
    markup = f"<b>Result</b>\n<pre>{bars}</pre>"
    parts = content.message_parts(markup)
    assert len(parts) > 2
    assert all(len(json.dumps(content.notice(p)).encode()) <= content.MAX_CONTENT_BYTES for p in parts)
    assert all(len(json.dumps(content.edit(p, "$e")).encode()) <= content.MAX_CONTENT_BYTES
               for p in content.message_parts(markup, build=lambda m: content.edit(m, "$e")))
    assert "\n".join(html_text(p) for p in parts) == html_text(markup)


def test_poll_answers_between_commands_are_handled_together_one_lane_per_voter() -> None:
    ann, ben = Actor("mx:@ann:hs"), Actor("mx:@ben:hs")
    room = Room("mx:!r")

    def vote(who: Actor, n: int) -> NativePollAnswer:
        return NativePollAnswer(who, "ref", (n,), event_id=f"${who.id}{n}")

    opening, closing = Message(ann, room, "!poll …", "$open"), Message(ann, room, "!close 1", "$close")
    a1, b1, a2 = vote(ann, 0), vote(ben, 1), vote(ann, 1)
    assert steps([opening, a1, b1, a2, closing, b1]) == [
        [[opening]], [[a1, a2], [b1]], [[closing]], [[b1]],
    ]
    assert steps([]) == []


def test_a_file_message_is_an_image_with_its_size_or_a_file_with_its_type() -> None:
    png = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + (640).to_bytes(4, "big") + (480).to_bytes(4, "big") + b"rest"
    image = media.file_message("chart.png", png, media.mimetype_of("chart.png", png), url="mxc://hs/a")
    assert image["msgtype"] == "m.image" and image["url"] == "mxc://hs/a"
    assert image["info"] == {"mimetype": "image/png", "size": len(png), "w": 640, "h": 480}
    blt = b"3 1\n1 2 0\n0\n"
    doc = media.file_message("e.blt", blt, media.mimetype_of("e.blt", blt), encrypted={"url": "mxc://hs/b"})
    assert doc["msgtype"] == "m.file" and doc["body"] == doc["filename"] == "e.blt" and "url" not in doc
    assert doc["file"] == {"url": "mxc://hs/b"} and doc["info"] == {"mimetype": "text/plain", "size": len(blt)}
    assert media.mimetype_of("list.csv", b"a,b") == "text/csv"
    assert media.mimetype_of("blob", b"\xff\xfe\x00") == "application/octet-stream"
    # A picture that is not one (or is cut short) goes as a file.
    assert media.file_message("x.png", b"not a png", "image/png", url="mxc://hs/c")["msgtype"] == "m.file"


def test_the_size_of_a_jpeg_is_read_from_its_frame_header() -> None:
    app0 = b"\xff\xe0" + (16).to_bytes(2, "big") + b"JFIF\x00" + bytes(9)
    height, width = (200).to_bytes(2, "big"), (300).to_bytes(2, "big")
    sof0 = b"\xff\xc0" + (17).to_bytes(2, "big") + b"\x08" + height + width + bytes(10)
    assert media.image_size(b"\xff\xd8" + app0 + sof0 + b"\xff\xd9") == (300, 200)
    assert media.image_size(b"\xff\xd8\x00garbage") is None


def test_an_upgrade_is_known_from_both_rooms_and_only_from_state() -> None:
    rooms = Rooms(SimpleNamespace(rooms={}), BOT, 50)  # type: ignore[arg-type]
    rooms.note_event("!old", {"type": "m.room.tombstone", "state_key": "", "sender": "@a:hs",
                              "content": {"replacement_room": "!new", "body": "upgraded"}})
    rooms.note_event("!other", {"type": "m.room.tombstone", "state_key": "x", "content": {"replacement_room": "!z"}})
    assert rooms.upgrades() == {"!old": "!new"} and rooms.is_replacement("!new")
    assert not rooms.replaces("!new", "!old")  # until the new room's creation is seen
    rooms.note_event("!new", {"type": "m.room.create", "state_key": "", "sender": "@a:hs",
                              "content": {"room_version": "12", "predecessor": {"room_id": "!old"}}})
    assert rooms.replaces("!new", "!old") and not rooms.replaces("!new", "!other")


def test_a_response_naming_thousands_of_answers_is_read_at_once() -> None:
    """As many answer ids as fit in an event (some 9,000): read in linear time, each once. Read
    pairwise, as it was, one such response held up the sync for a second."""
    ids = [str(n) for n in range(1, 9000)] * 2
    source = {"type": content.POLL_RESPONSE, "sender": "@ann:example.org", "event_id": "$r",
              "content": {content.POLL_RESPONSE: {"answers": ids},
                          "m.relates_to": {"rel_type": "m.reference", "event_id": "$start"}}}
    began = time.perf_counter()
    answer = inbound(source)
    assert time.perf_counter() - began < 0.2
    assert isinstance(answer, NativePollAnswer) and answer.options == tuple(range(8999))


def test_power_levels_are_read_as_the_specification_writes_them() -> None:
    """Levels may be strings of digits before room version 10; anything else that is no level is
    left out (as if absent), never taken for one."""
    content = {"users": {"@a:hs": 100, "@b:hs": "50", "@c:hs": True, "@d:hs": "fifty", "@e:hs": 1.5},
               "users_default": "10", "redact": 0}
    assert levels_of(content) == Levels({"@a:hs": 100, "@b:hs": 50}, users_default=10, redact=0)
    assert levels_of({"users": ["@a:hs"], "users_default": None}) == Levels() == levels_of("junk")
    assert levels_of(content).of("@z:hs") == 10


def test_new_power_levels_replace_the_old_ones_whole() -> None:
    rooms = Rooms(SimpleNamespace(rooms={"!r": object()}), BOT, 50)  # type: ignore[arg-type]
    rooms.note_event("!r", {"type": "m.room.power_levels", "state_key": "", "content": {"users": {"@a:hs": 50}}})
    assert rooms.is_organiser("!r", "@a:hs") and rooms.organisers("!r") == {"@a:hs"}
    rooms.note_event("!r", {"type": "m.room.power_levels", "state_key": "", "content": {"users": {"@b:hs": 100}}})
    assert not rooms.is_organiser("!r", "@a:hs") and rooms.organisers("!r") == {"@b:hs"}


def test_only_what_the_homeserver_checked_as_state_is_state() -> None:
    forged = {"type": "m.room.create", "state_key": "", "sender": "@a:hs", "content": {"room_version": "12"}}
    assert state_of(SimpleNamespace(source=forged)) == forged
    assert state_of(SimpleNamespace(source=forged, decrypted=True)) is None  # a member's message
    assert state_of(SimpleNamespace(source={**forged, "type": "m.room.encrypted"})) is None
    assert state_of(SimpleNamespace(source={k: v for k, v in forged.items() if k != "state_key"})) is None


def test_an_enormous_line_is_cut_between_tags_and_entities() -> None:
    """A line longer than a part is cut where it must be, but never through ``&lt;`` or
    ``</pre>``: each half would show as text."""
    markup = "head\n<pre>" + "&lt;" * 40 + "</pre>\ntail"
    parts = content.split_html(markup, limit=60)
    assert all(len(p) <= 60 for p in parts)
    for part in parts:
        assert re.sub(r"</?pre>|&lt;", "", part).strip("\n") in ("", "head", "tail"), part
