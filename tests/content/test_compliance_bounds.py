"""Compliance matching in linear time, with bounds; previews check without recording."""

from __future__ import annotations

import time

import pytest
from django.urls import reverse

from content.compliance import MAX_PHRASE_CHARS, MAX_PHRASES, blocked_phrases_in, text_problems
from content.models import ComplianceEvent, ComplianceSettings
from tests.factories import PostFactory, SocialProfileFactory


def _fastest(call, repeat: int = 3) -> float:
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        timings.append(time.perf_counter() - started)
    return min(timings)


def test_matching_a_long_phrase_against_a_long_caption_grows_linearly():
    # A caption of "a a a …" against a phrase of "a a … b": a pattern per phrase
    # backtracked over every start, time growing with the cube of the length.
    def check(words: int):
        caption, phrase = "a " * words, "a " * (words // 2) + "b"
        return lambda: [blocked_phrases_in(caption, [phrase, "c"]) for _ in range(20)]

    check(200)()
    ratio = _fastest(check(1600)) / max(_fastest(check(200)), 1e-4)
    # Eight times the input: linear is about 8; quadratic would be 64, cubic 512.
    assert ratio < 24


def test_phrases_are_found_whole_word_in_any_case_and_spacing_among_many():
    phrases = [f"word{n}" for n in range(400)] + ["guaranteed returns", "#secret", "c++"]
    text = "We promise GUARANTEED\t\treturns, #Secret plans and word17x but C++ too. word399"
    assert blocked_phrases_in(text, phrases) == ["word399", "guaranteed returns", "#secret", "c++"]
    assert blocked_phrases_in("a#secret", ["#secret"]) == []
    assert blocked_phrases_in("", phrases) == []
    assert blocked_phrases_in("anything", []) == []


def test_the_live_preview_checks_the_rules_without_recording_or_creating_anything(cast, login):
    post = PostFactory.published(organization=cast.org)
    response = login(cast.emma).post(reverse("advocacy:compose_preview", args=[post.id]), {"comment": "A secret plan"})
    assert response.status_code == 200
    assert not ComplianceSettings.objects.exists()  # the read created no rules row
    ComplianceSettings.objects.create(organization=cast.org, blocked_phrases="secret")
    response = login(cast.emma).post(reverse("advocacy:compose_preview", args=[post.id]), {"comment": "A secret plan"})
    assert "“secret” is on your organization&#x27;s list of blocked words." in response.text
    assert not ComplianceEvent.objects.exists()


def test_sharing_records_the_rule_that_fired(cast, login):
    post = PostFactory.published(organization=cast.org)
    mastodon_profile = SocialProfileFactory(owner_membership=cast.emma, network="mastodon")
    ComplianceSettings.objects.create(organization=cast.org, blocked_phrases="secret")
    response = login(cast.emma).post(
        reverse("advocacy:compose", args=[post.id]),
        {"profiles": [mastodon_profile.id], "comment": "A secret", "when": "now"},
    )
    assert response.status_code == 400
    assert list(ComplianceEvent.objects.values_list("rule", "detail", "where")) == [
        ("blocked_phrase", "secret", "comment")
    ]


def test_the_pure_check_returns_the_same_problems_it_would_record(cast):
    ComplianceSettings.objects.create(
        organization=cast.org, blocked_phrases="secret", disclosure_text="#ansat", disclosure_mode="require"
    )
    problems = text_problems(organization=cast.org, text="secret", require_disclosure=True)
    assert [problem.rule for problem in problems] == ["blocked_phrase", "missing_disclosure"]
    assert not ComplianceEvent.objects.exists()


@pytest.mark.parametrize(
    ("phrases", "message"),
    [
        ("x" * (MAX_PHRASE_CHARS + 1), "at most 200 characters"),
        ("\n".join(f"p{n}" for n in range(MAX_PHRASES + 1)), "At most 500 blocked words"),
    ],
)
def test_the_rules_form_bounds_the_phrases(cast, login, phrases, message):
    response = login(cast.carol).post(
        reverse("content:compliance"), {"disclosure_text": "", "disclosure_mode": "off", "blocked_phrases": phrases}
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ComplianceSettings.objects.filter(blocked_phrases__contains="p1").exists()
