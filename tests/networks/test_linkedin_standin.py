"""The LinkedIn adapter against the browser journeys' LinkedIn stand-in (e2e/standins/linkedin.py).

The stand-in speaks LinkedIn's documented shapes; these tests keep it and the adapter
in step over real HTTP on loopback, with the bases pointed at it by the adapter's
options, as settings do in the journeys: connecting, posting, the analytics, the
follower count, and the refusals (a throttled call, a missing version header).
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from e2e.standins.base import running
from e2e.standins.linkedin import FOLLOWERS, server
from networks.base import AppCredentials, Credentials, PermanentError, RetryLater
from networks.linkedin import LinkedInAdapter

APP = AppCredentials(client_id="standin-client", client_secret="standin-secret")
REDIRECT = "https://chorus.example/profiles/callback/linkedin/"
SCOPES = "r_member_postAnalytics r_member_profileAnalytics"


@pytest.fixture
def standin():
    with running(server(0, APP.client_id, APP.client_secret)) as base, httpx.Client(timeout=5) as client:
        yield base, client


def _options(base: str) -> dict[str, str]:
    return {"api_base": base, "oauth_base": f"{base}/oauth/v2", "extra_scopes": SCOPES, "api_version": "202510"}


def _connect(base: str, client: httpx.Client, name: str = "Emil Employee"):
    url = LinkedInAdapter.authorize_url(
        app=APP, redirect_uri=REDIRECT, state="s1", code_challenge="", options=_options(base)
    )
    assert url.startswith(f"{base}/oauth/v2/authorization?")
    query = {key: values[-1] for key, values in parse_qs(urlsplit(url).query).items()}
    page = client.get(url)
    assert page.status_code == 200 and "Allow" in page.text
    answer = client.post(f"{base}/oauth/v2/authorization", data=query | {"name": name, "decision": "allow"})
    assert answer.status_code == 302
    back = parse_qs(urlsplit(answer.headers["location"]).query)
    assert back["state"] == ["s1"]
    return LinkedInAdapter.authorize_finish(
        app=APP, code=back["code"][0], redirect_uri=REDIRECT, code_verifier="", client=client, options=_options(base)
    )


def _adapter(base: str, client: httpx.Client, credentials: Credentials) -> LinkedInAdapter:
    return LinkedInAdapter(credentials, APP, client, api_base=base, oauth_base=f"{base}/oauth/v2")


def test_a_member_connects_posts_and_is_measured(standin):
    base, client = standin
    account = _connect(base, client)
    assert account.display_name == "Emil Employee"
    assert account.followers == FOLLOWERS
    assert account.clicks_only is False  # the analytics scope was granted

    li = _adapter(base, client, account.credentials)
    result = li.publish(text="Proud of the team (and the coffee)", link=None, idempotency_key="k1")
    assert result.remote_id.startswith("urn:li:share:")
    [post] = client.get(f"{base}/_standin/log").json()["posts"]
    assert post["urn"] == result.remote_id
    assert post["author"] == account.credentials.extra["person_urn"]
    assert post["commentary"] == r"Proud of the team \(and the coffee\)"  # the little format, escaped

    engaged = {"REACTION": 4, "COMMENT": 1, "RESHARE": 2, "IMPRESSION": 57}
    client.post(f"{base}/_standin/engage", json={"urn": result.remote_id, **engaged})
    [metrics] = li.fetch_metrics([result.remote_id])
    assert (metrics.likes, metrics.replies, metrics.reposts, metrics.impressions) == (4, 1, 2, 57)
    assert li.fetch_audience().followers == FOLLOWERS


def test_a_retried_post_is_matched_to_the_first_one(standin):
    base, client = standin
    li = _adapter(base, client, _connect(base, client).credentials)
    first = li.publish(text="Once only", link=None, idempotency_key="k1")
    again = li.publish(text="Once only", link=None, idempotency_key="k1")
    assert again.remote_id == first.remote_id
    assert len(client.get(f"{base}/_standin/log").json()["posts"]) == 1


def test_a_throttled_call_says_when_to_come_back(standin):
    base, client = standin
    li = _adapter(base, client, _connect(base, client).credentials)
    client.post(f"{base}/_standin/throttle", json={"times": 1, "retry_after": 7})
    with pytest.raises(RetryLater) as caught:
        li.publish(text="Later", link=None, idempotency_key="k1")
    assert caught.value.retry_after == 7
    assert li.publish(text="Later", link=None, idempotency_key="k1").remote_id.startswith("urn:li:share:")


def test_a_call_without_the_version_header_is_refused(standin):
    base, client = standin
    li = _adapter(base, client, _connect(base, client).credentials)
    li.api_version = ""
    with pytest.raises(PermanentError, match="LINKEDIN_API_VERSION"):
        li.publish(text="No version", link=None, idempotency_key="k1")


def test_a_wrong_client_secret_gets_no_token(standin):
    base, client = standin
    wrong = AppCredentials(client_id=APP.client_id, client_secret="not-the-secret")
    answer = client.post(
        f"{base}/oauth/v2/accessToken",
        data={
            "grant_type": "authorization_code",
            "code": "x",
            "redirect_uri": REDIRECT,
            "client_id": wrong.client_id,
            "client_secret": wrong.client_secret,
        },
    )
    assert answer.status_code == 401
    assert answer.json()["error"] == "invalid_client"
