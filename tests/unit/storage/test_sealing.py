"""Sealing a value under a data key (bot/storage/sealing.py): what is sealed opens to itself, and
a sealed value changed in any byte, moved to another column or another owner, or opened with
another key does not open."""

from __future__ import annotations

import base64
import os

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.storage.sealing import PREFIX, Sealer, Unopenable, is_sealed, open_value, seal_value

KEYS = st.binary(min_size=32, max_size=32)
PLACES = st.sampled_from(["signups.name", "signups.area", "signups.contact", "campaign_signatures.name"])
IDENTITIES = st.text(min_size=1, max_size=40)
VALUES = st.text(max_size=300)


@given(KEYS, PLACES, IDENTITIES, VALUES)
def test_a_sealed_value_opens_to_itself(key: bytes, place: str, identity: str, value: str) -> None:
    sealed = seal_value(key, place, identity, value)
    assert is_sealed(sealed) and sealed.isascii()
    assert open_value(key, place, identity, sealed) == value
    assert seal_value(key, place, identity, value) != sealed  # a random nonce each time


@given(KEYS, PLACES, IDENTITIES, VALUES, st.data())
def test_a_changed_byte_does_not_open(key: bytes, place: str, identity: str, value: str, data: st.DataObject) -> None:
    raw = bytearray(base64.urlsafe_b64decode(seal_value(key, place, identity, value)[len(PREFIX):]))
    at = data.draw(st.integers(0, len(raw) - 1))
    raw[at] ^= data.draw(st.integers(1, 255))
    with pytest.raises(Unopenable):
        open_value(key, place, identity, PREFIX + base64.urlsafe_b64encode(bytes(raw)).decode())


@given(KEYS, KEYS, PLACES, PLACES, IDENTITIES, IDENTITIES, VALUES)
def test_another_key_place_or_owner_does_not_open(
    key: bytes, other_key: bytes, place: str, other_place: str, identity: str, other: str, value: str
) -> None:
    sealed = seal_value(key, place, identity, value)
    for k, p, i in ((other_key, place, identity), (key, other_place, identity), (key, place, other)):
        if (k, p, i) == (key, place, identity):
            continue
        with pytest.raises(Unopenable):
            open_value(k, p, i, sealed)


@given(VALUES)
def test_plain_text_is_not_taken_for_a_sealed_value(value: str) -> None:
    with pytest.raises(Unopenable):
        open_value(os.urandom(32), "signups.name", "console:zed", value)
    with pytest.raises(Unopenable):
        open_value(os.urandom(32), "signups.name", "console:zed", PREFIX + value)


def test_a_key_row_names_nobody_and_depends_on_the_secret() -> None:
    a, b = Sealer("one secret"), Sealer("another secret")
    assert a.holder("tg:739182645") == Sealer("one secret").holder("tg:739182645")
    assert a.holder("tg:739182645") != b.holder("tg:739182645")
    assert a.holder("tg:739182645") != a.holder("tg:739182646")
    assert "739182645" not in a.holder("tg:739182645")
