"""Feed cards come from a cache keyed by what they show: never stale, never someone else's."""

from __future__ import annotations

import re

from django.conf import settings
from django.urls import reverse

from advocacy.models import Share
from content.models import Post
from tests.factories import MembershipFactory, PostFactory, SocialProfileFactory, TopicFactory


def _card(page: str, title: str) -> str:
    """The article that holds the post with this title."""
    for article in re.findall(r"<article.*?</article>", page, re.DOTALL):
        if title in article:
            return article
    raise AssertionError(f"no card for {title!r}")


def test_an_edited_post_shows_its_new_text_even_when_updated_at_is_untouched(cast, login):
    post = PostFactory.published(organization=cast.org, title="Old title", body="Old body")
    client = login(cast.emma)
    assert "Old title" in client.get(reverse("advocacy:feed")).content.decode()
    Post.objects.filter(pk=post.pk).update(title="New title", body="New body", preview_title="A preview")
    page = client.get(reverse("advocacy:feed")).content.decode()
    assert "New title" in page and "New body" in page and "A preview" in page
    assert "Old title" not in page and "Old body" not in page


def test_a_renamed_or_removed_topic_shows_on_the_card_at_once(cast, login):
    topic = TopicFactory(organization=cast.org, name="Hiring")
    post = PostFactory.published(organization=cast.org, title="Join us")
    post.topics.add(topic)
    client = login(cast.emma)
    assert "· Hiring" in _card(client.get(reverse("advocacy:feed")).content.decode(), "Join us")
    topic.name = "Careers"
    topic.save()
    card = _card(client.get(reverse("advocacy:feed")).content.decode(), "Join us")
    assert "· Careers" in card and "Hiring" not in card
    post.topics.remove(topic)
    assert "Careers" not in _card(client.get(reverse("advocacy:feed")).content.decode(), "Join us")


def test_each_member_sees_their_own_share_button_on_the_same_post(cast, login, client):
    post = PostFactory.published(organization=cast.org, title="Big news")
    colleague = MembershipFactory(organization=cast.org, teams=[cast.sales])
    profile = SocialProfileFactory(owner_membership=cast.emma)
    Share.objects.create(organization=cast.org, post=post, profile=profile, member=cast.emma, network="mastodon")
    emmas = _card(login(cast.emma).get(reverse("advocacy:feed")).content.decode(), "Big news")
    client.logout()
    theirs = _card(login(colleague).get(reverse("advocacy:feed")).content.decode(), "Big news")
    assert "You shared this" in emmas and "Share again" in emmas and "?again=1" in emmas
    assert "You shared this" not in theirs and "Share again" not in theirs and "?again=1" not in theirs


def test_a_card_follows_the_language_of_the_page(cast, login):
    PostFactory.published(organization=cast.org, title="Big news")
    client = login(cast.emma)
    assert ">Share</a>" in _card(client.get(reverse("advocacy:feed")).content.decode(), "Big news")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "da"
    card = _card(client.get(reverse("advocacy:feed")).content.decode(), "Big news")
    assert ">Del</a>" in card and ">Share</a>" not in card


def test_the_topic_filter_shows_new_renamed_and_chosen_topics_at_once(cast, login):
    hiring = TopicFactory(organization=cast.org, name="Hiring")
    PostFactory.published(organization=cast.org, title="Big news")
    client = login(cast.emma)
    assert ">Hiring</a>" in client.get(reverse("advocacy:feed")).content.decode()
    hiring.name = "Careers"
    hiring.save()
    TopicFactory(organization=cast.org, name="Events")
    page = client.get(reverse("advocacy:feed")).content.decode()
    assert ">Careers</a>" in page and ">Events</a>" in page and ">Hiring</a>" not in page
    chosen = client.get(reverse("advocacy:feed"), {"topic": hiring.id}).content.decode()
    assert f'href="?topic={hiring.id}" aria-current="true"' in chosen
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "da"
    assert 'aria-label="Emner"' in client.get(reverse("advocacy:feed")).content.decode()
