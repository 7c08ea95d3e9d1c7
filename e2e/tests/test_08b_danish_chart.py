"""The dashboard's chart in Danish: every bar has its height (SVG numbers are never localized)."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from playwright.sync_api import expect

from e2e.tests.support import BASE_URL, MANAGER, login, shot


def test_the_chart_bars_have_their_height_in_danish(open_page):
    page = open_page()
    login(page, MANAGER)  # in English; then the interface language is switched to Danish
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": "da", "domain": urlsplit(BASE_URL).hostname, "path": "/"}]
    )
    page.goto("/analytics/?days=30")
    expect(page.locator("html")).to_have_attribute("lang", "da")
    bars = page.locator("svg.stacked-bars rect")
    expect(bars.first).to_be_attached()
    heights = bars.evaluate_all(
        "rects => rects.map(r => [r.getAttribute('height'), r.height.baseVal.value, r.getBBox().height])"
    )
    assert heights, "no bars in the chart"
    for attribute, value, drawn in heights:
        assert "," not in attribute, heights
        assert value > 0 and drawn > 0, heights
    shot(page, "journeys/08b-dashboard-danish")
