"""LinkedIn adapter against the documented request and response shapes (HTTP mocked)."""

from __future__ import annotations

import json

import httpx
import pytest

from networks.base import (
    AppCredentials,
    Credentials,
    CredentialsDead,
    PermanentError,
    RetryLater,
    Unsupported,
)
from networks.linkedin import DEFAULT_API_VERSION, LinkedInAdapter, escape_little
from networks.media import MediaImage

TOKEN = "li-secret-access-token"
POSTS = "https://api.linkedin.com/rest/posts"
ANALYTICS = "https://api.linkedin.com/rest/memberCreatorPostAnalytics"
SHARE = "urn:li:share:7100000000000000001"


def adapter(*scopes: str, **kwargs) -> LinkedInAdapter:
    credentials = Credentials(
        access_token=TOKEN,
        extra={"person_urn": "urn:li:person:abc123", "scopes": ["openid", "w_member_social", *scopes]},
    )
    return LinkedInAdapter(credentials, **kwargs)


def publish(li: LinkedInAdapter, **kwargs):
    defaults = {"text": "Proud of the team", "link": "https://go.example/l/abc", "idempotency_key": "share-1"}
    return li.publish(**(defaults | kwargs))


def test_publish_posts_to_the_versioned_posts_api(respx_mock):
    route = respx_mock.post(POSTS).mock(return_value=httpx.Response(201, headers={"x-restli-id": SHARE}))

    result = publish(adapter(), link_title="Our news")

    request = route.calls.last.request
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert request.headers["LinkedIn-Version"] == DEFAULT_API_VERSION
    assert request.headers["X-Restli-Protocol-Version"] == "2.0.0"
    assert json.loads(request.content) == {
        "author": "urn:li:person:abc123",
        "commentary": "Proud of the team",
        "visibility": "PUBLIC",
        "distribution": {"feedDistribution": "MAIN_FEED", "targetEntities": [], "thirdPartyDistributionChannels": []},
        "lifecycleState": "PUBLISHED",
        "isReshareDisabledByAuthor": False,
        "content": {"article": {"source": "https://go.example/l/abc", "title": "Our news"}},
    }
    assert result.remote_id == SHARE
    assert result.url == f"https://www.linkedin.com/feed/update/{SHARE}/"


def test_the_api_version_comes_from_the_caller(respx_mock):
    route = respx_mock.post(POSTS).mock(return_value=httpx.Response(201, headers={"x-restli-id": SHARE}))
    publish(adapter(api_version="202601"))
    assert route.calls.last.request.headers["LinkedIn-Version"] == "202601"


def test_reserved_little_characters_are_escaped_but_hashtags_stay_hashtags():
    assert escape_little("Hi (all) @team #launch *now* # done") == r"Hi \(all\) \@team #launch \*now\* \# done"


def test_a_retired_api_version_is_a_permanent_error_naming_the_version_and_setting(respx_mock):
    respx_mock.post(POSTS).mock(
        return_value=httpx.Response(
            426,
            json={"status": 426, "code": "NONEXISTENT_VERSION", "message": "Requested version 202401 is not active"},
        )
    )
    with pytest.raises(PermanentError, match="202401") as caught:
        publish(adapter(api_version="202401"))
    assert "LINKEDIN_API_VERSION" in str(caught.value)


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("EXPIRED_ACCESS_TOKEN", "The token used in the request has expired"),
        ("REVOKED_ACCESS_TOKEN", "The token used in the request has been revoked by the user"),
    ],
)
def test_an_expired_or_revoked_token_means_the_profile_must_reconnect(respx_mock, code, message):
    respx_mock.post(POSTS).mock(
        return_value=httpx.Response(
            401, json={"status": 401, "serviceErrorCode": 65601, "code": code, "message": message}
        )
    )
    with pytest.raises(CredentialsDead) as caught:
        publish(adapter())
    assert TOKEN not in str(caught.value)


def test_rate_limiting_is_retried_after_the_header(respx_mock):
    respx_mock.post(POSTS).mock(return_value=httpx.Response(429, headers={"Retry-After": "90"}))
    with pytest.raises(RetryLater) as caught:
        publish(adapter())
    assert caught.value.retry_after == 90


def test_a_retried_post_that_already_went_through_returns_the_existing_post(respx_mock):
    respx_mock.post(POSTS).mock(
        return_value=httpx.Response(422, json={"status": 422, "message": f"Content is a duplicate of {SHARE}"})
    )
    assert publish(adapter()).remote_id == SHARE


