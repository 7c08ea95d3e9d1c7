"""Image uploads on Mastodon, LinkedIn and X against their documented shapes (HTTP mocked).

Every adapter uploads all images before it creates the post, so an image refused
(one of four, say) means no post at all: nothing goes out half.
"""

from __future__ import annotations

import json

import httpx
import pytest

from networks.base import Credentials, PermanentError, RetryLater, Unsupported
from networks.linkedin import LinkedInAdapter
from networks.mastodon import MastodonAdapter
from networks.media import MediaImage
from networks.x import MEDIA_SCOPE, XAdapter

PICTURES = [
    MediaImage(f"picture-{n}".encode(), "image/jpeg", 800, 600, alt=f"Photo {n} of the team") for n in (1, 2, 3, 4)
]


def _multipart_field(request: httpx.Request, name: str) -> bytes:
    body = request.content
    marker = f'name="{name}"'.encode()
    start = body.index(marker)
    value_start = body.index(b"\r\n\r\n", start) + 4
    return body[value_start : body.index(b"\r\n--", value_start)]


# -- Mastodon: POST /api/v2/media (202: poll GET /api/v1/media/:id), then media_ids[] ----

INSTANCE = "https://social.example"
STATUSES = f"{INSTANCE}/api/v1/statuses"
MEDIA = f"{INSTANCE}/api/v2/media"


def mastodon() -> MastodonAdapter:
    return MastodonAdapter(Credentials("masto-token", extra={"instance_url": INSTANCE}), sleep=lambda seconds: None)


def test_mastodon_gets_four_images_with_their_descriptions_in_order(respx_mock):
    ids = iter(["m1", "m2", "m3", "m4"])
    upload = respx_mock.post(MEDIA).mock(side_effect=lambda request: httpx.Response(200, json={"id": next(ids)}))
    status = respx_mock.post(STATUSES).mock(return_value=httpx.Response(200, json={"id": "9", "url": "u"}))

    mastodon().publish(text="Team day", link=None, images=PICTURES, idempotency_key="k")

    assert upload.call_count == 4
    for call, picture in zip(upload.calls, PICTURES, strict=True):
        assert _multipart_field(call.request, "description") == picture.alt.encode()
        assert _multipart_field(call.request, "file") == picture.data
        assert b"Content-Type: image/jpeg" in call.request.content
    assert json.loads(status.calls.last.request.content)["media_ids"] == ["m1", "m2", "m3", "m4"]


def test_mastodon_waits_for_an_image_still_processing(respx_mock):
    respx_mock.post(MEDIA).mock(return_value=httpx.Response(202, json={"id": "m1", "url": None}))
    poll = respx_mock.get(f"{INSTANCE}/api/v1/media/m1").mock(
        side_effect=[httpx.Response(206, json={"id": "m1"}), httpx.Response(200, json={"id": "m1", "url": "x"})]
    )
    status = respx_mock.post(STATUSES).mock(return_value=httpx.Response(200, json={"id": "9", "url": "u"}))

    mastodon().publish(text="Team day", link=None, images=PICTURES[:1], idempotency_key="k")

    assert poll.call_count == 2
    assert json.loads(status.calls.last.request.content)["media_ids"] == ["m1"]


def test_mastodon_refusing_one_image_of_four_posts_nothing(respx_mock):
    answers = iter(
        [
            httpx.Response(200, json={"id": "m1"}),
            httpx.Response(200, json={"id": "m2"}),
            httpx.Response(422, json={"error": "Validation failed: File content type is invalid"}),
        ]
    )
    respx_mock.post(MEDIA).mock(side_effect=lambda request: next(answers))
    status = respx_mock.post(STATUSES)

    with pytest.raises(PermanentError, match=r"image 3 of 4: .*content type is invalid"):
        mastodon().publish(text="Team day", link=None, images=PICTURES, idempotency_key="k")
    assert not status.called


def test_mastodon_down_during_an_upload_is_retried_later_without_a_post(respx_mock):
    respx_mock.post(MEDIA).mock(return_value=httpx.Response(503))
    status = respx_mock.post(STATUSES)
    with pytest.raises(RetryLater, match="image 1 of 2"):
        mastodon().publish(text="Team day", link=None, images=PICTURES[:2], idempotency_key="k")
    assert not status.called


