"""LinkedIn company pages and reshares against the documented request and response shapes."""

from __future__ import annotations

import json

import httpx
import pytest

from networks.base import Credentials, PermanentError
from networks.linkedin import LinkedInAdapter
from networks.linkedin_pages import PageAccessLost, administered_pages
from networks.quoting import QuotedPost, QuotedPostGone

TOKEN = "li-page-secret-token"
API = "https://api.linkedin.com/rest"
POSTS = f"{API}/posts"
ACLS = f"{API}/organizationAcls"
ORG = "urn:li:organization:2414183"
SHARE = "urn:li:share:7100000000000000001"
UGC = "urn:li:ugcPost:7100000000000000009"


def page(**kwargs) -> LinkedInAdapter:
    credentials = Credentials(
        access_token=TOKEN,
        extra={
            "organization_urn": ORG,
            "scopes": ["w_organization_social", "r_organization_social", "rw_organization_admin"],
        },
    )
    return LinkedInAdapter(credentials, api_version="202511", **kwargs)


def member() -> LinkedInAdapter:
    credentials = Credentials(access_token=TOKEN, extra={"person_urn": "urn:li:person:abc123", "scopes": []})
    return LinkedInAdapter(credentials, api_version="202511")


def acl_answer(*orgs: str, role: str = "ADMINISTRATOR") -> httpx.Response:
    elements = [
        {"roleAssignee": "urn:li:person:abc123", "state": "APPROVED", "role": role, "organization": org} for org in orgs
    ]
    return httpx.Response(200, json={"paging": {"count": 10, "start": 0}, "elements": elements})


def versioned(request: httpx.Request) -> bool:
    return (
        request.headers["LinkedIn-Version"] == "202511"
        and request.headers["X-Restli-Protocol-Version"] == "2.0.0"
        and request.headers["Authorization"] == f"Bearer {TOKEN}"
    )


def test_a_page_posts_as_the_organization(respx_mock):
    route = respx_mock.post(POSTS).mock(return_value=httpx.Response(201, headers={"x-restli-id": SHARE}))

    result = page().publish(text="Our new office", link="https://go.example/l/abc", idempotency_key="k")

    request = route.calls.last.request
    assert versioned(request)
    assert json.loads(request.content)["author"] == ORG
    assert result.remote_id == SHARE


def test_a_page_the_member_no_longer_administers_needs_reconnecting(respx_mock):
    respx_mock.post(POSTS).mock(
        return_value=httpx.Response(
            403,
            json={"status": 403, "serviceErrorCode": 100, "code": "ACCESS_DENIED", "message": "Not enough permissions"},
        )
    )
    acls = respx_mock.get(ACLS).mock(return_value=acl_answer("urn:li:organization:555"))

    with pytest.raises(PageAccessLost, match="no longer administers the page 2414183"):
        page().publish(text="Our new office", link="https://go.example/l/abc", idempotency_key="k")
    assert acls.calls.last.request.url.params["q"] == "roleAssignee"
    assert versioned(acls.calls.last.request)


def test_a_refusal_while_still_administering_the_page_is_an_ordinary_refusal(respx_mock):
    respx_mock.post(POSTS).mock(
        return_value=httpx.Response(403, json={"status": 403, "code": "ACCESS_DENIED", "message": "Field not allowed"})
    )
    respx_mock.get(ACLS).mock(return_value=acl_answer(ORG))

    with pytest.raises(PermanentError) as error:
        page().publish(text="Our new office", link="https://go.example/l/abc", idempotency_key="k")
    assert not isinstance(error.value, PageAccessLost)


