"""Per-network counting and limits, as each network documents them."""

from __future__ import annotations

import pytest
import regex
from hypothesis import example, given
from hypothesis import strategies as st

from networks import text

FAMILY = "\U0001f469\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466"  # ZWJ sequence, one glyph
FLAG_DK = "\U0001f1e9\U0001f1f0"
KEYCAP_ONE = "1\ufe0f\u20e3"
THUMBS_UP_DARK = "\U0001f44d\U0001f3ff"
LONG_URL = "https://example.com/" + "a" * 200
SHORT_URL = "https://ex.co/a"


# -- Bluesky: graphemes and bytes ------------------------------------------------


def test_a_zwj_family_emoji_is_one_grapheme_on_bluesky():
    assert text.count("bluesky", FAMILY) == 1


def test_a_flag_is_one_grapheme_on_bluesky():
    assert text.count("bluesky", FLAG_DK) == 1


def test_keycaps_and_skin_tones_are_one_grapheme_each_on_bluesky():
    assert text.count("bluesky", KEYCAP_ONE + THUMBS_UP_DARK) == 2


def test_bluesky_allows_300_graphemes_of_emoji_even_though_they_are_many_code_points():
    assert text.validate("bluesky", FLAG_DK * 300) == []
    assert text.validate("bluesky", FLAG_DK * 301) == [text.TextProblem("too_long", 300, 301)]


def test_bluesky_rejects_text_over_3000_bytes_even_under_300_graphemes():
    heavy = ("e" + "\u0301" * 10) * 150  # 150 graphemes of 21 bytes each
    problems = text.validate("bluesky", heavy)
    assert problems == [text.TextProblem("too_many_bytes", 3000, 3150)]


# -- X: twitter-text v3 weighting ---------------------------------------------------


def test_every_url_counts_as_23_on_x_whatever_its_length():
    assert text.count("x", LONG_URL) == 23
    assert text.count("x", SHORT_URL) == 23
    assert text.count("x", f"Read {LONG_URL} now") == 5 + 23 + 4


def test_a_bare_domain_counts_as_a_link_on_x():
    assert text.count("x", "see example.com") == 4 + 23


def test_trailing_punctuation_is_not_part_of_a_url_on_x():
    assert text.count("x", f"({SHORT_URL}).") == 1 + 23 + 2


def test_cjk_characters_weigh_two_on_x():
    assert text.count("x", "日本語") == 6
    assert text.validate("x", "語" * 140) == []
    assert text.validate("x", "語" * 141) == [text.TextProblem("too_long", 280, 282)]


def test_latin_text_and_common_punctuation_weigh_one_on_x():
    # U+2014 EM DASH and U+2019 RIGHT SINGLE QUOTATION MARK sit in the weight-100 ranges.
    assert text.count("x", "It\u2019s done \u2014 café") == 16


def test_an_emoji_sequence_weighs_two_on_x_however_many_code_points_it_has():
    assert text.count("x", FAMILY) == 2
    assert text.count("x", FLAG_DK) == 2
    assert text.count("x", KEYCAP_ONE) == 2
    assert text.count("x", "\u2764\ufe0f") == 2


def test_x_counts_the_nfc_form_of_decomposed_accents():
    assert text.count("x", "cafe\u0301") == 4


# -- Mastodon ---------------------------------------------------------------------


def test_every_url_counts_as_23_on_mastodon():
    assert text.count("mastodon", LONG_URL) == 23
    assert text.count("mastodon", f"{SHORT_URL} {LONG_URL}") == 47


def test_a_bare_domain_is_plain_text_on_mastodon():
    assert text.count("mastodon", "example.com") == 11


def test_a_remote_mention_counts_only_its_username_on_mastodon():
    assert text.count("mastodon", "hi @alice@social.example.org") == len("hi @alice")


def test_mastodon_allows_500_by_default_and_the_instance_limit_when_given():
    assert text.limit("mastodon") == 500
    assert text.validate("mastodon", "a" * 501) == [text.TextProblem("too_long", 500, 501)]
    assert text.validate("mastodon", "a" * 501, max_chars=5000) == []
    assert text.limit("mastodon", max_chars=11000) == 11000


# -- LinkedIn, Facebook -------------------------------------------------------------


def test_linkedin_allows_3000_characters():
    assert text.limit("linkedin") == 3000
    assert text.validate("linkedin", "a" * 3000) == []
    assert text.validate("linkedin", "a" * 3001)[0].code == "too_long"


def test_facebook_has_no_limit():
    assert text.limit("facebook") is None
    assert text.validate("facebook", "a" * 100_000) == []


def test_an_unknown_network_is_an_error():
    with pytest.raises(ValueError, match="unknown network"):
        text.count("myspace", "hi")


# -- composing the posted text ---------------------------------------------------------


def test_the_link_goes_last_after_a_blank_line():
    assert text.compose("x", "Great news  ", "https://l.example/a") == "Great news\n\nhttps://l.example/a"


def test_the_link_is_not_added_twice():
    assert text.compose("mastodon", "See https://l.example/a here", "https://l.example/a") == (
        "See https://l.example/a here"
    )


def test_an_empty_comment_posts_the_link_alone():
    assert text.compose("bluesky", "  ", "https://l.example/a") == "https://l.example/a"


def test_linkedin_and_facebook_keep_the_link_out_of_the_text():
    assert text.compose("linkedin", "Hi", "https://l.example/a") == "Hi"
    assert text.compose("facebook", "Hi", "https://l.example/a") == "Hi"


# -- properties ------------------------------------------------------------------------

any_text = st.text(st.characters(exclude_categories=()), max_size=400)


@given(any_text)
def test_bluesky_counts_exactly_the_extended_grapheme_clusters(value):
    assert text.count("bluesky", value) == len(regex.findall(r"\X", value))


@given(any_text)
@example("\ud800")  # a lone surrogate: twitter-text raised on it while encoding
@example("a \udfff b https://example.com/\ud83d")
def test_counting_never_raises_on_any_network(value):
    for network in text.RULES:
        assert text.count(network, value) >= 0
        text.validate(network, value)
