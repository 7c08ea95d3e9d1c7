from __future__ import annotations

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
