"""X adapter against the documented API v2 request and response shapes (HTTP mocked)."""

from __future__ import annotations

import base64
import json
import time
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from networks.base import (
    AppCredentials,
    Credentials,
    CredentialsDead,
    DuplicateContent,
    PermanentError,
    RetryLater,
)
from networks.x import XAdapter

TOKEN = "x-secret-access-token"
TWEETS = "https://api.x.com/2/tweets"
TOKEN_ENDPOINT = "https://api.x.com/2/oauth2/token"
APP = AppCredentials("x-client-id", "x-client-secret")


REFRESH_TOKEN = "x-refresh-1"


def adapter() -> XAdapter:
    credentials = Credentials(access_token=TOKEN, refresh_token=REFRESH_TOKEN, extra={"username": "emma"})
    return XAdapter(credentials, APP)


def publish(x: XAdapter, **kwargs):
    defaults = {"text": "Proud of the team", "link": "https://go.example/l/abc", "idempotency_key": "share-1"}
    return x.publish(**(defaults | kwargs))


def test_publish_posts_the_text_with_the_link_last(respx_mock):
    route = respx_mock.post(TWEETS).mock(
        return_value=httpx.Response(201, json={"data": {"id": "1790000000000000001", "text": "..."}})
    )

    result = publish(adapter())

    request = route.calls.last.request
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert json.loads(request.content) == {"text": "Proud of the team\n\nhttps://go.example/l/abc"}
    assert result.remote_id == "1790000000000000001"
    assert result.url == "https://x.com/emma/status/1790000000000000001"


def test_a_duplicate_post_is_reported_as_such(respx_mock):
    # The member's timeline holds no tweet with this text: nothing to recover.
    respx_mock.get("https://api.x.com/2/users/me").mock(
        return_value=httpx.Response(200, json={"data": {"id": "2244994945", "username": "emma", "name": "Emma"}})
    )
    respx_mock.get("https://api.x.com/2/users/2244994945/tweets").mock(
        return_value=httpx.Response(200, json={"meta": {"result_count": 0}})
    )
    respx_mock.post(TWEETS).mock(
        return_value=httpx.Response(
            403,
            json={
                "detail": "You are not allowed to create a Tweet with duplicate content.",
                "type": "about:blank",
                "title": "Forbidden",
                "status": 403,
            },
        )
    )
    with pytest.raises(DuplicateContent):
        publish(adapter())


def test_a_rate_limit_waits_until_the_reset_epoch(respx_mock):
    reset = int(time.time()) + 600
    respx_mock.post(TWEETS).mock(
        return_value=httpx.Response(
            429,
            headers={"x-rate-limit-limit": "100", "x-rate-limit-remaining": "0", "x-rate-limit-reset": str(reset)},
            json={"title": "Too Many Requests", "detail": "Too Many Requests", "status": 429},
        )
    )
    with pytest.raises(RetryLater) as caught:
        publish(adapter())
    assert caught.value.retry_after == pytest.approx(600, abs=5)


def test_an_expired_token_means_refresh_or_reconnect(respx_mock):
    respx_mock.post(TWEETS).mock(
        return_value=httpx.Response(
            401, json={"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"}
        )
    )
    with pytest.raises(CredentialsDead) as caught:
        publish(adapter())
    assert TOKEN not in str(caught.value)


def test_server_errors_and_timeouts_are_retried_later(respx_mock):
    route = respx_mock.post(TWEETS)
    route.mock(return_value=httpx.Response(503, text="Service Unavailable"))
    with pytest.raises(RetryLater):
        publish(adapter())
    route.mock(side_effect=httpx.ConnectTimeout("timed out"))
    with pytest.raises(RetryLater):
        publish(adapter())


# -- metrics ------------------------------------------------------------------------------


def test_a_full_batch_of_100_posts_is_one_request(respx_mock):
    ids = [str(1790000000000000000 + n) for n in range(100)]
    data = [
        {
            "id": i,
            "text": "...",
            "public_metrics": {
                "retweet_count": 2,
                "reply_count": 3,
                "like_count": 5,
                "quote_count": 1,
                "bookmark_count": 0,
                "impression_count": 400,
            },
        }
        for i in ids
    ]
    route = respx_mock.get(TWEETS).mock(return_value=httpx.Response(200, json={"data": data}))

    metrics = adapter().fetch_metrics(ids)

    assert route.call_count == 1
    params = route.calls.last.request.url.params
    assert params["ids"] == ",".join(ids)
    assert params["tweet.fields"] == "public_metrics"
    assert len(metrics) == 100
    first = metrics[0]
    assert (first.likes, first.reposts, first.replies, first.quotes, first.impressions) == (5, 2, 3, 1, 400)


