"""Quoting a post on X and Mastodon against the documented request and response shapes,
and the Bluesky quote embed."""

from __future__ import annotations

import json

import httpx
import pytest

from networks.base import Credentials, PermanentError
from networks.bluesky_records import quote_embed
from networks.mastodon import MastodonAdapter
from networks.quoting import QuotedPost, QuotedPostGone
from networks.x import XAdapter

X_TWEETS = "https://api.x.com/2/tweets"
INSTANCE = "https://social.example"
COMPANY_SERVER = "https://company.example"


def x() -> XAdapter:
    return XAdapter(Credentials(access_token="x-token", extra={"username": "emma_x"}))


def test_an_x_quote_sends_the_quoted_tweet_id(respx_mock):
    route = respx_mock.post(X_TWEETS).mock(
        return_value=httpx.Response(201, json={"data": {"id": "1800", "text": "So proud"}})
    )

    result = x().publish_quote(text="So proud #ansat", quoted=QuotedPost("x", "1700"), idempotency_key="k")

    assert json.loads(route.calls.last.request.content) == {"text": "So proud #ansat", "quote_tweet_id": "1700"}
    assert (result.remote_id, result.url) == ("1800", "https://x.com/emma_x/status/1800")


def test_an_x_quote_of_a_deleted_tweet_says_it_is_gone(respx_mock):
    respx_mock.post(X_TWEETS).mock(
        return_value=httpx.Response(
            400, json={"title": "Invalid Request", "detail": "One or more parameters to your request was invalid."}
        )
    )
    lookup = respx_mock.get(X_TWEETS).mock(
        return_value=httpx.Response(
            200,
            json={
                "errors": [
                    {
                        "value": "1700",
                        "detail": "Could not find tweet with ids: [1700].",
                        "title": "Not Found Error",
                        "resource_type": "tweet",
                        "parameter": "ids",
                        "resource_id": "1700",
                        "type": "https://api.twitter.com/2/problems/resource-not-found",
                    }
                ]
            },
        )
    )

    with pytest.raises(QuotedPostGone):
        x().publish_quote(text="So proud", quoted=QuotedPost("x", "1700"), idempotency_key="k")
    assert lookup.calls.last.request.url.params["ids"] == "1700"


def test_an_x_refusal_for_another_reason_stays_that_refusal(respx_mock):
    respx_mock.post(X_TWEETS).mock(return_value=httpx.Response(403, json={"title": "Forbidden", "detail": "Nope"}))
    respx_mock.get(X_TWEETS).mock(
        return_value=httpx.Response(200, json={"data": [{"id": "1700", "public_metrics": {}}]})
    )

    with pytest.raises(PermanentError) as error:
        x().publish_quote(text="So proud", quoted=QuotedPost("x", "1700"), idempotency_key="k")
    assert not isinstance(error.value, QuotedPostGone)


# -- Mastodon ---------------------------------------------------------------------------


def masto() -> MastodonAdapter:
    return MastodonAdapter(Credentials(access_token="m-token", extra={"instance_url": INSTANCE}))


def instance(api_version: int | None) -> httpx.Response:
    body = {"domain": "social.example", "version": "4.5.0" if api_version else "4.2.10"}
    if api_version is not None:
        body["api_versions"] = {"mastodon": api_version}
    return httpx.Response(200, json=body)


COMPANY_STATUS = QuotedPost(
    "mastodon", "110000000000000001", url=f"{COMPANY_SERVER}/@acme/110000000000000001", server=COMPANY_SERVER
)


@pytest.fixture
def company_status_exists(respx_mock):
    return respx_mock.get(f"{COMPANY_SERVER}/api/v1/statuses/110000000000000001").mock(
        return_value=httpx.Response(200, json={"id": "110000000000000001", "url": COMPANY_STATUS.url})
    )


def test_a_mastodon_4_5_server_quotes_the_status_found_by_its_address(respx_mock, company_status_exists):
    respx_mock.get(f"{INSTANCE}/api/v2/instance").mock(return_value=instance(7))
    search = respx_mock.get(f"{INSTANCE}/api/v2/search").mock(
        return_value=httpx.Response(200, json={"accounts": [], "hashtags": [], "statuses": [{"id": "9000"}]})
    )
    post = respx_mock.post(f"{INSTANCE}/api/v1/statuses").mock(
        return_value=httpx.Response(200, json={"id": "9100", "url": f"{INSTANCE}/@emma/9100"})
    )

    result = masto().publish_quote(text="So proud", quoted=COMPANY_STATUS, idempotency_key="share-7")

    assert search.calls.last.request.url.params["q"] == COMPANY_STATUS.url
    assert search.calls.last.request.url.params["resolve"] == "true"
    request = post.calls.last.request
    assert json.loads(request.content) == {"status": "So proud", "visibility": "public", "quoted_status_id": "9000"}
    assert request.headers["Idempotency-Key"] == "share-7"
    assert result.remote_id == "9100"
    assert company_status_exists.calls.last.request.headers.get("Authorization") is None  # no token to another server


