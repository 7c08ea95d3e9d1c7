"""Journey 10: an employee connects X through its authorize page and posts to it.

X runs here as a loopback stand-in speaking its documented OAuth 2.0 (PKCE, a
confidential client's Basic credentials) and posting endpoints (e2e/standins/x.py),
where the platform's `X_AUTHORIZE_URL` and `X_API_BASE` point. Under the production
policy, with any console error failing the journey, like journey 9.
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

X_URL = os.environ.get("E2E_X_URL", "")
COMMENT = "Friday in the new office: good coffee, better view."


def _standin() -> dict:
    return httpx.get(f"{X_URL}/_standin/log", timeout=5).json()


@pytest.fixture(scope="module")
def x_state():
    return {}


def test_an_employee_connects_x_through_its_authorize_page(open_page, x_state):
    if not X_URL:
        pytest.fail("e2e/run.sh did not start the X stand-in (E2E_X_URL)")
    page = open_page()
    errors = watch_console(page)
    login(page, EMPLOYEE)
    page.get_by_role("link", name="My profiles").click()
    page.get_by_role("button", name="Connect X").click()

    expect(page.get_by_role("heading", name="Authorize the app to use your account?")).to_be_visible()
    assert urlsplit(page.url).netloc == urlsplit(X_URL).netloc
    shot(page, "journeys/10-x-authorize")
    page.get_by_label("Username").fill("emil_x")
    page.get_by_role("button", name="Authorize app").click()

    expect(page.get_by_text("Connected X profile @emil_x.")).to_be_visible()
    expect(page.get_by_role("article", name="@emil_x")).to_contain_text("8 followers")
    assert errors == []
    profile = SocialProfile.objects.get(owner_membership__user__email=EMPLOYEE, network="x")
    assert (profile.state, profile.remote_id) == ("active", "4242")
    assert profile.refresh_token  # offline.access: the pair is stored
    assert "PKCE verified" in _standin()["log"]
    x_state["state"] = page.context.storage_state()


def test_the_employee_posts_to_x_the_text_the_preview_showed(open_page, story, x_state):
    if "state" not in x_state or not hasattr(story, "title"):
        pytest.fail("X was not connected, or journey 1 published no post")
    page = open_page(state=x_state["state"])
    errors = watch_console(page)
    # Emil has shared this post before (journey 2): the composer's own page.
    page.goto(f"/feed/{story.post_id}/share/")
    composer = page.locator("#composer")
    composer.get_by_label("X · @emil_x").check()
    composer.get_by_label("Your comment").fill(COMMENT)
    preview = composer.locator("#share-preview")
    # Until a profile is ticked the preview shows every profile; then only the chosen one.
    expect(preview.locator(".counter")).to_have_count(1)
    expect(preview.locator(".counter")).to_contain_text("/280")
    expect(preview.locator(".preview-text")).to_contain_text(COMMENT)
    previewed = preview.locator(".preview-text").inner_text()

    composer.get_by_role("button", name="Share", exact=True).click()
    row = page.get_by_role("row").filter(has_text=story.title).filter(has_text="@emil_x")
    expect(row.locator(".status")).to_have_text("Posted", timeout=60_000)
    assert errors == []

    share = Share.objects.get(post_id=story.post_id, member__user__email=EMPLOYEE, network="x")
    tweets = _standin()["tweets"]
    assert [tweet["id"] for tweet in tweets] == [share.remote_id]
    placeholder = re.compile(r"/l/[^\s]+")
    assert placeholder.sub("/l/…", tweets[0]["text"]) == placeholder.sub("/l/…", previewed)
