"""Connecting Mastodon: per-instance app registration, OAuth with state and PKCE (HTTP mocked)."""

from __future__ import annotations

import base64
import hashlib
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from employees.models import NetworkApp, SocialProfile
from tests.employees.profiles.conftest import network_url_of
from tests.factories import PostFactory

SERVER = "https://social.example"
INSTANCE = {"version": "4.3.0", "configuration": {"statuses": {"max_characters": 500}}}
ACCOUNT = {
    "id": "1091",
    "username": "emma",
    "acct": "emma",
    "display_name": "Emma E.",
    "url": f"{SERVER}/@emma",
    "followers_count": 57,
}
GRANTED = "read:statuses read:accounts write:statuses write:media"


@pytest.fixture
def instance(respx_mock):
    respx_mock.get(f"{SERVER}/api/v2/instance").mock(return_value=httpx.Response(200, json=INSTANCE))
    apps = respx_mock.post(f"{SERVER}/api/v1/apps").mock(
        return_value=httpx.Response(200, json={"client_id": "masto-client", "client_secret": "masto-secret"})
    )
    token = respx_mock.post(f"{SERVER}/oauth/token").mock(
        return_value=httpx.Response(200, json={"access_token": "masto-user-token", "scope": GRANTED})
    )
    respx_mock.get(f"{SERVER}/api/v1/accounts/verify_credentials").mock(return_value=httpx.Response(200, json=ACCOUNT))
    return {"apps": apps, "token": token}


def start(client, address="social.example"):
    return client.post(reverse("profiles:profile_connect", args=["mastodon"]), {"instance_url": address})


def authorize(client, address="social.example") -> str:
    """Start connecting; the instance's authorize URL the browser is then led to."""
    return network_url_of(client, start(client, address))


