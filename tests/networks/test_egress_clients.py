"""Every client whose host comes from outside goes through the egress guard.

Link previews and feeds, Mastodon instance registration, Bluesky sign-in (the PDS
typed and the PDS a DID document names), and the worker's later calls with a stored
address. 127.0.0.1 plays the public internet; 127.0.0.2 plays the server's own
network, where a canary counts every connection (see egress_servers.py).
"""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
from django.urls import reverse

from advocacy import services as share_services
from config.egress import refused_message
from content.feeds import feed_source_poll
from content.fetching import FetchError, fetch
from content.link_preview import post_preview_refresh
from content.models import FeedSource, Post
from employees.models import NetworkApp, SocialProfile
from networks import egress, http
from networks.base import Credentials
from networks.bluesky import BlueskyAdapter
from tests.content.http_server import _web_server, web  # noqa: F401 - fixtures, used by name
from tests.factories import PostFactory, SocialProfileFactory
from tests.networks.egress_servers import (
    INTERNAL,
    PUBLIC,
    fake_dns,
    json_route,
    public_is,
    redirect_route,
    self_signed,
    start,
    stop,
)
from tests.networks.test_bluesky_adapter import DID, fake_jwt
from tests.worker import running_worker, wait_for

APP_PASSWORD = "abcd-efgh-ijkl-mnop"
NUMERIC_LOOPBACK = ["2130706433", "0x7f.1", "017700000001", "127.1", "0177.0.0.1", "[::ffff:127.0.0.1]"]


@pytest.fixture
def canary():
    """A server on the internal network: it must never see a connection."""
    httpd, state = start(INTERNAL)
    yield state
    stop(httpd)


@pytest.fixture
def guarded(settings):
    settings.NETWORKS_ALLOW_PRIVATE_HOSTS = False
    return settings


# -- link previews and feeds ---------------------------------------------------------


@pytest.mark.parametrize("host", NUMERIC_LOOPBACK)
def test_a_preview_of_a_numeric_loopback_spelling_is_refused_without_a_request(web, guarded, host):  # noqa: F811
    port = web.base_url.rsplit(":", 1)[1]
    with pytest.raises(FetchError) as caught:
        fetch(f"http://{host}:{port}/page.html")
    assert caught.value.message == refused_message(host.strip("[]"))
    assert web.requests == []


def test_a_preview_of_a_name_resolving_to_the_internal_network_fails_without_a_request(
    db, guarded, canary, monkeypatch
):
    fake_dns(monkeypatch, {"intranet.acme.test": [INTERNAL]})
    post = PostFactory(link_url=canary.url("/og.html", host="intranet.acme.test"), preview_status="pending")

    post_preview_refresh(post=post)

    post.refresh_from_db()
    assert post.preview_status == Post.PreviewStatus.FAILED
    assert post.preview_error == refused_message("intranet.acme.test")
    assert canary.connections == 0


def test_a_feed_on_a_name_resolving_to_the_internal_network_is_not_polled(cast, guarded, canary, monkeypatch):
    fake_dns(monkeypatch, {"news.intranet.test": [INTERNAL]})
    source = FeedSource.objects.create(
        organization=cast.org, name="Internal", url=canary.url("/rss.xml", host="news.intranet.test")
    )

    feed_source_poll(source=source)

    source.refresh_from_db()
    assert source.last_error == refused_message("news.intranet.test")
    assert canary.connections == 0


# -- Mastodon: the instance an employee types ----------------------------------------------


def _mastodon_start(client, address):
    return client.post(reverse("profiles:profile_connect", args=["mastodon"]), {"instance_url": address})


def test_a_mastodon_instance_resolving_to_the_internal_network_is_never_contacted(
    cast, login, guarded, canary, monkeypatch
):
    fake_dns(monkeypatch, {"social.intranet.test": [INTERNAL]})

    response = _mastodon_start(login(cast.emma), f"social.intranet.test:{canary.port}")

    assert response.status_code == 400
    assert refused_message("social.intranet.test") in response.content.decode()
    assert canary.connections == 0
    assert not NetworkApp.objects.exists()


@pytest.mark.parametrize(
    ("address", "host"),
    [
        *[(spelling, spelling.strip("[]")) for spelling in NUMERIC_LOOPBACK],
        ("https://0177.0.0.1", "0177.0.0.1"),
        ("10.0.0.1:22", "10.0.0.1"),
        ("10.0.0.1:5432", "10.0.0.1"),
        ("[fd00::1]:6379", "fd00::1"),
        ("localhost:3000", "localhost"),
    ],
)
def test_every_refused_mastodon_address_gets_the_one_message_and_no_500(
    cast, login, guarded, address, host, respx_mock
):
    response = _mastodon_start(login(cast.emma), address)

    assert response.status_code == 400
    assert refused_message(host) in response.content.decode()
    assert not respx_mock.calls


