"""The egress guard's time limits against real loopback servers that answer too slowly.

Per-read timeouts alone let a server keep a worker as long as it likes, sending one
byte just inside each of them; the guard also gives every request a deadline for the
whole exchange, headers included. The deadline sits well inside the push task's soft
time limit, so a slow network costs a share one attempt, retried later.
"""

from __future__ import annotations

import json

import httpx
import pytest

from advocacy import services as share_services
from advocacy.tasks import share_push_task
from networks import egress, http
from networks.base import Credentials, RetryLater
from networks.mastodon import MastodonAdapter
from tests.factories import PostFactory, SocialProfileFactory
from tests.networks.egress_servers import PUBLIC, Server, public_is, slow_route, start, stop, trickle_route
from tests.worker import wait_for

# A deadline far below the per-read timeout the clients get, so that only it can cut.
DEADLINE = 0.5
READ_TIMEOUT = 10.0
STATUS = {"id": "109999", "url": "http://127.0.0.1/@emma/109999", "content": "<p>Proud</p>"}
STATUS_BYTES = json.dumps(STATUS).encode()
# Each byte comes well inside the read timeout; all of them take many deadlines.
BYTE_DELAY = DEADLINE / 10


def hung_up(server: Server) -> list[str]:
    """The paths whose client hung up early, once the server has noticed (or its answer ended)."""
    wait_for(lambda: server.hung_up, timeout=READ_TIMEOUT)
    return server.hung_up


@pytest.fixture
def server():
    httpd, state = start(PUBLIC)
    yield state
    stop(httpd)


@pytest.fixture
def guarded_client(monkeypatch):
    public_is(monkeypatch, PUBLIC)
    transport = egress.GuardedTransport(https_only=False, total_timeout=DEADLINE)
    with httpx.Client(transport=transport, timeout=READ_TIMEOUT) as client:
        yield client


def test_headers_trickled_byte_by_byte_are_cut_off_at_the_deadline(server, guarded_client):
    # An empty body: no body read comes after the headers to notice the time they took.
    server.routes["/trickle"] = trickle_route(b"", BYTE_DELAY)

    with pytest.raises(httpx.ReadTimeout):
        guarded_client.get(server.url("/trickle"))
    assert hung_up(server) == ["/trickle"]


def test_a_body_trickled_byte_by_byte_is_cut_off_at_the_deadline(server, guarded_client):
    server.routes["/trickle"] = trickle_route(STATUS_BYTES, BYTE_DELAY)

    with pytest.raises(httpx.ReadTimeout):
        guarded_client.get(server.url("/trickle"))
    assert hung_up(server) == ["/trickle"]


def test_a_server_silent_past_the_deadline_is_left_before_its_read_timeout(server, guarded_client):
    # Silent for longer than the deadline, answering well within the read timeout: the
    # client must hang up while the server is still silent.
    server.routes["/slow"] = slow_route(DEADLINE * 10, STATUS)

    with pytest.raises(httpx.ReadTimeout):
        guarded_client.get(server.url("/slow"))
    assert hung_up(server) == ["/slow"]


def test_the_deadline_is_for_each_request_not_for_the_client(server, guarded_client):
    server.routes["/slow"] = slow_route(DEADLINE * 10, STATUS)
    with pytest.raises(httpx.ReadTimeout):
        guarded_client.get(server.url("/slow"))

    answer = guarded_client.get(server.url("/quick"))

    assert answer.status_code == 200


def test_a_fetched_page_whose_headers_trickle_fails_as_slow(server, monkeypatch):
    public_is(monkeypatch, PUBLIC)
    server.routes["/page"] = trickle_route(b"", BYTE_DELAY)

    with pytest.raises(egress.FetchFailed) as failed:
        egress.fetch(server.url("/page"), max_bytes=10_000, total_timeout=DEADLINE, read_timeout=READ_TIMEOUT)

    assert failed.value.reason == "slow"
    assert hung_up(server) == ["/page"]


def test_a_mastodon_instance_trickling_its_answer_means_retry_later(server, monkeypatch, settings):
    settings.NETWORKS_ALLOW_PRIVATE_HOSTS = True
    monkeypatch.setattr(egress, "TOTAL_TIMEOUT", DEADLINE)
    server.routes["/api/v1/statuses"] = trickle_route(b"", BYTE_DELAY)
    credentials = Credentials(access_token="masto-token", extra={"instance_url": server.url("").rstrip("/")})
    masto = MastodonAdapter(credentials, sleep=lambda seconds: None)

    with pytest.raises(RetryLater, match="timed out"):
        masto.publish(text="Proud of the team", link=None, idempotency_key="share-1")
    masto.close()


def test_a_fixed_api_host_gets_the_same_deadline(server, monkeypatch):
    # X, LinkedIn and Facebook: hosts from the settings, no address checks, but a deadline.
    monkeypatch.setattr(egress, "TOTAL_TIMEOUT", DEADLINE)
    server.routes["/2/tweets"] = trickle_route(b"", BYTE_DELAY)

    with http.make_client() as client, pytest.raises(RetryLater, match="timed out"):
        http.send(client, "POST", server.url("/2/tweets"), json={"text": "Proud of the team"})
    assert hung_up(server) == ["/2/tweets"]


@pytest.mark.django_db
def test_a_share_cut_off_by_a_slow_network_is_retried_and_posted_once(
    cast, server, monkeypatch, settings, django_capture_on_commit_callbacks
):
    settings.NETWORKS_ALLOW_PRIVATE_HOSTS = True
    monkeypatch.setattr(egress, "TOTAL_TIMEOUT", DEADLINE)
    keys: list[str] = []

    def statuses(handler):
        # Mastodon keeps the status made for an Idempotency-Key: the second answer is
        # the same status, given at once.
        keys.append(handler.headers["Idempotency-Key"])
        if len(keys) == 1:
            return trickle_route(STATUS_BYTES, BYTE_DELAY)(handler)
        return 200, {"Content-Type": "application/json"}, STATUS_BYTES

    server.routes["/api/v1/statuses"] = statuses
    profile = SocialProfileFactory(
        owner_membership=cast.emma, network="mastodon", extra={"instance_url": server.url("").rstrip("/")}
    )
    post = PostFactory.published(organization=cast.org, link_url="https://example.com/office")
    with django_capture_on_commit_callbacks(execute=False):
        (share,) = share_services.shares_create(
            member=cast.emma, actor=cast.emma.user, post=post, profiles=[profile], comment="Proud of this"
        )

        first = share_services.share_push(share_id=share.id)
        share.refresh_from_db()
        assert first == share.status == "queued"
        assert share.attempts == 1
        assert "timed out" in share.last_error
        assert share.next_attempt_at is not None

        second = share_services.share_push(share_id=share.id)
    share.refresh_from_db()

    assert second == share.status == "posted"
    assert share.remote_id == STATUS["id"]
    assert share.attempts == 2
    assert len(keys) == 2 and keys[0] == keys[1]


def test_one_network_call_ends_well_inside_the_push_task_soft_time_limit():
    whole_call = egress.TOTAL_TIMEOUT
    # Room for the share's own database work and a second, quick call before the limit.
    assert whole_call <= share_push_task.soft_time_limit * 0.75
    # Each single wait is shorter than the whole, so the deadline is what bounds a trickle.
    assert max(http.TIMEOUT.connect, http.TIMEOUT.read, http.TIMEOUT.write, http.TIMEOUT.pool) < whole_call
