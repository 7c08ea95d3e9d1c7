"""Figures that depend on people and teams as well as on the rollups (the team table,
the distribution, adoption, a manager's figures): cached under the rollup version and
the people version, and read afresh after any change of a person, a team, a team link
or a profile's connection, whichever way it was made."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from analytics.forms import Filters
from analytics.models import RollupVersion
from analytics.selectors import dashboard as figures
from analytics.selectors.distribution import distribution_trail
from analytics.selectors.overview import dashboard_overview
from analytics.selectors.scope import Scope
from analytics.services import rollups
from employees.models import SocialProfile
from employees.profiles import services as profile_services
from employees.services import membership_deactivate
from tests.factories import MembershipFactory, ShareFactory, SocialProfileFactory, TeamFactory


def _filters(org) -> Filters:
    today = timezone.localdate()
    return Filters(start=today - timedelta(days=29), end=today, days=30, timezone=org.timezone)


def _sharer(org, teams, followers=100):
    member = MembershipFactory(organization=org, teams=teams)
    profile = SocialProfileFactory(owner_membership=member, network="bluesky", followers=followers)
    ShareFactory(profile=profile)
    return member, profile


def _people_version(org) -> int:
    return RollupVersion.objects.get(organization_id=org.id).people_version


def _teams(scope, filters) -> dict[str, tuple[int, int]]:
    return {
        row.name: (row.people, row.side.potential_reach)
        for row in figures.teams_page(scope, filters, min_size=None, number=1)
    }


@pytest.fixture
def booked(cast):
    member, profile = _sharer(cast.org, [cast.nordics], followers=300)
    rollups.rollups_update()
    return member, profile


def test_an_unchanged_dashboard_reads_no_team_table_distribution_or_adoption_again(cast, booked):
    scope, filters = Scope(cast.org.id, None), _filters(cast.org)
    first = dashboard_overview(scope=scope, filters=filters)
    with CaptureQueriesContext(connection) as again:
        second = dashboard_overview(scope=scope, filters=filters)
    assert (second.teams.rows, second.adoption, second.trail) == (first.teams.rows, first.adoption, first.trail)
    statements = " ".join(query["sql"] for query in again.captured_queries)
    assert "RECURSIVE" not in statements
    assert "employees_socialprofile" not in statements
    assert "ROW_NUMBER" not in statements


def test_a_person_added_to_a_team_counts_there_at_once(cast, booked):
    member, _profile = booked
    scope, filters = Scope(cast.org.id, None), _filters(cast.org)
    assert _teams(scope, filters)["Marketing"] == (1, 0)  # carol
    before = _people_version(cast.org)

    member.teams.add(cast.marketing)

    assert _people_version(cast.org) == before + 1
    assert _teams(scope, filters)["Marketing"] == (2, 300)


def test_a_team_added_from_the_team_side_or_removed_counts_at_once(cast, booked):
    member, _profile = booked
    scope, filters = Scope(cast.org.id, None), _filters(cast.org)
    assert _teams(scope, filters)["Sales"] == (3, 300)  # mike, emma and the sharer below

    cast.nordics.memberships.remove(member)
    assert _teams(scope, filters)["Sales"] == (2, 0)

    cast.nordics.memberships.add(member)
    assert _teams(scope, filters)["Sales"] == (3, 300)


def test_a_new_team_and_a_renamed_one_show_at_once(cast, booked):
    scope, filters = Scope(cast.org.id, None), _filters(cast.org)
    assert "Support" not in _teams(scope, filters)

    team = TeamFactory(organization=cast.org, name="Support")
    assert "Support" in _teams(scope, filters)

    team.name = "Customer care"
    team.save()
    names = _teams(scope, filters)
    assert "Customer care" in names and "Support" not in names

    team.delete()
    assert "Customer care" not in _teams(scope, filters)


def test_a_person_who_leaves_no_longer_counts_as_an_employee(cast, booked):
    scope, filters = Scope(cast.org.id, None), _filters(cast.org)
    before = figures.adoption(scope, filters)

    membership_deactivate(membership=cast.emma, actor=cast.alice.user)

    after = figures.adoption(scope, filters)
    assert after.employees == before.employees - 1
    trail = distribution_trail(scope=scope, filters=filters)
    assert trail[-1].distribution.employees == after.employees


def test_a_disconnected_profile_no_longer_counts_as_connected(cast, booked):
    _member, profile = booked
    scope, filters = Scope(cast.org.id, None), _filters(cast.org)
    assert figures.adoption(scope, filters).connected == 1

    profile_services.profile_disconnect(profile=profile)

    assert figures.adoption(scope, filters).connected == 0


def test_a_profile_marked_for_reconnecting_by_an_update_counts_at_once(cast, booked):
    _member, profile = booked
    scope, filters = Scope(cast.org.id, None), _filters(cast.org)
    assert figures.adoption(scope, filters).connected == 1

    # Written with QuerySet.update(), which sends no save signal.
    assert profile_services._mark_needs_reconnect(profile.id, "revoked")

    assert SocialProfile.objects.get(pk=profile.pk).state == SocialProfile.State.NEEDS_RECONNECT
    assert figures.adoption(scope, filters).connected == 0


def test_renewed_credentials_leave_the_people_version_as_it_was(cast, booked):
    _member, profile = booked
    before = _people_version(cast.org)
    profile.credentials_refreshed_at = timezone.now()
    profile.save(update_fields=["credentials_refreshed_at", "updated_at"])
    assert _people_version(cast.org) == before


def test_a_change_in_another_organization_leaves_this_ones_version_alone(cast, booked):
    _sharer(cast.other_org, [])
    rollups.rollups_update()
    before = _people_version(cast.org)
    MembershipFactory(organization=cast.other_org)
    assert _people_version(cast.org) == before


def test_a_managers_figures_follow_their_teams(cast, booked):
    member, _profile = booked
    mike = Scope(cast.org.id, frozenset({cast.sales.id, cast.nordics.id}))
    filters = _filters(cast.org)
    assert [row.member_id for row in figures.sharers(mike, filters)] == [member.id]
    assert figures.adoption(mike, filters).active == 1

    member.teams.set([cast.marketing])

    assert figures.sharers(mike, filters) == []
    assert figures.adoption(mike, filters).active == 0
    overview = dashboard_overview(scope=mike, filters=filters)
    assert overview.reach.employees.potential_reach == 0
    assert overview.top_posts == [] or all(row.reach.employees.potential_reach == 0 for row in overview.top_posts)


def test_the_same_figures_through_the_cache_and_without_it(cast, booked):
    _sharer(cast.org, [cast.marketing], followers=50)
    rollups.rollups_update()
    for scope in (Scope(cast.org.id, None), Scope(cast.org.id, frozenset({cast.sales.id, cast.nordics.id}))):
        filters = _filters(cast.org)
        cached = (
            figures.adoption(scope, filters),
            _teams(scope, filters),
            distribution_trail(scope=scope, filters=filters),
        )
        direct = (
            figures.Adoption(*figures._adoption_people(scope, filters), figures._adoption_active(scope, filters)),
            {row.name: (row.people, row.side.potential_reach) for row in figures.by_team(scope, filters)},
            distribution_trail(scope=scope, filters=filters),
        )
        assert cached == direct


def test_a_rollup_write_reads_the_team_sizes_and_connections_not_again(cast, booked):
    _member, profile = booked
    scope, filters = Scope(cast.org.id, None), _filters(cast.org)
    dashboard_overview(scope=scope, filters=filters)
    ShareFactory(profile=profile)
    rollups.rollups_update()

    with CaptureQueriesContext(connection) as after_write:
        overview = dashboard_overview(scope=scope, filters=filters)

    statements = " ".join(query["sql"] for query in after_write.captured_queries)
    # The team page's figures and who shared are read again; team sizes and connections are not.
    assert "RECURSIVE" in statements and "analytics_memberday" in statements
    assert "THEN 1 ELSE 0 END), 0), COUNT(*) FROM sizes" not in statements
    assert "employees_socialprofile" not in statements
    assert overview.adoption.active == 1 and overview.adoption.connected == 1
    assert overview.reach.employees.shares == 2
