"""Journey 10d: in a distributed organization an employee publishes a post of their
own, a colleague shares it from the feed with a comment of their own to Bluesky, and
the author's My impact page shows the colleague's reach."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from advocacy.models import Share
from analytics.tasks import rollups_update_task
from content.models import Post
from e2e.tests.support import DANISH_EMPLOYEE, EMPLOYEE, login, pds_posts, shot, wait_for, watch_console
from employees.models import Organization

TITLE = "Notes from the Vejle customer day"
BODY = "Ten customers, one question each: what would make your week easier?"
COMMENT = "Emils noter fra Vejle er værd at læse: gode spørgsmål, ærlige svar."


def test_a_colleague_shares_an_employees_post_and_the_author_sees_the_reach(open_page, story, network, accounts):
    if not hasattr(story, "dorthe_state"):
        pytest.fail("the Danish employee has no Bluesky profile (journey 2)")
    Organization.objects.filter(slug="nordlys").update(control="distributed")
    try:
        author = open_page()
        errors = watch_console(author)
        login(author, EMPLOYEE)
        author.get_by_role("link", name="My feed").click()
        author.get_by_role("link", name="Write a post").click()
        author.get_by_label("Title").fill(TITLE)
        author.get_by_label("What you want to say").fill(BODY)
        author.get_by_role("button", name="Publish", exact=True).click()
        expect(author.get_by_text("Published: your colleagues see it in their feed now.")).to_be_visible()
        post = wait_for(lambda: Post.objects.filter(title=TITLE, status="published").first(), what="the post")

        # Dorthe, in her Danish interface, shares it from her feed with her own words.
        colleague = open_page(state=story.dorthe_state)
        errors += watch_console(colleague)
        colleague.goto("/feed/")
        card = colleague.get_by_role("article", name=TITLE)
        card.get_by_role("link", name="Del", exact=True).click()
        composer = card.locator("#composer")
        expect(composer.get_by_label(f"Bluesky · {accounts.dorthe.handle}")).to_be_checked()  # her only profile
        composer.get_by_label("Din kommentar").fill(COMMENT)
        expect(composer.locator("#share-preview .preview-text")).to_contain_text(COMMENT)
        shot(colleague, "journeys/10d-colleague-composer")
        composer.get_by_role("button", name="Del", exact=True).click()
        expect(colleague.get_by_role("heading", name="Mine delinger")).to_be_visible()
        row = colleague.get_by_role("row").filter(has_text=TITLE)
        expect(row.locator(".status")).to_have_text("Slået op", timeout=60_000)

        # The worker put it on the network, under her account, with her words first.
        share = Share.objects.get(post=post, member__user__email=DANISH_EMPLOYEE)
        records = pds_posts(network.pds_url, accounts.dorthe.did)
        record = next((record for record in records if record.uri == share.remote_id), None)
        assert record is not None, [record.uri for record in records]
        assert record.value.text.startswith(COMMENT), record.value.text
        assert share.followers_at_share == accounts.followers["dorthe"]

        # The rollup runs on the worker as beat would; the author opens My impact.
        rollups_update_task.delay()
        author.get_by_role("link", name="My impact", exact=True).click()
        reach = author.locator("#my-posts-reach")
        expect(reach.get_by_role("heading", name="My posts, shared by colleagues")).to_be_visible()
        expect(reach).to_contain_text("1 colleague shared them in this period.")
        facts = reach.locator("dd")
        expect(facts.nth(0)).to_have_text("1")  # Dorthe's share
        expect(facts.nth(1)).to_have_text(str(accounts.followers["dorthe"]))  # the people she could reach
        shot(author, "journeys/10d-author-impact")
        assert errors == [], errors
    finally:
        Organization.objects.filter(slug="nordlys").update(control="centralized")