def query(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


def callback(client, **params):
    return client.get(reverse("profiles:profile_callback", args=["mastodon"]), params)


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_an_employee_connects_through_their_instance(cast, login, instance):
    client = login(cast.emma)

    url = authorize(client)

    assert url.startswith(f"{SERVER}/oauth/authorize?")
    params = query(url)
    assert params["client_id"] == "masto-client"
    assert params["redirect_uri"].endswith(reverse("profiles:profile_callback", args=["mastodon"]))
    assert params["code_challenge_method"] == "S256"

    response = callback(client, state=params["state"], code="the-code")

    assert response.status_code == 302
    assert response.url == reverse("profiles:my_profiles")
    profile = SocialProfile.objects.get()
    assert (profile.owner_membership, profile.state) == (cast.emma, SocialProfile.State.ACTIVE)
    assert (profile.remote_id, profile.handle, profile.followers) == ("1091@social.example", "@emma@social.example", 57)
    assert profile.profile_url == f"{SERVER}/@emma"
    assert profile.access_token == "masto-user-token"
    assert profile.extra["instance_url"] == SERVER
    # The verifier sent with the code matches the challenge sent to the browser.
    verifier = parse_qs(instance["token"].calls.last.request.content.decode())["code_verifier"][0]
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    assert challenge == params["code_challenge"]


def test_the_instance_registration_is_made_once_and_reused_by_the_next_employee(cast, login, instance):
    authorize(login(cast.emma))
    authorize(login(cast.mike), address="https://social.example/")

    assert instance["apps"].call_count == 1
    app = NetworkApp.objects.get()
    assert (app.organization, app.network, app.instance_url, app.client_secret) == (
        None,
        "mastodon",
        SERVER,
        "masto-secret",
    )


def test_a_server_that_is_not_mastodon_gets_a_clear_message(cast, login, respx_mock):
    respx_mock.get(f"{SERVER}/api/v2/instance").mock(return_value=httpx.Response(404))
    respx_mock.get(f"{SERVER}/api/v1/instance").mock(return_value=httpx.Response(404))

    response = start(login(cast.emma))

    assert response.status_code == 400
    assert "does not look like a Mastodon server" in response.content.decode()
    assert not NetworkApp.objects.exists()
    assert not SocialProfile.objects.exists()


def test_an_unreachable_server_gets_a_clear_message(cast, login, respx_mock):
    respx_mock.get(f"{SERVER}/api/v2/instance").mock(side_effect=httpx.ConnectError("name not known"))

    response = start(login(cast.emma))

    assert response.status_code == 400
    assert "Could not reach https://social.example" in response.content.decode()
    assert not NetworkApp.objects.exists()


@pytest.mark.parametrize(
    ("address", "message"),
    [("javascript:alert(1)", "must start with https://"), ("https://social.example/@emma", "without a path")],
)
def test_an_address_that_is_not_a_server_is_refused_before_any_request(cast, login, address, message):
    response = start(login(cast.emma), address=address)

    assert response.status_code == 400
    assert message in response.content.decode()


def test_a_callback_with_a_state_this_session_did_not_start_connects_nothing(cast, login, instance):
    client = login(cast.emma)
    start(client)

    response = callback(client, state="forged-state", code="the-code")

    assert response.url == reverse("profiles:my_profiles")
    assert "expired or was not started in this browser" in messages_of(response)[0]
    assert instance["token"].call_count == 0
    assert not SocialProfile.objects.exists()


def test_a_state_cannot_be_used_twice(cast, login, instance):
    client = login(cast.emma)
    state = query(authorize(client))["state"]
    callback(client, state=state, code="the-code")

    response = callback(client, state=state, code="the-code")

    assert "expired or was not started in this browser" in messages_of(response)[-1]
    assert instance["token"].call_count == 1


def test_a_state_started_by_someone_else_is_refused(cast, login, client, instance):
    state = query(authorize(login(cast.emma)))["state"]
    other = login(cast.mike)

    response = callback(other, state=state, code="the-code")

    assert "expired or was not started in this browser" in messages_of(response)[0]
    assert not SocialProfile.objects.exists()


def test_a_denied_authorization_says_so_and_connects_nothing(cast, login, instance):
    client = login(cast.emma)
    state = query(authorize(client))["state"]

    response = callback(client, state=state, error="access_denied", error_description="The user denied it")

    assert "You cancelled connecting Mastodon" in messages_of(response)[0]
    assert instance["token"].call_count == 0
    assert not SocialProfile.objects.exists()


def test_a_grant_without_permission_to_post_connects_nothing(cast, login, instance):
    instance["token"].mock(return_value=httpx.Response(200, json={"access_token": "t", "scope": "read"}))
    client = login(cast.emma)
    state = query(authorize(client))["state"]

    response = callback(client, state=state, code="the-code")

    assert "did not give permission to post" in messages_of(response)[0]
    assert not SocialProfile.objects.exists()


def test_a_code_the_instance_refuses_connects_nothing(cast, login, instance):
    instance["token"].mock(return_value=httpx.Response(400, json={"error": "invalid_grant"}))
    client = login(cast.emma)
    state = query(authorize(client))["state"]

    response = callback(client, state=state, code="stale")

    assert "did not accept the connection" in messages_of(response)[0]
    assert not SocialProfile.objects.exists()


def test_the_instances_own_character_limit_is_kept_and_used_by_the_composer(cast, login, respx_mock, instance):
    respx_mock.get(f"{SERVER}/api/v2/instance").mock(
        return_value=httpx.Response(
            200, json={"version": "4.3.0", "configuration": {"statuses": {"max_characters": 5000}}}
        )
    )
    client = login(cast.emma)
    callback(client, state=query(authorize(client))["state"], code="the-code")
    profile = SocialProfile.objects.get()
    post = PostFactory.published(organization=cast.org, link_url="https://example.com/long-read")

    preview = client.post(
        reverse("advocacy:compose_preview", args=[post.id]), {"profiles": [profile.id], "comment": "a" * 600}
    ).content.decode()

    assert profile.extra["max_characters"] == 5000
    assert "/5000" in preview
    assert "too long" not in preview


def test_starting_a_connection_answers_the_form_on_our_own_origin(cast, login, instance):
    response = start(login(cast.emma))

    # A redirect to the instance here would be blocked by form-action 'self' in a browser.
    assert response.status_code == 303
    assert urlsplit(response.url).netloc == ""
    assert instance["apps"].call_count == 1


def test_the_page_that_leads_to_the_network_is_only_for_the_attempts_own_member(cast, login, instance):
    response = start(login(cast.emma))
    page_url = response.url

    other = login(cast.mike).get(page_url)

    assert other.url == reverse("profiles:my_profiles")
    assert "expired or was not started in this browser" in messages_of(other)[0]
    assert (
        "social.example/oauth/authorize" not in login(cast.mike).get(reverse("profiles:my_profiles")).content.decode()
    )


def test_the_page_that_leads_to_the_network_links_there_and_loads_no_inline_script(cast, login, instance):
    client = login(cast.emma)
    page = client.get(start(client).url).content.decode()

    assert "data-follow" in page
    assert f'href="{SERVER}/oauth/authorize?' in page
    assert "<script>" not in page  # the policy allows our static scripts only
