"""The team table aggregated in the database gives the figures the per-person Python
walk gave: nested teams, a person in a team and in one below it, people who left, an
empty team, works-council hiding, the organization's and a manager's scope, and
another organization's rows beside them that never show."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from analytics.forms import Filters
from analytics.models import Measures
from analytics.reach import Side
from analytics.selectors import dashboard as figures
from analytics.selectors.scope import Scope, scope_for
from analytics.selectors.teams import TeamRow
from analytics.services import rollups
from content.models import Topic
from employees.models import Membership, Team
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


def _python_team_table(scope: Scope, filters: Filters, min_size: int | None) -> tuple[list[TeamRow], int]:
    """The team table as it was worked out before: every person's sums, every team link,
    a walk down the tree per team and set unions in Python."""
    totals = {
        row["member_id"]: figures.measures_of(row)
        for row in figures.member_rows(scope, filters).values("member_id").order_by().annotate(**figures.measure_sums())
    }
    everyone = Team.objects.filter(organization_id=scope.organization_id).order_by("name", "id")
    teams, children = [], {}
    for team_id, name, parent_id in everyone.values_list("id", "name", "parent_id"):
        if scope.team_ids is None or team_id in scope.team_ids:
            teams.append((team_id, name))
        if parent_id is not None:
            children.setdefault(parent_id, []).append(team_id)
    members_of: dict[int, set[int]] = {}
    links = Membership.teams.through.objects.filter(team__organization_id=scope.organization_id)
    for team_id, member_id in links.values_list("team_id", "membership_id"):
        members_of.setdefault(team_id, set()).add(member_id)
    rows, hidden = [], 0
    for team_id, name in teams:
        members, stack = set(), [team_id]
        while stack:
            current = stack.pop()
            members |= members_of.get(current, set())
            stack.extend(children.get(current, []))
        if min_size is not None and len(members) < min_size:
            hidden += 1
            continue
        present = members & totals.keys()
        sums = {name: sum(totals[member][name] for member in present) for name in Measures.MEASURES}
        active = sum(1 for member in present if totals[member]["shares"] > 0)
        rows.append(TeamRow(team_id, name, len(members), active, Side.of(sums)))
    return rows, hidden


def _share(person, post, *, followers: int, clicks: int = 0) -> None:
    profile = SocialProfileFactory(owner_membership=person, followers=followers, network="bluesky")
    share = ShareFactory(profile=profile, post=post)
    link = TrackedLinkFactory(share=share)
    for _ in range(clicks):
        ClickFactory(link=link)


@pytest.fixture
def tree(cast):
    """Sales > Nordics > Denmark > Aarhus, with people at each level, beside Marketing;
    and a copy of the same tree in the other organization, with shares of its own."""
    denmark = TeamFactory(organization=cast.org, name="Denmark", parent=cast.nordics)
    aarhus = TeamFactory(organization=cast.org, name="Aarhus", parent=denmark)
    TeamFactory(organization=cast.org, name="Empty corner", parent=denmark)
    topic = Topic.objects.create(organization=cast.org, name="Harbour")
    post = PostFactory.published(organization=cast.org, title="Harbour news")
    post.topics.add(topic)
    other_post = PostFactory.published(organization=cast.org, title="Canteen menu")
    people = {
        "ane": MembershipFactory(organization=cast.org, teams=[aarhus]),
        "bo": MembershipFactory(organization=cast.org, teams=[aarhus]),
        # In a team and in one below it: counted once in every team above both.
        "dan": MembershipFactory(organization=cast.org, teams=[denmark, aarhus]),
        "nils": MembershipFactory(organization=cast.org, teams=[cast.nordics]),
        "mia": MembershipFactory(organization=cast.org, teams=[cast.marketing, cast.sales]),
        # Left the company: their past shares stay in their teams' history.
        "gone": MembershipFactory(organization=cast.org, teams=[denmark], is_active=False),
    }
    _share(people["ane"], post, followers=1200, clicks=2)
    _share(people["ane"], other_post, followers=300)
    _share(people["dan"], post, followers=450, clicks=1)
    _share(people["nils"], other_post, followers=80)
    _share(people["mia"], post, followers=2500, clicks=3)
    _share(people["gone"], post, followers=60)
    _share(cast.emma, other_post, followers=900, clicks=1)
    ShareFactory(profile=company_profile(cast.org), member=None, post=post)

    other = cast.other_org
    other_sales = TeamFactory(organization=other, name="Sales")
    other_denmark = TeamFactory(organization=other, name="Denmark", parent=other_sales)
    other_post = PostFactory.published(organization=other, title="Their news")
    for _n in range(4):
        _share(MembershipFactory(organization=other, teams=[other_denmark]), other_post, followers=10_000, clicks=5)
    rollups.rollups_update()
    return {"denmark": denmark, "aarhus": aarhus, "topic": topic, "people": people}


def _filters(**fields) -> Filters:
    today = timezone.localdate()
    return Filters(start=today - timedelta(days=29), end=today, **fields)


@pytest.mark.parametrize("min_size", [None, 2, 3])
@pytest.mark.parametrize("filtered", ["none", "topic", "network", "team"])
def test_the_organization_team_table_in_sql_equals_the_python_walk(cast, tree, min_size, filtered):
    filters = {
        "none": _filters(),
        "topic": _filters(topic_id=tree["topic"].id),
        "network": _filters(network="bluesky"),
        "team": _filters(team_id=cast.nordics.id),
    }[filtered]
    scope = Scope(cast.org.id, None)
    expected_rows, expected_hidden = _python_team_table(scope, filters, min_size)
    table = figures.by_team(scope, filters, min_size=min_size)
    assert (table.rows, table.hidden) == (expected_rows, expected_hidden)
    # The figures are not all zeros, and only this organization's teams are there.
    assert any(row.side.potential_reach for row in table.rows)
    shown = {row.team_id for row in table.rows}
    assert shown <= set(Team.objects.filter(organization=cast.org).values_list("id", flat=True))
    assert len(shown) + table.hidden == Team.objects.filter(organization=cast.org).count()


@pytest.mark.parametrize("min_size", [None, 3])
def test_a_managers_team_table_in_sql_equals_the_python_walk(cast, tree, min_size):
    scope = scope_for(cast.mike)
    filters = _filters()
    expected_rows, expected_hidden = _python_team_table(scope, filters, min_size)
    table = figures.by_team(scope, filters, min_size=min_size)
    assert (table.rows, table.hidden) == (expected_rows, expected_hidden)
    assert {row.name for row in table.rows} | ({"Empty corner"} if min_size else set()) >= {"Sales", "Nordics"}
    assert "Marketing" not in {row.name for row in table.rows}


def test_the_sql_team_table_counts_people_once_and_keeps_those_who_left(cast, tree):
    rows = {row.name: row for row in figures.by_team(Scope(cast.org.id, None), _filters()).rows}
    # Denmark: ane, bo, dan (in Denmark and Aarhus: once), gone.
    assert (rows["Denmark"].people, rows["Denmark"].active) == (4, 3)
    # Sales: the four of Denmark, nils and emma of Nordics, mia and mike.
    assert (rows["Sales"].people, rows["Sales"].active) == (8, 6)
    assert rows["Sales"].side.potential_reach == 1200 + 300 + 450 + 80 + 2500 + 60 + 900
    assert (rows["Empty corner"].people, rows["Empty corner"].side.shares) == (0, 0)


def test_the_dashboard_pages_the_team_table(cast, tree, login, settings):
    from analytics.selectors import teams

    for n in range(teams.TEAMS_PER_PAGE + 3):
        TeamFactory(organization=cast.org, name=f"Zulu crew {n:02d}")
    client = login(cast.carol)
    first = client.get("/analytics/").content.decode()
    assert 'id="team-pages"' in first
    assert "<td>Aarhus</td>" in first and "<td>Zulu crew 27</td>" not in first
    second = client.get("/analytics/", {"teams_page": "2"}, headers={"HX-Request": "true"}).content.decode()
    assert "<td>Zulu crew 27</td>" in second and "<td>Aarhus</td>" not in second
    assert 'hx-get="/analytics/?' in second and "teams_page=1" in second
    # A page number that is no number shows the first page rather than an error.
    assert "<td>Aarhus</td>" in client.get("/analytics/", {"teams_page": "x"}).content.decode()
