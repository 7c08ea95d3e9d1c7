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


@pytest.fixture
def slack_api(settings):
    from tests.notifications.standins import running_standin

    with running_standin("slack") as recorder:
        settings.SLACK_API_URL = recorder.base_url + "/api/"
        settings.SLACK_CLIENT_ID = recorder.client_id
        settings.SLACK_CLIENT_SECRET = recorder.client_secret
        settings.SLACK_SIGNING_SECRET = "slack-signing-secret-for-tests"
        yield recorder


@pytest.fixture
def teams_webhook(settings):
    from tests.notifications.standins import running_standin

    # The stand-in listens on loopback, which the egress guard refuses unless allowed.
    settings.NETWORKS_ALLOW_PRIVATE_HOSTS = True
    with running_standin("teams") as recorder:
        yield recorder
