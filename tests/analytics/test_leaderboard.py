"""The leaderboard: weighted points, per period and team, optional, scoped like the dashboard."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from analytics.forms import Filters
from analytics.models import AnalyticsSettings
from analytics.selectors.leaderboard import leaderboard_rows
from analytics.selectors.scope import Scope
from analytics.services import rollups
from tests.analytics.helpers import pull_cycle
from tests.factories import ClickFactory, MembershipFactory, ShareFactory, SocialProfileFactory, TrackedLinkFactory


def _period(days=30):
    today = timezone.localdate()
    return Filters(start=today - timedelta(days=days - 1), end=today)


def test_points_weigh_shares_engagement_and_clicks_as_the_admins_set(cast, fake_network):
    AnalyticsSettings.objects.create(
        organization=cast.org, points_per_share=5, points_per_engagement=2, points_per_click=3
    )
    share = ShareFactory(profile=SocialProfileFactory(owner_membership=cast.emma, network="bluesky"))
    fake_network.set(share, likes=4, reposts=1)
    ClickFactory(link=TrackedLinkFactory(share=share))
    ShareFactory(profile=SocialProfileFactory(owner_membership=cast.carol))
    ShareFactory(profile=SocialProfileFactory(owner_membership=cast.mike))
    pull_cycle(timezone.now() + timedelta(minutes=5))

    rows = leaderboard_rows(scope=Scope(cast.org.id, None), filters=_period())

    first = rows[0]
    assert (first.member_id, first.points, first.rank) == (cast.emma.id, 5 + 2 * 5 + 3, 1)
    assert [row.rank for row in rows] == [1, 2, 2]  # carol and mike tie


def test_an_employee_sees_the_people_of_their_own_team_only(cast, login):
    sven = MembershipFactory(organization=cast.org, teams=[cast.nordics], user__name="Sven Nordic")
    mia = MembershipFactory(organization=cast.org, teams=[cast.marketing], user__name="Mia Marketing")
    for person in (cast.emma, sven, mia):
        ShareFactory(profile=SocialProfileFactory(owner_membership=person))
    rollups.rollups_update()
    page = login(cast.emma).get(reverse("analytics:leaderboard")).content.decode()
    assert "Sven Nordic" in page
    assert "Mia Marketing" not in page


def test_a_manager_can_see_one_team_and_one_period(cast, login):
    sven = MembershipFactory(organization=cast.org, teams=[cast.nordics], user__name="Sven Nordic")
    seller = MembershipFactory(organization=cast.org, teams=[cast.sales], user__name="Sam Seller")
    ShareFactory(profile=SocialProfileFactory(owner_membership=sven))
    ShareFactory(profile=SocialProfileFactory(owner_membership=seller), posted_at=timezone.now() - timedelta(days=20))
    rollups.rollups_update(enrol_since=None)
    client = login(cast.mike)
    page = client.get(reverse("analytics:leaderboard"), {"team": cast.nordics.id}).content.decode()
    assert "Sven Nordic" in page and "Sam Seller" not in page
    page = client.get(reverse("analytics:leaderboard"), {"days": 7}).content.decode()
    assert "Sven Nordic" in page and "Sam Seller" not in page


def test_an_organization_can_turn_the_leaderboard_off(cast, login):
    AnalyticsSettings.objects.create(organization=cast.org, leaderboard_enabled=False)
    response = login(cast.emma).get(reverse("analytics:leaderboard"))
    assert response.status_code == 404
    assert "turned off" in response.content.decode()
    assert "Leaderboard" not in login(cast.emma).get(reverse("analytics:my_impact")).content.decode()


def test_an_empty_period_says_nobody_has_points(cast, login):
    page = login(cast.alice).get(reverse("analytics:leaderboard")).content.decode()
    assert "No points yet in this period" in page
