"""The reach dashboard: roles, scoping, filters and what it shows."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from analytics.services import rollups
from tests.factories import (
    MembershipFactory,
    PostFactory,
    ShareFactory,
    SocialProfileFactory,
    TeamFactory,
    TopicFactory,
    company_profile,
)


def _share(member, followers=100, **fields):
    profile = SocialProfileFactory(owner_membership=member, network="bluesky", followers=followers)
    return ShareFactory(profile=profile, **fields)


@pytest.fixture
def activity(cast):
    """Emma (Nordics, under Sales) and Carol (Marketing) shared; the company too."""
    sven = MembershipFactory(organization=cast.org, teams=[cast.nordics], user__name="Sven Nordic")
    mia = MembershipFactory(organization=cast.org, teams=[cast.marketing], user__name="Mia Marketing")
    cast.emma.user.name = "Emma Employee"
    cast.emma.user.save()
    _share(cast.emma, followers=300)
    _share(sven, followers=200)
    _share(mia, followers=4000)
    ShareFactory(profile=company_profile(cast.org, followers=1000), member=None)
    rollups.rollups_update()
    return {"sven": sven, "mia": mia}


def test_an_employee_is_refused_the_dashboard(cast, login):
    assert login(cast.emma).get(reverse("analytics:dashboard")).status_code == 403


def test_an_anonymous_visitor_is_sent_to_log_in(client):
    response = client.get(reverse("analytics:dashboard"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_comms_see_the_whole_organizations_combined_reach(cast, login, activity):
    page = login(cast.carol).get(reverse("analytics:dashboard")).content.decode()
    assert "5,500" in page  # 300 + 200 + 4000 employees + 1000 company
    assert "4,500" in page  # employees
    assert "4.5×" in page  # amplification ratio
    assert "Mia Marketing" in page and "Sven Nordic" in page


def test_a_manager_sees_the_company_and_their_teams_but_never_another_teams_people(cast, login, activity):
    page = login(cast.mike).get(reverse("analytics:dashboard")).content.decode()
    assert "Sven Nordic" in page and "Emma Employee" in page
    assert "Mia Marketing" not in page
    assert "1,500" in page  # company 1000 + Emma 300 + Sven 200
    assert "4,000" not in page
    assert ">Marketing<" not in page  # nor the other team in the filters or team table


def test_a_manager_cannot_widen_the_view_with_another_teams_id(cast, login, activity):
    page = login(cast.mike).get(reverse("analytics:dashboard"), {"team": cast.marketing.id}).content.decode()
    assert "Mia Marketing" not in page
    assert "were not valid" in page


def test_a_manager_can_narrow_the_view_to_a_team_below_theirs(cast, login, activity):
    page = login(cast.mike).get(reverse("analytics:dashboard"), {"team": cast.nordics.id}).content.decode()
    assert "Sven Nordic" in page


def test_the_dashboard_marks_each_figure_measured_or_estimated_and_defines_them(cast, login, activity):
    page = login(cast.alice).get(reverse("analytics:dashboard")).content.decode()
    assert "kind-measured" in page and "kind-estimated" in page
    assert "How we count" in page
    assert "Followers of each profile at the moment it shared" in page


def test_the_chart_is_server_drawn_svg_with_company_and_employee_bars(cast, login, activity):
    page = login(cast.alice).get(reverse("analytics:dashboard"), {"days": 7}).content.decode()
    assert "<svg" in page and 'class="company"' in page and 'class="employees"' in page
    assert "<script" not in page.split("<body")[1].replace('<script src="/static/', "")


def test_a_reversed_date_range_is_swapped_and_says_so(cast, login, activity):
    today = timezone.localdate()
    response = login(cast.alice).get(
        reverse("analytics:dashboard"), {"start": today.isoformat(), "end": (today - timedelta(days=10)).isoformat()}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "The start date was after the end date" in page
    assert f'name="start" value="{(today - timedelta(days=10)).isoformat()}"' in page
    assert "5,500" in page


def test_an_empty_date_range_says_there_was_no_activity(cast, login, activity):
    long_ago = timezone.localdate() - timedelta(days=200)
    page = (
        login(cast.alice)
        .get(
            reverse("analytics:dashboard"),
            {"start": long_ago.isoformat(), "end": (long_ago + timedelta(days=3)).isoformat()},
        )
        .content.decode()
    )
    assert "No activity in this period" in page
    assert "Nothing to draw" in page


def test_nonsense_dates_fall_back_to_the_default_period_with_a_note(cast, login, activity):
    page = (
        login(cast.alice)
        .get(reverse("analytics:dashboard"), {"start": "yesterday", "end": "2024-02-31"})
        .content.decode()
    )
    assert "were not valid" in page
    assert "5,500" in page


def test_the_topic_filter_keeps_only_posts_of_that_topic(cast, login):
    topic = TopicFactory(organization=cast.org, name="Hiring")
    hiring = PostFactory.published(organization=cast.org, title="We are hiring")
    hiring.topics.add(topic)
    _share(cast.emma, followers=70, post=hiring)
    _share(cast.emma, followers=900)
    rollups.rollups_update()
    page = login(cast.carol).get(reverse("analytics:dashboard"), {"topic": topic.id}).content.decode()
    assert "We are hiring" in page
    assert ">70<" in page and "970" not in page


def test_the_network_filter_keeps_only_that_network(cast, login, activity):
    x_profile = SocialProfileFactory(owner_membership=cast.emma, network="x", followers=12345)
    ShareFactory(profile=x_profile, remote_id="1")
    rollups.rollups_update()
    page = login(cast.carol).get(reverse("analytics:dashboard"), {"network": "x"}).content.decode()
    assert "12,345" in page and "5,500" not in page


def test_the_filters_show_the_default_period_when_none_was_asked(cast, login):
    page = login(cast.alice).get(reverse("analytics:dashboard")).content.decode()
    assert '<option value="30" selected>' in page


def test_htmx_gets_only_the_dashboard_body(cast, login, activity):
    response = login(cast.carol).get(reverse("analytics:dashboard"), {"days": 90}, headers={"HX-Request": "true"})
    page = response.content.decode()
    assert "<html" not in page
    assert 'id="dashboard-body"' in page


def test_adoption_counts_connected_and_active_employees(cast, login, activity):
    page = login(cast.carol).get(reverse("analytics:dashboard")).content.decode()
    # emma, sven, mia have profiles and shared; carol and mike are employees without profiles.
    assert "3 / 5" in page


@pytest.mark.parametrize("person", ["carol", "mike"])
def test_the_dashboard_reads_a_fixed_number_of_queries_whatever_the_history(cast, login, activity, person):
    client = login(getattr(cast, person))
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("analytics:dashboard"))
    for index in range(20):
        team = TeamFactory(organization=cast.org, parent=cast.sales) if index % 4 == 0 else cast.sales
        _share(MembershipFactory(organization=cast.org, teams=[team]))
    rollups.rollups_update()
    # Both read everything: nothing of the first is left in the cache (test_rollup_cache.py).
    cache.clear()
    with CaptureQueriesContext(connection) as large:
        client.get(reverse("analytics:dashboard"))
    assert len(large) == len(small)
    tables = " ".join(query["sql"] for query in large.captured_queries)
    assert "advocacy_share" not in tables and "analytics_engagementsnapshot" not in tables


def test_a_manager_of_no_team_yet_sees_an_empty_dashboard_not_an_error(cast, login):
    # Their scope has no people: the SQL figures (team table, distribution) are written
    # around querysets that match nothing, which Django refuses to turn into SQL.
    newcomer = MembershipFactory(organization=cast.org, is_manager=True, is_employee=False)
    ShareFactory(profile=SocialProfileFactory(owner_membership=cast.emma))
    rollups.rollups_update()
    response = login(newcomer).get(reverse("analytics:dashboard"))
    assert response.status_code == 200
    assert response.context["overview"].adoption.employees == 0
