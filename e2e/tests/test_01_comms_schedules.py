"""Journey 1, first half: comms write a post for one team, with two captions and a topic, and schedule it.

Beat publishes it a minute later; test_03 watches that happen, so that the wait
overlaps with the employees connecting their profiles (test_02).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from content.models import Post
from e2e.tests.support import COMMS, SITE_URL, TEAM, login, shot
from employees.models import Organization

TITLE = "Nordlys opens its new Aarhus office"
CAPTIONS = [
    ("", "Our new Aarhus office is open: three floors by the harbour."),
    ("bluesky", "Come and see us in Aarhus: room for 120 colleagues and a rooftop."),
]
TOPIC = "Offices"


def _a_minute_ahead() -> datetime:
    """A whole minute (the field has no seconds) between 40 and 100 seconds away."""
    return (datetime.now(UTC) + timedelta(seconds=100)).replace(second=0, microsecond=0)


def _as_typed(moment: datetime) -> str:
    """The moment as comms type it: on the wall clock of their organization's time zone."""
    zone = ZoneInfo(Organization.objects.get(memberships__user__email=COMMS).timezone)
    return moment.astimezone(zone).strftime("%Y-%m-%dT%H:%M")


def test_comms_schedules_a_post_with_two_captions_and_a_topic_for_one_team(open_page, story):
    page = open_page()
    login(page, COMMS)
    expect(page.get_by_role("heading", name="Content library")).to_be_visible()

    page.get_by_role("link", name="Topics").click()
    page.get_by_label("New topic").fill(TOPIC)
    page.get_by_role("button", name="Add topic").click()
    expect(page.get_by_text("Topic added.")).to_be_visible()

    page.goto("/content/")
    page.locator(".page-header").get_by_role("link", name="New post").click()
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Context for employees").fill("Three floors by the harbour and room for 120 colleagues.")
    page.get_by_label(re.compile(r"^Link:?$")).fill(f"{SITE_URL}/news/new-office.html")
    for number, (network, text) in enumerate(CAPTIONS, start=1):
        caption = page.get_by_role("group", name=f"Caption {number}")
        if network:
            caption.get_by_label("Network").select_option(network)
        caption.get_by_label("Caption").fill(text)
        # The live counter counts the caption as each network would, with the link.
        expect(caption.locator(".counters")).to_contain_text("/300")
    page.get_by_role("group", name="Topics").get_by_label(TOPIC).check()
    page.get_by_role("group", name="Audience").get_by_label(TEAM).check()
    publish_at = _a_minute_ahead()
    page.get_by_label("Publish at").fill(_as_typed(publish_at))
    page.get_by_role("button", name="Schedule").click()

    expect(page.get_by_text("Scheduled.", exact=True)).to_be_visible()
    expect(page.locator(".page-header .status")).to_have_text("Scheduled")
    # The link preview is fetched in the background, and the editor shows it coming.
    expect(page.locator("#link-preview")).to_contain_text(TITLE, timeout=30_000)
    shot(page, "journeys/01-editor-scheduled")

    page.get_by_role("link", name="Library").click()
    row = page.get_by_role("row").filter(has_text=TITLE)
    expect(row.locator(".status")).to_have_text("Scheduled")
    expect(row).to_contain_text(TEAM)
    story.comms_state = page.context.storage_state()
    story.post_id = int(re.search(r"/posts/(\d+)/", row.get_by_role("link", name=TITLE).get_attribute("href")).group(1))
    story.publish_at = publish_at
    story.title = TITLE
    story.captions = [text for _network, text in CAPTIONS]

    # What the server stored, not only what the page said.
    post = Post.objects.get(pk=story.post_id)
    assert (post.title, post.status, post.publish_at) == (TITLE, "scheduled", publish_at)
    assert sorted(post.captions.values_list("network", "text")) == sorted(CAPTIONS)
    assert list(post.topics.values_list("name", flat=True)) == [TOPIC]
    assert list(post.audience_teams.values_list("name", flat=True)) == [TEAM]
