"""An employee outside a post's audience never sees it; a team includes its sub-teams."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from content.selectors import post_list_visible_to
from tests.factories import PostFactory


def test_a_post_for_everyone_reaches_every_member(cast):
    post = PostFactory.published(organization=cast.org)
    assert post in post_list_visible_to(cast.emma)
    assert post in post_list_visible_to(cast.carol)


def test_a_post_for_a_team_reaches_its_sub_teams_and_nobody_else(cast):
    post = PostFactory.published(organization=cast.org, audience=[cast.sales])
    assert post in post_list_visible_to(cast.emma)  # Nordics is below Sales
    assert post in post_list_visible_to(cast.mike)  # Sales itself
    assert post not in post_list_visible_to(cast.carol)  # Marketing


def test_a_post_for_a_sub_team_does_not_reach_the_parent_team(cast):
    post = PostFactory.published(organization=cast.org, audience=[cast.nordics])
    assert post in post_list_visible_to(cast.emma)
    assert post not in post_list_visible_to(cast.mike)


def test_drafts_scheduled_expired_and_other_organizations_posts_are_not_in_the_feed(cast):
    PostFactory(organization=cast.org, title="A draft")
    PostFactory(
        organization=cast.org, title="Later", status="scheduled", publish_at=timezone.now() + timedelta(hours=1)
    )
    PostFactory.published(organization=cast.org, title="Gone", expires_at=timezone.now() - timedelta(minutes=1))
    PostFactory.published(organization=cast.other_org, title="Not ours")
    visible = PostFactory.published(organization=cast.org, title="Live one")
    assert list(post_list_visible_to(cast.emma)) == [visible]


def test_the_feed_page_shows_only_the_audience_posts(cast, login):
    PostFactory.published(organization=cast.org, title="For marketing", audience=[cast.marketing])
    PostFactory.published(organization=cast.org, title="For sales", audience=[cast.sales])
    page = login(cast.emma).get(reverse("advocacy:feed")).content.decode()
    assert "For sales" in page
    assert "For marketing" not in page
