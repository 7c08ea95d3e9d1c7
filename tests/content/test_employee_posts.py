from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from advocacy.models import Share
from content.models import ComplianceEvent, ComplianceSettings, Post
from employees.models import AuditEvent
from tests.factories import MembershipFactory, PostFactory, SocialProfileFactory

pytestmark = pytest.mark.usefixtures("media_root")


def _dial(cast, position):
    cast.org.control = position
    cast.org.save()


def _maja(cast):
    cast.emma.user.name = "Maja Berg"
    cast.emma.user.save()
    return cast.emma


def _write(client, **overrides):
    data = {
        "title": "Our team shipped the new planner",
        "body": "It took us a year.",
        "link_url": "",
        "action": "submit",
    }
    data.update(overrides)
    return client.post(reverse("content:write"), data)


def test_centralized_employees_suggest_links_instead_of_writing(cast, login):
    response = login(cast.emma).get(reverse("content:write"))
    assert response.status_code == 302 and response.url == reverse("content:suggest")
    assert _write(login(cast.emma)).status_code == 302
    assert not Post.objects.filter(source=Post.Source.COLLEAGUE).exists()


def test_the_author_editor_is_the_comms_editor_without_captions_schedule_or_notes(cast, login):
    _dial(cast, "decentralized")
    page = login(cast.emma).get(reverse("content:write")).content.decode()
    assert 'name="title"' in page and 'name="body"' in page and 'name="image_1"' in page
    for absent in ("captions-TOTAL_FORMS", 'name="internal_notes"', 'name="publish_at"', 'name="expires_at"'):
        assert absent not in page
    assert "Send for approval" in page
    assert "What you want to say" in page


def test_a_decentralized_post_waits_for_comms_or_the_authors_manager(cast, login):
    _dial(cast, "decentralized")
    _maja(cast)
    response = _write(login(cast.emma))
    assert response.status_code == 302
    post = Post.objects.get(source=Post.Source.COLLEAGUE)
    assert (post.status, post.created_by) == (Post.Status.PENDING_APPROVAL, cast.emma.user)
    colleague = MembershipFactory(organization=cast.org, teams=[cast.nordics])
    assert post.title not in login(colleague).get(reverse("advocacy:feed")).content.decode()
    # mike manages Sales, and so Nordics below it; carol is comms.
    assert post.title in login(cast.carol).get(reverse("content:post_queue")).content.decode()
    assert post.title in login(cast.mike).get(reverse("content:post_queue")).content.decode()
    response = login(cast.mike).post(reverse("content:post_queue_approve", args=[post.id]))
    assert response.status_code == 302
    post.refresh_from_db()
    assert (post.status, post.reviewed_by) == (Post.Status.PUBLISHED, cast.mike.user)
    feed = login(colleague).get(reverse("advocacy:feed")).content.decode()
    assert post.title in feed
    assert "from Maja Berg in Nordics" in feed


def test_a_manager_of_another_team_cannot_approve(cast, login):
    _dial(cast, "decentralized")
    _write(login(cast.emma))
    post = Post.objects.get(source=Post.Source.COLLEAGUE)
    other_manager = MembershipFactory(organization=cast.org, is_manager=True, teams=[cast.marketing])
    assert post.title not in login(other_manager).get(reverse("content:post_queue")).content.decode()
    assert login(other_manager).post(reverse("content:post_queue_approve", args=[post.id])).status_code == 404
    assert login(cast.olga).post(reverse("content:post_queue_approve", args=[post.id])).status_code == 404
    post.refresh_from_db()
    assert post.status == Post.Status.PENDING_APPROVAL


def test_a_sent_back_post_shows_the_reason_to_its_author(cast, login):
    _dial(cast, "decentralized")
    _write(login(cast.emma))
    post = Post.objects.get(source=Post.Source.COLLEAGUE)
    login(cast.carol).post(reverse("content:post_queue_reject", args=[post.id]), {"reason": "Name the customer first."})
    page = login(cast.emma).get(reverse("content:my_posts")).content.decode()
    assert "Name the customer first." in page


def test_a_distributed_post_is_published_at_once_and_logged(cast, login):
    _dial(cast, "distributed")
    _maja(cast)
    page = login(cast.emma).get(reverse("content:write")).content.decode()
    assert "Send for approval" not in page
    response = _write(login(cast.emma))
    assert response.status_code == 302
    post = Post.objects.get(source=Post.Source.COLLEAGUE)
    assert post.status == Post.Status.PUBLISHED
    event = AuditEvent.objects.get(organization=cast.org, action=AuditEvent.Action.POST_PUBLISHED)
    assert (event.actor, event.detail["post_id"]) == (cast.emma.user, post.id)
    colleague = MembershipFactory(organization=cast.org, teams=[cast.marketing])
    assert "from Maja Berg in Nordics" in login(colleague).get(reverse("advocacy:feed")).content.decode()


