"""The leaderboard weighs each share's points by how personal its words are."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from analytics.forms import Filters
from analytics.models import AnalyticsSettings, LeaderboardOptIn
from analytics.selectors.leaderboard import leaderboard_rows
from analytics.selectors.scope import Scope
from analytics.services import rollups
from tests.factories import MembershipFactory, ShareFactory, SocialProfileFactory


def _period():
    today = timezone.localdate()
    return Filters(start=today - timedelta(days=29), end=today)


def _share(person, twist, times=1):
    for _ in range(times):
        ShareFactory(profile=SocialProfileFactory(owner_membership=person), twist=twist)


def _ranking(org):
    return [(row.member_id, row.points) for row in leaderboard_rows(scope=Scope(org.id, None), filters=_period())]


def _verdicts(cast):
    """One person per verdict, each with two shares and no engagement yet."""
    sven = MembershipFactory(organization=cast.org, teams=[cast.nordics], user__name="Sven Nordic")
    _share(cast.emma, "personal", 2)
    _share(cast.carol, "caption", 2)
    _share(cast.mike, "near_duplicate", 2)
    _share(sven, "empty", 2)
    rollups.rollups_update()
    return sven


def test_own_words_earn_more_points_than_copied_or_echoed_words_by_default(cast):
    sven = _verdicts(cast)
    # 2 shares × 10 points, × 100% / 50% / 50% / 25%.
    assert _ranking(cast.org) == [(cast.emma.id, 20), (cast.carol.id, 10), (sven.id, 10), (cast.mike.id, 5)]
    rows = leaderboard_rows(scope=Scope(cast.org.id, None), filters=_period())
    assert [row.rank for row in rows] == [1, 2, 2, 4]
    assert [(row.shares, row.own_words) for row in rows][:2] == [(2, 2), (2, 0)]


def test_changing_the_weights_changes_the_ranking(cast):
    sven = _verdicts(cast)
    AnalyticsSettings.objects.create(
        organization=cast.org, weight_personal=100, weight_caption=300, weight_near_duplicate=0, weight_empty=150
    )
    # Nobody whose shares weigh nothing is listed.
    assert _ranking(cast.org) == [(cast.carol.id, 60), (sven.id, 30), (cast.emma.id, 20)]


def test_another_organizations_shares_and_weights_count_for_nothing_here(cast):
    _verdicts(cast)
    before = _ranking(cast.org)
    _share(cast.olga, "personal", 5)
    AnalyticsSettings.objects.create(organization=cast.other_org, weight_personal=0, weight_caption=1000)
    rollups.rollups_update()
    assert _ranking(cast.org) == before
    assert _ranking(cast.other_org) == []  # olga's own words weigh 0 in her organization
    assert cast.olga.id not in [member_id for member_id, _points in before]


def test_in_works_council_mode_only_the_opted_in_are_listed_with_their_weighted_points(cast):
    _verdicts(cast)
    AnalyticsSettings.objects.create(organization=cast.org, works_council=True)
    assert _ranking(cast.org) == []
    LeaderboardOptIn.objects.create(organization=cast.org, membership=cast.mike)
    assert _ranking(cast.org) == [(cast.mike.id, 5)]


def test_the_page_says_how_points_are_weighted(cast, login):
    _verdicts(cast)
    AnalyticsSettings.objects.create(organization=cast.org, weight_caption=70)
    page = login(cast.emma).get(reverse("analytics:leaderboard")).content.decode()
    assert "own words 100%, the suggested caption as is 70%, near-identical to colleagues 25%" in page
    assert "In own words" in page


def test_the_page_speaks_danish_about_the_weights(cast, login):
    cast.org.language = "da"
    cast.org.save()
    page = login(cast.emma).get(reverse("analytics:leaderboard")).content.decode()
    assert "egne ord 100%" in page


def test_an_admin_sets_the_weights_on_the_settings_page(cast, login):
    from tests.analytics.test_settings_page import _form_data

    client = login(cast.alice)
    page = client.get(reverse("analytics:settings")).content.decode()
    assert 'name="weight_personal"' in page and 'value="100"' in page
    data = _form_data(weight_personal=150, weight_caption=0, weight_near_duplicate=10, weight_empty=1000)
    assert client.post(reverse("analytics:settings"), data).status_code == 302
    saved = AnalyticsSettings.objects.get(organization=cast.org)
    assert saved.weights() == {"personal": 150, "caption": 0, "near_duplicate": 10, "empty": 1000}
    # Left out, the weights stay as they were.
    assert client.post(reverse("analytics:settings"), _form_data(points_per_share=4)).status_code == 302
    assert AnalyticsSettings.objects.get(organization=cast.org).weights()["personal"] == 150


def test_the_settings_page_refuses_weights_out_of_range_with_a_message(cast, login):
    from tests.analytics.test_settings_page import _form_data

    client = login(cast.alice)
    for bad in ("-1", "1001", "1.5", "lots"):
        response = client.post(reverse("analytics:settings"), _form_data(weight_caption=bad))
        assert response.status_code == 200
        assert "Enter a whole number from 0 to 1000 (100 counts a share in full)." in response.content.decode()
    assert not AnalyticsSettings.objects.filter(organization=cast.org).exists()


def test_the_csv_carries_the_weighted_points_and_the_shares_in_own_words(cast, login):
    sven = _verdicts(cast)
    response = login(cast.alice).get(reverse("analytics:export", args=["leaderboard"]), {"days": 30})
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0] == ["rank", "member_id", "name", "shares", "own_words", "engagements", "clicks", "points"]
    assert [(row[1], row[3], row[4], row[7]) for row in rows[1:]] == [
        (str(cast.emma.id), "2", "2", "20"),
        (str(cast.carol.id), "2", "0", "10"),
        (str(sven.id), "2", "0", "10"),
        (str(cast.mike.id), "2", "0", "5"),
    ]
