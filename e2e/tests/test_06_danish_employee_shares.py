"""Journey 5: the same share journey in the Danish interface, with the keyboard only."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from advocacy.models import Share
from e2e.tests.support import DANISH_EMPLOYEE, pds_posts, shot, tab_to

COMMENT = "Vores nye kontor i Aarhus er flot, og jeg glæder mig til fredagsbaren på taget!"


def test_a_danish_employee_shares_with_the_keyboard(open_page, story, network, accounts):
    if not (hasattr(story, "dorthe_state") and hasattr(story, "title")):
        pytest.fail("the Danish employee has no profile, or the post was not published")
    page = open_page(state=story.dorthe_state)
    page.goto("/feed/")
    expect(page.get_by_role("heading", name="Mit feed")).to_be_visible()
    expect(page.get_by_role("link", name="Mine delinger")).to_be_visible()

    post = page.get_by_role("article", name=story.title)
    tab_to(page, post.get_by_role("link", name="Del", exact=True))
    page.keyboard.press("Enter")
    composer = post.locator("#composer")
    expect(composer.get_by_role("heading", name="Del med dit netværk")).to_be_visible()
    preview = composer.locator("#share-preview")
    expect(preview.locator(".nudge")).to_contain_text("Skriv et par ord selv")

    # Her only profile starts ticked: the keyboard reaches it, and Space would untick it.
    profile = composer.get_by_label(f"Bluesky · {accounts.dorthe.handle}")
    tab_to(page, profile)
    expect(profile).to_be_focused()
    expect(profile).to_be_checked()
    comment = composer.get_by_label("Din kommentar")
    tab_to(page, comment)
    page.keyboard.type(COMMENT)
    expect(preview.locator(".nudge")).to_have_count(0)
    expect(preview.locator(".preview-text")).to_contain_text(COMMENT)
    expect(preview.locator(".counter")).to_contain_text("/300")
    shot(page, "journeys/06-composer-danish")
    tab_to(page, composer.get_by_role("button", name="Del", exact=True))
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", name="Mine delinger")).to_be_visible()
    expect(page.get_by_text("Delt! Her kan du følge hver deling.")).to_be_visible()
    row = page.get_by_role("row").filter(has_text=story.title)
    expect(row.locator(".status")).to_have_text("Slået op", timeout=60_000)
    shot(page, "journeys/06-my-shares-danish")

    share = Share.objects.get(post_id=story.post_id, member__user__email=DANISH_EMPLOYEE)
    records = pds_posts(network.pds_url, accounts.dorthe.did)
    assert [record.uri for record in records] == [share.remote_id]
    assert records[0].value.text.startswith(f"{COMMENT} #ansat"), records[0].value.text
