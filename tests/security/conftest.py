from __future__ import annotations

import socket

import pytest

from tests.factories import MembershipFactory
from tests.security.world import build_acme


@pytest.fixture(autouse=True)
def _no_outbound_network(monkeypatch):
    # Hostile input must never make the server reach out; if a view tried, the test
    # sees a failed name lookup, as it would for an address that does not exist.
    real = socket.getaddrinfo

    def local_only(host, *args, **kwargs):
        if host in ("localhost", "127.0.0.1", "::1", "testserver"):
            return real(host, *args, **kwargs)
        raise socket.gaierror(socket.EAI_NONAME, f"outbound lookups are off in the security tests ({host})")

    monkeypatch.setattr(socket, "getaddrinfo", local_only)


@pytest.fixture
def world(cast):
    return build_acme(cast)


OUTSIDER_ROLES = {
    "admin-only": {"is_admin": True, "is_employee": False},
    "comms-only": {"is_comms": True, "is_employee": False},
    "manager-and-employee": {"is_manager": True, "is_employee": True},
    "every-role": None,  # olga herself
}


@pytest.fixture(params=list(OUTSIDER_ROLES))
def outsider(request, cast):
    """A member of the other organization, once per combination of roles."""
    roles = OUTSIDER_ROLES[request.param]
    if roles is None:
        return cast.olga
    return MembershipFactory(
        organization=cast.other_org, user__email=f"{request.param}@other.test", **{"is_employee": False, **roles}
    )
