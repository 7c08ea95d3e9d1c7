"""Works-council mode: small teams' figures are never shown on their own (page, chart or
CSV) yet still count in the totals; the leaderboard lists only the people who opt in; and
every employee sees the figures about them that their managers and comms see."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.urls import reverse

from analytics.models import AnalyticsSettings, LeaderboardOptIn
from analytics.selectors.exports import TABLES
from analytics.services import rollups
from employees.models import AuditEvent
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

MIN_SIZE = 3
TINY = "Tiny Lighthouse Crew"
BIG = "Big Harbour Crew"


def _csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


def _council(org, *, on: bool, size: int = MIN_SIZE) -> None:
    AnalyticsSettings.objects.update_or_create(
        organization=org, defaults={"works_council": on, "council_min_team_size": size}
    )


@pytest.fixture
def crews(cast):
    """A team one person short of the smallest size shown (under Sales, which the manager
    sees), and a team just big enough; everyone in both shared a post and got a click."""
    post = PostFactory.published(organization=cast.org, title="Harbour news")
    tiny = TeamFactory(organization=cast.org, name=TINY, parent=cast.sales)
    big = TeamFactory(organization=cast.org, name=BIG)
    tiny_people = [
        MembershipFactory(organization=cast.org, teams=[tiny], user__name=f"Tina Tiny{n}") for n in range(MIN_SIZE - 1)
    ]
    big_people = [
        MembershipFactory(organization=cast.org, teams=[big], user__name=f"Bert Big{n}") for n in range(MIN_SIZE)
    ]
    for person in tiny_people + big_people:
        share = ShareFactory(profile=SocialProfileFactory(owner_membership=person, followers=700), post=post)
        ClickFactory(link=TrackedLinkFactory(share=share))
    ShareFactory(profile=company_profile(cast.org), member=None, post=post)
    rollups.rollups_update()
    return {"post": post, "tiny": tiny, "big": big, "tiny_people": tiny_people, "big_people": big_people}


def _export(client, table, post, **params):
    if table == "post_shares":
        params["post"] = post.id
    return client.get(reverse("analytics:export", args=[table]), params)


def _without_filter_options(html: str, team) -> str:
    """The page without the team filter's list of teams and the manager's list of the teams
    they manage (a name there is a choice or who is managed, not a figure)."""
    html = re.sub(rf'<option value="{team.id}"[^>]*>[^<]*</option>', "", html)
    return re.sub(r"the people in your teams:[^<]*</p>", "", html)


@pytest.mark.parametrize("table", sorted(TABLES))
@pytest.mark.parametrize("who", ["carol", "mike"])
def test_no_export_shows_a_small_team_in_works_council_mode(cast, login, crews, table, who):
    _council(cast.org, on=True)
    response = _export(login(getattr(cast, who)), table, crews["post"])
    assert response.status_code == 200
    body = "\n".join(",".join(row) for row in _csv(response))
    assert TINY not in body
    if table == "teams" and who == "carol":
        assert BIG in body


@pytest.mark.parametrize("who", ["carol", "mike"])
def test_with_works_council_mode_off_the_small_team_is_in_the_team_table_and_its_csv(cast, login, crews, who):
    _council(cast.org, on=False)
    client = login(getattr(cast, who))
    teams = [row[1] for row in _csv(_export(client, "teams", crews["post"]))[1:]]
    assert TINY in teams
    assert TINY in _without_filter_options(client.get(reverse("analytics:dashboard")).content.decode(), crews["tiny"])


@pytest.mark.parametrize("who", ["carol", "mike"])
def test_the_dashboard_hides_a_small_team_and_says_it_is_counted(cast, login, crews, who):
    _council(cast.org, on=True)
    client = login(getattr(cast, who))
    for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
        response = client.get(reverse("analytics:dashboard"), **headers)
        assert response.status_code == 200
        page = _without_filter_options(response.content.decode(), crews["tiny"])
        assert TINY not in page
        assert response.context["overview"].teams.hidden >= 1
        assert 'id="small-teams-hidden"' in page
    if who == "carol":
        assert BIG in [row.name for row in response.context["overview"].teams]
    for name in ("analytics:leaderboard",):
        assert TINY not in _without_filter_options(client.get(reverse(name)).content.decode(), crews["tiny"])
    report = client.get(reverse("analytics:post_report", args=[crews["post"].id]))
    assert TINY not in _without_filter_options(report.content.decode(), crews["tiny"])


def test_hidden_teams_still_count_in_the_totals(cast, login, crews):
    client = login(cast.carol)
    _council(cast.org, on=False)
    shown_off = client.get(reverse("analytics:dashboard")).context["overview"]
    reach_off = _csv(_export(client, "reach", crews["post"]))
    adoption_off = _csv(_export(client, "adoption", crews["post"]))
    _council(cast.org, on=True)
    shown_on = client.get(reverse("analytics:dashboard")).context["overview"]
    assert _csv(_export(client, "reach", crews["post"])) == reach_off
    assert _csv(_export(client, "adoption", crews["post"])) == adoption_off
    assert shown_on.reach == shown_off.reach
    assert shown_on.adoption == shown_off.adoption
    # The small team's people are in those totals: every sharer's share is counted.
    everyone = len(crews["tiny_people"]) + len(crews["big_people"])
    assert shown_on.reach.employees.shares == everyone
    assert shown_on.adoption.active == everyone
    assert len(shown_on.teams) < len(shown_off.teams)


@pytest.mark.parametrize("who", ["carol", "mike"])
def test_a_filter_to_a_small_team_shows_the_note_and_no_figures(cast, login, crews, who):
    _council(cast.org, on=True)
    client = login(getattr(cast, who))
    response = client.get(reverse("analytics:dashboard"), {"team": crews["tiny"].id})
    page = response.content.decode()
    assert response.status_code == 200
    assert f"fewer than {MIN_SIZE} people" in page
    assert 'id="team-too-small"' in page
    assert "overview" not in response.context
    assert 'class="kpis"' not in page
    report = client.get(reverse("analytics:post_report", args=[crews["post"].id]), {"team": crews["tiny"].id})
    assert f"fewer than {MIN_SIZE} people" in report.content.decode()
    assert "reach" not in report.context and "lines" not in report.context
    dividend = client.get(reverse("analytics:dividend"), {"team": crews["tiny"].id})
    assert f"fewer than {MIN_SIZE} people" in dividend.content.decode()
    exported = _export(client, "sharers", crews["post"], team=crews["tiny"].id)
    assert exported.status_code == 400
    assert f"fewer than {MIN_SIZE} people" in exported.content.decode()
    # A team big enough still shows its figures.
    if who == "carol":
        big = client.get(reverse("analytics:dashboard"), {"team": crews["big"].id})
        assert big.context["overview"].reach.employees.shares == len(crews["big_people"])


def test_the_leaderboard_lists_only_the_people_who_opted_in(cast, login, crews):
    _council(cast.org, on=True)
    listed, unlisted = crews["tiny_people"][0], crews["big_people"][0]
    response = login(listed).post(reverse("analytics:leaderboard_opt_in"), {"listed": "on"})
    assert response.status_code == 302
    assert LeaderboardOptIn.objects.filter(membership=listed).exists()
    event = AuditEvent.objects.get(target="leaderboard listing")
    assert (event.actor, event.detail["listed"]) == (listed.user, True)

    client = login(cast.carol)
    page = client.get(reverse("analytics:leaderboard"))
    names = [row.name for row in page.context["rows"]]
    assert names == [listed.user.get_full_name()]
    assert unlisted.user.get_full_name() not in page.content.decode()
    exported = [row[2] for row in _csv(_export(client, "leaderboard", crews["post"]))[1:]]
    assert exported == [listed.user.get_full_name()]

    # Without works-council mode everyone with points is listed again.
    _council(cast.org, on=False)
    everyone = len(crews["tiny_people"]) + len(crews["big_people"])
    assert len(_csv(_export(client, "leaderboard", crews["post"]))) - 1 == everyone

    # Opting out takes the person off.
    _council(cast.org, on=True)
    login(listed).post(reverse("analytics:leaderboard_opt_in"), {})
    assert not LeaderboardOptIn.objects.filter(membership=listed).exists()
    assert login(cast.carol).get(reverse("analytics:leaderboard")).context["rows"] == []


def test_opting_in_needs_a_post(cast, login, crews):
    assert login(crews["tiny_people"][0]).get(reverse("analytics:leaderboard_opt_in")).status_code == 405


@pytest.mark.parametrize("on", [True, False])
def test_an_employee_sees_what_their_managers_see_about_them(cast, login, crews, on):
    _council(cast.org, on=on)
    person = crews["tiny_people"][0]
    sharers = _csv(_export(login(cast.mike), "sharers", crews["post"]))
    header, rows = sharers[0], {row[0]: row for row in sharers[1:]}
    managers_row = dict(zip(header, rows[str(person.id)], strict=True))

    response = login(person).get(reverse("analytics:my_impact"))
    page = response.content.decode()
    assert "What your managers and comms can see about you" in page
    seen = response.context["seen"].sharer
    for name in ("shares", "potential_reach", "engagements", "clicks"):
        assert str(getattr(seen.side, name)) == managers_row[name]
    assert seen.name == managers_row["name"]
    assert 'id="seen-sharer"' in page
    assert ('id="leaderboard-opt-in"' in page) is on


def test_turning_works_council_mode_on_is_audited(cast, login):
    from tests.analytics.test_settings_page import _form_data

    response = login(cast.alice).post(
        reverse("analytics:settings"), _form_data(works_council="on", council_min_team_size=4)
    )
    assert response.status_code == 302
    saved = AnalyticsSettings.objects.get(organization=cast.org)
    assert (saved.works_council, saved.council_min_team_size) == (True, 4)
    event = AuditEvent.objects.get(action="settings.changed")
    assert event.detail["works_council"] is True
    assert event.detail["council_min_team_size"] == 4
    assert "works_council" in event.detail["changed"]


def test_a_team_size_below_two_is_refused(cast, login):
    from tests.analytics.test_settings_page import _form_data

    response = login(cast.alice).post(
        reverse("analytics:settings"), _form_data(works_council="on", council_min_team_size=1)
    )
    assert response.status_code == 200
    assert "at least 2" in response.content.decode()
    assert not AnalyticsSettings.objects.filter(organization=cast.org, works_council=True).exists()


def test_works_council_mode_is_off_by_default(cast):
    from analytics.selectors.settings import analytics_settings_get

    rules = analytics_settings_get(organization_id=cast.org.id)
    assert (rules.works_council, rules.council_min_team_size) == (False, 5)


def test_a_manager_of_too_few_people_sees_the_note_instead_of_figures(cast, login, crews):
    """A manager's whole view is their teams together: when those are too small, it is a
    small team's view, on the dashboard and in the weekly digest alike."""
    from datetime import date, timedelta

    from analytics.services.digests import digest_context

    tiny_manager = MembershipFactory(organization=cast.org, is_manager=True, teams=[crews["tiny"]])
    week = date.today() + timedelta(days=1)
    _council(cast.org, on=False)
    assert login(tiny_manager).get(reverse("analytics:dashboard")).context["overview"].reach.employees.shares > 0
    assert digest_context(membership=tiny_manager, kind="manager", week=week)["team"].employees.shares > 0

    # The manager is in the team too: it needs one more person than it holds.
    _council(cast.org, on=True, size=MIN_SIZE + 1)
    response = login(tiny_manager).get(reverse("analytics:dashboard"))
    assert f"fewer than {MIN_SIZE + 1} people" in response.content.decode()
    assert "overview" not in response.context
    assert digest_context(membership=tiny_manager, kind="manager", week=week)["team"] is None
    assert _export(login(tiny_manager), "reach", crews["post"]).status_code == 400
    # Mike's teams together are big enough (Sales holds the small team and more).
    assert "overview" in login(cast.mike).get(reverse("analytics:dashboard")).context
