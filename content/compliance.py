"""Compliance rules: blocked phrases and the disclosure line, used by captions and shares."""

from __future__ import annotations

from typing import TYPE_CHECKING

import regex
from django.utils.translation import gettext as _

from content.models import ComplianceEvent, ComplianceSettings

if TYPE_CHECKING:
    from content.models import Post
    from employees.models import Organization, User


def compliance_for(organization: Organization) -> ComplianceSettings:
    settings, _created = ComplianceSettings.objects.get_or_create(organization=organization)
    return settings


def blocked_phrases_in(text: str, phrases: list[str]) -> list[str]:
    """The blocked phrases that occur in text as whole words, ignoring case."""
    found = []
    folded = text.casefold()
    for phrase in phrases:
        pattern = r"(?<!\w)" + r"\s+".join(regex.escape(word) for word in phrase.casefold().split()) + r"(?!\w)"
        if regex.search(pattern, folded):
            found.append(phrase)
    return found


def text_violations(
    *,
    organization: Organization,
    text: str,
    where: str,
    post: Post | None = None,
    actor: User | None = None,
    require_disclosure: bool = False,
) -> list[str]:
    """Messages for every rule the text breaks; each broken rule is recorded for comms."""
    rules = compliance_for(organization)
    messages = []
    events = []
    for phrase in blocked_phrases_in(text, rules.phrases()):
        messages.append(_("“%(phrase)s” is on your organization's list of blocked words.") % {"phrase": phrase})
        events.append((ComplianceEvent.Rule.BLOCKED_PHRASE, phrase))
    if (
        require_disclosure
        and rules.disclosure_mode == ComplianceSettings.DisclosureMode.REQUIRE
        and rules.disclosure_text
        and rules.disclosure_text.casefold() not in text.casefold()
    ):
        messages.append(_("Include %(disclosure)s to show that you work here.") % {"disclosure": rules.disclosure_text})
        events.append((ComplianceEvent.Rule.MISSING_DISCLOSURE, rules.disclosure_text))
    ComplianceEvent.objects.bulk_create(
        ComplianceEvent(organization=organization, rule=rule, detail=detail[:200], where=where, post=post, actor=actor)
        for rule, detail in events
    )
    return messages


def with_disclosure(organization: Organization, text: str) -> str:
    """The text as it goes out: the disclosure appended when the organization asks for it."""
    rules = compliance_for(organization)
    if (
        rules.disclosure_mode != ComplianceSettings.DisclosureMode.APPEND
        or not rules.disclosure_text
        or rules.disclosure_text.casefold() in text.casefold()
    ):
        return text
    return f"{text.rstrip()} {rules.disclosure_text}".strip()
