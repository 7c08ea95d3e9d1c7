"""Compliance rules: blocked phrases and the disclosure line, used by captions and shares.

`text_problems` is the pure check (live previews call it, and it writes nothing);
`text_violations` runs the same check when something is saved or shared and records
each broken rule for the comms team.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import ahocorasick_rs
from django.utils.translation import gettext as _

from content.models import ComplianceEvent, ComplianceSettings

if TYPE_CHECKING:
    from content.models import Post
    from employees.models import Organization, User

# Bounds the rules form enforces, so one check stays small whatever is typed.
MAX_PHRASES = 500
MAX_PHRASE_CHARS = 200


@dataclass(frozen=True)
class Problem:
    rule: str  # ComplianceEvent.Rule
    detail: str
    message: str


def compliance_for(organization: Organization) -> ComplianceSettings:
    """The organization's rules; unsaved defaults when it has none yet (a read never writes)."""
    rules = ComplianceSettings.objects.filter(organization=organization).first()
    return rules or ComplianceSettings(organization=organization)


def _normalized(text: str) -> str:
    # Case and the kind and length of spacing never matter; one space per gap.
    return " ".join(text.casefold().split())


def _is_word_char(char: str) -> bool:
    return char.isalnum() or char == "_"


@lru_cache(maxsize=64)
def _automaton(phrases: tuple[str, ...]) -> tuple[ahocorasick_rs.AhoCorasick, list[int]] | None:
    """One automaton for all the phrases, and the phrase each of its patterns stands for."""
    keys, owners = [], []
    for index, phrase in enumerate(phrases):
        key = _normalized(phrase)
        if key:
            keys.append(key)
            owners.append(index)
    if not keys:
        return None
    return ahocorasick_rs.AhoCorasick(keys, matchkind=ahocorasick_rs.MatchKind.Standard), owners


def blocked_phrases_in(text: str, phrases: list[str]) -> list[str]:
    """The blocked phrases that occur in text as whole words, ignoring case and spacing.

    One pass over the text with an Aho–Corasick automaton of all the phrases: time
    grows with the text plus the matches, not with the text times the phrases (a
    regular expression per phrase took minutes for a long caption and phrase).
    """
    built = _automaton(tuple(phrases))
    if built is None:
        return []
    automaton, owners = built
    folded = _normalized(text)
    found: set[int] = set()
    for pattern, start, end in automaton.find_matches_as_indexes(folded, overlapping=True):
        if (start > 0 and _is_word_char(folded[start - 1])) or (end < len(folded) and _is_word_char(folded[end])):
            continue  # part of a longer word
        found.add(owners[pattern])
    return [phrase for index, phrase in enumerate(phrases) if index in found]


def text_problems(*, organization: Organization, text: str, require_disclosure: bool = False) -> list[Problem]:
    """Every rule the text breaks, with its message. Reads only."""
    rules = compliance_for(organization)
    problems = [
        Problem(
            ComplianceEvent.Rule.BLOCKED_PHRASE,
            phrase,
            _("“%(phrase)s” is on your organization's list of blocked words.") % {"phrase": phrase},
        )
        for phrase in blocked_phrases_in(text, rules.phrases())
    ]
    if (
        require_disclosure
        and rules.disclosure_mode == ComplianceSettings.DisclosureMode.REQUIRE
        and rules.disclosure_text
        and rules.disclosure_text.casefold() not in text.casefold()
    ):
        problems.append(
            Problem(
                ComplianceEvent.Rule.MISSING_DISCLOSURE,
                rules.disclosure_text,
                _("Include %(disclosure)s to show that you work here.") % {"disclosure": rules.disclosure_text},
            )
        )
    return problems


def text_violations(
    *,
    organization: Organization,
    text: str,
    where: str,
    post: Post | None = None,
    actor: User | None = None,
    require_disclosure: bool = False,
) -> list[str]:
    """Messages for every rule the text breaks, each recorded for comms: call on save only."""
    problems = text_problems(organization=organization, text=text, require_disclosure=require_disclosure)
    recorded = {"organization": organization, "where": where, "post": post, "actor": actor}
    ComplianceEvent.objects.bulk_create(
        ComplianceEvent(rule=problem.rule, detail=problem.detail[:200], **recorded) for problem in problems
    )
    return [problem.message for problem in problems]


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