def test_a_mastodon_instance_must_be_https(cast, login, guarded, respx_mock):
    response = _mastodon_start(login(cast.emma), "http://social.example")

    assert response.status_code == 400
    assert "The address must start with https://." in response.content.decode()
    assert not respx_mock.calls


# -- Bluesky: the PDS typed, and the PDS the DID document names ---------------------------


@pytest.fixture
def entryway(tmp_path, monkeypatch, guarded):
    """A "public" Bluesky entryway over TLS at entry.pds.test; its DID documents are set per test."""
    server_context, client_context = self_signed(tmp_path, "entry.pds.test")
    httpd, state = start(PUBLIC, context=server_context)
    public_is(monkeypatch, PUBLIC)
    fake_dns(monkeypatch, {"entry.pds.test": [PUBLIC], "pds.intranet.test": [INTERNAL]})
    # The process's guarded pool, rebuilt to trust the test certificate.
    monkeypatch.setattr(http, "_ssl_context_for", (os.getpid(), client_context))
    monkeypatch.setattr(http, "_transport_for", None)
    state.routes["/xrpc/app.bsky.actor.getProfile"] = json_route(
        {"did": DID, "handle": "emma.test", "followersCount": 3}
    )
    yield state
    stop(httpd)


def _answer_sign_in_naming(entry, pds_endpoint: str) -> None:
    entry.routes["/xrpc/com.atproto.server.createSession"] = json_route(
        {
            "accessJwt": fake_jwt("access"),
            "refreshJwt": fake_jwt("refresh", timedelta(days=60), "com.atproto.refresh"),
            "handle": "emma.test",
            "did": DID,
            "didDoc": {
                "@context": ["https://www.w3.org/ns/did/v1"],
                "id": DID,
                "alsoKnownAs": ["at://emma.test"],
                "service": [
                    {"id": "#atproto_pds", "type": "AtprotoPersonalDataServer", "serviceEndpoint": pds_endpoint}
                ],
            },
        }
    )


def _entry_address(entry) -> str:
    return f"https://entry.pds.test:{entry.port}"


def test_a_did_document_naming_the_entryway_itself_connects(cast, login, entryway):
    # The control: the same sign-in with an honest DID document works.
    _answer_sign_in_naming(entryway, _entry_address(entryway))
    response = login(cast.emma).post(
        reverse("profiles:profile_connect", args=["bluesky"]),
        {"handle": "emma.test", "app_password": APP_PASSWORD, "pds_url": _entry_address(entryway)},
    )

    assert response.status_code == 302
    profile = SocialProfile.objects.get()
    assert (profile.extra["pds_url"], profile.followers) == (_entry_address(entryway), 3)
    assert entryway.paths == ["/xrpc/com.atproto.server.createSession", "/xrpc/app.bsky.actor.getProfile"]


@pytest.mark.parametrize(
    ("endpoint", "host"),
    [
        ("https://pds.intranet.test:{port}", "pds.intranet.test"),
        ("http://169.254.169.254", "169.254.169.254"),
        ("https://2130706433", "2130706433"),
        ("https://[::ffff:10.0.0.1]", "::ffff:10.0.0.1"),
        ("https://localhost:{port}", "localhost"),
    ],
)
def test_a_did_document_naming_an_internal_pds_is_refused_and_nothing_is_stored(
    cast, login, entryway, canary, endpoint, host
):
    _answer_sign_in_naming(entryway, endpoint.format(port=canary.port))

    response = login(cast.emma).post(
        reverse("profiles:profile_connect", args=["bluesky"]),
        {"handle": "emma.test", "app_password": APP_PASSWORD, "pds_url": _entry_address(entryway)},
    )

    assert response.status_code == 400
    assert refused_message(host) in response.content.decode()
    assert not SocialProfile.objects.exists()
    assert entryway.paths == ["/xrpc/com.atproto.server.createSession"]  # and no profile read anywhere
    assert canary.connections == 0


@pytest.mark.parametrize("endpoint", ["https://pds.intranet.test:{port}", "http://pds.example", "https://10.0.0.9"])
def test_signing_in_returns_no_session_for_a_did_document_naming_an_internal_pds(entryway, canary, endpoint):
    # The adapter itself refuses, so no caller can store the address and use it later.
    _answer_sign_in_naming(entryway, endpoint.format(port=canary.port))
    with pytest.raises(egress.Refused):
        BlueskyAdapter.connect("emma.test", APP_PASSWORD, _entry_address(entryway))
    assert canary.connections == 0


