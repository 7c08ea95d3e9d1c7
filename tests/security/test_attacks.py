"""What an attacker tries first: forged requests (CSRF enforced, as a browser would), a
planted session, redirects out of the site after login or a language change, and a
forged Host header."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD, PostFactory

ELSEWHERE = [
    "https://evil.example/steal",
    "//evil.example/steal",
    "/\\evil.example/steal",
    "\\\\evil.example",
    "https:evil.example",
    "http://testserver@evil.example/",
    " https://evil.example",
]


def _enforcing(membership=None) -> Client:
    client = Client(enforce_csrf_checks=True)
    if membership is not None:
        client.force_login(membership.user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def _stays_here(response) -> bool:
    location = response.get("Location", "")
    return not location or (location.startswith("/") and not location.startswith(("//", "/\\")))


@pytest.mark.parametrize(
    ("person", "name", "args", "data"),
    [
        ("emma", "account_logout", [], {}),
        ("emma", "set_language", [], {"language": "da"}),
        ("alice", "employees:invite", [], {"email": "new@acme.test", "name": "New Person"}),
        ("emma", "employees:organization_switch", [], {"organization": "1"}),
        ("emma", "advocacy:compose", ["post"], {"comment": "forged", "profiles": ["1"]}),
    ],
)
def test_a_post_without_the_csrf_token_is_refused(cast, person, name, args, data):
    post = PostFactory.published(organization=cast.org)
    url = reverse(name, args=[post.id if arg == "post" else arg for arg in args])
    response = _enforcing(getattr(cast, person)).post(url, data)
    assert response.status_code == 403


def test_the_same_post_with_the_token_goes_through(cast):
    client = _enforcing(cast.emma)
    client.get(reverse("advocacy:feed"))
    token = client.cookies["csrftoken"].value
    response = client.post(reverse("set_language"), {"language": "da", "csrfmiddlewaretoken": token})
    assert response.status_code == 302


def test_logging_in_gives_a_new_session_key(cast):
    client = _enforcing()
    client.get(reverse("account_login"))
    session = client.session
    session["planted"] = "by an attacker"
    session.save()
    planted = session.session_key
    client.cookies["sessionid"] = planted
    token = client.cookies["csrftoken"].value
    response = client.post(
        reverse("account_login"), {"login": "emma@acme.test", "password": PASSWORD, "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302
    assert response.wsgi_request.user == cast.emma.user
    assert client.cookies["sessionid"].value != planted


@pytest.mark.parametrize("target", ELSEWHERE)
def test_login_never_redirects_out_of_the_site(cast, client, target):
    response = client.post(
        reverse("account_login") + "?next=" + target, {"login": "emma@acme.test", "password": PASSWORD, "next": target}
    )
    assert response.status_code == 302
    assert response.wsgi_request.user == cast.emma.user
    assert _stays_here(response), response["Location"]


@pytest.mark.parametrize("target", ELSEWHERE)
def test_the_language_switch_never_redirects_out_of_the_site(db, client, target):
    response = client.post(reverse("set_language"), {"language": "da", "next": target}, HTTP_REFERER=target)
    assert response.status_code in (200, 204, 302)
    assert _stays_here(response), response.get("Location")


def test_a_forged_host_header_is_refused(cast, login):
    response = login(cast.emma).get(reverse("advocacy:feed"), HTTP_HOST="evil.example")
    assert response.status_code == 400
