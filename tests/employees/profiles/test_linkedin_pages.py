"""Connecting the company's LinkedIn page: page scopes, the pages the member administers,
the person's choice (LinkedIn's documented shapes, mocked with respx)."""

from __future__ import annotations

import httpx
import pytest
from django.urls import reverse

from employees.models import SocialProfile
from tests.employees.profiles.test_oauth_connect import callback, connect, messages_of, query

LI_TOKEN = "https://www.linkedin.com/oauth/v2/accessToken"
ACLS = "https://api.linkedin.com/rest/organizationAcls"
ORGS = "https://api.linkedin.com/rest/organizations"
NETWORK_SIZE = "https://api.linkedin.com/rest/networkSizes/urn%3Ali%3Aorganization%3A2414183"
PAGE_SCOPES = "r_organization_social,rw_organization_admin,w_organization_social"


def acl(org_id: str, role: str = "ADMINISTRATOR") -> dict:
    return {
        "roleAssignee": "urn:li:person:abc123",
        "state": "APPROVED",
        "role": role,
        "organization": f"urn:li:organization:{org_id}",
    }


@pytest.fixture
def page_network(respx_mock, linkedin_app, settings):
    settings.LINKEDIN_API_VERSION = "202511"
    respx_mock.post(LI_TOKEN).mock(
        return_value=httpx.Response(
            200, json={"access_token": "li-page-token", "expires_in": 5184000, "scope": PAGE_SCOPES}
        )
    )
    acls = respx_mock.get(ACLS).mock(
        return_value=httpx.Response(
            200,
            json={
                "paging": {"count": 10, "start": 0},
                "elements": [acl("2414183"), acl("555", role="CONTENT_ADMINISTRATOR"), acl("777", role="ANALYST")],
            },
        )
    )
    respx_mock.get(url__startswith=ORGS).mock(
        return_value=httpx.Response(
            200,
            json={
                "results": {
                    "2414183": {"id": 2414183, "localizedName": "Acme"},
                    "555": {"id": 555, "localizedName": "Acme Labs"},
                },
                "statuses": {"2414183": 200, "555": 200},
                "errors": {},
            },
        )
    )
    sizes = respx_mock.get(url__startswith=NETWORK_SIZE).mock(
        return_value=httpx.Response(200, json={"firstDegreeSize": 4210})
    )
    return {"acls": acls, "sizes": sizes}


def sign_in_as_page_admin(client):
    params = query(connect(client, "linkedin", company=True))
    return params, callback(client, "linkedin", state=params["state"], code="li-code")


def test_the_company_linkedin_connection_asks_for_the_page_scopes(cast, login, page_network):
    params, _response = sign_in_as_page_admin(login(cast.carol))

    assert params["scope"].split() == ["w_organization_social", "r_organization_social", "rw_organization_admin"]


def test_comms_pick_one_of_the_pages_they_may_post_for(cast, login, page_network):
    client = login(cast.carol)
    _params, response = sign_in_as_page_admin(client)

    assert response.url == reverse("profiles:linkedin_page_pick")
    page = client.get(response.url).content.decode()
    assert "Acme Labs" in page and 'value="2414183"' in page
    assert 'value="777"' not in page  # an analyst cannot post for the page
    assert not SocialProfile.objects.exists()  # nothing is stored before the choice
    acl_request = page_network["acls"].calls.last.request
    assert acl_request.url.params["q"] == "roleAssignee"
    assert acl_request.headers["LinkedIn-Version"] == "202511"
    assert acl_request.headers["X-Restli-Protocol-Version"] == "2.0.0"


def test_the_picked_page_becomes_a_company_profile_that_posts_as_the_organization(cast, login, page_network):
    client = login(cast.carol)
    sign_in_as_page_admin(client)

    response = client.post(reverse("profiles:linkedin_page_pick"), {"page": "2414183"})

    assert response.url == reverse("profiles:company_profiles")
    profile = SocialProfile.objects.get()
    assert profile.is_company
    assert (profile.remote_id, profile.handle, profile.followers) == ("2414183", "Acme", 4210)
    assert profile.extra["organization_urn"] == "urn:li:organization:2414183"
    assert profile.access_token == "li-page-token"
    assert profile.clicks_only is False  # page statistics are readable
    assert page_network["sizes"].calls.last.request.url.params["edgeType"] == "COMPANY_FOLLOWED_BY_MEMBER"
    assert "li-page-token" not in str(client.session.get("profiles_linkedin_pages"))


def test_a_page_not_in_the_list_is_refused(cast, login, page_network):
    client = login(cast.carol)
    sign_in_as_page_admin(client)

    response = client.post(reverse("profiles:linkedin_page_pick"), {"page": "777"})

    assert response.status_code == 400
    assert "Choose one of the pages listed." in response.content.decode()
    assert not SocialProfile.objects.exists()


def test_an_account_that_administers_no_page_is_told_so(cast, login, page_network):
    page_network["acls"].mock(return_value=httpx.Response(200, json={"elements": [acl("777", role="ANALYST")]}))

    _params, response = sign_in_as_page_admin(login(cast.carol))

    assert response.url == reverse("profiles:company_profiles")
    assert "administers no LinkedIn page" in messages_of(response)[0]
    assert not SocialProfile.objects.exists()


def test_an_employee_cannot_pick_a_page(cast, login, page_network):
    response = login(cast.emma).post(reverse("profiles:linkedin_page_pick"), {"page": "2414183"})

    assert response.status_code in (403, 404)
    assert not SocialProfile.objects.exists()


def test_a_choice_started_by_someone_else_is_not_used(cast, login, page_network):
    client = login(cast.carol)
    sign_in_as_page_admin(client)
    client = login(cast.alice)  # same browser, another person

    response = client.post(reverse("profiles:linkedin_page_pick"), {"page": "2414183"})

    assert response.url == reverse("profiles:company_profiles")
    assert "expired" in messages_of(response)[0]
    assert not SocialProfile.objects.exists()


def test_a_page_that_lost_its_administrator_says_so_on_the_company_profiles(cast, login):
    from tests.factories import SocialProfileFactory

    SocialProfileFactory(
        organization=cast.org,
        owner_membership=None,
        network="linkedin",
        remote_id="2414183",
        handle="Acme",
        state=SocialProfile.State.NEEDS_RECONNECT,
        last_error="The connected LinkedIn account no longer administers the page 2414183; "
        "a page administrator must reconnect it",
        extra={"organization_urn": "urn:li:organization:2414183"},
    )

    page = login(cast.carol).get(reverse("profiles:company_profiles")).content.decode()

    assert "is no longer one of its administrators" in page
