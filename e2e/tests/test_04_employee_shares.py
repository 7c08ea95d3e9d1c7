"""Journey 2: the employee opens the feed, writes a comment of their own and shares to Bluesky.

The authenticity guard and the length counter react as they type; the list of
shares follows the share to "Posted"; the post on the PDS carries the comment, the
disclosure and the tracked link.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from advocacy import links
from advocacy.models import Share
from e2e.tests.support import EMPLOYEE, OUTSIDER, login, pds_posts, shot

COMMENT = "Proud of this one: I will be working from the rooftop in Aarhus on Fridays ☀️"


def test_the_post_is_not_in_the_feed_of_another_team(open_page, story):
    if not hasattr(story, "title"):
        pytest.fail("journey 1 did not publish the post")
    page = open_page()
    login(page, OUTSIDER)
    expect(page.get_by_role("heading", name="My feed")).to_be_visible()
    expect(page.get_by_role("article", name=story.title)).to_have_count(0)
    expect(page.get_by_role("heading", name="Nothing to share yet")).to_be_visible()


def test_employee_comments_and_shares_to_bluesky(open_page, story, network, accounts):
    if not hasattr(story, "emil_state"):
        pytest.fail("the employee did not connect a profile")
    page = open_page(state=story.emil_state)
    page.goto("/")
    page.get_by_role("link", name="My feed").click()
    post = page.get_by_role("article", name=story.title)
    post.get_by_role("link", name="Share", exact=True).click()
    composer = post.locator("#composer")
    expect(composer.get_by_role("heading", name="Share with your network")).to_be_visible()
    composer.get_by_label(f"Bluesky · {accounts.emil.handle}").check()

    preview = composer.locator("#share-preview")
    comment = composer.get_by_label("Your comment")
    # No comment yet: the authenticity guard asks for a word of one's own.
    expect(preview.locator(".nudge")).to_contain_text("Add a few words of your own")
    expect(preview.locator(".counter")).to_contain_text("/300")
    # A suggested caption is a starting point, and the guard says so.
    composer.get_by_role("button", name=story.captions[0][:30]).click()
    expect(comment).to_have_value(story.captions[0])
    expect(preview.locator(".nudge")).to_contain_text("suggested caption almost word for word")
    comment.fill(COMMENT)
    expect(preview.locator(".nudge")).to_have_count(0)
    expect(preview.locator(".preview-text")).to_contain_text(COMMENT)
    expect(preview.locator(".preview-text")).to_contain_text("#ansat")
    expect(preview.locator(".counter")).not_to_contain_text("too long")
    shot(page, "journeys/04-composer")

    composer.get_by_role("button", name="Share", exact=True).click()
    expect(page.get_by_role("heading", name="My shares")).to_be_visible()
    expect(page.get_by_text("Shared! You can follow each share's progress here.")).to_be_visible()
    row = page.get_by_role("row").filter(has_text=story.title)
    # The list refreshes itself while a share is on its way: queued, posting, posted.
    expect(row.locator(".status")).to_have_text("Posted", timeout=60_000)
    expect(row.get_by_role("link", name="View")).to_be_visible()
    shot(page, "journeys/04-my-shares-posted")

    share = Share.objects.select_related("tracked_link").get(post_id=story.post_id, member__user__email=EMPLOYEE)
    records = pds_posts(network.pds_url, accounts.emil.did)
    assert [record.uri for record in records] == [share.remote_id]
    text = records[0].value.text
    short_url = links.short_url(share.tracked_link.code)
    assert text.startswith(COMMENT), text
    assert "#ansat" in text, text
    assert short_url in text, text
    assert "new-office.html" not in text, "only the tracked link goes out"
    facet_links = [f.uri for facet in records[0].value.facets or [] for f in facet.features if hasattr(f, "uri")]
    assert short_url in facet_links, facet_links
    story.share_id = share.id
    story.share_uri = share.remote_id
    story.short_url = short_url
