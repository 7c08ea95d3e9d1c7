"""Journey 10c: with the control dial at distributed, an employee writes a post of their
own; a colleague in another team sees it in the feed with its author, and the comms
team takes it down from the post's page."""

from __future__ import annotations

from playwright.sync_api import expect

from content.models import Post
from e2e.tests.support import COMMS, EMPLOYEE, OUTSIDER, login, shot, wait_for
from employees.models import AuditEvent, Organization

TITLE = "What our field team learned in Odense"
BODY = "Three customers, one lesson: ask before you pitch."


def test_an_employee_publishes_a_post_and_comms_take_it_down(open_page):
    Organization.objects.filter(slug="nordlys").update(control="distributed")
    try:
        page = open_page()
        login(page, EMPLOYEE)
        page.goto("/")
        page.get_by_role("link", name="My feed").click()
        page.get_by_role("link", name="Write a post").click()
        page.get_by_label("Title").fill(TITLE)
        page.get_by_label("What you want to say").fill(BODY)
        shot(page, "journeys/10c-employee-writes")
        page.get_by_role("button", name="Publish", exact=True).click()
        expect(page.get_by_text("Published: your colleagues see it in their feed now.")).to_be_visible()
        post = wait_for(lambda: Post.objects.filter(title=TITLE, status="published").first(), what="the post")

        colleague = open_page()
        login(colleague, OUTSIDER)
        colleague.goto("/")
        colleague.get_by_role("link", name="My feed").click()
        card = colleague.get_by_role("article", name=TITLE)
        expect(card).to_contain_text("from Emil Employee in Field sales")
        shot(colleague, "journeys/10c-colleague-feed")

        comms = open_page()
        login(comms, COMMS)
        comms.goto(f"/content/posts/{post.id}/")
        comms.once("dialog", lambda dialog: dialog.accept())
        comms.get_by_role("button", name="Take down").click()
        expect(comms.get_by_text("Taken down: the post no longer shows in anyone's feed.")).to_be_visible()

        colleague.reload()
        expect(colleague.get_by_role("article", name=TITLE)).to_have_count(0)
        # What the pages said is what was stored: the employee's post, archived, the act audited.
        post.refresh_from_db()
        assert (post.source, post.status) == (Post.Source.COLLEAGUE, Post.Status.ARCHIVED)
        assert AuditEvent.objects.filter(
            organization=post.organization, action=AuditEvent.Action.POST_TAKEN_DOWN, target=TITLE
        ).exists()
    finally:
        Organization.objects.filter(slug="nordlys").update(control="centralized")