# -- LinkedIn: Images API initializeUpload -> PUT to the upload URL -> URN in content ----

LI_API = "https://api.linkedin.com/rest"
PERSON = "urn:li:person:abc123"


def linkedin() -> LinkedInAdapter:
    return LinkedInAdapter(Credentials("li-token", extra={"person_urn": PERSON}))


def _linkedin_uploads(respx_mock, *, refuse: int | None = None, put_status: int = 201):
    counter = {"n": 0}

    def initialize(request):
        counter["n"] += 1
        number = counter["n"]
        if number == refuse:
            return httpx.Response(400, json={"status": 400, "message": "Image owner is not valid"})
        upload_url = f"https://www.linkedin.com/dms-uploads/img{number}"
        return httpx.Response(200, json={"value": {"uploadUrl": upload_url, "image": f"urn:li:image:C{number}"}})

    init = respx_mock.post(f"{LI_API}/images", params={"action": "initializeUpload"}).mock(side_effect=initialize)
    put = respx_mock.put(url__startswith="https://www.linkedin.com/dms-uploads/").mock(
        return_value=httpx.Response(put_status)
    )
    posts = respx_mock.post(f"{LI_API}/posts").mock(
        return_value=httpx.Response(201, headers={"x-restli-id": "urn:li:share:1"})
    )
    return init, put, posts


def test_linkedin_posts_several_images_as_a_multi_image_post_with_alt_text(respx_mock):
    init, put, posts = _linkedin_uploads(respx_mock)

    linkedin().publish(text="Team day", link=None, images=PICTURES[:3], idempotency_key="k")

    assert init.call_count == 3
    assert json.loads(init.calls[0].request.content) == {"initializeUploadRequest": {"owner": PERSON}}
    assert [call.request.content for call in put.calls] == [p.data for p in PICTURES[:3]]
    assert put.calls[0].request.headers["Content-Type"] == "image/jpeg"
    content = json.loads(posts.calls.last.request.content)["content"]
    assert content == {
        "multiImage": {"images": [{"id": f"urn:li:image:C{n}", "altText": f"Photo {n} of the team"} for n in (1, 2, 3)]}
    }


def test_linkedin_posts_one_image_as_media_with_its_alt_text(respx_mock):
    _init, _put, posts = _linkedin_uploads(respx_mock)
    linkedin().publish(text="Team day", link=None, images=PICTURES[:1], idempotency_key="k")
    content = json.loads(posts.calls.last.request.content)["content"]
    assert content == {"media": {"id": "urn:li:image:C1", "altText": "Photo 1 of the team"}}


def test_linkedin_with_a_link_sends_only_the_first_image_as_the_cards_thumbnail(respx_mock):
    init, _put, posts = _linkedin_uploads(respx_mock)
    linkedin().publish(
        text="Team day", link="https://go.example/l/abc", images=PICTURES, idempotency_key="k", link_title="Our day"
    )
    assert init.call_count == 1
    article = json.loads(posts.calls.last.request.content)["content"]["article"]
    assert (article["source"], article["thumbnail"]) == ("https://go.example/l/abc", "urn:li:image:C1")


def test_linkedin_refusing_one_image_of_four_posts_nothing(respx_mock):
    _init, _put, posts = _linkedin_uploads(respx_mock, refuse=2)
    with pytest.raises(PermanentError, match=r"image 2 of 4: .*Image owner is not valid"):
        linkedin().publish(text="Team day", link=None, images=PICTURES, idempotency_key="k")
    assert not posts.called


def test_linkedin_failing_to_store_the_bytes_is_retried_later_without_a_post(respx_mock):
    _init, _put, posts = _linkedin_uploads(respx_mock, put_status=500)
    with pytest.raises(RetryLater, match="image 1 of 1"):
        linkedin().publish(text="Team day", link=None, images=PICTURES[:1], idempotency_key="k")
    assert not posts.called


# -- X: POST /2/media/upload -> media.media_ids on POST /2/tweets; alt via /2/media/metadata --

X_API = "https://api.x.com/2"


def x_adapter(scopes=("tweet.write", "offline.access", MEDIA_SCOPE)) -> XAdapter:
    return XAdapter(Credentials("x-token", extra={"username": "emma", "scopes": list(scopes)}))


