from __future__ import annotations

import csv
import io
import random

import pytest
from django.urls import reverse

from analytics.dividend import MIN_SHARES, dividend_compute, ratio_interval
from analytics.models import ShareMetrics
from tests.factories import MembershipFactory, ShareFactory, SocialProfileFactory


def _rows(rng, verdict, count, mean):
    # Engagements scattered around `mean`; clicks and reach along with them.
    return [(verdict, rng.randint(0, 2 * mean), rng.randint(0, mean), rng.randint(50, 500)) for _ in range(count)]


def test_a_known_effect_is_found_and_its_interval_holds_it():
    rng = random.Random(7)
    rows = _rows(rng, "personal", 60, 30) + _rows(rng, "caption", 40, 10) + _rows(rng, "near_duplicate", 20, 10)
    result = dividend_compute(rows)
    engagement = result.engagement
    assert (engagement.own, engagement.copied) == (60, 60)
    assert engagement.supported
    assert 1 < engagement.low < engagement.ratio < engagement.high
    assert engagement.low < 3 < engagement.high
    groups = {group.verdict: group for group in result.groups}
    assert groups["personal"].count == 60 and groups["caption"].count == 40 and groups["empty"].count == 0
    assert groups["empty"].medians["engagements"] is None


def test_the_same_shares_always_give_the_same_interval():
    rng = random.Random(11)
    rows = _rows(rng, "personal", 30, 20) + _rows(rng, "caption", 30, 10)
    assert dividend_compute(rows).engagement == dividend_compute(list(rows)).engagement


def test_no_effect_is_not_called_one():
    values = [0, 1, 2, 3, 5, 8, 13, 21, 34, 55] * 3
    ratio, low, high = ratio_interval(values, list(values))
    assert ratio == 1
    assert low < 1 < high
    rng = random.Random(3)
    rows = _rows(rng, "personal", 50, 10) + _rows(rng, "caption", 50, 10)
    engagement = dividend_compute(rows).engagement
    assert engagement.enough and not engagement.supported
    assert engagement.low < 1


def test_too_few_shares_give_no_interval():
    few = [5] * (MIN_SHARES - 1)
    assert ratio_interval([9] * 50, few) == (None, None, None)
    assert ratio_interval(few, [1] * 50) == (None, None, None)
    # Copied words that earned nothing give no ratio either.
    assert ratio_interval([9] * 50, [0] * 50) == (None, None, None)


def test_clicks_only_shares_count_for_clicks_not_engagement():
    rows = [("personal", None, 4, 100)] * 12 + [("caption", None, 2, 100)] * 12
    result = dividend_compute(rows)
    assert result.engagement.own == 0
    assert result.comparisons["clicks"].own == 12
    assert result.comparisons["clicks"].ratio == 2


def _posted(org, member, twist, likes, clicks=0):
    profile = SocialProfileFactory(owner_membership=member, network="bluesky", followers=100)
    share = ShareFactory(profile=profile, twist=twist)
    ShareMetrics.objects.create(
        share=share,
        organization=org,
        network="bluesky",
        post_id=share.post_id,
        member_id=member.id,
        posted_at=share.posted_at,
        peak_likes=likes,
        clicks=clicks,
    )
    return share


@pytest.fixture
def twists(cast):
    """Sales people whose own words earn about three times their copied words; one
    Marketing person whose copied words earn a lot (outside a Sales manager's view)."""
    rng = random.Random(5)
    sales = [MembershipFactory(organization=cast.org, teams=[cast.sales]) for _ in range(4)]
    for index in range(24):
        _posted(cast.org, sales[index % 4], "personal", rng.randint(20, 40), clicks=3)
        _posted(cast.org, sales[index % 4], "caption", rng.randint(5, 15), clicks=1)
    marketer = MembershipFactory(organization=cast.org, teams=[cast.marketing])
    for _ in range(3):
        _posted(cast.org, marketer, "caption", 500)
    return sales


def test_the_dashboard_loads_the_dividend_after_the_page(cast, login, twists):
    page = login(cast.carol).get(reverse("analytics:dashboard")).content.decode()
    assert 'id="twist-dividend"' in page
    assert f'hx-get="{reverse("analytics:dividend")}?' in page


def test_the_dividend_says_own_words_earned_more_when_the_interval_shows_it(cast, login, twists):
    response = login(cast.mike).get(reverse("analytics:dividend"), headers={"HX-Request": "true"})
    page = response.content.decode()
    assert "<html" not in page
    assert "Own words earned" in page
    assert "24 shares in own words, 24 in copied words" in page
    assert "kind-measured" in page


def test_the_marketers_copied_words_weigh_in_for_comms_but_not_for_the_sales_manager(cast, login, twists):
    page = login(cast.carol).get(reverse("analytics:dividend")).content.decode()
    assert "24 shares in own words, 27 in copied words" in page
    assert "Own words earned" not in page
    assert "Not enough shares yet" in page


def test_an_outsider_sees_none_of_the_shares(cast, login, twists):
    page = login(cast.olga).get(reverse("analytics:dividend")).content.decode()
    assert "Not enough shares yet (0 shares in own words, 0 in copied words)." in page


def test_an_employee_cannot_open_the_dividend(cast, login):
    assert login(cast.emma).get(reverse("analytics:dividend")).status_code == 403


def test_the_csv_export_has_counts_medians_and_the_interval(cast, login, twists):
    response = login(cast.mike).get(reverse("analytics:export", args=["dividend"]))
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = {row[0]: row for row in csv.reader(io.StringIO(text))}
    assert rows["group"][:3] == ["group", "shares", "median_engagements"]
    assert rows["personal"][1] == "24" and rows["caption"][1] == "24"
    comparison = rows["own_vs_copied_engagements"]
    ratio, low, high = (float(value) for value in comparison[8:11])
    assert 1 < low < ratio < high
    assert comparison[-1] == "measured"
