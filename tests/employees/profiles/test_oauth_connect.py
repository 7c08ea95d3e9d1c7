"""Connecting LinkedIn and X: app credentials, state, PKCE and scopes (HTTP mocked)."""

from __future__ import annotations

import base64
import hashlib
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from employees.models import NetworkApp, SocialProfile
from networks.base import Credentials
from tests.employees.profiles.conftest import make_profile, network_url_of

X_TOKEN = "https://api.x.com/2/oauth2/token"
X_ME = "https://api.x.com/2/users/me"
LI_TOKEN = "https://www.linkedin.com/oauth/v2/accessToken"
LI_USERINFO = "https://api.linkedin.com/v2/userinfo"
X_SCOPES = "tweet.read tweet.write users.read offline.access"


def query(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def connect(client, network, *, company=False) -> str:
    """Start connecting; the network's authorize URL the browser is then led to."""
    name = "profiles:company_profile_connect" if company else "profiles:profile_connect"
    return network_url_of(client, client.post(reverse(name, args=[network])))


def callback(client, network, **params):
    return client.get(reverse("profiles:profile_callback", args=[network]), params)


@pytest.fixture
def x_network(respx_mock, x_app):
    token = respx_mock.post(X_TOKEN).mock(
        return_value=httpx.Response(
            200,
            json={
                "token_type": "bearer",
                "access_token": "x-access-1",
                "refresh_token": "x-refresh-1",
                "expires_in": 7200,
                "scope": X_SCOPES,
            },
        )
    )
    respx_mock.get(X_ME).mock(
        return_value=httpx.Response(
            200,
            json={
                "data": {"id": "1234", "username": "emma_x", "name": "Emma", "public_metrics": {"followers_count": 7}}
            },
        )
    )
    return token


def test_x_connects_with_pkce_and_stores_the_pair(cast, login, x_network):
    client = login(cast.emma)
    params = query(connect(client, "x"))
    assert params["client_id"] == "x-client-id"
    assert "offline.access" in params["scope"].split()

    response = callback(client, "x", state=params["state"], code="x-code")

    assert response.url == reverse("profiles:my_profiles")
    profile = SocialProfile.objects.get()
    assert (profile.remote_id, profile.handle, profile.followers) == ("1234", "@emma_x", 7)
    assert (profile.access_token, profile.refresh_token) == ("x-access-1", "x-refresh-1")
    assert profile.expires_at is not None
    assert profile.profile_url == "https://x.com/emma_x"
    request = x_network.calls.last.request
    form = parse_qs(request.content.decode())
    verifier = form["code_verifier"][0]
    assert (
        base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        == (params["code_challenge"])
    )
    assert request.headers["Authorization"].startswith("Basic ")


def test_x_without_offline_access_is_refused_as_a_denied_scope(cast, login, x_network):
    x_network.mock(
        return_value=httpx.Response(200, json={"access_token": "a", "scope": "tweet.read tweet.write users.read"})
    )
    client = login(cast.emma)
    state = query(connect(client, "x"))["state"]

    response = callback(client, "x", state=state, code="x-code")

    assert "X did not give permission to post" in messages_of(response)[0]
    assert not SocialProfile.objects.exists()


def test_an_error_from_x_on_the_callback_is_shown_and_connects_nothing(cast, login, x_network):
    client = login(cast.emma)
    state = query(connect(client, "x"))["state"]

    response = callback(client, "x", state=state, error="server_error", error_description="Try later")

    assert messages_of(response) == ["X reported a problem: Try later. Nothing was connected."]
    assert x_network.call_count == 0
    assert not SocialProfile.objects.exists()


def test_a_network_without_app_credentials_is_unavailable_not_broken(cast, login):
    client = login(cast.emma)

    page = client.get(reverse("profiles:my_profiles")).content.decode()
    response = client.post(reverse("profiles:profile_connect", args=["linkedin"]))

    assert "Unavailable: ask your admin to add the app credentials." in page
    assert response.url == reverse("profiles:my_profiles")
    assert "LinkedIn is not available yet" in messages_of(response)[0]


def test_app_credentials_saved_by_an_admin_override_the_settings(cast, login, settings):
    settings.X_CLIENT_ID = "from-settings"
    admin = login(cast.alice)

    admin.post(
        reverse("profiles:network_app_edit", args=["x"]), {"x-client_id": "org-client", "x-client_secret": "org-secret"}
    )
    params = query(connect(login(cast.emma), "x"))

    assert params["client_id"] == "org-client"
    app = NetworkApp.objects.get()
    assert (app.organization, app.client_secret) == (cast.org, "org-secret")
    assert "org-secret" not in admin.get(reverse("profiles:company_profiles")).content.decode()


def test_linkedin_needs_the_client_secret(cast, login):
    response = login(cast.alice).post(
        reverse("profiles:network_app_edit", args=["linkedin"]), {"linkedin-client_id": "li"}
    )

    assert "LinkedIn needs the client secret too." in messages_of(response)
    assert not NetworkApp.objects.exists()


@pytest.fixture
def linkedin_network(respx_mock, linkedin_app):
    token = respx_mock.post(LI_TOKEN).mock(
        return_value=httpx.Response(
            200, json={"access_token": "li-access-2", "expires_in": 5184000, "scope": "openid,profile,w_member_social"}
        )
    )
    respx_mock.get(LI_USERINFO).mock(return_value=httpx.Response(200, json={"sub": "abc123", "name": "Emma Example"}))
    return token


def test_reconnecting_linkedin_keeps_the_refresh_token_the_new_grant_did_not_replace(cast, login, linkedin_network):
    stored = Credentials(access_token="li-access-1", refresh_token="li-refresh-1", extra={"sub": "abc123"})
    profile = make_profile(
        cast.emma,
        network="linkedin",
        remote_id="abc123",
        credentials=stored,
        state=SocialProfile.State.NEEDS_RECONNECT,
    )
    client = login(cast.emma)
    state = query(network_url_of(client, client.get(reverse("profiles:profile_reconnect", args=[profile.id]))))["state"]

    callback(client, "linkedin", state=state, code="li-code")

    profile.refresh_from_db()
    assert profile.state == SocialProfile.State.ACTIVE
    assert profile.access_token == "li-access-2"
    assert profile.refresh_token == "li-refresh-1"
    assert profile.extra["person_urn"] == "urn:li:person:abc123"
    assert profile.clicks_only is True  # no post analytics scope: measured by clicks
    assert SocialProfile.objects.count() == 1


def test_a_company_profile_is_connected_by_comms_without_an_owner(cast, login, x_network):
    client = login(cast.carol)
    state = query(connect(client, "x", company=True))["state"]

    response = callback(client, "x", state=state, code="x-code")

    assert response.url == reverse("profiles:company_profiles")
    profile = SocialProfile.objects.get()
    assert profile.owner_membership is None
    assert profile.is_company


def test_an_employees_account_cannot_also_become_a_company_profile(cast, login, x_network):
    make_profile(cast.emma, network="x", remote_id="1234")
    client = login(cast.carol)
    state = query(connect(client, "x", company=True))["state"]

    response = callback(client, "x", state=state, code="x-code")

    assert "connected by an employee as their personal profile" in messages_of(response)[0]
    assert SocialProfile.objects.get().owner_membership == cast.emma


def test_x_connects_through_the_endpoints_the_settings_name(cast, login, respx_mock, x_app):
    x_app.X_AUTHORIZE_URL = "https://x-double.example/i/oauth2/authorize"
    x_app.X_API_BASE = "https://x-double.example"
    token = respx_mock.post("https://x-double.example/2/oauth2/token").mock(
        return_value=httpx.Response(200, json={"access_token": "a", "refresh_token": "r", "scope": X_SCOPES})
    )
    respx_mock.get("https://x-double.example/2/users/me").mock(
        return_value=httpx.Response(200, json={"data": {"id": "77", "username": "emma_double"}})
    )
    client = login(cast.emma)
    url = connect(client, "x")

    callback(client, "x", state=query(url)["state"], code="x-code")

    assert url.startswith("https://x-double.example/i/oauth2/authorize?")
    assert token.call_count == 1
    assert SocialProfile.objects.get().handle == "@emma_double"
