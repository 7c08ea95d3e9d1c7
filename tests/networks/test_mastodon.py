"""Mastodon adapter against the documented request and response shapes (HTTP mocked)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from networks.base import Credentials, CredentialsDead, PermanentError, RetryLater
from networks.mastodon import MastodonAdapter
from networks.media import MediaImage

INSTANCE = "https://social.example"
TOKEN = "masto-secret-token"
STATUSES = f"{INSTANCE}/api/v1/statuses"


def adapter() -> MastodonAdapter:
    credentials = Credentials(access_token=TOKEN, extra={"instance_url": INSTANCE})
    return MastodonAdapter(credentials, sleep=lambda seconds: None)


def status(status_id: str, **counts) -> dict:
    return {
        "id": status_id,
        "url": f"{INSTANCE}/@emma/{status_id}",
        "replies_count": counts.get("replies", 0),
        "reblogs_count": counts.get("reblogs", 0),
        "favourites_count": counts.get("favourites", 0),
        "quotes_count": counts.get("quotes", 0),
    }


def publish(masto: MastodonAdapter, **kwargs):
    defaults = {"text": "Proud of the team", "link": "https://go.example/l/abc", "idempotency_key": "share-42"}
    return masto.publish(**(defaults | kwargs))


def test_publish_sends_the_status_with_an_idempotency_key(respx_mock):
    route = respx_mock.post(STATUSES).mock(return_value=httpx.Response(200, json=status("103254962155278888")))

    result = publish(adapter())

    request = route.calls.last.request
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert request.headers["Idempotency-Key"] == "share-42"
    assert json.loads(request.content) == {
        "status": "Proud of the team\n\nhttps://go.example/l/abc",
        "visibility": "public",
    }
    assert result.remote_id == "103254962155278888"
    assert result.url == f"{INSTANCE}/@emma/103254962155278888"


def test_an_image_is_uploaded_and_attached(respx_mock):
    media = respx_mock.post(f"{INSTANCE}/api/v2/media").mock(
        return_value=httpx.Response(202, json={"id": "22345792", "type": "image", "url": None})
    )
    respx_mock.get(f"{INSTANCE}/api/v1/media/22345792").mock(
        side_effect=[
            httpx.Response(206, json={"id": "22345792", "url": None}),
            httpx.Response(200, json={"id": "22345792", "url": f"{INSTANCE}/m/1.png"}),
        ]
    )
    post = respx_mock.post(STATUSES).mock(return_value=httpx.Response(200, json=status("1")))

    publish(adapter(), images=[MediaImage(b"\x89PNG...", "image/png", 20, 10, alt="A red flag")])

    upload = media.calls.last.request.content
    assert b'filename="image.png"' in upload
    assert b'name="description"\r\n\r\nA red flag' in upload
    assert json.loads(post.calls.last.request.content)["media_ids"] == ["22345792"]


def test_a_validation_error_is_permanent(respx_mock):
    respx_mock.post(STATUSES).mock(
        return_value=httpx.Response(422, json={"error": "Validation failed: Text character limit of 500 exceeded"})
    )
    with pytest.raises(PermanentError, match="character limit"):
        publish(adapter())


def test_a_revoked_token_means_the_profile_must_reconnect(respx_mock):
    respx_mock.post(STATUSES).mock(return_value=httpx.Response(401, json={"error": "The access token was revoked"}))
    with pytest.raises(CredentialsDead) as caught:
        publish(adapter())
    assert TOKEN not in str(caught.value)


def test_an_invalid_token_means_the_profile_must_reconnect(respx_mock):
    respx_mock.get(f"{INSTANCE}/api/v1/accounts/verify_credentials").mock(
        return_value=httpx.Response(401, json={"error": "The access token is invalid"})
    )
    with pytest.raises(CredentialsDead):
        adapter().fetch_audience()


def test_a_rate_limit_waits_until_the_iso_reset_time(respx_mock):
    reset = (datetime.now(UTC) + timedelta(seconds=300)).isoformat()
    respx_mock.post(STATUSES).mock(
        return_value=httpx.Response(
            429,
            headers={"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset},
            json={"error": "Too many requests"},
        )
    )
    with pytest.raises(RetryLater) as caught:
        publish(adapter())
    assert caught.value.retry_after == pytest.approx(300, abs=5)


# -- metrics ------------------------------------------------------------------------------------


def test_a_full_batch_of_20_statuses_is_one_request(respx_mock):
    ids = [str(110000 + n) for n in range(20)]
    route = respx_mock.get(STATUSES).mock(
        return_value=httpx.Response(200, json=[status(i, favourites=5, reblogs=2, replies=1, quotes=1) for i in ids])
    )

    metrics = adapter().fetch_metrics(ids)

    assert route.call_count == 1
    assert route.calls.last.request.url.params.get_list("id[]") == ids
    assert len(metrics) == 20
    assert (metrics[0].likes, metrics[0].reposts, metrics[0].replies, metrics[0].quotes) == (5, 2, 1, 1)
    assert metrics[0].impressions is None


def test_more_than_20_statuses_is_refused_before_any_request(respx_mock):
    with pytest.raises(ValueError, match="at most 20"):
        adapter().fetch_metrics([str(n) for n in range(21)])
    assert not respx_mock.calls


def test_a_status_missing_from_the_batch_is_deleted(respx_mock):
    respx_mock.get(STATUSES).mock(return_value=httpx.Response(200, json=[status("1", favourites=3)]))
    alive, gone = adapter().fetch_metrics(["1", "2"])
    assert (alive.likes, alive.deleted) == (3, False)
    assert gone.deleted is True


def test_an_instance_before_4_3_is_read_one_status_at_a_time(respx_mock):
    respx_mock.get(STATUSES).mock(return_value=httpx.Response(404, json={"error": "Record not found"}))
    respx_mock.get(f"{STATUSES}/1").mock(return_value=httpx.Response(200, json=status("1", reblogs=4)))
    respx_mock.get(f"{STATUSES}/2").mock(return_value=httpx.Response(404, json={"error": "Record not found"}))
    masto = adapter()

    alive, gone = masto.fetch_metrics(["1", "2"])

    assert (alive.reposts, gone.deleted) == (4, True)
    assert masto.batch_supported is False


def test_audience_reads_followers_from_verify_credentials(respx_mock):
    respx_mock.get(f"{INSTANCE}/api/v1/accounts/verify_credentials").mock(
        return_value=httpx.Response(200, json={"id": "1", "username": "emma", "followers_count": 88})
    )
    assert adapter().fetch_audience().followers == 88


def test_mastodon_tokens_do_not_expire_and_cannot_be_refreshed():
    masto = adapter()
    assert masto.needs_refresh(datetime.now(UTC)) is False
    with pytest.raises(CredentialsDead):
        masto.refresh()
