"""Images end to end: the editor stores them in a local S3 server, a real worker reads them
through the storage and posts them to the real local Bluesky network.
"""

from __future__ import annotations

import io

import pytest
from atproto import Client
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from advocacy.models import Share
from content.models import Post
from employees.profiles.services import profile_store
from networks.bluesky import BlueskyAdapter
from tests import images
from tests.bluesky.fixtures import bluesky_network  # noqa: F401
from tests.bluesky.network import unique_handle
from tests.s3 import s3_server, s3_storage  # noqa: F401
from tests.worker import running_worker, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _connect(network, membership):
    account = network.create_account(unique_handle("img"))
    credentials = BlueskyAdapter.connect(account.handle, account.password, network.pds_url)
    profile = profile_store(
        membership=membership,
        network="bluesky",
        remote_id=credentials.extra["did"],
        credentials=credentials,
        handle=account.handle,
        followers=0,
    )
    return account, profile


def _publish_with_images(client, pictures, *, link_url=""):
    data = {
        "title": "Team day",
        "body": "",
        "link_url": link_url,
        "internal_notes": "",
        "captions-TOTAL_FORMS": "0",
        "captions-INITIAL_FORMS": "0",
        "captions-MIN_NUM_FORMS": "0",
        "captions-MAX_NUM_FORMS": "10",
        "action": "publish",
        "image_places": "1",
    }
    for number, (content, alt) in enumerate(pictures, start=1):
        extension = "png" if content.startswith(b"\x89PNG") else "jpg"
        data[f"image_{number}"] = SimpleUploadedFile(f"photo{number}.{extension}", content)
        data[f"alt_{number}"] = alt
    response = client.post(reverse("content:post_create"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return Post.objects.latest("id")


def _share_and_wait(client, post, profile):
    response = client.post(
        reverse("advocacy:compose", args=[post.id]),
        {"profiles": [profile.id], "comment": "Look at this!", "when": "now"},
    )
    assert response.status_code == 302
    share = Share.objects.get(post=post)
    wait_for(lambda: Share.objects.filter(pk=share.pk, status__in=["posted", "failed"]).exists(), timeout=90)
    share.refresh_from_db()
    assert share.status == "posted", share.last_error
    return share


def _record(network, account, uri):
    client = Client(base_url=network.pds_url + "/xrpc")
    rkey = uri.rsplit("/", 1)[-1]
    record = client.com.atproto.repo.get_record({"repo": account.did, "collection": "app.bsky.feed.post", "rkey": rkey})
    return client, record.value


def test_images_go_from_the_s3_store_through_a_worker_to_the_pds_with_their_alt_text(
    cast,
    login,
    bluesky_network,  # noqa: F811
    s3_storage,  # noqa: F811
):
    photo = images.jpeg_with_location((2600, 1950))  # larger than Bluesky serves: scaled to 2,000 px
    post = _publish_with_images(
        login(cast.carol), [(photo, "The whole team on the roof"), (images.png((300, 200)), "Our banner")]
    )
    assert len(s3_storage.object_keys()) == 4  # two originals, two thumbnails
    account, profile = _connect(bluesky_network, cast.emma)

    with running_worker():  # MEDIA_STORAGE_URL is in its environment: it reads from the bucket
        share = _share_and_wait(login(cast.emma), post, profile)

    client, value = _record(bluesky_network, account, share.remote_id)
    embed = value.embed
    assert embed.py_type == "app.bsky.embed.images"
    assert [image.alt for image in embed.images] == ["The whole team on the roof", "Our banner"]
    first = embed.images[0]
    assert (first.aspect_ratio.width, first.aspect_ratio.height) == (2000, 1500)
    blob = client.com.atproto.sync.get_blob({"did": account.did, "cid": first.image.ref.link})
    sent = Image.open(io.BytesIO(blob))
    assert sent.size == (2000, 1500)
    assert images.GPS_IFD not in sent.getexif()
    assert b"PhoneMaker" not in blob
    assert len(blob) <= 1_000_000


def test_with_a_link_the_first_image_is_the_cards_picture_on_the_pds(
    cast,
    login,
    bluesky_network,  # noqa: F811
    s3_storage,  # noqa: F811
):
    post = _publish_with_images(
        login(cast.carol),
        [(images.png((600, 315)), "Card picture"), (images.png(), "Left out")],
        link_url="https://example.com/team-day",
    )
    account, profile = _connect(bluesky_network, cast.emma)

    with running_worker():
        share = _share_and_wait(login(cast.emma), post, profile)

    _client, value = _record(bluesky_network, account, share.remote_id)
    assert value.embed.py_type == "app.bsky.embed.external"
    assert value.embed.external.thumb is not None
    assert value.embed.external.thumb.mime_type == "image/png"
