"""The top sharers, adoption and distribution index summed in the database give the
figures the per-person Python work gave: nested teams, several networks, people who
left, a person in two teams, ties, the organization's and a manager's scope, and
another organization's rows beside them that never count. And the dashboard page reads
no more queries than before."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from analytics.distribution import gini, normalized_entropy
from analytics.forms import Filters
from analytics.reach import Side, engagements_of
from analytics.selectors import dashboard as figures
from analytics.selectors.distribution import distribution_trail, trail_buckets
from analytics.selectors.scope import Scope, employees_in, scope_for
from analytics.services import rollups
from content.models import Topic
from employees.models import Membership, SocialProfile
from tests.factories import (
    ClickFactory,
    MembershipFactory,
    PostFactory,
    ShareFactory,
    SocialProfileFactory,
    TeamFactory,
    TrackedLinkFactory,
    company_profile,
)

# -- the old computation, kept here as the reference ---------------------------------------


def _python_totals(scope: Scope, filters: Filters) -> dict[int, dict[str, int]]:
    rows = figures.member_rows(scope, filters).values("member_id").order_by().annotate(**figures.measure_sums())
    return {row["member_id"]: figures.measures_of(row) for row in rows}


def _python_sharers(scope: Scope, filters: Filters, limit: int | None) -> list[figures.SharerRow]:
    totals = _python_totals(scope, filters)

    def key(item):
        measures = item[1]
        return (-(engagements_of(measures) + measures["clicks"]), -measures["potential_reach"], item[0])

    ranked = sorted(totals.items(), key=key)[:limit]
    names = figures.member_names([member_id for member_id, _m in ranked])
    return [figures.SharerRow(member_id, names.get(member_id, "—"), Side.of(m)) for member_id, m in ranked]


def _python_people(scope: Scope, filters: Filters) -> set[int]:
    return set(employees_in(scope.narrowed_to(filters.team_id)).values_list("id", flat=True))


def _python_adoption(scope: Scope, filters: Filters) -> figures.Adoption:
    totals, people = _python_totals(scope, filters), _python_people(scope, filters)
    profiles = SocialProfile.objects.filter(
        organization_id=scope.organization_id, state=SocialProfile.State.ACTIVE, owner_membership__isnull=False
    )
    if filters.network:
        profiles = profiles.filter(network=filters.network)
    owners = set(profiles.values_list("owner_membership_id", flat=True))
    active = sum(1 for member_id, measures in totals.items() if member_id in people and measures["shares"] > 0)
    return figures.Adoption(employees=len(people), connected=len(owners & people), active=active)


def _python_distribution(scope: Scope, filters: Filters, start, end) -> dict:
    """Every person's reach in the span, the scope's employees who reached no one as
    zeros, and the figures worked out over that list."""
    span = replace(filters, start=start, end=end)
    rows = figures.member_rows(scope, span).filter(potential_reach__gt=0).values("member_id").order_by()
    reaches = {row["member_id"]: int(row["reach"]) for row in rows.annotate(reach=Sum("potential_reach"))}
    zeros = len(_python_people(scope, filters) - reaches.keys())
    values = sorted(reaches.values(), reverse=True) + [0] * zeros
    company = figures.sources_for(scope, span).company.aggregate(reach=Sum("potential_reach"))["reach"] or 0
    total = sum(values)
    coefficient = gini(values)
    top = sorted(values, reverse=True)[: max(1, math.ceil(len(values) * 0.03))]
    return {
        "company_reach": int(company),
        "employee_reach": total,
        "employees": len(values),
        "senders": sum(1 for value in values if value > 0),
        "evenness": None if coefficient is None else 1 - coefficient,
        "entropy": normalized_entropy(values),
        "top_share": sum(top) / total if total else None,
    }


# -- seeded data ---------------------------------------------------------------------------


def _share(person, post, *, network: str, followers: int, days_ago: int, clicks: int = 0) -> None:
    profile = SocialProfileFactory(owner_membership=person, followers=followers, network=network)
    posted = timezone.now() - timedelta(days=days_ago, hours=2)
    share = ShareFactory(profile=profile, post=post, posted_at=posted)
    link = TrackedLinkFactory(share=share)
    for _ in range(clicks):
        ClickFactory(link=link, at=posted + timedelta(minutes=5))


@pytest.fixture
def company(cast):
    """Sales > Nordics > Denmark > Aarhus beside Marketing, people at each level sharing
    on three networks over six weeks; and the other organization, sharing more."""
    denmark = TeamFactory(organization=cast.org, name="Denmark", parent=cast.nordics)
    aarhus = TeamFactory(organization=cast.org, name="Aarhus", parent=denmark)
    topic = Topic.objects.create(organization=cast.org, name="Harbour")
    post = PostFactory.published(organization=cast.org, title="Harbour news")
    post.topics.add(topic)
    other_post = PostFactory.published(organization=cast.org, title="Canteen menu")
    people = {
        "ane": MembershipFactory(organization=cast.org, teams=[aarhus], user__name="Ane Aarhus"),
        "bo": MembershipFactory(organization=cast.org, teams=[aarhus], user__name="Bo Aarhus"),
        "dan": MembershipFactory(organization=cast.org, teams=[denmark, aarhus], user__name="Dan Denmark"),
        "nils": MembershipFactory(organization=cast.org, teams=[cast.nordics], user__name="Nils Nordics"),
        "mia": MembershipFactory(organization=cast.org, teams=[cast.marketing, cast.sales], user__name="Mia Both"),
        "kim": MembershipFactory(organization=cast.org, teams=[cast.marketing], user__name="Kim Marketing"),
        "lone": MembershipFactory(organization=cast.org, user__name="Lone Noteam"),
        "gone": MembershipFactory(organization=cast.org, teams=[denmark], is_active=False, user__name="Gone Left"),
    }
    for n in range(6):
        MembershipFactory(organization=cast.org, teams=[aarhus if n % 2 else cast.marketing])
    # Connected but never shared, and a profile that needs reconnecting.
    SocialProfileFactory(owner_membership=people["bo"], network="mastodon")
    SocialProfileFactory(owner_membership=cast.mike, network="linkedin", state=SocialProfile.State.NEEDS_RECONNECT)
    plan = [
        ("ane", post, "bluesky", 1200, 1, 2),
        ("ane", other_post, "mastodon", 300, 12, 0),
        ("dan", post, "bluesky", 450, 3, 1),
        ("dan", other_post, "linkedin", 450, 25, 1),
        ("nils", other_post, "bluesky", 80, 40, 0),
        ("mia", post, "mastodon", 2500, 5, 3),
        ("kim", post, "bluesky", 700, 8, 1),
        # Equal figures to kim's: the lower id comes first.
        ("lone", post, "bluesky", 700, 9, 1),
        ("gone", post, "linkedin", 60, 20, 4),
    ]
    for name, shared, network, followers, days_ago, clicks in plan:
        _share(people[name], shared, network=network, followers=followers, days_ago=days_ago, clicks=clicks)
    _share(cast.emma, other_post, network="bluesky", followers=900, days_ago=2, clicks=1)
    _share(cast.alice, post, network="linkedin", followers=5000, days_ago=4)  # an admin, no employee
    for days_ago in (1, 15, 33):
        ShareFactory(
            profile=company_profile(cast.org, followers=4000, network="bluesky"),
            member=None,
            post=post,
            posted_at=timezone.now() - timedelta(days=days_ago),
        )

    other = cast.other_org
    other_team = TeamFactory(organization=other, name="Sales")
    other_post = PostFactory.published(organization=other, title="Their news")
    for n in range(4):
        person = MembershipFactory(organization=other, teams=[other_team])
        _share(person, other_post, network="bluesky", followers=10_000, days_ago=n, clicks=5)
    rollups.rollups_update(enrol_since=None)
    return {"topic": topic, "denmark": denmark, "people": people}


def _filters(**fields) -> Filters:
    today = timezone.localdate()
    return Filters(start=today - timedelta(days=29), end=today, days=30, **fields)


def _cases(cast, company) -> list[tuple[str, Scope, Filters]]:
    organization, manager = Scope(cast.org.id, None), scope_for(cast.mike)
    return [
        ("organization", organization, _filters()),
        ("organization, one network", organization, _filters(network="bluesky")),
        ("organization, a topic", organization, _filters(topic_id=company["topic"].id)),
        ("organization, one team", organization, _filters(team_id=company["denmark"].id)),
        ("organization, a week", organization, replace(_filters(), start=timezone.localdate() - timedelta(days=6))),
        ("manager", manager, _filters()),
        ("manager, one network", manager, _filters(network="linkedin")),
        ("manager, a topic", manager, _filters(topic_id=company["topic"].id)),
    ]


# -- equal figures -------------------------------------------------------------------------


@pytest.mark.parametrize("limit", [3, 10, None])
def test_top_sharers_in_sql_equal_the_python_ranking(cast, company, limit):
    for label, scope, filters in _cases(cast, company):
        assert figures.sharers(scope, filters, limit=limit) == _python_sharers(scope, filters, limit), label
        # Again, from the cache where the organization's are cached.
        assert figures.sharers(scope, filters, limit=limit) == _python_sharers(scope, filters, limit), label


def test_the_ranking_keeps_its_tie_break_and_leaves_the_other_organization_out(cast, company):
    rows = figures.sharers(Scope(cast.org.id, None), _filters(), limit=None)
    names = [row.name for row in rows]
    # Those who left still rank; the other organization's people never do.
    assert names[0] == "Gone Left" and "Gone Left" in names
    assert {row.member_id for row in rows} <= set(
        Membership.objects.filter(organization=cast.org).values_list("id", flat=True)
    )
    kim, lone = company["people"]["kim"], company["people"]["lone"]
    assert [row.member_id for row in rows if row.member_id in {kim.id, lone.id}] == sorted([kim.id, lone.id])


def test_adoption_counts_in_sql_equal_the_python_sets(cast, company):
    for label, scope, filters in _cases(cast, company):
        assert figures.adoption(scope, filters) == _python_adoption(scope, filters), label
    everyone = figures.adoption(Scope(cast.org.id, None), _filters())
    assert (everyone.employees, everyone.connected, everyone.active) == (16, 8, 6)


def test_the_distribution_trail_in_sql_equals_the_python_figures(cast, company):
    for label, scope, filters in _cases(cast, company):
        spans = [*trail_buckets(filters), (filters.start, filters.end)]
        trail = distribution_trail(scope=scope, filters=filters)
        assert [(point.start, point.end) for point in trail] == spans, label
        for point in trail:
            expected = _python_distribution(scope, filters, point.start, point.end)
            for name, value in expected.items():
                seen = getattr(point.distribution, name)
                where = (label, point.start, point.end, name)
                if isinstance(value, float):
                    assert seen == pytest.approx(value, rel=1e-9, abs=1e-12), where
                else:
                    assert seen == value, where
    whole = distribution_trail(scope=Scope(cast.org.id, None), filters=_filters())[-1].distribution
    # Reach spread unevenly over many: none of the figures is trivially 0, 1 or None.
    assert 0 < whole.evenness < 1 and 0 < whole.entropy < 1 and 0 < whole.top_share < 1
    assert whole.senders < whole.employees


# -- the dashboard's queries -------------------------------------------------------------


def _dashboard_queries(client) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(reverse("analytics:dashboard")).status_code == 200
    return len(context.captured_queries)


def test_the_dashboard_page_counts_its_queries(cast, company, login):
    # Before the top sharers, adoption and distribution were summed in the database, the
    # page read 25 queries for the organization with a cold cache, 17 warm, and 26 for a
    # manager (whose figures were never cached). Adoption is three counts (one aggregate
    # with a FILTER (WHERE id IN …) per count re-ran its subquery per person at 50,000).
    # Figures that depend on teams as well are cached under the people version too: warm,
    # the organization's page reads 18 → 11 queries, a manager's 26 → 15.
    organization = login(cast.carol)
    assert _dashboard_queries(organization) == 23
    assert _dashboard_queries(organization) == 11
    manager = login(cast.mike)
    assert _dashboard_queries(manager) == 26
    assert _dashboard_queries(manager) == 15