def test_page_post_statistics_come_from_organizational_entity_share_statistics(respx_mock):
    route = respx_mock.get(url__startswith=f"{API}/organizationalEntityShareStatistics").mock(
        return_value=httpx.Response(
            200,
            json={
                "paging": {"count": 10, "start": 0},
                "elements": [
                    {
                        "organizationalEntity": ORG,
                        "share": SHARE,
                        "totalShareStatistics": {
                            "uniqueImpressionsCount": 900,
                            "shareCount": 4,
                            "engagement": 0.05,
                            "clickCount": 31,
                            "likeCount": 27,
                            "impressionCount": 1200,
                            "commentCount": 6,
                        },
                    }
                ],
            },
        )
    )
    adapter = page()

    [reading] = adapter.fetch_metrics([SHARE])

    assert adapter.measured
    assert (reading.likes, reading.reposts, reading.replies, reading.impressions) == (27, 4, 6, 1200)
    url = str(route.calls.last.request.url)
    assert "q=organizationalEntity" in url
    assert "organizationalEntity=urn%3Ali%3Aorganization%3A2414183" in url
    assert "shares=List(urn%3Ali%3Ashare%3A7100000000000000001)" in url
    assert versioned(route.calls.last.request)


def test_a_ugc_post_is_asked_for_as_a_ugc_post(respx_mock):
    route = respx_mock.get(url__startswith=f"{API}/organizationalEntityShareStatistics").mock(
        return_value=httpx.Response(200, json={"elements": []})
    )

    assert page().fetch_metrics([UGC]) == []  # missing from the answer: the last reading is kept
    url = str(route.calls.last.request.url)
    assert "ugcPosts=List(urn%3Ali%3AugcPost%3A7100000000000000009)" in url and "shares=" not in url


def test_page_followers_are_the_pages_network_size(respx_mock):
    route = respx_mock.get(url__startswith=f"{API}/networkSizes/urn%3Ali%3Aorganization%3A2414183").mock(
        return_value=httpx.Response(200, json={"firstDegreeSize": 219145})
    )

    assert page().fetch_audience().followers == 219145
    assert route.calls.last.request.url.params["edgeType"] == "COMPANY_FOLLOWED_BY_MEMBER"


def test_the_pull_of_a_lost_page_says_the_page_needs_reconnecting(respx_mock):
    respx_mock.get(url__startswith=f"{API}/organizationalEntityShareStatistics").mock(
        return_value=httpx.Response(
            403, json={"status": 403, "code": "ACCESS_DENIED", "message": "Not enough permissions"}
        )
    )
    respx_mock.get(ACLS).mock(return_value=acl_answer())

    with pytest.raises(PageAccessLost):
        page().fetch_metrics([SHARE])


def test_only_pages_the_member_may_post_for_are_listed(respx_mock):
    respx_mock.get(ACLS).mock(
        return_value=httpx.Response(
            200,
            json={
                "elements": [
                    {"role": "ADMINISTRATOR", "state": "APPROVED", "organization": ORG},
                    {"role": "ANALYST", "state": "APPROVED", "organization": "urn:li:organization:9"},
                ]
            },
        )
    )
    respx_mock.get(url__startswith=f"{API}/organizations").mock(return_value=httpx.Response(500))

    pages = administered_pages(member())

    assert [(p.id, p.name) for p in pages] == [("2414183", "LinkedIn page 2414183")]


def test_a_reshare_carries_the_commentary_and_the_parent_post(respx_mock):
    route = respx_mock.post(POSTS).mock(
        return_value=httpx.Response(201, headers={"x-restli-id": "urn:li:share:7200000000000000002"})
    )

    result = member().publish_quote(
        text="Proud of this (and of the team)", quoted=QuotedPost("linkedin", SHARE), idempotency_key="k"
    )

    body = json.loads(route.calls.last.request.content)
    assert body["author"] == "urn:li:person:abc123"
    assert body["reshareContext"] == {"parent": SHARE}
    assert body["commentary"] == r"Proud of this \(and of the team\)"
    assert "content" not in body
    assert versioned(route.calls.last.request)
    assert result.remote_id == "urn:li:share:7200000000000000002"


def test_a_reshare_of_a_deleted_post_says_the_post_is_gone(respx_mock):
    respx_mock.post(POSTS).mock(
        return_value=httpx.Response(
            422,
            json={
                "status": 422,
                "code": "UNPROCESSABLE_ENTITY",
                "message": f"/reshareContext/parent :: {SHARE} does not exist",
            },
        )
    )

    with pytest.raises(QuotedPostGone):
        member().publish_quote(text="Proud", quoted=QuotedPost("linkedin", SHARE), idempotency_key="k")