def test_an_author_addresses_only_their_own_teams(cast, login):
    _dial(cast, "distributed")
    response = _write(login(cast.emma), audience_teams=[cast.marketing.id])
    assert response.status_code == 400
    assert not Post.objects.filter(source=Post.Source.COLLEAGUE).exists()
    response = _write(login(cast.emma), audience_teams=[cast.nordics.id])
    assert response.status_code == 302
    post = Post.objects.get(source=Post.Source.COLLEAGUE)
    assert list(post.audience_teams.all()) == [cast.nordics]
    outsider = MembershipFactory(organization=cast.org, teams=[cast.marketing])
    assert post.title not in login(outsider).get(reverse("advocacy:feed")).content.decode()


def test_a_blocked_phrase_is_refused_at_save_and_named(cast, login):
    _dial(cast, "distributed")
    ComplianceSettings.objects.create(organization=cast.org, blocked_phrases="guaranteed returns")
    response = _write(login(cast.emma), body="Guaranteed  returns for everyone who joins")
    assert response.status_code == 400
    assert "“guaranteed returns” is on your organization&#x27;s list of blocked words." in response.content.decode()
    assert not Post.objects.filter(source=Post.Source.COLLEAGUE).exists()
    event = ComplianceEvent.objects.get(organization=cast.org)
    assert (event.where, event.detail, event.actor) == ("post", "guaranteed returns", cast.emma.user)


def test_only_the_author_edits_their_post(cast, login):
    _dial(cast, "distributed")
    _write(login(cast.emma))
    post = Post.objects.get(source=Post.Source.COLLEAGUE)
    colleague = MembershipFactory(organization=cast.org, teams=[cast.nordics])
    assert login(colleague).get(reverse("content:write_edit", args=[post.id])).status_code == 404
    response = login(cast.emma).post(
        reverse("content:write_edit", args=[post.id]), {"title": "Shipped, and here is why", "body": "", "link_url": ""}
    )
    assert response.status_code == 302
    post.refresh_from_db()
    assert (post.title, post.status) == ("Shipped, and here is why", Post.Status.PUBLISHED)


def _shared_colleague_post(cast, **share):
    post = PostFactory.published(
        organization=cast.org, source=Post.Source.COLLEAGUE, created_by=cast.emma.user, title="Maja's news"
    )
    colleague = MembershipFactory(organization=cast.org, teams=[cast.sales])
    profile = SocialProfileFactory(owner_membership=colleague, followers=250)
    Share.objects.create(
        organization=cast.org,
        post=post,
        profile=profile,
        member=colleague,
        network="mastodon",
        final_text="Proud of Maja's team",
        followers_at_share=250,
        **share,
    )
    return post, colleague


def test_comms_take_a_post_down_from_the_feed_and_learn_that_shares_stay(cast, login):
    _dial(cast, "distributed")
    post, colleague = _shared_colleague_post(cast, status=Share.Status.POSTED, posted_at=timezone.now())
    later = Share.objects.create(
        organization=cast.org,
        post=post,
        profile=SocialProfileFactory(owner_membership=cast.mike),
        member=cast.mike,
        network="mastodon",
        final_text="Later",
        status=Share.Status.SCHEDULED,
        scheduled_for=timezone.now() + timedelta(hours=2),
    )
    client = login(cast.carol)
    feed = client.get(reverse("advocacy:feed")).content.decode()
    assert reverse("content:post_takedown", args=[post.id]) in feed
    response = client.post(reverse("content:post_takedown", args=[post.id]), follow=True)
    page = response.content.decode()
    assert "Taken down" in page
    assert "1 share by a colleague stays on its network: Chorus does not delete posts" in page
    post.refresh_from_db()
    later.refresh_from_db()
    assert post.status == Post.Status.ARCHIVED
    assert later.status == Share.Status.FAILED
    assert "Maja's news" not in login(colleague).get(reverse("advocacy:feed")).content.decode()
    event = AuditEvent.objects.get(organization=cast.org, action=AuditEvent.Action.POST_TAKEN_DOWN)
    assert (event.actor, event.detail["shares_kept"]) == (cast.carol.user, 1)


def test_only_comms_take_down_and_only_in_their_organization(cast, login):
    _dial(cast, "distributed")
    post, colleague = _shared_colleague_post(cast)
    assert (
        reverse("content:post_takedown", args=[post.id])
        not in login(colleague).get(reverse("advocacy:feed")).content.decode()
    )
    assert login(colleague).post(reverse("content:post_takedown", args=[post.id])).status_code == 403
    assert login(cast.olga).post(reverse("content:post_takedown", args=[post.id])).status_code == 404
    comms_post = PostFactory.published(organization=cast.org)
    assert login(cast.carol).post(reverse("content:post_takedown", args=[comms_post.id])).status_code == 404
    post.refresh_from_db()
    assert post.status == Post.Status.PUBLISHED


def test_my_impact_credits_the_reach_colleagues_gave_my_post(cast, login):
    _dial(cast, "distributed")
    _shared_colleague_post(cast, status=Share.Status.POSTED, posted_at=timezone.now())
    page = login(cast.emma).get(reverse("analytics:my_impact")).content.decode()
    assert 'id="my-posts-reach"' in page
    assert "1 colleague shared them in this period." in page
    section = page.split('id="my-posts-reach"')[1].split("</section>")[0]
    assert "<dd>250</dd>" in section
    # A colleague who wrote nothing sees no such section.
    assert 'id="my-posts-reach"' not in login(cast.mike).get(reverse("analytics:my_impact")).content.decode()
