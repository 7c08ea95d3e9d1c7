from __future__ import annotations

from django.urls import reverse

from content.compliance import blocked_phrases_in, text_violations, with_disclosure
from content.models import ComplianceSettings


def test_blocked_phrases_match_whole_words_ignoring_case_and_spacing():
    phrases = ["secret", "guaranteed returns"]
    assert blocked_phrases_in("Top SECRET plans", phrases) == ["secret"]
    assert blocked_phrases_in("Secretary of state", phrases) == []
    assert blocked_phrases_in("guaranteed\n returns!", phrases) == ["guaranteed returns"]


def test_the_disclosure_is_appended_once_in_append_mode(cast):
    ComplianceSettings.objects.create(organization=cast.org, disclosure_text="#ansat", disclosure_mode="append")
    assert with_disclosure(cast.org, "Great news") == "Great news #ansat"
    assert with_disclosure(cast.org, "Great news #Ansat") == "Great news #Ansat"


def test_a_required_disclosure_is_asked_for_and_recorded(cast):
    ComplianceSettings.objects.create(organization=cast.org, disclosure_text="#ansat", disclosure_mode="require")
    problems = text_violations(
        organization=cast.org, text="Great news", where="comment", actor=cast.emma.user, require_disclosure=True
    )
    assert problems == ["Include #ansat to show that you work here."]
    assert cast.org.compliance_events.get().rule == "missing_disclosure"


def test_comms_edit_the_rules_and_see_where_they_fired(cast, login):
    client = login(cast.carol)
    response = client.post(
        reverse("content:compliance"),
        {"disclosure_text": "#ansat", "disclosure_mode": "append", "blocked_phrases": "secret"},
    )
    assert response.status_code == 302
    text_violations(organization=cast.org, text="a secret", where="caption", actor=cast.carol.user)
    page = client.get(reverse("content:compliance")).content.decode()
    assert "“secret”" in page


def test_a_disclosure_rule_without_text_is_explained(cast, login):
    response = login(cast.carol).post(
        reverse("content:compliance"), {"disclosure_text": "", "disclosure_mode": "require"}
    )
    assert "Write the disclosure" in response.content.decode()
