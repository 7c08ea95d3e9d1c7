"""A post without a link: its shares carry no tracked link, and nothing redirects to itself."""

from __future__ import annotations

import json

import httpx
import pytest
import respx
from django.urls import reverse

from advocacy import services
from advocacy.models import Click, Share, TrackedLink
from tests.factories import PostFactory, SocialProfileFactory

STATUSES = "https://social.example/api/v1/statuses"
STATUS_JSON = {"id": "1200", "url": "https://social.example/@emma/1200", "content": "<p>hi</p>"}


@pytest.fixture
def linkless_post(cast):
    return PostFactory.published(organization=cast.org, title="Town hall at noon", link_url="")


@pytest.fixture
def share(cast, linkless_post, mastodon_profile, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        (share,) = services.shares_create(
            member=cast.emma,
            actor=cast.emma.user,
            post=linkless_post,
            profiles=[mastodon_profile],
            comment="See you there",
        )
    return share


def test_a_share_of_a_post_without_a_link_has_no_tracked_link(share):
    assert not TrackedLink.objects.filter(share=share).exists()
    assert "utm_" not in share.final_text
    assert "/l/" not in share.final_text
    assert share.final_text.startswith("See you there")


@respx.mock
def test_a_share_without_a_link_is_posted_with_its_words_only(share):
    route = respx.post(STATUSES).mock(return_value=httpx.Response(200, json=STATUS_JSON))
    assert services.share_push(share_id=share.id) == Share.Status.POSTED
    sent = json.loads(route.calls.last.request.content)["status"]
    assert sent == Share.objects.get(pk=share.pk).final_text
    assert "/l/" not in sent


def test_a_stored_link_whose_target_is_not_a_web_address_is_not_followed(client, cast):
    # What a linkless post produced before: a target of a bare query string, which the
    # browser resolved against /l/<code> itself, counting a click on every hop.
    TrackedLink.objects.create(code="loopLoop", organization=cast.org, target_url="?utm_source=x&utm_medium=a")
    response = client.get(
        reverse("advocacy:tracked_link", args=["loopLoop"]), HTTP_USER_AGENT="Mozilla/5.0 Firefox/130"
    )
    assert response.status_code == 404
    assert not Click.objects.exists()


def test_the_preview_of_a_post_without_a_link_shows_no_short_link(cast, login, linkless_post, mastodon_profile):
    response = login(cast.emma).post(
        reverse("advocacy:compose_preview", args=[linkless_post.id]),
        {"comment": "See you there", "profiles": [mastodon_profile.id]},
    )
    assert response.status_code == 200
    assert "See you there" in response.text
    assert "/l/" not in response.text


def test_a_facebook_share_without_a_link_opens_facebook_itself(cast, linkless_post):
    profile = SocialProfileFactory(owner_membership=cast.emma, network="facebook", handle="Emma", access_token="")
    (share,) = services.shares_create(
        member=cast.emma, actor=cast.emma.user, post=linkless_post, profiles=[profile], comment="Come along"
    )
    assert share.remote_url == "https://www.facebook.com/"
    assert not TrackedLink.objects.filter(share=share).exists()
