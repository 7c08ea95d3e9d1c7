"""Bluesky record keys and link facets: pure functions the adapter builds posts from."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from networks.bluesky_records import TID_ALPHABET, link_facets, post_url, tid_from_key

TID_SHAPE = re.compile(r"^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$")


def tid_value(tid: str) -> int:
    value = 0
    for char in tid:
        value = value * 32 + TID_ALPHABET.index(char)
    return value


def test_a_tid_has_the_shape_the_protocol_requires():
    tid = tid_from_key("share-1")
    assert len(tid) == 13
    assert TID_SHAPE.match(tid)
    assert tid_value(tid) < 2**63  # top bit is zero


def test_the_same_idempotency_key_always_gives_the_same_tid():
    assert tid_from_key("share-1") == tid_from_key("share-1")


def test_distinct_keys_give_distinct_tids():
    tids = {tid_from_key(f"share-{n}") for n in range(5000)}
    assert len(tids) == 5000


def test_a_tid_timestamp_is_in_the_past_and_after_the_network_opened():
    micros = tid_value(tid_from_key("share-1")) >> 10
    when = datetime.fromtimestamp(micros / 1_000_000, tz=UTC)
    assert datetime(2023, 1, 1, tzinfo=UTC) <= when < datetime.now(UTC)


@given(st.text())
def test_every_key_gives_a_valid_tid(key):
    assert TID_SHAPE.match(tid_from_key(key))


def test_facet_offsets_are_utf8_bytes_not_characters():
    text = "Blåbærsæson 🫐 er her: https://go.example/l/abc og mere"
    [facet] = link_facets(text)
    encoded = text.encode("utf-8")
    assert facet.uri == "https://go.example/l/abc"
    assert encoded[facet.byte_start : facet.byte_end].decode("utf-8") == facet.uri
    assert facet.byte_start == len("Blåbærsæson 🫐 er her: ".encode()) == 28
    assert facet.byte_start != text.index("https")  # the character offset would be wrong


def test_every_link_in_the_text_gets_a_facet():
    facets = link_facets("日本 https://a.example/1 と https://b.example/2.")
    assert [f.uri for f in facets] == ["https://a.example/1", "https://b.example/2"]
    assert facets[0].byte_start == len("日本 ".encode())


def test_the_post_url_uses_the_handle_and_record_key():
    uri = "at://did:plc:ewvi7nxzyoun6zhxrhs64oiz/app.bsky.feed.post/3l4abc2xyz22a"
    assert post_url("emma.bsky.social", uri) == "https://bsky.app/profile/emma.bsky.social/post/3l4abc2xyz22a"
