"""Earned media value: count × rate per network and action, rates admins may set."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from analytics.emv import DEFAULT_RATES, emv_compute, rates_with_defaults
from analytics.models import AnalyticsSettings
from tests.analytics.helpers import pull_cycle
from tests.factories import ClickFactory, ShareFactory, SocialProfileFactory, TrackedLinkFactory


def test_emv_is_the_sum_of_count_times_rate_over_networks_and_actions():
    rates = rates_with_defaults({})
    emv = emv_compute(
        counts={"linkedin": {"likes": 10, "clicks": 4}, "x": {"impressions": 1000, "reposts": 2}},
        rates=rates,
        currency="EUR",
    )
    expected = 10 * Decimal("0.20") + 4 * Decimal("2.50") + 1000 * Decimal("0.004") + 2 * Decimal("0.50")
    assert emv.total == expected.quantize(Decimal("0.01"))
    assert [(line.network, line.action) for line in emv.lines] == [
        ("linkedin", "likes"),
        ("linkedin", "clicks"),
        ("x", "impressions"),
        ("x", "reposts"),
    ]


def test_saved_rates_override_the_defaults_and_nonsense_is_ignored():
    rates = rates_with_defaults({"x": {"likes": "1.5", "clicks": "-3", "bogus": "9"}, "threads": {"likes": "0.3"}})
    assert rates["x"]["likes"] == Decimal("1.5")
    assert rates["x"]["clicks"] == DEFAULT_RATES["x"]["clicks"]
    assert "bogus" not in rates["x"]
    assert rates["threads"]["likes"] == Decimal("0.3")


def test_every_network_has_a_default_rate_for_every_action():
    from analytics.emv import ACTIONS
    from networks import NETWORK_CHOICES

    for network, _label in NETWORK_CHOICES:
        assert set(DEFAULT_RATES[network]) == set(ACTIONS)


def test_the_dashboard_shows_emv_with_its_formula_and_the_organizations_rates(cast, login, fake_network):
    AnalyticsSettings.objects.create(organization=cast.org, currency="DKK", emv_rates={"bluesky": {"likes": "2"}})
    share = ShareFactory(profile=SocialProfileFactory(owner_membership=cast.emma, network="bluesky"))
    fake_network.set(share, likes=5)
    ClickFactory(link=TrackedLinkFactory(share=share))
    pull_cycle(timezone.now() + timedelta(minutes=5))
    page = login(cast.carol).get(reverse("analytics:dashboard")).content.decode()
    emv = page.split('id="emv"')[1]
    assert "count × rate" in emv
    assert "10.60 DKK" in emv  # 5 likes × 2 + 1 click × 0.60
