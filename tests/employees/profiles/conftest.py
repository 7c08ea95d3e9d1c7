from __future__ import annotations

import html
import re

import pytest

from employees.models import SocialProfile
from networks.base import Credentials
from tests.bluesky.fixtures import bluesky_network  # noqa: F401 - a fixture, used by name


@pytest.fixture
def x_app(settings):
    settings.X_CLIENT_ID = "x-client-id"
    settings.X_CLIENT_SECRET = "x-client-secret"
    return settings


@pytest.fixture
def linkedin_app(settings):
    settings.LINKEDIN_CLIENT_ID = "li-client-id"
    settings.LINKEDIN_CLIENT_SECRET = "li-client-secret"
    return settings


def make_profile(membership, *, network="x", remote_id="42", company=False, **fields) -> SocialProfile:
    """A connected profile with tokens, as a connection would have stored it."""
    credentials = fields.pop("credentials", None) or Credentials(
        access_token=f"{network}-access-token-1", refresh_token=f"{network}-refresh-token-1", extra={"username": "emma"}
    )
    profile = SocialProfile(
        organization=membership.organization,
        owner_membership=None if company else membership,
        network=network,
        remote_id=remote_id,
        handle=fields.pop("handle", "@emma"),
    )
    profile.set_credentials(credentials)
    for name, value in fields.items():
        setattr(profile, name, value)
    profile.save()
    return profile


FOLLOW_LINK = re.compile(r'<a [^>]*href="([^"]+)"[^>]*data-follow')


def network_url_of(client, response) -> str:
    """The network's authorize URL a started connection leads to, through our own page.

    The start answers a form, so it must end on our origin (303): a redirect to the
    network would be blocked by the policy's form-action 'self' in a browser.
    """
    assert response.status_code == 303, response
    assert response.url.startswith("/profiles/authorize/"), response.url
    page = client.get(response.url)
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    return html.unescape(FOLLOW_LINK.search(page.content.decode()).group(1))
