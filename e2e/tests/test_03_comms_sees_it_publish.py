"""Journey 1, second half: beat publishes the scheduled post on time, and comms see it in the library."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from content.models import Post
from e2e.tests.support import TEAM, shot


def test_the_scheduled_post_is_published_on_time(open_page, story):
    if not hasattr(story, "publish_at"):
        pytest.fail("journey 1 did not schedule the post")
    page = open_page(state=story.comms_state)
    page.goto("/content/")
    row = page.get_by_role("row").filter(has_text=story.title)
    # Beat looks for due posts every minute.
    deadline = story.publish_at + timedelta(seconds=75)
    while row.locator(".status").inner_text() != "Published" and datetime.now(UTC) < deadline:
        page.wait_for_timeout(2_000)
        page.reload()
    expect(row.locator(".status")).to_have_text("Published")
    expect(row).to_contain_text(TEAM)
    shot(page, "journeys/03-library-published")

    post = Post.objects.get(pk=story.post_id)
    assert post.status == "published"
    # On time: not before the hour asked for, and within beat's minute after it.
    assert story.publish_at <= post.published_at <= deadline, (story.publish_at, post.published_at)