def test_an_older_mastodon_server_gets_a_post_with_the_status_address(respx_mock, company_status_exists):
    respx_mock.get(f"{INSTANCE}/api/v2/instance").mock(return_value=instance(None))
    post = respx_mock.post(f"{INSTANCE}/api/v1/statuses").mock(
        return_value=httpx.Response(200, json={"id": "9100", "url": f"{INSTANCE}/@emma/9100"})
    )

    masto().publish_quote(text="So proud", quoted=COMPANY_STATUS, idempotency_key="share-7")

    body = json.loads(post.calls.last.request.content)
    assert body == {"status": f"So proud\n\n{COMPANY_STATUS.url}", "visibility": "public"}


def test_a_quote_the_authors_policy_refuses_falls_back_to_the_address(respx_mock, company_status_exists):
    respx_mock.get(f"{INSTANCE}/api/v2/instance").mock(return_value=instance(7))
    respx_mock.get(f"{INSTANCE}/api/v2/search").mock(
        return_value=httpx.Response(200, json={"statuses": [{"id": "9000"}]})
    )
    post = respx_mock.post(f"{INSTANCE}/api/v1/statuses").mock(
        side_effect=[
            httpx.Response(422, json={"error": "Validation failed: Quote is not allowed"}),
            httpx.Response(200, json={"id": "9100", "url": f"{INSTANCE}/@emma/9100"}),
        ]
    )

    masto().publish_quote(text="So proud", quoted=COMPANY_STATUS, idempotency_key="share-7")

    assert "quoted_status_id" not in json.loads(post.calls.last.request.content)
    assert post.calls.last.request.headers["Idempotency-Key"] == "share-7"


def test_a_mastodon_quote_of_a_deleted_status_says_it_is_gone(respx_mock):
    respx_mock.get(f"{COMPANY_SERVER}/api/v1/statuses/110000000000000001").mock(
        return_value=httpx.Response(404, json={"error": "Record not found"})
    )
    post = respx_mock.post(f"{INSTANCE}/api/v1/statuses")

    with pytest.raises(QuotedPostGone):
        masto().publish_quote(text="So proud", quoted=COMPANY_STATUS, idempotency_key="share-7")
    assert not post.called


def test_on_the_same_server_the_status_id_is_quoted_as_it_is(respx_mock):
    same = QuotedPost("mastodon", "555", url=f"{INSTANCE}/@acme/555", server=INSTANCE)
    respx_mock.get(f"{INSTANCE}/api/v1/statuses/555").mock(return_value=httpx.Response(200, json={"id": "555"}))
    respx_mock.get(f"{INSTANCE}/api/v2/instance").mock(return_value=instance(7))
    post = respx_mock.post(f"{INSTANCE}/api/v1/statuses").mock(
        return_value=httpx.Response(200, json={"id": "9100", "url": f"{INSTANCE}/@emma/9100"})
    )

    masto().publish_quote(text="So proud", quoted=same, idempotency_key="share-7")

    assert json.loads(post.calls.last.request.content)["quoted_status_id"] == "555"


# -- Bluesky ------------------------------------------------------------------------------


def test_a_bluesky_quote_embeds_a_strong_reference_to_the_post():
    embed = quote_embed("at://did:plc:acme/app.bsky.feed.post/3k", "bafyreib")

    assert embed.py_type == "app.bsky.embed.record"
    assert (embed.record.uri, embed.record.cid) == ("at://did:plc:acme/app.bsky.feed.post/3k", "bafyreib")


def test_a_bluesky_quote_with_images_is_a_record_with_media():
    from atproto import models
    from atproto_client.models.blob_ref import BlobRef, IpldLink

    blob = BlobRef(mime_type="image/png", size=10, ref=IpldLink(link="bafkreia"))
    images = models.AppBskyEmbedImages.Main(images=[models.AppBskyEmbedImages.Image(alt="The office", image=blob)])

    embed = quote_embed("at://did:plc:acme/app.bsky.feed.post/3k", "bafyreib", images)

    assert embed.py_type == "app.bsky.embed.recordWithMedia"
    assert embed.record.record.uri == "at://did:plc:acme/app.bsky.feed.post/3k"
    assert embed.media.images[0].alt == "The office"
