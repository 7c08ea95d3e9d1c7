"""How fresh the figures are: when they last changed, when beat's next run comes, and
which shares went out too recently to be counted yet ("counting…", not missing)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from advocacy.models import Share
from analytics.schedule import ROLLUP_EVERY_MINUTES, next_run
from analytics.selectors.cached import rollups_changed_at
from analytics.selectors.scope import Scope

ENROL_SINCE = timedelta(days=3)
# At most this many uncounted shares are listed on My impact (a backlog beyond it is
# a stopped worker, which the count still shows).
COUNTING_LISTED = 10


@dataclass(frozen=True)
class Freshness:
    updated_at: datetime | None
    next_update_at: datetime
    counting: int = 0
    counting_shares: list[Share] = field(default_factory=list)


def _uncounted(organization_id: int, now: datetime) -> QuerySet[Share]:
    # Posted but not yet enrolled in the rollups (no metrics row): the next run counts it.
    # Runs enrol shares of the last ENROL_SINCE (older ones wait for the daily sweep).
    return Share.objects.filter(
        organization_id=organization_id,
        status=Share.Status.POSTED,
        posted_at__gte=now - ENROL_SINCE,
        metrics__isnull=True,
    )


def _freshness(organization_id: int, uncounted: QuerySet[Share], *, listed: bool, now: datetime | None) -> Freshness:
    now = now or timezone.now()
    updated_at = rollups_changed_at(organization_id=organization_id)
    shares = (
        list(uncounted.select_related("post", "profile").order_by("-posted_at", "-id")[:COUNTING_LISTED])
        if listed
        else []
    )
    if not listed:
        counting = 0
    elif len(shares) < COUNTING_LISTED:
        counting = len(shares)
    else:
        counting = uncounted.count()
    return Freshness(
        updated_at=updated_at,
        next_update_at=next_run(now, ROLLUP_EVERY_MINUTES),
        counting=counting,
        counting_shares=shares,
    )


def freshness_for_scope(*, scope: Scope, now: datetime | None = None) -> Freshness:
    """For a dashboard: when the figures changed and the next run. Dashboards read rollups
    only (never the shares table, whatever the history), so no uncounted shares here."""
    return _freshness(scope.organization_id, Share.objects.none(), listed=False, now=now)


def freshness_for_member(*, membership, now: datetime | None = None) -> Freshness:
    """For My impact: the person's own shares not counted yet, listed."""
    now = now or timezone.now()
    uncounted = _uncounted(membership.organization_id, now).filter(member_id=membership.pk)
    return _freshness(membership.organization_id, uncounted, listed=True, now=now)
