"""Connecting a Mastodon instance: the address, its limits, app registration, OAuth."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from networks.base import AppCredentials, CredentialsDead, PermanentError
from networks.http import make_client
from networks.mastodon import (
    SCOPES,
    InvalidInstanceURL,
    authorize_url,
    exchange_code,
    fetch_instance_info,
    normalize_instance_url,
    register_app,
)

INSTANCE = "https://social.example"
REDIRECT = "https://advocacy.example/profiles/mastodon/callback"
APP = AppCredentials("masto-client", "masto-client-secret")


@pytest.mark.parametrize(
    ("typed", "normalized"),
    [
        ("mastodon.social", "https://mastodon.social"),
        ("  https://Mastodon.Social/  ", "https://mastodon.social"),
        ("https://social.example:8443", "https://social.example:8443"),
        ("http://social.example", "http://social.example"),
        ("https://bücher.example", "https://xn--bcher-kva.example"),
    ],
)
def test_an_instance_address_is_normalized_to_its_origin(typed, normalized):
    assert normalize_instance_url(typed) == normalized


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("", "empty"),
        ("ftp://social.example", "scheme"),
        ("javascript:alert(1)", "scheme"),
        ("https://user:pass@social.example", "credentials"),
        ("https://social.example/@emma", "path"),
        ("https://social.example/?next=/admin", "path"),
        ("https://social.example/#top", "path"),
        ("https://intranet", "host"),
        ("https://exa mple.com", "host"),
        ("http://127.0.0.1", "private"),
        ("http://10.1.2.3:3000", "private"),
        ("https://[::1]", "private"),
        ("http://localhost:3000", "private"),
        ("https://169.254.169.254", "private"),
        ("https://.", "host"),
        ("2130706433", "private"),
        ("0x7f.1", "private"),
        ("https://0177.0.0.1:3000", "private"),
        ("127.1", "private"),
    ],
)
def test_a_bad_instance_address_is_refused_with_a_reason(typed, code):
    with pytest.raises(InvalidInstanceURL) as caught:
        normalize_instance_url(typed)
    assert caught.value.code == code


def test_a_local_instance_is_allowed_when_asked_for():
    assert normalize_instance_url("http://localhost:3000", allow_private=True) == "http://localhost:3000"


def test_registering_the_app_on_an_instance_returns_its_client_credentials(respx_mock):
    route = respx_mock.post(f"{INSTANCE}/api/v1/apps").mock(
        return_value=httpx.Response(
            200,
            json={
                "id": "563419",
                "name": "Employee Advocacy",
                "redirect_uri": REDIRECT,
                "client_id": "TWhM-tNSuncnqN7DBJmoyeLnk6K3iJJ71KKXxgL1hPM",
                "client_secret": "ZEaFUFmF0umgBX1qKJDjaU99Q31lDkOU8NutzTOoliw",
            },
        )
    )

    with make_client() as client:
        app = register_app(INSTANCE, REDIRECT, client)

    form = parse_qs(route.calls.last.request.content.decode())
    assert form == {"client_name": ["Employee Advocacy"], "redirect_uris": [REDIRECT], "scopes": [SCOPES]}
    assert SCOPES == "read:statuses read:accounts write:statuses write:media"
    assert app == AppCredentials(
        "TWhM-tNSuncnqN7DBJmoyeLnk6K3iJJ71KKXxgL1hPM", "ZEaFUFmF0umgBX1qKJDjaU99Q31lDkOU8NutzTOoliw"
    )


def test_an_instance_that_refuses_registration_is_a_permanent_error(respx_mock):
    respx_mock.post(f"{INSTANCE}/api/v1/apps").mock(
        return_value=httpx.Response(422, json={"error": "Validation failed: Redirect URI must be an absolute URI."})
    )
    with make_client() as client, pytest.raises(PermanentError, match="Redirect URI"):
        register_app(INSTANCE, "not-a-uri", client)


def test_the_authorize_url_asks_for_our_scopes_on_that_instance():
    url = authorize_url(INSTANCE, APP, REDIRECT, "state-123", code_challenge="challenge")
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == f"{INSTANCE}/oauth/authorize"
    assert parse_qs(parts.query) == {
        "response_type": ["code"],
        "client_id": ["masto-client"],
        "redirect_uri": [REDIRECT],
        "scope": [SCOPES],
        "state": ["state-123"],
        "code_challenge": ["challenge"],
        "code_challenge_method": ["S256"],
    }


def test_exchanging_the_code_returns_non_expiring_credentials_for_that_instance(respx_mock):
    route = respx_mock.post(f"{INSTANCE}/oauth/token").mock(
        return_value=httpx.Response(
            200, json={"access_token": "masto-access", "token_type": "Bearer", "scope": SCOPES, "created_at": 1}
        )
    )
    with make_client() as client:
        credentials = exchange_code(INSTANCE, APP, "the-code", REDIRECT, client)

    form = parse_qs(route.calls.last.request.content.decode())
    assert form["grant_type"] == ["authorization_code"]
    assert form["code"] == ["the-code"]
    assert form["client_secret"] == ["masto-client-secret"]
    assert credentials.access_token == "masto-access"
    assert credentials.expires_at is None
    assert credentials.extra["instance_url"] == INSTANCE


def test_a_refused_code_is_reported_without_secrets(respx_mock):
    respx_mock.post(f"{INSTANCE}/oauth/token").mock(
        return_value=httpx.Response(
            400, json={"error": "invalid_grant", "error_description": "The provided authorization grant is invalid"}
        )
    )
    with make_client() as client, pytest.raises(CredentialsDead) as caught:
        exchange_code(INSTANCE, APP, "the-code", REDIRECT, client)
    assert "masto-client-secret" not in str(caught.value)


def test_the_instance_limit_comes_from_v2_instance_info(respx_mock):
    respx_mock.get(f"{INSTANCE}/api/v2/instance").mock(
        return_value=httpx.Response(
            200,
            json={
                "domain": "social.example",
                "version": "4.3.2",
                "configuration": {"statuses": {"max_characters": 1000, "characters_reserved_per_url": 23}},
            },
        )
    )
    with make_client() as client:
        info = fetch_instance_info(INSTANCE, client)
    assert (info.max_characters, info.version) == (1000, "4.3.2")


def test_an_older_instance_falls_back_to_v1_instance_info(respx_mock):
    respx_mock.get(f"{INSTANCE}/api/v2/instance").mock(return_value=httpx.Response(404))
    respx_mock.get(f"{INSTANCE}/api/v1/instance").mock(
        return_value=httpx.Response(200, json={"uri": "social.example", "version": "3.5.3", "max_toot_chars": 5000})
    )
    with make_client() as client:
        assert fetch_instance_info(INSTANCE, client).max_characters == 5000


def test_a_server_that_is_not_mastodon_is_refused(respx_mock):
    respx_mock.get(f"{INSTANCE}/api/v2/instance").mock(return_value=httpx.Response(404))
    respx_mock.get(f"{INSTANCE}/api/v1/instance").mock(return_value=httpx.Response(404))
    with make_client() as client, pytest.raises(PermanentError, match="does not look like"):
        fetch_instance_info(INSTANCE, client)