def test_more_than_100_posts_is_refused_before_any_request(respx_mock):
    with pytest.raises(ValueError, match="at most 100"):
        adapter().fetch_metrics([str(n) for n in range(101)])
    assert not respx_mock.calls


def test_a_deleted_post_comes_back_in_errors_and_is_marked_deleted(respx_mock):
    respx_mock.get(TWEETS).mock(
        return_value=httpx.Response(
            200,
            json={
                "data": [{"id": "1", "text": "...", "public_metrics": {"like_count": 1}}],
                "errors": [
                    {
                        "value": "2",
                        "detail": "Could not find tweet with ids: [2].",
                        "title": "Not Found Error",
                        "resource_type": "tweet",
                        "parameter": "ids",
                        "resource_id": "2",
                        "type": "https://api.twitter.com/2/problems/resource-not-found",
                    }
                ],
            },
        )
    )
    alive, gone = adapter().fetch_metrics(["1", "2"])
    assert (alive.likes, alive.deleted) == (1, False)
    assert gone.deleted is True


def test_audience_reads_the_follower_count(respx_mock):
    respx_mock.get("https://api.x.com/2/users/me", params={"user.fields": "public_metrics"}).mock(
        return_value=httpx.Response(200, json={"data": {"id": "9", "public_metrics": {"followers_count": 321}}})
    )
    assert adapter().fetch_audience().followers == 321


# -- refresh: single-use refresh tokens rotate ---------------------------------------------


def test_refresh_returns_the_rotated_pair(respx_mock):
    route = respx_mock.post(TOKEN_ENDPOINT).mock(
        return_value=httpx.Response(
            200,
            json={
                "token_type": "bearer",
                "expires_in": 7200,
                "access_token": "x-access-2",
                "scope": "tweet.read tweet.write users.read offline.access",
                "refresh_token": "x-refresh-2",
            },
        )
    )
    x = adapter()

    fresh = x.refresh()

    request = route.calls.last.request
    expected_auth = base64.b64encode(b"x-client-id:x-client-secret").decode()
    assert request.headers["Authorization"] == f"Basic {expected_auth}"
    assert dict(httpx.QueryParams(request.content.decode())) == {
        "grant_type": "refresh_token",
        "refresh_token": "x-refresh-1",
        "client_id": "x-client-id",
    }
    assert (fresh.access_token, fresh.refresh_token) == ("x-access-2", "x-refresh-2")
    assert fresh.expires_at == pytest.approx(datetime.now(UTC) + timedelta(hours=2), abs=timedelta(seconds=5))
    assert fresh.extra["username"] == "emma"
    assert x.credentials is fresh and x.credentials_changed is True


def test_a_spent_refresh_token_means_the_profile_must_reconnect(respx_mock):
    respx_mock.post(TOKEN_ENDPOINT).mock(
        return_value=httpx.Response(
            400, json={"error": "invalid_request", "error_description": "Value passed for the token was invalid."}
        )
    )
    with pytest.raises(CredentialsDead) as caught:
        adapter().refresh()
    assert "x-refresh-1" not in str(caught.value)


def test_refused_app_keys_are_a_settings_problem_not_a_dead_profile(respx_mock):
    respx_mock.post(TOKEN_ENDPOINT).mock(
        return_value=httpx.Response(401, json={"error": "unauthorized_client", "error_description": "Missing creds"})
    )
    with pytest.raises(PermanentError) as caught:
        adapter().refresh()
    assert not isinstance(caught.value, CredentialsDead)
    assert "x-client-secret" not in str(caught.value)


def test_refresh_is_due_five_minutes_before_expiry():
    now = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    x = adapter()
    x.credentials.expires_at = now + timedelta(minutes=10)
    assert x.needs_refresh(now) is False
    assert x.needs_refresh(now + timedelta(minutes=6)) is True


def test_an_adapter_given_another_api_origin_posts_and_refreshes_there_only(respx_mock):
    tweets = respx_mock.post("http://127.0.0.1:8765/2/tweets").mock(
        return_value=httpx.Response(201, json={"data": {"id": "7", "text": "..."}})
    )
    token = respx_mock.post("http://127.0.0.1:8765/2/oauth2/token").mock(
        return_value=httpx.Response(200, json={"access_token": "a-2", "refresh_token": "r-2", "expires_in": 7200})
    )
    credentials = Credentials(access_token=TOKEN, refresh_token=REFRESH_TOKEN, extra={"username": "emma"})
    x = XAdapter(credentials, APP, api_base="http://127.0.0.1:8765/")

    assert publish(x).remote_id == "7"
    assert x.refresh().access_token == "a-2"
    assert (tweets.call_count, token.call_count) == (1, 1)
