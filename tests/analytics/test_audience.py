"""Follower counts: one snapshot per profile and day, summed per organization."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from analytics.models import AudienceDay, AudienceSnapshot
from analytics.services.audience import audience_snapshot
from tests.factories import SocialProfileFactory, company_profile


def test_follower_counts_are_snapshotted_once_a_day_and_summed_per_kind(cast):
    SocialProfileFactory(owner_membership=cast.emma, network="bluesky", followers=120)
    SocialProfileFactory(owner_membership=cast.mike, network="bluesky", followers=80)
    company = company_profile(cast.org, followers=3000)
    SocialProfileFactory(owner_membership=cast.carol, network="x", followers=None)
    SocialProfileFactory(owner_membership=cast.carol, network="bluesky", followers=999, state="needs_reconnect")
    now = timezone.now()

    audience_snapshot(now=now)
    company.followers = 3100
    company.save()
    audience_snapshot(now=now)  # the same day again: updated, not doubled

    assert AudienceSnapshot.objects.count() == 3
    days = {(row.is_company, row.followers, row.profiles) for row in AudienceDay.objects.all()}
    assert days == {(False, 200, 2), (True, 3100, 1)}

    audience_snapshot(now=now + timedelta(days=1))
    assert AudienceSnapshot.objects.count() == 6
    assert AudienceDay.objects.count() == 4


def test_the_daily_task_snapshots_the_audience(cast):
    from analytics.tasks import audience_snapshot_task

    SocialProfileFactory(owner_membership=cast.emma, network="bluesky", followers=5)
    assert audience_snapshot_task.delay().get() == 1
    assert AudienceSnapshot.objects.get().followers == 5
