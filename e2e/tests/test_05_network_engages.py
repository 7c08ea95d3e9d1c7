"""Journey 3: another account likes and reposts, a reader clicks the link, the pull reads it all."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from advocacy.models import Click
from analytics.models import ShareMetrics
from analytics.tasks import engagement_pull_due_task
from e2e.tests.support import wait_for


def test_a_like_a_repost_and_a_click_are_read_back(open_page, story, network, accounts):
    if not hasattr(story, "share_uri"):
        pytest.fail("journey 2 did not post the share")
    fan = accounts.fan_clients[0]
    post = fan.get_posts([story.share_uri]).posts[0]
    fan.like(post.uri, post.cid)
    fan.repost(post.uri, post.cid)
    network.process_all()

    # Someone who saw the post opens its link: the tracked link counts the click and
    # sends them on to the page, with the campaign in the address.
    page = open_page()
    page.goto(story.short_url)
    expect(page).to_have_title("Nordlys opens its new Aarhus office")
    assert "utm_source=bluesky" in page.url
    assert "utm_medium=employee_advocacy" in page.url
    click = wait_for(
        lambda: Click.objects.filter(link__share_id=story.share_id).first(), timeout=10, what="the click is stored"
    )
    assert not click.is_bot, "a person's browser is not a bot"
    story.click_at = click.at

    # The engagement pull, queued to the real worker as beat would. Beat's own pull
    # (every ten minutes) may have read the share in the seconds before the like:
    # then it is due again only later, so make it due now, as it will be then.
    ShareMetrics.objects.filter(share_id=story.share_id, likes=0).update(next_pull_at=timezone.now())
    engagement_pull_due_task.delay()
    metrics = wait_for(
        lambda: ShareMetrics.objects.filter(share_id=story.share_id, likes=1, reposts=1).first(),
        timeout=60,
        what="the pull reads one like and one repost",
    )
    assert metrics.measured
    assert metrics.pulls >= 1