def test_x_uploads_each_image_describes_it_and_attaches_the_ids(respx_mock):
    ids = iter(["1880028106020515840", "1880028106020515841"])
    upload = respx_mock.post(f"{X_API}/media/upload").mock(
        side_effect=lambda request: httpx.Response(
            200, json={"data": {"id": next(ids), "media_key": "3_1", "size": 9, "expires_after_secs": 86400}}
        )
    )
    metadata = respx_mock.post(f"{X_API}/media/metadata").mock(
        return_value=httpx.Response(200, json={"data": {"associated_metadata": True}})
    )
    tweets = respx_mock.post(f"{X_API}/tweets").mock(
        return_value=httpx.Response(201, json={"data": {"id": "1445880548472328192", "text": "t"}})
    )

    x_adapter().publish(text="Team day", link="https://go.example/l/abc", images=PICTURES[:2], idempotency_key="k")

    first = upload.calls[0].request
    assert _multipart_field(first, "media") == PICTURES[0].data
    assert _multipart_field(first, "media_category") == b"tweet_image"
    assert json.loads(metadata.calls[1].request.content) == {
        "id": "1880028106020515841",
        "metadata": {"alt_text": {"text": "Photo 2 of the team"}},
    }
    body = json.loads(tweets.calls.last.request.content)
    assert body["media"] == {"media_ids": ["1880028106020515840", "1880028106020515841"]}
    assert body["text"].endswith("https://go.example/l/abc")


def test_x_refusing_one_image_of_four_posts_nothing(respx_mock):
    answers = iter(
        [
            httpx.Response(200, json={"data": {"id": "1"}}),
            httpx.Response(200, json={"data": {"id": "2"}}),
            httpx.Response(200, json={"data": {"id": "3"}}),
            httpx.Response(400, json={"title": "Invalid Request", "detail": "media type unrecognized."}),
        ]
    )
    respx_mock.post(f"{X_API}/media/upload").mock(side_effect=lambda request: next(answers))
    respx_mock.post(f"{X_API}/media/metadata").mock(return_value=httpx.Response(200, json={"data": {}}))
    tweets = respx_mock.post(f"{X_API}/tweets")

    with pytest.raises(PermanentError, match=r"image 4 of 4: .*media type unrecognized"):
        x_adapter().publish(text="Team day", link=None, images=PICTURES, idempotency_key="k")
    assert not tweets.called


def test_x_without_the_media_scope_asks_for_a_reconnect_and_posts_nothing(respx_mock):
    with pytest.raises(Unsupported, match="reconnect the profile"):
        x_adapter(scopes=("tweet.write", "offline.access")).publish(
            text="Team day", link=None, images=PICTURES[:1], idempotency_key="k"
        )
    assert not respx_mock.calls


def test_x_asks_for_the_media_scope_when_connecting():
    from networks.x import CONNECT_SCOPES

    assert MEDIA_SCOPE in CONNECT_SCOPES


# -- Bluesky: com.atproto.repo.uploadBlob per image, then the record (the real PDS is in
# tests/advocacy/test_bluesky_images_e2e.py; here, the refusal of one image of four) ------

PDS = "https://pds.example"


def test_bluesky_refusing_one_image_of_four_creates_no_record(respx_mock):
    from tests.networks.test_bluesky_adapter import adapter as bluesky_adapter

    blob = {"$type": "blob", "ref": {"$link": "bafkreibme22gw2h7y2h7tg2fhqotaqjucnbc24deqo72b6mkl2egezxhvy"}}
    answers = iter(
        [
            httpx.Response(200, json={"blob": {**blob, "mimeType": "image/jpeg", "size": 9}}),
            httpx.Response(400, json={"error": "BlobTooLarge", "message": "This file is too large"}),
        ]
    )
    upload = respx_mock.post(f"{PDS}/xrpc/com.atproto.repo.uploadBlob").mock(side_effect=lambda r: next(answers))
    create = respx_mock.post(f"{PDS}/xrpc/com.atproto.repo.createRecord")

    with pytest.raises(PermanentError, match=r"image 2 of 4: .*BlobTooLarge"):
        bluesky_adapter().publish(text="Team day", link=None, images=PICTURES, idempotency_key="k")

    assert upload.call_count == 2
    assert upload.calls[0].request.headers["Content-Type"] == "image/jpeg"
    assert upload.calls[0].request.content == PICTURES[0].data
    assert not create.called
