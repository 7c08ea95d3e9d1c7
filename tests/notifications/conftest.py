from __future__ import annotations

import pytest

from notifications.management.commands.vapid_keys import vapid_key_pair
from tests.notifications.push_service import running_push_service


@pytest.fixture
def vapid(settings):
    public, private = vapid_key_pair()
    settings.VAPID_PUBLIC_KEY, settings.VAPID_PRIVATE_KEY = public, private
    settings.VAPID_SUBJECT = "mailto:comms@acme.test"
    return public


@pytest.fixture
def push_service(settings, vapid):
    # The stand-in listens on loopback, which the egress guard refuses unless allowed.
    settings.NETWORKS_ALLOW_PRIVATE_HOSTS = True
    with running_push_service() as service:
        yield service
