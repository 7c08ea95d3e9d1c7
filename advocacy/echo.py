"""The echo-risk guard: many colleagues posting near-identical words within a short while.

The authenticity guard compares a comment with colleagues' comments on the same post.
Followers see more than one post, though: when several colleagues put out almost the
same words about anything within a few hours, the networks (and people) read it as a
coordinated campaign, and each of those posts is worth less. The composer warns
(it never blocks) when the comment being written would join such an echo, and offers
the next quieter slot: the earliest half hour ahead around which fewer of the same
post's shares go out. Comms see per post how many of its shares echoed colleagues'.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from django.db.models import Count, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from rapidfuzz import fuzz, utils

from advocacy.authenticity import NEAR_IDENTICAL
from advocacy.models import Share

if TYPE_CHECKING:
    from collections.abc import Iterable
    from datetime import datetime

    from content.models import Post
    from employees.models import Membership

WINDOW = timedelta(hours=3)
# This many other colleagues with near-identical words in the window make an echo.
COLLEAGUES = 3
# The recent comments compared, newest first: a bound on the work of one preview.
RECENT_COMMENTS = 300
# Short comments ("Proud!") are alike by nature and are no campaign.
MIN_WORDS = 4
# The quieter slot: on the hour or half hour, at most this far ahead.
SLOT = timedelta(minutes=30)
# Time to pick the slot and send the form before the slot has passed.
LEAD = timedelta(minutes=5)
HORIZON = timedelta(hours=24)
# The same post's share times read for one suggestion: a bound on its work.
SLOT_SHARES = 5000
# Shares that never went out and never will make no echo.
NOT_SENT = (Share.Status.FAILED, Share.Status.NEEDS_RECONNECT)


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


@dataclass(frozen=True)
class PostEcho:
    """How many of a post's employee shares were near-identical to colleagues' words."""

    near_duplicates: int
    shares: int

    @property
    def percent(self) -> int:
        return round(100 * self.near_duplicates / self.shares) if self.shares else 0


def posts_echo(*, organization_id: int, post_ids: Iterable[int]) -> dict[int, PostEcho]:
    """The echo figure of each post (of the organization) that has employee shares: one
    grouped count over the verdicts stored on the shares."""
    rows = (
        Share.objects.filter(organization_id=organization_id, post_id__in=list(post_ids), member__isnull=False)
        .values("post_id")
        .order_by()
        .annotate(shares=Count("id"), near=Count("id", filter=Q(twist=Share.Twist.NEAR_DUPLICATE)))
    )
    return {row["post_id"]: PostEcho(near_duplicates=row["near"], shares=row["shares"]) for row in rows}


@dataclass(frozen=True)
class QuieterSlot:
    at: datetime
    shares: int  # of the post's shares within the window around `at`
    busy: int  # the same, around now


def _within_window(moments: list[datetime], at: datetime) -> int:
    """Moments (sorted) less than the echo window away from `at`, either side; one exactly
    a window away is outside it."""
    return bisect_left(moments, at + WINDOW) - bisect_right(moments, at - WINDOW)


def _first_slot(now: datetime) -> datetime:
    """The first hour or half hour strictly after now and the lead, on the clock of the
    active time zone."""
    local = timezone.localtime(now + LEAD).replace(second=0, microsecond=0)
    return local - timedelta(minutes=local.minute % 30) + SLOT


def quieter_slot(*, membership: Membership, post: Post, now: datetime | None = None) -> QuieterSlot | None:
    """The earliest slot ahead (hour or half hour, within a day, before the post expires)
    around which fewer of the post's shares by colleagues are scheduled or sent than
    around now; None when no slot is quieter. One bounded read of share times."""
    now = now or timezone.now()
    last = now + HORIZON
    if post.expires_at is not None:
        last = min(last, post.expires_at - timedelta(microseconds=1))
    moments = sorted(
        Share.objects.filter(organization_id=membership.organization_id, post_id=post.id)
        .exclude(status__in=NOT_SENT)
        .exclude(member_id=membership.id)
        .annotate(moment=Coalesce("posted_at", "scheduled_for", "created_at"))
        .filter(moment__gt=now - WINDOW, moment__lt=last + WINDOW)
        .order_by("moment")
        .values_list("moment", flat=True)[:SLOT_SHARES]
    )
    busy = _within_window(moments, now)
    if not busy:
        return None
    slot = _first_slot(now)
    while slot <= last:
        shares = _within_window(moments, slot)
        if shares < busy:
            return QuieterSlot(at=slot, shares=shares, busy=busy)
        slot += SLOT
    return None
