"""Shares carry the post's images: read through the storage, fitted, stripped, sent.

Mastodon and LinkedIn are mocked at HTTP in their documented shapes; the storage,
the database, the claim and the state changes are real.
"""

from __future__ import annotations

import io
import json

import httpx
import pytest
import respx
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from advocacy import services
from advocacy.models import Share
from content import services as content_services
from content.images import ImageSlot
from content.models import PostImage
from tests import images
from tests.factories import PostFactory, SocialProfileFactory

pytestmark = pytest.mark.usefixtures("media_root")

INSTANCE = "https://social.example"
STATUS_JSON = {"id": "1100", "url": f"{INSTANCE}/@emma/1100"}


def _post_with_images(cast, pictures, *, link_url=""):
    post = PostFactory.published(organization=cast.org, title="Team day", link_url=link_url)
    slots = [
        ImageSlot(upload=SimpleUploadedFile(f"photo{n}.jpg", data), alt_text=alt)
        for n, (data, alt) in enumerate(pictures)
    ]
    return content_services.post_save(
        organization=cast.org, actor=cast.carol.user, post=post, title=post.title, link_url=link_url, images=slots
    )


def _share(cast, post, profiles, capture):
    with capture(execute=False):
        return services.shares_create(
            member=cast.emma, actor=cast.emma.user, post=post, profiles=profiles, comment="What a day!"
        )


@pytest.fixture
def mastodon_profile(cast):
    return SocialProfileFactory(owner_membership=cast.emma, network="mastodon", handle="@emma@social.example")


@pytest.fixture
def linkedin_profile(cast):
    return SocialProfileFactory(
        owner_membership=cast.emma, network="linkedin", handle="Emma", extra={"person_urn": "urn:li:person:emma1"}
    )


@respx.mock
def test_a_share_sends_the_posts_images_with_descriptions_and_without_location(
    cast, mastodon_profile, django_capture_on_commit_callbacks
):
    post = _post_with_images(
        cast, [(images.jpeg_with_location((640, 480)), "The whole team"), (images.png(), "Our banner")]
    )
    ids = iter(["m1", "m2"])
    upload = respx.post(f"{INSTANCE}/api/v2/media").mock(
        side_effect=lambda r: httpx.Response(200, json={"id": next(ids)})
    )
    status = respx.post(f"{INSTANCE}/api/v1/statuses").mock(return_value=httpx.Response(200, json=STATUS_JSON))
    (share,) = _share(cast, post, [mastodon_profile], django_capture_on_commit_callbacks)

    assert services.share_push(share_id=share.id) == "posted"

    assert json.loads(status.calls.last.request.content)["media_ids"] == ["m1", "m2"]
    first = upload.calls[0].request.content
    assert b"The whole team" in first
    assert b"Our banner" in upload.calls[1].request.content
    jpeg = first[first.index(b"\xff\xd8") : first.rindex(b"\xff\xd9") + 2]
    sent = Image.open(io.BytesIO(jpeg))
    assert sent.size == (640, 480)
    assert images.GPS_IFD not in sent.getexif()
    assert b"PhoneMaker" not in first


@respx.mock
def test_a_share_that_cannot_go_out_on_one_network_still_goes_out_on_the_others(
    cast, mastodon_profile, linkedin_profile, django_capture_on_commit_callbacks
):
    post = _post_with_images(cast, [(images.png(), "Our banner")])
    respx.post(f"{INSTANCE}/api/v2/media").mock(return_value=httpx.Response(200, json={"id": "m1"}))
    respx.post(f"{INSTANCE}/api/v1/statuses").mock(return_value=httpx.Response(200, json=STATUS_JSON))
    respx.post("https://api.linkedin.com/rest/images", params={"action": "initializeUpload"}).mock(
        return_value=httpx.Response(403, json={"status": 403, "message": "Not enough permissions to upload images"})
    )
    linkedin_posts = respx.post("https://api.linkedin.com/rest/posts")
    shares = _share(cast, post, [mastodon_profile, linkedin_profile], django_capture_on_commit_callbacks)

    for share in shares:
        services.share_push(share_id=share.id)

    by_network = {share.network: share for share in Share.objects.all()}
    assert by_network["mastodon"].status == "posted"
    assert by_network["linkedin"].status == "failed"
    assert "image 1 of 1" in by_network["linkedin"].last_error
    assert "Not enough permissions" in by_network["linkedin"].last_error
    assert not linkedin_posts.called


@respx.mock
def test_a_damaged_stored_image_fails_the_share_with_a_message_and_posts_nothing(
    cast, mastodon_profile, django_capture_on_commit_callbacks
):
    post = _post_with_images(cast, [(images.png(), "Our banner")])
    stored = PostImage.objects.get(post=post)
    default_storage.delete(stored.image.name)
    default_storage.save(stored.image.name, io.BytesIO(images.truncated_jpeg()))
    statuses = respx.post(f"{INSTANCE}/api/v1/statuses")
    (share,) = _share(cast, post, [mastodon_profile], django_capture_on_commit_callbacks)

    assert services.share_push(share_id=share.id) == "failed"

    share.refresh_from_db()
    assert "not an image we can read" in share.last_error
    assert "Ask the communications team to replace it" in share.last_error
    assert not statuses.called


@respx.mock
def test_a_store_that_cannot_be_read_sends_the_share_back_to_the_queue(
    cast, mastodon_profile, django_capture_on_commit_callbacks, monkeypatch
):
    post = _post_with_images(cast, [(images.png(), "Our banner")])
    default_storage.delete(PostImage.objects.get(post=post).image.name)
    statuses = respx.post(f"{INSTANCE}/api/v1/statuses")
    monkeypatch.setattr("advocacy.tasks.share_push_task.apply_async", lambda args, countdown: None)
    (share,) = _share(cast, post, [mastodon_profile], django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=True):
        assert services.share_push(share_id=share.id) == "queued"

    share.refresh_from_db()
    assert share.next_attempt_at is not None
    assert "could not read" in share.last_error
    assert not statuses.called


@respx.mock
def test_a_post_without_a_link_goes_to_linkedin_as_images_not_as_a_card(
    cast, linkedin_profile, django_capture_on_commit_callbacks
):
    post = _post_with_images(cast, [(images.png(), "One"), (images.png(colour="red"), "Two")])
    respx.post("https://api.linkedin.com/rest/images", params={"action": "initializeUpload"}).mock(
        side_effect=[
            httpx.Response(
                200,
                json={
                    "value": {"uploadUrl": f"https://www.linkedin.com/dms-uploads/{n}", "image": f"urn:li:image:{n}"}
                },
            )
            for n in (1, 2)
        ]
    )
    respx.put(url__startswith="https://www.linkedin.com/dms-uploads/").mock(return_value=httpx.Response(201))
    posts = respx.post("https://api.linkedin.com/rest/posts").mock(
        return_value=httpx.Response(201, headers={"x-restli-id": "urn:li:share:1"})
    )
    (share,) = _share(cast, post, [linkedin_profile], django_capture_on_commit_callbacks)

    assert services.share_push(share_id=share.id) == "posted"

    content = json.loads(posts.calls.last.request.content)["content"]
    assert content["multiImage"]["images"] == [
        {"id": "urn:li:image:1", "altText": "One"},
        {"id": "urn:li:image:2", "altText": "Two"},
    ]
