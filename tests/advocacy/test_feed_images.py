"""The feed card and the composer show a post's first image; the composer says what each network gets."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from content import services as content_services
from content.images import ImageSlot
from tests import images
from tests.factories import PostFactory, SocialProfileFactory

pytestmark = pytest.mark.usefixtures("media_root")


def _post(cast, *, link_url="https://example.com/day", count=2):
    post = PostFactory.published(organization=cast.org, title="Team day", link_url=link_url)
    slots = [
        ImageSlot(upload=SimpleUploadedFile(f"p{n}.png", images.png((960, 720))), alt_text=f"Picture {n}")
        for n in range(1, count + 1)
    ]
    return content_services.post_save(
        organization=cast.org, actor=cast.carol.user, post=post, title=post.title, link_url=link_url, images=slots
    )


def test_the_feed_card_shows_the_first_image_thumbnail_sized_and_lazy(cast, login):
    post = _post(cast)
    first = post.images.first()
    page = login(cast.emma).get(reverse("advocacy:feed")).content.decode()
    assert (
        f'<img src="{first.thumbnail.url}" alt="Picture 1" class="post-image" loading="lazy" width="480" height="360">'
        in page
    )
    assert "Picture 2" not in page


def test_the_composer_shows_the_first_image(cast, login):
    post = _post(cast)
    page = login(cast.emma).get(reverse("advocacy:compose", args=[post.id])).content.decode()
    assert f'src="{post.images.first().thumbnail.url}" alt="Picture 1"' in page


def test_the_composer_says_per_network_what_goes_out(cast, login):
    post = _post(cast, count=3)
    bluesky = SocialProfileFactory(owner_membership=cast.emma, network="bluesky", handle="emma.test", extra={})
    mastodon = SocialProfileFactory(owner_membership=cast.emma, network="mastodon", handle="@emma@social.example")
    response = login(cast.emma).post(
        reverse("advocacy:compose_preview", args=[post.id]),
        {"comment": "Great day", "profiles": [bluesky.id, mastodon.id]},
    )
    page = response.content.decode()
    assert "The first image goes as the link card&#x27;s picture." in page
    assert "With a link, Bluesky shows one picture: 2 more images are not sent." in page
    assert "3 images go with the post, with their descriptions, fitted to Mastodon&#x27;s limits." in page


def test_without_a_link_bluesky_gets_every_image(cast, login):
    post = _post(cast, link_url="", count=2)
    bluesky = SocialProfileFactory(owner_membership=cast.emma, network="bluesky", handle="emma.test", extra={})
    page = (
        login(cast.emma)
        .post(reverse("advocacy:compose_preview", args=[post.id]), {"comment": "Great day", "profiles": [bluesky.id]})
        .content.decode()
    )
    assert "2 images go with the post, with their descriptions, fitted to Bluesky&#x27;s limits." in page


def test_a_post_without_images_says_nothing_about_images(cast, login):
    post = PostFactory.published(organization=cast.org)
    mastodon = SocialProfileFactory(owner_membership=cast.emma, network="mastodon", handle="@emma@social.example")
    page = (
        login(cast.emma)
        .post(reverse("advocacy:compose_preview", args=[post.id]), {"comment": "Hi", "profiles": [mastodon.id]})
        .content.decode()
    )
    assert "media-note" not in page


def test_an_x_connection_without_the_image_scope_is_told_to_reconnect_before_sharing(cast, login):
    post = _post(cast, count=1)
    old = SocialProfileFactory(
        owner_membership=cast.emma, network="x", handle="emma", extra={"scopes": ["tweet.write", "offline.access"]}
    )
    page = (
        login(cast.emma)
        .post(reverse("advocacy:compose_preview", args=[post.id]), {"comment": "Great day", "profiles": [old.id]})
        .content.decode()
    )
    assert "This X connection may not upload images, so the share would fail." in page