def test_a_typed_pds_resolving_to_the_internal_network_never_sees_the_app_password(cast, login, entryway, canary):
    response = login(cast.emma).post(
        reverse("profiles:profile_connect", args=["bluesky"]),
        {"handle": "emma.test", "app_password": APP_PASSWORD, "pds_url": f"https://pds.intranet.test:{canary.port}"},
    )

    assert response.status_code == 400
    assert refused_message("pds.intranet.test") in response.content.decode()
    assert canary.connections == 0


# -- the worker's later calls, with an address stored before it was checked ---------------


def _bluesky_profile(membership, pds_url: str) -> SocialProfile:
    profile = SocialProfile(
        organization=membership.organization,
        owner_membership=membership,
        network="bluesky",
        remote_id=DID,
        handle="emma.test",
    )
    access = fake_jwt("access")
    profile.set_credentials(
        Credentials(
            access_token=access,
            refresh_token=fake_jwt("refresh", timedelta(days=60), "com.atproto.refresh"),
            extra={"did": DID, "handle": "emma.test", "pds_url": pds_url},
        )
    )
    profile.save()
    return profile


def _push(cast, profile, django_capture_on_commit_callbacks):
    post = PostFactory.published(organization=cast.org, link_url="https://example.com/office")
    with django_capture_on_commit_callbacks(execute=False):
        (share,) = share_services.shares_create(
            member=cast.emma, actor=cast.emma.user, post=post, profiles=[profile], comment="Proud of this"
        )
    status = share_services.share_push(share_id=share.id)
    share.refresh_from_db()
    return status, share


def test_the_worker_refuses_to_post_to_a_stored_internal_pds(
    cast, guarded, canary, monkeypatch, django_capture_on_commit_callbacks
):
    fake_dns(monkeypatch, {"pds.intranet.test": [INTERNAL]})
    profile = _bluesky_profile(cast.emma, f"https://pds.intranet.test:{canary.port}")

    status, share = _push(cast, profile, django_capture_on_commit_callbacks)

    assert status == share.status == "failed"
    assert "pds.intranet.test is not a public internet address" in share.last_error
    assert canary.connections == 0


def test_the_worker_does_not_follow_a_pds_redirect_to_the_internal_network(
    cast, entryway, canary, monkeypatch, django_capture_on_commit_callbacks
):
    # https, so that only the address decides: first a literal, then a name.
    entryway.routes["/xrpc/com.atproto.repo.createRecord"] = redirect_route(
        f"https://{INTERNAL}:{canary.port}/xrpc/steal"
    )
    entryway.routes["/xrpc/com.atproto.repo.getRecord"] = redirect_route(
        f"https://pds.intranet.test:{canary.port}/xrpc/steal"
    )
    profile = _bluesky_profile(cast.emma, _entry_address(entryway))

    status, share = _push(cast, profile, django_capture_on_commit_callbacks)

    assert status == share.status == "failed"
    assert "is not a public internet address" in share.last_error
    assert entryway.paths == ["/xrpc/com.atproto.repo.createRecord", "/xrpc/com.atproto.repo.getRecord"]
    assert canary.connections == 0


def test_the_worker_refuses_to_post_to_a_stored_internal_mastodon_instance(
    cast, guarded, canary, monkeypatch, django_capture_on_commit_callbacks
):
    fake_dns(monkeypatch, {"social.intranet.test": [INTERNAL]})
    profile = SocialProfileFactory(
        owner_membership=cast.emma,
        network="mastodon",
        extra={"instance_url": f"https://social.intranet.test:{canary.port}"},
    )

    status, share = _push(cast, profile, django_capture_on_commit_callbacks)

    assert status == share.status == "failed"
    assert "social.intranet.test is not a public internet address" in share.last_error
    assert canary.connections == 0


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("host", [INTERNAL, "0x7f.2"])
def test_a_real_worker_process_is_guarded_too(cast, guarded, canary, host):
    # The worker is its own process: the guard is installed there at start-up, with
    # the setting the test gives it (private hosts not allowed).
    profile = _bluesky_profile(cast.emma, f"https://{host}:{canary.port}")
    post = PostFactory.published(organization=cast.org, link_url="https://example.com/office")
    with running_worker():
        (share,) = share_services.shares_create(
            member=cast.emma, actor=cast.emma.user, post=post, profiles=[profile], comment="Proud of this"
        )
        wait_for(lambda: type(share).objects.filter(pk=share.pk, status="failed").exists(), timeout=60)
    share.refresh_from_db()
    assert f"{host} is not a public internet address" in share.last_error
    assert canary.connections == 0
