"""The echo-risk guard: many colleagues posting near-identical words within a short while.

The authenticity guard compares a comment with colleagues' comments on the same post.
Followers see more than one post, though: when several colleagues put out almost the
same words about anything within a few hours, the networks (and people) read it as a
coordinated campaign, and each of those posts is worth less. The composer warns
(it never blocks) when the comment being written would join such an echo.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from django.utils import timezone
from rapidfuzz import fuzz, utils

from advocacy.authenticity import NEAR_IDENTICAL
from advocacy.models import Share

if TYPE_CHECKING:
    from datetime import datetime

    from employees.models import Membership

WINDOW = timedelta(hours=3)
# This many other colleagues with near-identical words in the window make an echo.
COLLEAGUES = 3
# The recent comments compared, newest first: a bound on the work of one preview.
RECENT_COMMENTS = 300
# Short comments ("Proud!") are alike by nature and are no campaign.
MIN_WORDS = 4


@dataclass(frozen=True)
class Echo:
    colleagues: int
    window_hours: int


def echo_risk(*, membership: Membership, comment: str, now: datetime | None = None) -> Echo | None:
    """The echo the comment would join, or None. Reads one bounded list of recent comments."""
    if len(comment.split()) < MIN_WORDS:
        return None
    now = now or timezone.now()
    recent = (
        Share.objects.filter(organization_id=membership.organization_id, created_at__gte=now - WINDOW)
        .exclude(member_id=membership.id)
        .exclude(member__isnull=True)
        .exclude(comment="")
        .order_by("-created_at")
        .values_list("member_id", "comment")[:RECENT_COMMENTS]
    )
    colleagues = {
        member_id
        for member_id, text in recent
        if fuzz.token_set_ratio(comment, text, processor=utils.default_process) >= NEAR_IDENTICAL
    }
    if len(colleagues) < COLLEAGUES:
        return None
    return Echo(len(colleagues), int(WINDOW.total_seconds() // 3600))
