"""Journey 6: comms post the company's own Bluesky post, and an employee amplifies it
from the feed with a quote of their own; the quote's record on the PDS embeds the
company's post."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from advocacy.models import Share
from e2e.tests.support import COMMS, EMPLOYEE, login, pds_posts, shot, wait_for
from harness.bluesky import unique_handle

QUOTE = "This is the office I get to work in now, and I love the rooftop"


def test_an_employee_quotes_the_companys_bluesky_post(open_page, story, network, accounts):
    if not hasattr(story, "emil_state") or not hasattr(story, "post_id"):
        pytest.fail("the earlier journeys did not publish the post or connect the employee")
    company_account = network.create_account(unique_handle("nordlys"))
    page = open_page()
    login(page, COMMS)
    page.get_by_role("link", name="Company profiles").click()
    page.get_by_role("link", name="Connect Bluesky").click()
    page.get_by_label("Handle").fill(company_account.handle)
    page.get_by_label("App password").fill(company_account.password)
    page.get_by_text("Advanced", exact=True).click()
    page.get_by_label("PDS address").fill(network.pds_url)
    page.get_by_role("button", name="Connect", exact=True).click()
    expect(page.get_by_text(f"Connected Bluesky profile {company_account.handle}.")).to_be_visible()

    page.goto(f"/content/posts/{story.post_id}/")
    page.get_by_role("link", name="Share from the company's profiles").click()
    page.get_by_label(f"Bluesky · {company_account.handle}").check()
    page.get_by_label("Your comment").fill("Our new office in Aarhus is open")
    page.get_by_role("button", name="Share", exact=True).click()
    company = wait_for(
        lambda: Share.objects.filter(post_id=story.post_id, member=None, status="posted").first(),
        what="the company's post",
    )

    page = open_page(state=story.emil_state)
    page.goto("/")
    page.get_by_role("link", name="My feed").click()
    post = page.get_by_role("article", name=story.title)
    post.get_by_role("link", name="Share the company's post with my thoughts").click()
    composer = post.locator("#composer")
    expect(composer.get_by_label("Share the company's post with my thoughts")).to_be_checked()
    expect(composer).to_contain_text("The company posted it on: Bluesky.")
    composer.get_by_label(f"Bluesky · {accounts.emil.handle}").check()
    composer.get_by_label("Your comment").fill(QUOTE)
    preview = composer.locator("#share-preview")
    # Emil has a Mastodon profile too: until a profile is ticked the preview shows
    # every profile, then only the chosen one.
    expect(preview.locator(".counter")).to_have_count(1)
    expect(preview.locator(".preview-text")).to_contain_text(QUOTE)
    shot(page, "journeys/09-quote-composer")
    composer.get_by_role("button", name="Share", exact=True).click()
    expect(page.get_by_role("heading", name="My shares")).to_be_visible()
    quote = wait_for(
        lambda: Share.objects.filter(post_id=story.post_id, quoted_share=company, status="posted").first(),
        what="the employee's quote",
    )
    # Newest first: the quote's row follows it to "Posted".
    newest = page.get_by_role("row").filter(has_text=story.title).first
    expect(newest.locator(".status")).to_have_text("Posted", timeout=60_000)

    records = {record.uri: record for record in pds_posts(network.pds_url, accounts.emil.did)}
    record = records[quote.remote_id]
    assert record.value.text == f"{QUOTE} #ansat", record.value.text
    assert record.value.embed.record.uri == company.remote_id
    assert quote.member.user.email == EMPLOYEE
