"""Cached reads of the rollups: kept while the rollups are unchanged, never after."""

from __future__ import annotations

from datetime import timedelta

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
from tests.analytics.factories import ClickFactory, ShareFactory, TrackedLinkFactory
from tests.factories import MembershipFactory, SocialProfileFactory


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
    first = figures.member_totals(scope, filters)
    with CaptureQueriesContext(connection) as again:
        assert figures.member_totals(scope, filters) == first
        figures.posts(scope, filters)
        figures.posts(scope, filters)
    assert "analytics_memberday" not in " ".join(query["sql"] for query in again.captured_queries)
    assert sum("analytics_postday" in query["sql"] for query in again.captured_queries) <= 2


def test_figures_read_after_the_rollups_changed_are_the_new_ones(cast):
    share = _share(cast.org, followers=300)
    rollups.rollups_update()
    scope, filters = Scope(cast.org.id, None), _filters(cast.org)
    assert figures.member_totals(scope, filters)[share.member_id]["potential_reach"] == 300
    before_posts = figures.posts(scope, filters)
    before_trail = distribution_trail(scope=scope, filters=filters)

    second = ShareFactory(profile=share.profile, followers_at_share=500)
    rollups.rollups_update()

    totals = figures.member_totals(scope, filters)
    assert totals[share.member_id]["potential_reach"] == 800
    assert totals[share.member_id]["shares"] == 2
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
    assert len(figures.member_totals(Scope(cast.org.id, None), filters)) == 2
    team = Scope(cast.org.id, frozenset({cast.nordics.id}))
    assert set(figures.member_totals(team, filters)) == {inside.id}
