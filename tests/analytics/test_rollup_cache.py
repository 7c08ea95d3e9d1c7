"""Cached reads of the rollups: kept while the rollups are unchanged, never after."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from advocacy.models import Share
from analytics.forms import Filters
from analytics.models import OrganizationDay, RollupVersion
from analytics.selectors import dashboard as figures
from analytics.selectors.cached import rollups_read_cached, rollups_version_get
from analytics.selectors.distribution import distribution_trail
from analytics.selectors.scope import Scope
from analytics.services import rebuild, rollups
from tests.factories import (
    ClickFactory,
    MembershipFactory,
    ShareFactory,
    SocialProfileFactory,
    TrackedLinkFactory,
    company_profile,
)


def _share(org, followers=100, **fields):
    member = MembershipFactory(organization=org)
    profile = SocialProfileFactory(owner_membership=member, network="bluesky", followers=followers)
    return ShareFactory(profile=profile, **fields)


def _filters(org) -> Filters:
    today = timezone.localdate()
    return Filters(start=today - timedelta(days=29), end=today, days=30, timezone=org.timezone)


def test_an_organization_without_rollups_has_no_version_and_nothing_is_cached(cast):
    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    assert rollups_version_get(organization_id=cast.org.id) is None
    assert rollups_read_cached(organization_id=cast.org.id, name="test", parts=(), compute=compute) == 1
    assert rollups_read_cached(organization_id=cast.org.id, name="test", parts=(), compute=compute) == 2


def test_booking_a_share_moves_only_its_organizations_version_on(cast):
    other_org = cast.other_org
    _share(other_org)
    rollups.rollups_update()
    others = rollups_version_get(organization_id=other_org.id)
    _share(cast.org)
    rollups.rollups_update()
    first = rollups_version_get(organization_id=cast.org.id)
    _share(cast.org)
    rollups.rollups_update()

    assert first is not None and rollups_version_get(organization_id=cast.org.id) != first
    assert rollups_version_get(organization_id=other_org.id) == others


def test_a_run_that_books_nothing_leaves_the_version_as_it_was(cast):
    _share(cast.org)
    rollups.rollups_update()
    before = rollups_version_get(organization_id=cast.org.id)
    rollups.rollups_update()
    assert rollups_version_get(organization_id=cast.org.id) == before


def test_ingested_clicks_move_the_version_on(cast):
    share = _share(cast.org)
    link = TrackedLinkFactory(share=share)
    rollups.rollups_update()
    before = rollups_version_get(organization_id=cast.org.id)
    ClickFactory(link=link, at=timezone.now() - timedelta(minutes=10), visitor="a")
    rollups.rollups_update()
    assert rollups_version_get(organization_id=cast.org.id) != before


def test_a_rebuild_moves_the_version_on_even_when_no_rows_are_left(cast):
    _share(cast.org)
    rollups.rollups_update()
    before = rollups_version_get(organization_id=cast.org.id)
    rebuild.rollups_rebuild(organization_id=cast.org.id)
    rebuilt = rollups_version_get(organization_id=cast.org.id)
    assert rebuilt != before
    # Shares gone with their rows (the person was deleted): the rebuild books nothing.
    RollupVersion.objects.filter(organization_id=cast.org.id).update(version=41)
    Share.objects.filter(organization_id=cast.org.id).delete()
    rebuild.rollups_rebuild(organization_id=cast.org.id)
    assert not OrganizationDay.objects.filter(organization_id=cast.org.id).exists()
    assert rollups_version_get(organization_id=cast.org.id).endswith(".42")


def test_a_version_row_made_again_never_matches_one_seen_before(cast):
    _share(cast.org)
    rollups.rollups_update()
    before = rollups_version_get(organization_id=cast.org.id)
    RollupVersion.objects.all().delete()
    rollups.rollups_version_bump(organization_ids=[cast.org.id])
    assert rollups_version_get(organization_id=cast.org.id) != before


def test_the_organizations_figures_are_read_once_while_the_rollups_are_unchanged(cast):
    _share(cast.org, followers=300)
    rollups.rollups_update()
    scope, filters = Scope(cast.org.id, None), _filters(cast.org)
    first = figures.sharers(scope, filters)
    figures.posts(scope, filters)
    with CaptureQueriesContext(connection) as again:
        assert figures.sharers(scope, filters) == first
        figures.posts(scope, filters)
    period_reads = [
        query["sql"]
        for query in again.captured_queries
        if "analytics_memberday" in query["sql"] or "analytics_postday" in query["sql"]
    ]
    # Neither the ranking nor the top posts' two sides are read again.
    assert period_reads == []


def test_after_a_write_today_only_the_recent_days_and_the_top_posts_sides_are_read(cast):
    _share(cast.org, followers=300)
    rollups.rollups_update()
    scope, filters = Scope(cast.org.id, None), _filters(cast.org)
    figures.posts(scope, filters)
    _share(cast.org, followers=50)
    rollups.rollups_update()
    with CaptureQueriesContext(connection) as again:
        assert len(figures.posts(scope, filters)) == 2
    reads = [query["sql"] for query in again.captured_queries if "analytics_postday" in query["sql"]]
    # The recent days' scores, then both sides of the posts kept.
    assert len(reads) == 2 and '"post_id" IN' in reads[1]


def test_figures_read_after_the_rollups_changed_are_the_new_ones(cast):
    share = _share(cast.org, followers=300)
    rollups.rollups_update()
    scope, filters = Scope(cast.org.id, None), _filters(cast.org)
    assert figures.sharers(scope, filters)[0].side.potential_reach == 300
    before_posts = figures.posts(scope, filters)
    before_trail = distribution_trail(scope=scope, filters=filters)

    second = ShareFactory(profile=share.profile, followers_at_share=500)
    rollups.rollups_update()

    [row] = figures.sharers(scope, filters)
    assert (row.member_id, row.side.potential_reach, row.side.shares) == (share.member_id, 800, 2)
    after_posts = figures.posts(scope, filters)
    assert {row.post_id for row in after_posts} == {share.post_id, second.post_id}
    assert sum(row.reach.employees.potential_reach for row in after_posts) == 800
    assert before_posts != after_posts
    after_trail = distribution_trail(scope=scope, filters=filters)
    assert after_trail[-1].distribution.employee_reach == 800
    assert before_trail[-1].distribution.employee_reach == 300


def test_a_teams_figures_are_never_taken_from_the_organizations_cache(cast):
    inside = MembershipFactory(organization=cast.org, teams=[cast.nordics])
    profile = SocialProfileFactory(owner_membership=inside, network="bluesky", followers=100)
    ShareFactory(profile=profile)
    _share(cast.org, followers=900)
    rollups.rollups_update()
    filters = _filters(cast.org)
    assert len(figures.sharers(Scope(cast.org.id, None), filters)) == 2
    team = Scope(cast.org.id, frozenset({cast.nordics.id}))
    assert {row.member_id for row in figures.sharers(team, filters)} == {inside.id}


# -- settled days: cached across the many writes to the last few days -------------------


def _history(org, rng: random.Random, days: int = 40):
    people = [MembershipFactory(organization=org) for _ in range(6)]
    profiles = [
        SocialProfileFactory(owner_membership=person, network=network, followers=rng.randint(10, 900))
        for person in people
        for network in ("bluesky", "mastodon")
    ]
    profiles.append(company_profile(org, followers=3000))
    now = timezone.now()
    for _ in range(50):
        profile = rng.choice(profiles)
        share = ShareFactory(
            profile=profile,
            member=profile.owner_membership,
            posted_at=now - timedelta(days=rng.randint(0, days), hours=rng.randint(1, 20)),
        )
        link = TrackedLinkFactory(share=share)
        ClickFactory(link=link, at=share.posted_at + timedelta(minutes=5), visitor=rng.choice("ab"))
    rollups.rollups_update(now=now + timedelta(minutes=10), enrol_since=None)
    return profiles


def _assert_figures_equal_direct_reads(scope, filters):
    # Without a limit, neither is read through the cache.
    assert figures.sharers(scope, filters) == figures.sharers(scope, filters, limit=None)[:10]
    assert figures.posts(scope, filters) == figures.posts(scope, filters, limit=None)[:10]


def test_a_share_booked_today_leaves_the_settled_version_as_it_was(cast):
    _share(cast.org)
    rollups.rollups_update()
    settled = rollups_version_get(organization_id=cast.org.id, settled=True)
    version = rollups_version_get(organization_id=cast.org.id)
    _share(cast.org)
    rollups.rollups_update()
    assert rollups_version_get(organization_id=cast.org.id, settled=True) == settled
    assert rollups_version_get(organization_id=cast.org.id) != version


def test_a_share_enrolled_days_after_it_was_posted_moves_the_settled_version_on(cast):
    _share(cast.org)
    rollups.rollups_update()
    settled = rollups_version_get(organization_id=cast.org.id, settled=True)
    _share(cast.org, posted_at=timezone.now() - timedelta(days=RollupVersion.SETTLED_AFTER_DAYS, hours=1))
    rollups.rollups_update(enrol_since=None)
    assert rollups_version_get(organization_id=cast.org.id, settled=True) != settled


@pytest.mark.parametrize("days", [7, 30, 90])
def test_settled_days_from_the_cache_and_fresh_days_add_up_to_a_direct_read(cast, days):
    profiles = _history(cast.org, random.Random(days))
    scope = Scope(cast.org.id, None)
    today = timezone.localdate()
    filters = Filters(start=today - timedelta(days=days - 1), end=today, days=days, timezone="UTC")
    _assert_figures_equal_direct_reads(scope, filters)
    _assert_figures_equal_direct_reads(scope, filters)  # from the cache

    # Today's writes: the settled days are not read again, and the figures are the new ones.
    ShareFactory(profile=profiles[0], member=profiles[0].owner_membership, followers_at_share=777)
    rollups.rollups_update()
    with CaptureQueriesContext(connection) as reads:
        top = figures.posts(scope, filters)
    score_reads = [
        query["sql"]
        for query in reads.captured_queries
        if "analytics_postday" in query["sql"] and '"post_id" IN' not in query["sql"]
    ]
    assert score_reads and not any(str(filters.start) in sql for sql in score_reads)
    assert top == figures.posts(scope, filters, limit=None)[:10]
    _assert_figures_equal_direct_reads(scope, filters)

    # A share enrolled late on a settled day: everything is read again.
    late = ShareFactory(
        profile=profiles[1], member=profiles[1].owner_membership, posted_at=timezone.now() - timedelta(days=5)
    )
    rollups.rollups_update(enrol_since=None)
    mine = figures.sharer_row(scope, filters, member_id=late.member_id)
    assert mine in figures.sharers(scope, filters, limit=None)
    _assert_figures_equal_direct_reads(scope, filters)


def test_a_past_period_is_read_from_the_cache_alone(cast):
    _history(cast.org, random.Random(5))
    scope = Scope(cast.org.id, None)
    end = timezone.localdate() - timedelta(days=10)
    filters = Filters(start=end - timedelta(days=20), end=end, timezone="UTC")
    first = figures.sharers(scope, filters)
    with CaptureQueriesContext(connection) as reads:
        assert figures.sharers(scope, filters) == first
    assert not any("analytics_memberday" in query["sql"] for query in reads.captured_queries)
