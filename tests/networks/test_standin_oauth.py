"""The OAuth 2.0 dance of the browser journeys' network stand-ins (e2e/standins/), over real HTTP.

X, Mastodon and LinkedIn share one authorization-code implementation
(e2e/standins/base.py); each keeps its own paths, client authentication and PKCE
rule. These tests drive each stand-in as a browser and an app would: the consent
page, allowing or denying, and redeeming the code once, with the right redirect URI,
client and (where required) code verifier.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from e2e.standins import linkedin, mastodon, x
from e2e.standins.base import basic_authorization, pkce_challenge, running

REDIRECT = "https://chorus.example/profiles/callback/"
CLIENT_ID, CLIENT_SECRET = "standin-client", "standin-secret"


@dataclass
class Network:
    name: str
    base: str
    client: httpx.Client
    authorize: str
    token: str
    me: str
    name_field: str
    pkce: bool
    client_id: str = CLIENT_ID
    client_secret: str = CLIENT_SECRET

    def token_call(self, form: dict[str, str], *, secret: str | None = None) -> httpx.Response:
        secret = self.client_secret if secret is None else secret
        data = {"grant_type": "authorization_code", "redirect_uri": REDIRECT} | form
        if self.name == "x":
            return self.client.post(
                self.base + self.token,
                data=data,
                headers={"Authorization": basic_authorization(self.client_id, secret)},
            )
        return self.client.post(
            self.base + self.token, data=data | {"client_id": self.client_id, "client_secret": secret}
        )


@pytest.fixture(params=["x", "mastodon", "linkedin"])
def network(request):
    name = request.param
    with httpx.Client(timeout=5) as client:
        if name == "x":
            with running(x.server(0, CLIENT_ID, CLIENT_SECRET)) as base:
                yield Network(
                    name, base, client, "/i/oauth2/authorize", "/2/oauth2/token", "/2/users/me", "username", True
                )
        elif name == "linkedin":
            with running(linkedin.server(0, CLIENT_ID, CLIENT_SECRET)) as base:
                yield Network(
                    name,
                    base,
                    client,
                    "/oauth/v2/authorization",
                    "/oauth/v2/accessToken",
                    "/v2/userinfo",
                    "name",
                    False,
                )
        else:
            with running(mastodon.server(0)) as base:
                app = client.post(
                    f"{base}/api/v1/apps",
                    data={"client_name": "Chorus", "redirect_uris": REDIRECT, "scopes": "read write"},
                ).json()
                yield Network(
                    name,
                    base,
                    client,
                    "/oauth/authorize",
                    "/oauth/token",
                    "/api/v1/accounts/verify_credentials",
                    "username",
                    True,
                    client_id=app["client_id"],
                    client_secret=app["client_secret"],
                )


def _authorize(network: Network, *, decision: str = "allow") -> tuple[dict[str, list[str]], str]:
    """The consent page, submitted; the query the browser is sent back with, and the PKCE verifier."""
    verifier = secrets.token_urlsafe(32)
    query = {
        "response_type": "code",
        "client_id": network.client_id,
        "redirect_uri": REDIRECT,
        "state": "s1",
        "scope": "read",
        "code_challenge": pkce_challenge(verifier),
        "code_challenge_method": "S256",
    }
    page = network.client.get(network.base + network.authorize, params=query)
    assert page.status_code == 200
    assert 'name="state" value="s1"' in page.text  # the request rides along in the form
    answer = network.client.post(
        network.base + network.authorize, data=query | {network.name_field: "emil", "decision": decision}
    )
    assert answer.status_code == 302
    location = answer.headers["location"]
    assert location.startswith(REDIRECT + "?")
    return parse_qs(urlsplit(location).query), verifier


def test_an_allowed_request_gets_a_code_that_buys_a_working_token(network):
    back, verifier = _authorize(network)
    assert back["state"] == ["s1"]
    answer = network.token_call({"code": back["code"][0], "code_verifier": verifier})
    assert answer.status_code == 200, answer.text
    token = answer.json()["access_token"]
    me = network.client.get(network.base + network.me, headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200
    assert network.client.get(network.base + network.me, headers={"Authorization": "Bearer nope"}).status_code == 401


def test_a_denied_request_goes_back_with_an_error_and_no_code(network):
    back, _verifier = _authorize(network, decision="deny")
    assert back["state"] == ["s1"]
    assert "error" in back and "code" not in back


def test_a_code_is_redeemed_once_only(network):
    back, verifier = _authorize(network)
    form = {"code": back["code"][0], "code_verifier": verifier}
    assert network.token_call(form).status_code == 200
    assert network.token_call(form).status_code == 400


def test_a_code_sent_back_to_another_redirect_uri_is_refused(network):
    back, verifier = _authorize(network)
    form = {"code": back["code"][0], "code_verifier": verifier, "redirect_uri": "https://elsewhere.example/"}
    assert network.token_call(form).status_code == 400


def test_a_token_call_of_another_grant_type_is_refused(network):
    back, verifier = _authorize(network)
    answer = network.token_call({"code": back["code"][0], "code_verifier": verifier, "grant_type": "password"})
    assert answer.status_code == 400


def test_the_pkce_verifier_must_answer_the_challenge_where_pkce_is_required(network):
    back, _verifier = _authorize(network)
    answer = network.token_call({"code": back["code"][0], "code_verifier": "not-the-verifier"})
    assert answer.status_code == (400 if network.pkce else 200)


def test_a_wrong_client_secret_gets_no_token(network):
    back, verifier = _authorize(network)
    answer = network.token_call({"code": back["code"][0], "code_verifier": verifier}, secret="not-the-secret")
    assert answer.status_code in (400, 401)
    assert "access_token" not in answer.json()
