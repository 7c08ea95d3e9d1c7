"""Tokens never leave the database in the clear: not in a dump, not in the logs."""

from __future__ import annotations

import io
import json
import logging
from datetime import timedelta

import httpx
import pytest
from django.core.management import call_command
from django.utils import timezone

from advocacy import services
from advocacy.models import Share
from employees import crypto
from employees.models import NetworkApp, SocialProfile
from employees.profiles.services import profile_credentials_refresh, profile_store
from networks.base import Credentials
from tests.factories import PostFactory

MASTODON_ACCESS = "mastodon-access-d41d8cd9"
MASTODON_REFRESH = "mastodon-refresh-8f00b204"
BLUESKY_SESSION = "bluesky-session-e9800998"
X_ACCESS, X_REFRESH = "x-access-ecf8427e", "x-refresh-2cd6ee2c"
X_ACCESS_NEW, X_REFRESH_NEW = "x-access-new-0cc175b9", "x-refresh-new-92eb5ffe"
APP_SECRET = "app-secret-4a8a08f0"
ALL_SECRETS = [
    MASTODON_ACCESS,
    MASTODON_REFRESH,
    BLUESKY_SESSION,
    X_ACCESS,
    X_REFRESH,
    X_ACCESS_NEW,
    X_REFRESH_NEW,
    APP_SECRET,
]
STATUSES = "https://social.example/api/v1/statuses"
X_TOKEN = "https://api.x.com/2/oauth2/token"


@pytest.fixture
def connected(cast, settings):
    settings.X_CLIENT_ID, settings.X_CLIENT_SECRET = "x-client-id", "x-client-secret"
    mastodon = profile_store(
        membership=cast.emma,
        network="mastodon",
        remote_id="1@social.example",
        handle="@emma@social.example",
        credentials=Credentials(
            access_token=MASTODON_ACCESS,
            refresh_token=MASTODON_REFRESH,
            extra={"instance_url": "https://social.example"},
        ),
    )
    bluesky = profile_store(
        membership=cast.emma,
        network="bluesky",
        remote_id="did:plc:emma",
        handle="emma.bsky.social",
        credentials=Credentials(access_token="", extra={"did": "did:plc:emma", "session": BLUESKY_SESSION}),
    )
    x = profile_store(
        membership=cast.carol,
        network="x",
        remote_id="42",
        handle="@carol",
        credentials=Credentials(
            access_token=X_ACCESS, refresh_token=X_REFRESH, expires_at=timezone.now() + timedelta(minutes=1)
        ),
    )
    NetworkApp.objects.create(organization=cast.org, network="linkedin", client_id="li", client_secret=APP_SECRET)
    return mastodon, bluesky, x


def test_a_database_dump_holds_no_token_in_the_clear(connected):
    out = io.StringIO()
    call_command("dumpdata", stdout=out)
    dump = out.getvalue()

    for secret in [*ALL_SECRETS[:5], APP_SECRET]:
        assert secret not in dump
    rows = {row["pk"]: row["fields"] for row in json.loads(dump) if row["model"] == "employees.socialprofile"}
    mastodon = rows[connected[0].pk]
    assert crypto.decrypt(mastodon["access_token"]) == MASTODON_ACCESS  # ciphertext, not an empty field


@pytest.fixture
def queued_share(cast, connected, django_capture_on_commit_callbacks):
    post = PostFactory.published(organization=cast.org, link_url="https://example.com/office")
    with django_capture_on_commit_callbacks(execute=False):
        (share,) = services.shares_create(
            member=cast.emma, actor=cast.emma.user, post=post, profiles=[connected[0]], comment="Proud!"
        )
    return share


@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(200, json={"id": "1", "url": "https://social.example/@emma/1"}),
        httpx.Response(401, json={"error": "The access token is invalid"}),
        httpx.Response(422, json={"error": "Validation failed"}),
        httpx.Response(503, text="busy"),
    ],
    ids=["posted", "dead-token", "refused", "unavailable"],
)
def test_pushing_a_share_logs_no_token_whatever_the_network_answers(
    queued_share, respx_mock, caplog, monkeypatch, answer
):
    monkeypatch.setattr("advocacy.services._queue_push", lambda share_id, countdown=None: None)
    respx_mock.post(STATUSES).mock(return_value=answer)
    caplog.set_level(logging.DEBUG)

    services.share_push(share_id=queued_share.id)

    assert Share.objects.get(pk=queued_share.pk).status != Share.Status.POSTING
    assert caplog.records  # the push was logged, at least by the HTTP client
    logged = caplog.text + "".join(str(record.__dict__) for record in caplog.records)
    for secret in ALL_SECRETS:
        assert secret not in logged


@pytest.mark.parametrize("answer", [200, 400], ids=["rotated", "refused"])
def test_refreshing_a_token_logs_neither_the_old_nor_the_new_one(connected, respx_mock, caplog, answer):
    body = {"access_token": X_ACCESS_NEW, "refresh_token": X_REFRESH_NEW, "expires_in": 7200}
    if answer != 200:
        body = {"error": "invalid_request", "error_description": "Value passed for the token was invalid."}
    respx_mock.post(X_TOKEN).mock(return_value=httpx.Response(answer, json=body))
    caplog.set_level(logging.DEBUG)

    profile_credentials_refresh(profile_id=connected[2].id)

    logged = caplog.text + "".join(str(record.__dict__) for record in caplog.records)
    for secret in ALL_SECRETS:
        assert secret not in logged
    stored = SocialProfile.objects.get(pk=connected[2].pk)
    assert stored.state == ("active" if answer == 200 else "needs_reconnect")
