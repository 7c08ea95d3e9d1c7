"""Journey 9: an employee connects Mastodon through the instance's own sign-in page.

Under the production Content-Security-Policy (`form-action 'self'`): the connect form
ends on the platform's own page, which leads the browser on to the instance's
authorize page; the instance (a loopback stand-in speaking Mastodon's documented
endpoints, e2e/standins/mastodon.py) sends the browser back with a code that the
platform exchanges with PKCE. Then the employee shares to it, and the instance
receives exactly the text the preview showed. Any console error fails the journey.
"""

from __future__ import annotations

import os
import re
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import expect

from advocacy.models import Share
from e2e.tests.support import EMPLOYEE, login, shot, watch_console
from employees.models import SocialProfile

INSTANCE = os.environ.get("E2E_MASTODON_URL", "")
COMMENT = "Tried the new office on Friday: the harbour view alone is worth the trip."


def _standin() -> dict:
    return httpx.get(f"{INSTANCE}/_standin/log", timeout=5).json()


@pytest.fixture(scope="module")
def browser_state():
    return {}


def test_an_employee_connects_mastodon_through_the_instances_sign_in(open_page, story, browser_state):
    if not INSTANCE:
        pytest.fail("e2e/run.sh did not start the Mastodon stand-in (E2E_MASTODON_URL)")
    page = open_page()
    errors = watch_console(page)
    login(page, EMPLOYEE)
    page.get_by_role("link", name="My profiles").click()
    page.get_by_role("link", name="Connect Mastodon").click()
    page.get_by_label("Your Mastodon server").fill(INSTANCE)
    page.get_by_role("button", name="Continue to your server").click()

    # The platform's own page leads on to the instance by itself (static/js/app.js).
    expect(page.get_by_role("heading", name=re.compile(r"^Authorize "))).to_be_visible()
    assert urlsplit(page.url).netloc == urlsplit(INSTANCE).netloc
    shot(page, "journeys/09-mastodon-authorize")
    page.get_by_label("Username").fill("emil")
    page.get_by_role("button", name="Authorize").click()

    host = urlsplit(INSTANCE).netloc
    expect(page.get_by_text(f"Connected Mastodon profile @emil@{host}.")).to_be_visible()
    expect(page.get_by_role("article", name=f"@emil@{host}")).to_contain_text("12 followers")
    assert errors == []

    profile = SocialProfile.objects.get(owner_membership__user__email=EMPLOYEE, network="mastodon")
    assert (profile.state, profile.handle, profile.extra["instance_url"]) == ("active", f"@emil@{host}", INSTANCE)
    assert profile.extra["max_characters"] == 600
    seen = _standin()
    assert "PKCE verified" in seen["log"]
    assert [app["redirect_uri"] for app in seen["apps"]] == [f"{os.environ['SITE_URL']}/profiles/callback/mastodon/"]
    browser_state["state"] = page.context.storage_state()
    browser_state["label"] = f"Mastodon · @emil@{host}"


def test_the_employee_shares_to_mastodon_and_the_instance_gets_the_previewed_text(open_page, story, browser_state):
    if "state" not in browser_state or not hasattr(story, "title"):
        pytest.fail("the Mastodon profile was not connected, or journey 1 published no post")
    page = open_page(state=browser_state["state"])
    errors = watch_console(page)
    # Emil has shared this post before (journey 2): the composer's own page.
    page.goto(f"/feed/{story.post_id}/share/")
    composer = page.locator("#composer")
    composer.get_by_label(browser_state["label"]).check()
    composer.get_by_label("Your comment").fill(COMMENT)
    preview = composer.locator("#share-preview")
    # The instance's own limit, read when the profile connected.
    # Until a profile is ticked the preview shows every profile; then only the chosen one.
    expect(preview.locator(".counter")).to_have_count(1)
    expect(preview.locator(".counter")).to_contain_text("/600")
    expect(preview.locator(".preview-text")).to_contain_text(COMMENT)
    previewed = preview.locator(".preview-text").inner_text()

    composer.get_by_role("button", name="Share", exact=True).click()
    row = page.get_by_role("row").filter(has_text=story.title).filter(has_text="Mastodon")
    expect(row.locator(".status")).to_have_text("Posted", timeout=60_000)
    assert errors == []

    share = Share.objects.get(post_id=story.post_id, member__user__email=EMPLOYEE, network="mastodon")
    statuses = _standin()["statuses"]
    assert [status["id"] for status in statuses] == [share.remote_id]
    assert statuses[0]["content"] == share.final_text
    # The preview used a placeholder link of the same length; the rest is identical.
    placeholder = re.compile(r"/l/[^\s]+")
    assert placeholder.sub("/l/…", statuses[0]["content"]) == placeholder.sub("/l/…", previewed)