def test_an_image_becomes_the_link_cards_thumbnail(respx_mock):
    upload_url = "https://www.linkedin.com/dms-uploads/abc"
    init = respx_mock.post("https://api.linkedin.com/rest/images", params={"action": "initializeUpload"}).mock(
        return_value=httpx.Response(200, json={"value": {"uploadUrl": upload_url, "image": "urn:li:image:C4E"}})
    )
    put = respx_mock.put(upload_url).mock(return_value=httpx.Response(201))
    post = respx_mock.post(POSTS).mock(return_value=httpx.Response(201, headers={"x-restli-id": SHARE}))

    publish(adapter(), images=[MediaImage(b"\x89PNG...", "image/png", 20, 10, alt="A red flag")])

    assert json.loads(init.calls.last.request.content) == {"initializeUploadRequest": {"owner": "urn:li:person:abc123"}}
    assert put.calls.last.request.content == b"\x89PNG..."
    assert json.loads(post.calls.last.request.content)["content"]["article"]["thumbnail"] == "urn:li:image:C4E"


# -- metrics and audience ------------------------------------------------------------


def test_without_the_analytics_scope_the_profile_is_measured_by_clicks_only(respx_mock):
    li = adapter()
    assert li.measured is False
    with pytest.raises(Unsupported, match="r_member_postAnalytics"):
        li.fetch_metrics([SHARE])
    assert not respx_mock.calls


def test_metrics_read_one_post_with_one_request_per_metric(respx_mock):
    counts = {"REACTION": 12, "COMMENT": 3, "RESHARE": 2, "IMPRESSION": 900}

    def answer(request: httpx.Request) -> httpx.Response:
        query_type = request.url.params["queryType"]
        return httpx.Response(200, json={"elements": [{"count": counts[query_type], "metricType": query_type}]})

    route = respx_mock.get(url__startswith=ANALYTICS).mock(side_effect=answer)
    li = adapter("r_member_postAnalytics")

    [metrics] = li.fetch_metrics([SHARE])

    assert li.measured is True
    assert (metrics.likes, metrics.replies, metrics.reposts, metrics.impressions) == (12, 3, 2, 900)
    assert route.call_count == 4
    raw_query = route.calls.last.request.url.query.decode()
    assert "q=entity" in raw_query
    assert "entity=(share:urn%3Ali%3Ashare%3A7100000000000000001)" in raw_query
    assert "aggregation=TOTAL" in raw_query


def test_a_ugc_post_is_addressed_as_ugc(respx_mock):
    route = respx_mock.get(url__startswith=ANALYTICS).mock(return_value=httpx.Response(200, json={"elements": []}))
    adapter("r_member_postAnalytics").fetch_metrics(["urn:li:ugcPost:42"])
    assert "entity=(ugc:urn%3Ali%3AugcPost%3A42)" in route.calls.last.request.url.query.decode()


def test_metrics_take_one_post_per_batch():
    assert LinkedInAdapter.metrics_batch_size == 1
    with pytest.raises(ValueError, match="at most 1"):
        adapter("r_member_postAnalytics").fetch_metrics([SHARE, "urn:li:share:2"])


def test_a_deleted_post_is_reported_deleted(respx_mock):
    respx_mock.get(url__startswith=ANALYTICS).mock(return_value=httpx.Response(404, json={"status": 404}))
    [metrics] = adapter("r_member_postAnalytics").fetch_metrics([SHARE])
    assert metrics.deleted is True


def test_followers_need_the_profile_analytics_scope(respx_mock):
    respx_mock.get("https://api.linkedin.com/rest/memberFollowersCount", params={"q": "me"}).mock(
        return_value=httpx.Response(200, json={"elements": [{"memberFollowersCount": 961}]})
    )
    assert adapter("r_member_profileAnalytics").fetch_audience().followers == 961
    with pytest.raises(Unsupported):
        adapter().fetch_audience()


# -- tokens ------------------------------------------------------------------------------


def test_without_a_refresh_token_refresh_asks_for_a_reconnect():
    li = adapter()
    with pytest.raises(CredentialsDead):
        li.refresh()


def test_a_partner_refresh_token_gets_a_new_access_token(respx_mock):
    route = respx_mock.post("https://www.linkedin.com/oauth/v2/accessToken").mock(
        return_value=httpx.Response(200, json={"access_token": "new-access", "expires_in": 5184000})
    )
    li = LinkedInAdapter(
        Credentials(access_token=TOKEN, refresh_token="li-refresh", extra={"person_urn": "urn:li:person:a"}),
        AppCredentials("li-client", "li-client-secret"),
    )

    fresh = li.refresh()

    form = dict(httpx.QueryParams(route.calls.last.request.content.decode()))
    assert form == {
        "grant_type": "refresh_token",
        "refresh_token": "li-refresh",
        "client_id": "li-client",
        "client_secret": "li-client-secret",
    }
    assert (fresh.access_token, fresh.refresh_token) == ("new-access", "li-refresh")
    assert li.credentials_changed is True
