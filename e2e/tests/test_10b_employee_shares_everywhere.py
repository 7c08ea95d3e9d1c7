"""Journey 10b: an employee connects LinkedIn, then shares one post to Mastodon, LinkedIn and X
with one comment; each network gets exactly the text its preview showed, reports
engagement, and the engagement comes back to "My impact" and the manager's dashboard.

LinkedIn runs here as a loopback stand-in speaking its documented OAuth 2.0 and REST
shapes (e2e/standins/linkedin.py), where `LINKEDIN_OAUTH_BASE` and `LINKEDIN_API_BASE`
point; Mastodon and X are the stand-ins journeys 9 and 10 connected. Under the
production policy, with any console error failing the journey. It runs before journey
11: the browser journeys serve no uploaded files (production leaves them to the proxy),
so the feed's picture of journey 11's photo post would be a 404 in the console.
"""

from __future__ import annotations

import os
import re
import time
from urllib.parse import urlsplit

import httpx
import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from advocacy.models import Share
from analytics.models import ShareMetrics
from analytics.tasks import engagement_pull_due_task, rollups_update_task
from e2e.tests.support import COMMS, EMPLOYEE, MANAGER, TEAM, login, shot, wait_for, watch_console
from employees.models import SocialProfile

LINKEDIN = os.environ.get("E2E_LINKEDIN_URL", "")
MASTODON = os.environ.get("E2E_MASTODON_URL", "")
X = os.environ.get("E2E_X_URL", "")
TITLE = "Our apprentices build the new charging bay"
COMMENT = "Six apprentices, four weeks, one charging bay: proud to work next to them"
NAME = "Emil Employee"
# What each network reports for the share (the stand-ins are told below).
LINKEDIN_COUNTS = {"REACTION": 5, "COMMENT": 2, "RESHARE": 1, "IMPRESSION": 140}
MASTODON_COUNTS = {"favourites_count": 3, "reblogs_count": 1, "replies_count": 0}
X_COUNTS = {"like_count": 4, "retweet_count": 2, "reply_count": 1, "quote_count": 0}


def _log(base: str) -> dict:
    return httpx.get(f"{base}/_standin/log", timeout=5).json()


@pytest.fixture(scope="module")
def linkedin_state():
    return {}


def test_an_employee_connects_linkedin_through_its_authorize_page(open_page, linkedin_state):
    if not LINKEDIN:
        pytest.fail("e2e/run.sh did not start the LinkedIn stand-in (E2E_LINKEDIN_URL)")
    page = open_page()
    errors = watch_console(page)
    login(page, EMPLOYEE)
    page.get_by_role("link", name="My profiles").click()
    page.get_by_role("button", name="Connect LinkedIn").click()

    # The platform's own page leads on to LinkedIn by itself (static/js/app.js).
    expect(page.get_by_role("heading", name="Allow this app access to your LinkedIn account?")).to_be_visible()
    assert urlsplit(page.url).netloc == urlsplit(LINKEDIN).netloc
    expect(page.get_by_text("w_member_social")).to_be_visible()
    shot(page, "journeys/10b-linkedin-authorize")
    page.get_by_label("Your name").fill(NAME)
    page.get_by_role("button", name="Allow").click()

    expect(page.get_by_text(f"Connected LinkedIn profile {NAME}.")).to_be_visible()
    expect(page.get_by_role("article", name=NAME)).to_contain_text("27 followers")
    assert errors == []
    profile = SocialProfile.objects.get(owner_membership__user__email=EMPLOYEE, network="linkedin")
    assert profile.state == "active"
    assert profile.extra["person_urn"].startswith("urn:li:person:")
    assert "code exchanged" in _log(LINKEDIN)["log"]
    linkedin_state["state"] = page.context.storage_state()


def _publish_post(page: Page) -> None:
    login(page, COMMS)
    page.goto("/content/")
    page.locator(".page-header").get_by_role("link", name="New post").click()
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Context for employees").fill("The apprentices built the charging bay at the Aarhus office.")
    page.get_by_role("group", name="Audience").get_by_label(TEAM).check()
    page.get_by_role("button", name="Publish now").click()
    expect(page.locator(".page-header .status")).to_have_text("Published")


