"""A person's way through a company sign-in, driven with the Django test client."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import urlsplit

from tests.employees.sso.conftest import SITE


def local(url: str) -> str:
    """The path and query of one of our own absolute URLs."""
    assert url.startswith(SITE), url
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def begin_url(client, email: str) -> str:
    """The login page's email step: the link to the company sign-in."""
    page = client.post("/sso/", {"email": email})
    assert page.status_code == 200, page.content[:500]
    match = re.search(rb'id="sso-continue" href="([^"]+)"', page.content)
    assert match, page.content.decode()[:2000]
    return unescape(match.group(1).decode())


def oidc_callback(client, oidc_idp, *, email: str, login: str | None = None) -> str:
    """Start at the login page, sign in at the provider; the callback path it sends back."""
    start = client.get(begin_url(client, email))
    assert start.status_code == 302, start.content[:1000]
    # The provider's subject is not the email: the login "sub-<email>" is the subject.
    return local(oidc_idp.sign_in(start["Location"], login=login or f"sub-{email}"))


def oidc_login(client, oidc_idp, *, email: str, login: str | None = None):
    return client.get(oidc_callback(client, oidc_idp, email=email, login=login))


def saml_answer(client, saml_idp, *, email: str, name_id: str) -> dict[str, str]:
    start = client.get(begin_url(client, email))
    assert start.status_code == 302, start.content[:1000]
    return saml_idp.sign_in(start["Location"], name_id=name_id, email=email)


def saml_post(client, answer: dict[str, str]):
    """Post the IdP's answer to our ACS as a browser does (including the same-site re-post)."""
    data = {key: value for key, value in answer.items() if key != "action"}
    first = client.post(local(answer["action"]), data)
    if first.status_code != 200 or b"samlReturnForm" not in first.content:
        return first
    fields = dict(re.findall(rb'<input type="hidden" name="([^"]+)" value="([^"]*)"', first.content))
    return client.post(local(answer["action"]), {k.decode(): unescape(v.decode()) for k, v in fields.items()})


def saml_login(client, saml_idp, *, email: str, name_id: str):
    return saml_post(client, saml_answer(client, saml_idp, email=email, name_id=name_id))
