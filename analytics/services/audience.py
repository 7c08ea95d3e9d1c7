"""Follower counts, snapshotted once a day per profile and summed per organization."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from analytics.models import AudienceDay, AudienceSnapshot
from analytics.services.rollups import TimeZones
from employees.models import SocialProfile


def audience_snapshot(*, now: datetime | None = None) -> int:
    """Record today's follower count of every active profile (idempotent within a day).

    The counts come from the profiles, which the employees app refreshes from the
    networks each night; running this afterwards keeps one row per profile and day.
    """
    now = now or timezone.now()
    zones = TimeZones()
    profiles = SocialProfile.objects.filter(state=SocialProfile.State.ACTIVE, followers__isnull=False).values_list(
        "id", "organization_id", "owner_membership_id", "network", "followers"
    )
    snapshots = [
        AudienceSnapshot(
            profile_id=profile_id,
            organization_id=org_id,
            member_id=member_id or 0,
            network=network,
            day=zones.day(org_id, now),
            followers=followers,
        )
        for profile_id, org_id, member_id, network, followers in profiles.iterator(chunk_size=2000)
    ]
    with transaction.atomic():
        AudienceSnapshot.objects.bulk_create(
            snapshots,
            batch_size=1000,
            update_conflicts=True,
            unique_fields=["profile", "day"],
            update_fields=["followers", "member_id", "network"],
        )
        for org_id, day in {(s.organization_id, s.day) for s in snapshots}:
            audience_day_refresh(organization_id=org_id, day=day)
    return len(snapshots)


def audience_day_refresh(*, organization_id: int, day) -> None:
    """Sum one organization's snapshots of one day (a day's rows, never the history)."""
    totals: defaultdict[tuple[str, bool], list[int]] = defaultdict(lambda: [0, 0])
    rows = AudienceSnapshot.objects.filter(organization_id=organization_id, day=day).values_list(
        "network", "member_id", "followers"
    )
    for network, member_id, followers in rows:
        total = totals[(network, member_id == 0)]
        total[0] += followers
        total[1] += 1
    AudienceDay.objects.filter(organization_id=organization_id, day=day).delete()
    AudienceDay.objects.bulk_create(
        AudienceDay(
            organization_id=organization_id,
            day=day,
            network=network,
            is_company=is_company,
            followers=followers,
            profiles=count,
        )
        for (network, is_company), (followers, count) in totals.items()
    )
