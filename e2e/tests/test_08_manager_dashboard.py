"""Journey 4: the team's manager sees the engagement, the click and the combined reach; exports CSV."""

from __future__ import annotations

import csv
import io
import re
import time
from datetime import UTC, datetime

import pytest
from playwright.sync_api import Page, expect

from advocacy.models import Share
from analytics.services.rollups import CLICK_LAG
from analytics.tasks import rollups_update_task
from e2e.tests.support import MANAGER, TEAM, login, shot


def _kpi(page: Page, label: str):
    return page.locator(".kpi").filter(has=page.locator(".kpi-label", has_text=label)).locator(".kpi-value")


def _section(page: Page, heading: str):
    return page.locator("section").filter(has=page.get_by_role("heading", name=heading, exact=True))


def test_the_manager_sees_the_teams_reach_and_exports_it(open_page, story):
    if not hasattr(story, "click_at"):
        pytest.fail("journey 3 did not record the click")
    # Clicks are folded into the rollups once they are CLICK_LAG old (a click row's
    # id can reach the database before an older one's): wait that out, then run the
    # rollup task on the worker, as beat would every few minutes.
    wait = (story.click_at + CLICK_LAG - datetime.now(UTC)).total_seconds() + 2
    if wait > 0:
        time.sleep(wait)
    rollups_update_task.delay()

    shares = Share.objects.filter(post_id=story.post_id, status="posted")
    assert shares.count() == 2, "Emil's and Dorthe's shares"
    reach = sum(share.followers_at_share or 0 for share in shares)
    assert reach == 4, "three fans follow Emil, one follows Dorthe"

    page = open_page()
    login(page, MANAGER)
    page.get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("heading", name="Reach dashboard")).to_be_visible()
    expect(page.get_by_text(f"The company's own profiles and the people in your teams: {TEAM}.")).to_be_visible()
    deadline = time.monotonic() + 60
    while _kpi(page, "Clicks").inner_text().strip() != "1" and time.monotonic() < deadline:
        page.wait_for_timeout(2_000)
        page.reload()
    expect(_kpi(page, "Clicks")).to_have_text("1")
    expect(_kpi(page, "Engagements")).to_have_text("2")  # one like, one repost
    expect(_kpi(page, "Combined reach")).to_have_text(str(reach))
    expect(_kpi(page, "Employees' reach")).to_have_text(str(reach))

    team_row = _section(page, "By team").get_by_role("row").filter(has_text=TEAM)
    # Active sharers / people in the team; engagements; clicks.
    expect(team_row.get_by_role("cell")).to_have_text([TEAM, re.compile(r"^2 / \d+$"), str(reach), "2", "1"])
    post_row = _section(page, "Top posts").get_by_role("row").filter(has_text=story.title)
    expect(post_row.get_by_role("cell").nth(1)).to_have_text("2")  # shares
    shot(page, "journeys/08-dashboard-team")

    with page.expect_download() as download:
        _section(page, "By team").get_by_role("link", name="CSV").click()
    assert download.value.suggested_filename.startswith("teams-")
    rows = list(csv.reader(io.StringIO(download.value.path().read_text(encoding="utf-8-sig"))))
    team = next(dict(zip(rows[0], row, strict=True)) for row in rows[1:] if TEAM in row)
    expected = {"shares": "2", "potential_reach": str(reach), "likes": "1", "reposts": "1", "clicks": "1"}
    assert {key: team[key] for key in expected} == expected, team

    # The team filter (its options written out in one pass, for long team lists) narrows
    # the page in place and keeps the choice.
    page.locator("#id_team").select_option(label=TEAM)
    expect(page).to_have_url(re.compile(r"[?&]team=\d+"))
    expect(page.locator("#id_team")).to_have_value(re.compile(r"^\d+$"))
    expect(_kpi(page, "Employees' reach")).to_have_text(str(reach))