def test_one_comment_goes_to_mastodon_linkedin_and_x_as_previewed(open_page, linkedin_state):
    if "state" not in linkedin_state:
        pytest.fail("LinkedIn was not connected")
    profiles = {p.network: p for p in SocialProfile.objects.filter(owner_membership__user__email=EMPLOYEE)}
    if not {"mastodon", "x", "linkedin"} <= profiles.keys():
        pytest.fail("journeys 9 and 10 did not connect Mastodon and X")
    _publish_post(open_page())

    page = open_page(state=linkedin_state["state"])
    errors = watch_console(page)
    page.goto("/")
    page.get_by_role("link", name="My feed").click()
    page.get_by_role("article", name=TITLE).get_by_role("link", name="Share", exact=True).click()
    composer = page.locator("#composer")
    labels = {
        "mastodon": f"Mastodon · {profiles['mastodon'].handle}",
        "linkedin": f"LinkedIn · {NAME}",
        "x": f"X · {profiles['x'].handle}",
    }
    for label in labels.values():
        composer.get_by_label(label).check()
    composer.get_by_label("Your comment").fill(COMMENT)
    preview = composer.locator("#share-preview")
    expect(preview.locator(".preview")).to_have_count(3)
    previewed = {}
    for network in labels:
        head = page.locator(".preview-head", has_text=profiles[network].handle)
        box = preview.locator(".preview").filter(has=head)
        expect(box.locator(".preview-text")).to_contain_text(COMMENT)
        previewed[network] = box.locator(".preview-text").inner_text()
    shot(page, "journeys/10b-composer-three-networks")

    composer.get_by_role("button", name="Share", exact=True).click()
    expect(page.get_by_role("heading", name="My shares")).to_be_visible()
    for network in labels:
        row = page.get_by_role("row").filter(has_text=TITLE).filter(has_text=profiles[network].handle)
        expect(row.locator(".status")).to_have_text("Posted", timeout=90_000)
    assert errors == []

    shares = {s.network: s for s in Share.objects.filter(post__title=TITLE, member__user__email=EMPLOYEE)}
    assert shares.keys() == {"mastodon", "linkedin", "x"}
    # Each network received exactly the text its preview showed (no link: the post has none).
    [status] = [s for s in _log(MASTODON)["statuses"] if s["id"] == shares["mastodon"].remote_id]
    assert status["content"] == previewed["mastodon"]
    [post] = [p for p in _log(LINKEDIN)["posts"] if p["urn"] == shares["linkedin"].remote_id]
    assert post["commentary"] == previewed["linkedin"]
    assert post["version"]  # the LinkedIn-Version header was sent
    [tweet] = [t for t in _log(X)["tweets"] if t["id"] == shares["x"].remote_id]
    assert tweet["text"] == previewed["x"]
    assert all(COMMENT in text for text in previewed.values())

    # The networks report engagement; the pull reads it, as beat would, queued to the worker.
    httpx.post(f"{LINKEDIN}/_standin/engage", json={"urn": shares["linkedin"].remote_id, **LINKEDIN_COUNTS}, timeout=5)
    httpx.post(f"{MASTODON}/_standin/engage", json={"id": shares["mastodon"].remote_id, **MASTODON_COUNTS}, timeout=5)
    httpx.post(f"{X}/_standin/engage", json={"id": shares["x"].remote_id, **X_COUNTS}, timeout=5)
    expected = {
        "linkedin": (LINKEDIN_COUNTS["REACTION"], LINKEDIN_COUNTS["RESHARE"], LINKEDIN_COUNTS["COMMENT"]),
        "mastodon": (MASTODON_COUNTS["favourites_count"], MASTODON_COUNTS["reblogs_count"], 0),
        "x": (X_COUNTS["like_count"], X_COUNTS["retweet_count"], X_COUNTS["reply_count"]),
    }
    ids = [share.id for share in shares.values()]
    ShareMetrics.objects.filter(share_id__in=ids).update(next_pull_at=timezone.now())
    engagement_pull_due_task.delay()

    def pulled() -> bool:
        rows = {m.share.network: m for m in ShareMetrics.objects.filter(share_id__in=ids).select_related("share")}
        return all(
            network in rows and (rows[network].likes, rows[network].reposts, rows[network].replies) == counts
            for network, counts in expected.items()
        )

    wait_for(pulled, timeout=90, what="the pull reads each network's engagement")
    rollups_update_task.delay()
    engagements = sum(sum(counts) for counts in expected.values())

    # My impact: each share with the network's own counts.
    page.goto("/")
    page.get_by_role("link", name="My impact").click()
    table = page.locator(".share-list")
    for network, (likes, reposts, replies) in expected.items():
        row = table.get_by_role("row").filter(has_text=TITLE).filter(has_text=profiles[network].handle)
        expect(row.get_by_role("cell")).to_have_text([re.compile(TITLE), str(likes), str(reposts), str(replies), "0"])
    shot(page, "journeys/10b-my-impact")

    # The manager's dashboard: the post with its three shares and their engagement.
    page = open_page()
    login(page, MANAGER)
    page.get_by_role("link", name="Dashboard").click()
    top = page.locator("section").filter(has=page.get_by_role("heading", name="Top posts", exact=True))
    row = top.get_by_role("row").filter(has_text=TITLE)
    deadline = time.monotonic() + 60
    while (not row.count() or row.get_by_role("cell").nth(3).inner_text().strip() != str(engagements)) and (
        time.monotonic() < deadline
    ):
        page.wait_for_timeout(2_000)
        page.reload()
    expect(row.get_by_role("cell").nth(1)).to_have_text("3")  # shares
    expect(row.get_by_role("cell").nth(3)).to_have_text(str(engagements))
    shot(page, "journeys/10b-dashboard")
