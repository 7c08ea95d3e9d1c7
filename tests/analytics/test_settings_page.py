"""The admins' analytics settings page."""

from __future__ import annotations

from decimal import Decimal

from django.urls import reverse

from analytics.models import AnalyticsSettings
from employees.models import AuditEvent


def _form_data(**overrides):
    from analytics.emv import ACTIONS, DEFAULT_RATES
    from networks import NETWORK_CHOICES

    data = {
        "young_hours": 48,
        "young_interval_minutes": 60,
        "old_interval_hours": 24,
        "stop_after_days": 30,
        "leaderboard_enabled": "on",
        "points_per_share": 10,
        "points_per_engagement": 1,
        "points_per_click": 2,
        "currency": "dkk",
        "digests_enabled": "on",
        "digest_weekday": 0,
        "digest_hour": 8,
    }
    for network, _label in NETWORK_CHOICES:
        for action in ACTIONS:
            data[f"rate_{network}_{action}"] = DEFAULT_RATES[network][action]
    data.update(overrides)
    return data


def test_only_admins_may_open_the_analytics_settings(cast, login):
    for person in (cast.carol, cast.mike, cast.emma):
        assert login(person).get(reverse("analytics:settings")).status_code == 403
    assert login(cast.alice).get(reverse("analytics:settings")).status_code == 200


def test_an_admin_sets_rates_weights_and_turns_the_leaderboard_off(cast, login):
    data = _form_data(rate_linkedin_clicks="4.25", points_per_share=3)
    del data["leaderboard_enabled"]
    response = login(cast.alice).post(reverse("analytics:settings"), data)
    assert response.status_code == 302
    saved = AnalyticsSettings.objects.get(organization=cast.org)
    assert (saved.leaderboard_enabled, saved.points_per_share, saved.currency) == (False, 3, "DKK")
    assert Decimal(saved.emv_rates["linkedin"]["clicks"]) == Decimal("4.25")
    assert AuditEvent.objects.get().action == "settings.changed"


def test_the_settings_page_refuses_nonsense_with_messages(cast, login):
    data = _form_data(digest_hour=25, young_interval_minutes=1, rate_x_likes="-1", currency="e1r", stop_after_days=0)
    response = login(cast.alice).post(reverse("analytics:settings"), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Choose an hour from 0 to 23" in page
    assert "at most every 5 minutes" in page
    assert "three-letter currency code" in page
    assert not AnalyticsSettings.objects.exists()


def test_the_settings_page_shows_the_default_rates_before_anything_is_saved(cast, login):
    page = login(cast.alice).get(reverse("analytics:settings")).content.decode()
    assert 'name="rate_linkedin_clicks"' in page and 'value="2.50' in page
