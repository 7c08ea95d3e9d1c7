"""X's length rule against twitter-text's own conformance cases (vendored as data)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from twitter_text import extract_urls, parse_tweet

from networks import text

CASES = json.loads((Path(__file__).parent / "data" / "twitter_text" / "conformance.json").read_text("utf-8"))
WEIGHTED = [
    *CASES["validate"]["WeightedTweetsWithDiscountedEmojiCounterTest"],
    *CASES["validate"]["UnicodeDirectionalMarkerCounterTest"],
]
TLDS = [*CASES["tlds"]["country"], *CASES["tlds"]["generic"]]
EXTRACT = CASES["extract"]["urls"]


def _id(case: dict) -> str:
    return case["description"][:60]


@pytest.mark.parametrize("case", WEIGHTED, ids=_id)
def test_x_weighs_text_as_the_conformance_suite_says(case):
    assert text.count("x", case["text"]) == case["expected"]["weightedLength"]


@pytest.mark.parametrize("case", WEIGHTED, ids=_id)
def test_x_refuses_exactly_the_conformance_texts_over_the_limit(case):
    too_long = case["expected"]["weightedLength"] > 280
    assert bool(text.validate("x", case["text"])) == too_long


def test_a_link_counts_23_on_x_under_every_top_level_domain_x_knows():
    wrong = [case["text"] for case in TLDS if text.count("x", case["text"]) != text.URL_LENGTH]
    assert wrong == []
    assert len(TLDS) > 1500


@pytest.mark.parametrize("case", EXTRACT, ids=_id)
def test_x_counts_the_links_the_conformance_suite_finds(case):
    assert extract_urls(case["text"]) == case["expected"]
    assert text.count("x", case["text"]) == parse_tweet(case["text"]).weightedLength


@pytest.mark.parametrize(
    ("written", "length"),
    [
        ("see example.shop", 4 + 23),
        ("foo.co.jp", 23),
        ("www.example.museum/a", 23),
        ("learn at acme.careers!", 9 + 23 + 1),
    ],
)
def test_bare_domains_under_any_real_top_level_domain_count_as_links_on_x(written, length):
    assert text.count("x", written) == length


def _fastest(value: str) -> float:
    timings = []
    for _ in range(5):
        started = time.perf_counter()
        text.count("x", value)
        timings.append(time.perf_counter() - started)
    return min(timings)


@pytest.mark.parametrize("unit", ["a.", "www.a-", "http://a.", "x.co ", "ab. "])
def test_hostile_text_costs_x_counting_no_more_than_plain_text_of_its_length(unit):
    # Host-like runs made the URL pattern backtrack (2,000 characters of "a.": seconds,
    # hundreds of times plain prose). Both are timed here, each at its fastest of five.
    hostile = unit * (2000 // len(unit))
    plain = ("Proud of the team, and of what we built this year. " * 40)[: len(hostile)]
    ratio = _fastest(hostile) / max(_fastest(plain), 1e-5)
    assert ratio < 5
