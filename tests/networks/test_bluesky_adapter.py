"""Bluesky adapter plumbing with the PDS mocked at the HTTP layer.

The real protocol is exercised end to end against the local reference network
in tests/bluesky/; these tests pin retry safety and session handling.
"""

from __future__ import annotations

import base64
import json
import time
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from networks import http
from networks.base import Credentials, CredentialsDead, RetryLater
from networks.bluesky import BlueskyAdapter
from networks.bluesky_records import tid_from_key

PDS = "https://pds.example"
XRPC = f"{PDS}/xrpc"
DID = "did:plc:ewvi7nxzyoun6zhxrhs64oiz"
CID = "bafyreidfayvfuwqa7qlnopdjiqrxzs6blmoeu4rujcjtnci5beludirz2a"


def fake_jwt(subject: str, lifetime: timedelta = timedelta(hours=2), scope: str = "com.atproto.access") -> str:
    return jwt_expiring(subject, int(time.time() + lifetime.total_seconds()), scope)


def jwt_expiring(subject: str, exp: int, scope: str = "com.atproto.access") -> str:
    def part(data: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    claims = {"sub": DID, "scope": scope, "exp": exp, "jti": subject}
    return f"{part({'alg': 'ES256K', 'typ': 'at+jwt'})}.{part(claims)}.c2ln"


ACCESS_EXPIRES = int(time.time()) + 7200
ACCESS = jwt_expiring("access-1", ACCESS_EXPIRES)
REFRESH = fake_jwt("refresh-1", timedelta(days=60), "com.atproto.refresh")


def adapter() -> BlueskyAdapter:
    credentials = Credentials(
        access_token=ACCESS,
        refresh_token=REFRESH,
        extra={"did": DID, "handle": "emma.test", "pds_url": PDS},
    )
    return BlueskyAdapter(credentials)


def post_uri(rkey: str) -> str:
    return f"at://{DID}/app.bsky.feed.post/{rkey}"


def publish(bsky: BlueskyAdapter):
    return bsky.publish(
        text="Blåbær time 🫐", link="https://go.example/l/abc", idempotency_key="share-7", link_title="Berries"
    )


def test_publish_creates_the_post_under_a_record_key_from_the_idempotency_key(respx_mock):
    rkey = tid_from_key("share-7")
    route = respx_mock.post(f"{XRPC}/com.atproto.repo.createRecord").mock(
        return_value=httpx.Response(200, json={"uri": post_uri(rkey), "cid": CID})
    )

    result = publish(adapter())

    body = json.loads(route.calls.last.request.content)
    assert route.calls.last.request.headers["Authorization"] == f"Bearer {ACCESS}"
    assert (body["repo"], body["collection"], body["rkey"]) == (DID, "app.bsky.feed.post", rkey)
    record = body["record"]
    assert record["text"] == "Blåbær time 🫐\n\nhttps://go.example/l/abc"
    link_start = len("Blåbær time 🫐\n\n".encode())
    assert record["facets"] == [
        {
            "$type": "app.bsky.richtext.facet",
            "index": {
                "$type": "app.bsky.richtext.facet#byteSlice",
                "byteStart": link_start,
                "byteEnd": link_start + 24,
            },
            "features": [{"$type": "app.bsky.richtext.facet#link", "uri": "https://go.example/l/abc"}],
        }
    ]
    assert record["embed"]["external"] == {
        "$type": "app.bsky.embed.external#external",
        "uri": "https://go.example/l/abc",
        "title": "Berries",
        "description": "",
    }
    assert result.remote_id == post_uri(rkey)
    assert result.url == f"https://bsky.app/profile/emma.test/post/{rkey}"


def test_posts_go_through_the_process_pool_and_no_client_of_the_adapters_own(respx_mock, monkeypatch):
    # A client of its own per post built a TLS context (the CA bundle) every time.
    sent_through = []
    pool = http.shared_transport()
    monkeypatch.setattr(
        type(pool),
        "handle_request",
        lambda self, request: sent_through.append(self) or self._pool.handle_request(request),
    )
    respx_mock.post(f"{XRPC}/com.atproto.repo.createRecord").mock(
        return_value=httpx.Response(200, json={"uri": post_uri(tid_from_key("share-7")), "cid": CID})
    )
    bsky = adapter()

    publish(bsky)
    publish(bsky)

    assert sent_through == [pool, pool]
    assert bsky._client is None


def test_a_retry_of_a_post_that_went_through_returns_the_existing_post(respx_mock):
    rkey = tid_from_key("share-7")
    # The PDS answers 500 when the record key is already taken.
    respx_mock.post(f"{XRPC}/com.atproto.repo.createRecord").mock(
        return_value=httpx.Response(500, json={"error": "InternalServerError", "message": "Internal Server Error"})
    )
    lookup = respx_mock.get(f"{XRPC}/com.atproto.repo.getRecord").mock(
        return_value=httpx.Response(
            200,
            json={
                "uri": post_uri(rkey),
                "cid": CID,
                "value": {"$type": "app.bsky.feed.post", "text": "x", "createdAt": "2025-01-01T00:00:00.000Z"},
            },
        )
    )

    result = publish(adapter())

    assert result.remote_id == post_uri(rkey)
    assert lookup.calls.last.request.url.params["rkey"] == rkey


def test_a_failed_post_that_is_not_there_is_retried_later(respx_mock):
    respx_mock.post(f"{XRPC}/com.atproto.repo.createRecord").mock(
        return_value=httpx.Response(502, json={"error": "UpstreamFailure", "message": "Bad Gateway"})
    )
    respx_mock.get(f"{XRPC}/com.atproto.repo.getRecord").mock(
        return_value=httpx.Response(400, json={"error": "RecordNotFound", "message": "Could not locate record"})
    )
    with pytest.raises(RetryLater):
        publish(adapter())


def test_a_rate_limit_waits_until_the_ratelimit_reset(respx_mock):
    reset = int(time.time()) + 120
    respx_mock.post(f"{XRPC}/com.atproto.repo.createRecord").mock(
        return_value=httpx.Response(
            429,
            headers={"ratelimit-limit": "5000", "ratelimit-remaining": "0", "ratelimit-reset": str(reset)},
            json={"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"},
        )
    )
    respx_mock.get(f"{XRPC}/com.atproto.repo.getRecord").mock(
        return_value=httpx.Response(400, json={"error": "RecordNotFound", "message": "Could not locate record"})
    )
    with pytest.raises(RetryLater) as caught:
        publish(adapter())
    assert caught.value.retry_after == pytest.approx(120, abs=5)


def test_an_expired_session_is_refreshed_without_signing_in_again(respx_mock):
    new_access, new_refresh = fake_jwt("access-2"), fake_jwt("refresh-2", timedelta(days=60), "com.atproto.refresh")
    respx_mock.get(f"{XRPC}/app.bsky.actor.getProfile").mock(
        side_effect=[
            httpx.Response(400, json={"error": "ExpiredToken", "message": "Token has expired"}),
            httpx.Response(200, json={"did": DID, "handle": "emma.test", "followersCount": 77}),
        ]
    )
    refresh = respx_mock.post(f"{XRPC}/com.atproto.server.refreshSession").mock(
        return_value=httpx.Response(
            200, json={"accessJwt": new_access, "refreshJwt": new_refresh, "handle": "emma.test", "did": DID}
        )
    )
    bsky = adapter()

    assert bsky.fetch_audience().followers == 77

    assert refresh.calls.last.request.headers["Authorization"] == f"Bearer {REFRESH}"
    assert (bsky.credentials.access_token, bsky.credentials.refresh_token) == (new_access, new_refresh)
    assert bsky.credentials.extra["session"].count(":::") == 4
    assert bsky.credentials_changed is True


def test_a_revoked_session_means_the_profile_must_reconnect(respx_mock):
    respx_mock.post(f"{XRPC}/com.atproto.server.refreshSession").mock(
        return_value=httpx.Response(400, json={"error": "ExpiredToken", "message": "Token has been revoked"})
    )
    with pytest.raises(CredentialsDead) as caught:
        adapter().refresh()
    assert REFRESH not in str(caught.value)


def test_metrics_read_up_to_25_posts_and_check_the_repo_for_missing_ones(respx_mock):
    alive, missing = post_uri("3l4aaaaaaaaa2"), post_uri("3l4bbbbbbbbb2")
    get_posts = respx_mock.get(f"{XRPC}/app.bsky.feed.getPosts").mock(
        return_value=httpx.Response(
            200,
            json={
                "posts": [
                    {
                        "uri": alive,
                        "cid": CID,
                        "author": {"did": DID, "handle": "emma.test"},
                        "record": {"$type": "app.bsky.feed.post", "text": "x", "createdAt": "2025-01-01T00:00:00Z"},
                        "indexedAt": "2025-01-01T00:00:01Z",
                        "likeCount": 3,
                        "repostCount": 1,
                        "replyCount": 2,
                        "quoteCount": 1,
                    }
                ]
            },
        )
    )
    respx_mock.get(f"{XRPC}/com.atproto.repo.getRecord").mock(
        return_value=httpx.Response(400, json={"error": "RecordNotFound", "message": "Could not locate record"})
    )

    first, second = adapter().fetch_metrics([alive, missing])

    assert get_posts.call_count == 1
    assert get_posts.calls.last.request.url.params.get_list("uris") == [alive, missing]
    assert (first.likes, first.reposts, first.replies, first.quotes) == (3, 1, 2, 1)
    assert second.deleted is True


def test_more_than_25_posts_is_refused_before_any_request(respx_mock):
    with pytest.raises(ValueError, match="at most 25"):
        adapter().fetch_metrics([post_uri(f"3l4{n:010d}") for n in range(26)])
    assert not respx_mock.calls


def test_connect_signs_in_once_and_keeps_the_session(respx_mock):
    create = respx_mock.post(f"{XRPC}/com.atproto.server.createSession").mock(
        return_value=httpx.Response(
            200, json={"accessJwt": ACCESS, "refreshJwt": REFRESH, "handle": "emma.test", "did": DID}
        )
    )

    credentials = BlueskyAdapter.connect("emma.test", "app-pass-word-1234", PDS)

    assert json.loads(create.calls.last.request.content) == {
        "identifier": "emma.test",
        "password": "app-pass-word-1234",
    }
    assert credentials.extra == {
        "did": DID,
        "handle": "emma.test",
        "pds_url": PDS,
        "session": credentials.extra["session"],
    }
    assert credentials.expires_at == datetime.fromtimestamp(ACCESS_EXPIRES, tz=UTC)
    bsky = BlueskyAdapter(credentials)
    assert bsky.needs_refresh(credentials.expires_at - timedelta(minutes=30)) is False
    assert bsky.needs_refresh(credentials.expires_at - timedelta(minutes=10)) is True


def test_a_wrong_app_password_is_reported_without_the_password(respx_mock):
    respx_mock.post(f"{XRPC}/com.atproto.server.createSession").mock(
        return_value=httpx.Response(
            401, json={"error": "AuthenticationRequired", "message": "Invalid identifier or password"}
        )
    )
    with pytest.raises(CredentialsDead) as caught:
        BlueskyAdapter.connect("emma.test", "app-pass-word-1234", PDS)
    assert "app-pass-word-1234" not in str(caught.value)


def get_posts_answering(respx_mock, posts: list[dict]):
    return respx_mock.get(f"{XRPC}/app.bsky.feed.getPosts").mock(
        return_value=httpx.Response(200, json={"posts": posts})
    )


def test_a_post_the_appview_has_not_indexed_yet_is_not_deleted(respx_mock):
    uri = post_uri("3l4aaaaaaaaa2")
    get_posts_answering(respx_mock, [])
    respx_mock.get(f"{XRPC}/com.atproto.repo.getRecord").mock(
        return_value=httpx.Response(
            200,
            json={
                "uri": uri,
                "cid": CID,
                "value": {"$type": "app.bsky.feed.post", "text": "x", "createdAt": "2025-01-01T00:00:00.000Z"},
            },
        )
    )
    [metrics] = adapter().fetch_metrics([uri])
    assert (metrics.deleted, metrics.likes) == (False, 0)


def test_a_post_is_never_marked_deleted_when_the_repo_cannot_be_asked(respx_mock):
    get_posts_answering(respx_mock, [])
    respx_mock.get(f"{XRPC}/com.atproto.repo.getRecord").mock(
        return_value=httpx.Response(503, json={"error": "ServiceUnavailable", "message": "down"})
    )
    with pytest.raises(RetryLater):
        adapter().fetch_metrics([post_uri("3l4aaaaaaaaa2")])
