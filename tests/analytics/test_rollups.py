"""Rollups: incremental updates give exactly what a rebuild from raw data gives."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

from django.core.management import call_command
from django.utils import timezone

from analytics.models import MemberDay, OrganizationDay, PostDay, PostMemberDay, ShareMetrics
from analytics.services import rebuild, rollups
from networks.errors import Unsupported
from tests.analytics.helpers import organization_totals, pull_cycle, rollup_tables, share_counters
from tests.factories import (
    ClickFactory,
    MembershipFactory,
    PostFactory,
    ShareFactory,
    SocialProfileFactory,
    TrackedLinkFactory,
    company_profile,
)


def _scenario(org, fake_network, rng: random.Random, start: datetime):
    """Three weeks of shares, readings that rise and sometimes fall, and clicks."""
    people = [MembershipFactory(organization=org) for _ in range(5)]
    profiles = [SocialProfileFactory(owner_membership=p, network=rng.choice(["bluesky", "x"])) for p in people]
    profiles.append(company_profile(org))
    profiles.append(SocialProfileFactory(owner_membership=people[0], network="linkedin", clicks_only=True))
    # Connected with analytics access that LinkedIn then refuses: measured, then clicks only.
    profiles.append(SocialProfileFactory(owner_membership=people[1], network="linkedin"))
    posts = [PostFactory.published(organization=org) for _ in range(4)]
    shares, links = [], []
    for day in range(21):
        now = start + timedelta(days=day, hours=rng.randint(0, 23))
        for _ in range(rng.randint(0, 3)):
            profile = rng.choice(profiles)
            share = ShareFactory(
                profile=profile,
                post=rng.choice(posts),
                posted_at=now - timedelta(minutes=rng.randint(1, 50)),
                twist=rng.choice(["personal", "caption", "empty"]),
                remote_id=f"{profile.network}-{len(shares)}",
            )
            shares.append(share)
            links.append(TrackedLinkFactory(share=share))
        for share in shares:
            if share.network == "linkedin":
                fake_network.counts[share.remote_id] = Unsupported("no analytics access")
                continue
            current = fake_network.counts.get(share.remote_id)
            likes = current.likes if current else 0
            likes = max(likes + rng.randint(-2, 6), 0)  # sometimes a count goes down
            fake_network.set(share, likes=likes, reposts=rng.randint(0, 3), impressions=rng.randint(0, 500))
        for link in rng.sample(links, k=min(len(links), 4)):
            visitor = rng.choice(["a", "b", "", "c"])
            ClickFactory(link=link, at=now - timedelta(minutes=10), visitor=visitor, is_bot=rng.random() < 0.2)
        pull_cycle(now)
    return shares


def test_rollups_built_incrementally_equal_a_rebuild_from_raw_data(cast, fake_network):
    cast.org.timezone = "Europe/Copenhagen"
    cast.org.save()
    start = timezone.now() - timedelta(days=25)
    _scenario(cast.org, fake_network, random.Random(7), start)
    incremental, counters = rollup_tables(), share_counters()
    assert sum(len(rows) for rows in incremental.values()) > 40
    assert sum(row[-2] for row in incremental["OrganizationDay"]) > 0  # clicks were counted
    assert ShareMetrics.objects.filter(network="linkedin", measured=False, pull_note="clicks_only").exists()

    rebuild.rollups_rebuild(organization_id=cast.org.id)

    assert rollup_tables() == incremental
    assert share_counters() == counters


def test_the_rebuild_command_rebuilds_every_organization_the_same(cast, fake_network):
    _scenario(cast.org, fake_network, random.Random(3), timezone.now() - timedelta(days=22))
    before = rollup_tables()
    OrganizationDay.objects.all().delete()
    MemberDay.objects.update(likes=999)
    out = StringIO()
    call_command("analytics_rebuild", stdout=out)
    assert rollup_tables() == before
    assert "Rebuilt" in out.getvalue()


def test_the_rebuild_command_can_rebuild_one_organization(cast, fake_network):
    _scenario(cast.org, fake_network, random.Random(5), timezone.now() - timedelta(days=22))
    before = rollup_tables()
    PostDay.objects.all().delete()
    call_command("analytics_rebuild", organization="acme", stdout=StringIO())
    assert rollup_tables() == before


def test_a_rollup_is_never_negative_even_when_every_count_falls(cast, fake_network):
    share = ShareFactory(profile=SocialProfileFactory(owner_membership=cast.emma, network="bluesky"))
    now = timezone.now()
    fake_network.set(share, likes=50, reposts=5, replies=2, quotes=1)
    pull_cycle(now)
    fake_network.set(share, likes=0)
    pull_cycle(now + timedelta(hours=3))
    for model in (OrganizationDay, MemberDay, PostDay, PostMemberDay):
        for row in model.objects.values("likes", "reposts", "replies", "quotes"):
            assert min(row.values()) >= 0
    assert sum(OrganizationDay.objects.values_list("likes", flat=True)) == 50


def test_only_human_clicks_count_and_a_visitors_second_click_is_not_unique(cast):
    share = ShareFactory(profile=SocialProfileFactory(owner_membership=cast.emma, network="bluesky"))
    link = TrackedLinkFactory(share=share)
    ClickFactory(link=link, visitor="same")
    ClickFactory(link=link, visitor="same")
    ClickFactory(link=link, visitor="other")
    ClickFactory(link=link, visitor="bot", is_bot=True)
    rollups.rollups_update()
    row = organization_totals(cast.org)
    assert (row.clicks, row.unique_clicks) == (3, 2)
    metrics = ShareMetrics.objects.get(pk=share.pk)
    assert (metrics.clicks, metrics.unique_clicks) == (3, 2)


def test_a_visitor_seen_in_an_earlier_run_is_not_unique_again(cast):
    link = TrackedLinkFactory(share=ShareFactory(profile=SocialProfileFactory(owner_membership=cast.emma)))
    ClickFactory(link=link, visitor="v1")
    rollups.rollups_update()
    ClickFactory(link=link, visitor="v1")
    rollups.rollups_update()
    row = organization_totals(cast.org)
    assert (row.clicks, row.unique_clicks) == (2, 1)


def test_clicks_younger_than_the_safety_lag_wait_for_the_next_run(cast):
    link = TrackedLinkFactory(share=ShareFactory(profile=SocialProfileFactory(owner_membership=cast.emma)))
    now = timezone.now()
    ClickFactory(link=link, at=now - timedelta(seconds=30))
    assert rollups.rollups_update(now=now).clicks == 0
    assert rollups.rollups_update(now=now + rollups.CLICK_LAG).clicks == 1


def test_clicks_ingested_before_a_share_was_enrolled_are_counted_on_it_once(cast):
    share = ShareFactory(
        profile=SocialProfileFactory(owner_membership=cast.emma), posted_at=timezone.now() - timedelta(days=10)
    )
    ClickFactory(link=TrackedLinkFactory(share=share), visitor="x")
    rollups.rollups_update(enrol_since=timedelta(days=1))  # too old to be enrolled by the quick run
    assert not ShareMetrics.objects.exists()
    rollups.rollups_update(enrol_since=None)
    metrics = ShareMetrics.objects.get(pk=share.pk)
    assert (metrics.clicks, metrics.unique_clicks) == (1, 1)
    assert sum(OrganizationDay.objects.values_list("clicks", flat=True)) == 1


def test_days_are_the_organizations_local_days(cast):
    cast.org.timezone = "Pacific/Auckland"
    cast.org.save()
    posted = datetime(2025, 3, 10, 20, 0, tzinfo=ZoneInfo("UTC"))  # already 11 March in Auckland
    ShareFactory(profile=SocialProfileFactory(owner_membership=cast.emma), posted_at=posted)
    rollups.rollups_update(enrol_since=None)
    assert OrganizationDay.objects.get(organization=cast.org).day.isoformat() == "2025-03-11"


def test_a_share_counts_its_potential_reach_and_personal_comment_on_its_posting_day(cast):
    profile = SocialProfileFactory(owner_membership=cast.emma, followers=321)
    ShareFactory(profile=profile, twist="personal")
    ShareFactory(profile=profile, twist="caption")
    rollups.rollups_update()
    row = MemberDay.objects.get(member_id=cast.emma.id)
    assert (row.shares, row.personal_shares, row.potential_reach) == (2, 1, 642)


def test_the_beat_tasks_enrol_recent_shares_often_and_every_share_daily(cast):
    from analytics.tasks import rollups_update_task, shares_enrol_sweep_task

    profile = SocialProfileFactory(owner_membership=cast.emma)
    ShareFactory(profile=profile)
    ShareFactory(profile=profile, posted_at=timezone.now() - timedelta(days=40))
    assert rollups_update_task.delay().get() == 1
    assert shares_enrol_sweep_task.delay().get() == 1
    assert ShareMetrics.objects.count() == 2
