"""The shared HTTP client and the error mapping every adapter relies on."""

from __future__ import annotations

import ssl
from datetime import UTC, datetime
from email.utils import format_datetime

import httpx
import pytest

from networks import http
from networks.base import CredentialsDead, PermanentError, RetryLater
from networks.http import (
    TIMEOUT,
    USER_AGENT,
    make_client,
    raise_for_status,
    retry_after_seconds,
    send,
)

NOW = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)


def test_the_client_has_explicit_timeouts_and_our_user_agent(respx_mock):
    route = respx_mock.get("https://api.example/ping").mock(return_value=httpx.Response(200))
    with make_client() as client:
        assert client.timeout == TIMEOUT
        assert (TIMEOUT.connect, TIMEOUT.read) == (5.0, 20.0)
        assert client.follow_redirects is False
        client.get("https://api.example/ping")
    assert route.calls.last.request.headers["User-Agent"] == USER_AGENT


def test_retry_after_in_seconds():
    assert retry_after_seconds({"retry-after": "120"}, NOW) == 120


def test_retry_after_as_an_http_date():
    later = NOW.replace(minute=2)
    assert retry_after_seconds({"retry-after": format_datetime(later, usegmt=True)}, NOW) == 120


def test_a_retry_after_in_the_past_or_unreadable_means_no_wait_or_unknown():
    assert retry_after_seconds({"retry-after": "Sun, 01 Mar 2026 11:00:00 GMT"}, NOW) == 0
    assert retry_after_seconds({"retry-after": "soon"}, NOW) is None
    assert retry_after_seconds({}, NOW) is None


@pytest.mark.parametrize(
    ("status", "error"),
    [(429, RetryLater), (500, RetryLater), (503, RetryLater), (401, CredentialsDead), (400, PermanentError)],
)
def test_statuses_map_to_the_three_behaviours(status, error):
    response = httpx.Response(status, json={"error": "nope"}, request=httpx.Request("GET", "https://api.example"))
    with pytest.raises(error):
        raise_for_status(response, label="Example")


def test_error_messages_never_repeat_a_token_the_network_echoed():
    response = httpx.Response(
        400,
        json={"error": "bad token abc-secret-123"},
        request=httpx.Request("GET", "https://api.example"),
    )
    with pytest.raises(PermanentError) as caught:
        raise_for_status(response, label="Example", secrets=["abc-secret-123"])
    assert "abc-secret-123" not in str(caught.value)


def test_connection_failures_and_timeouts_are_retried_later(respx_mock):
    respx_mock.get("https://api.example/down").mock(side_effect=httpx.ConnectError("refused"))
    respx_mock.get("https://api.example/slow").mock(side_effect=httpx.ReadTimeout("slow"))
    with make_client() as client:
        with pytest.raises(RetryLater, match=r"api\.example"):
            send(client, "GET", "https://api.example/down")
        with pytest.raises(RetryLater, match="timed out"):
            send(client, "GET", "https://api.example/slow")


def test_every_client_of_a_process_shares_one_tls_context(monkeypatch):
    built = []
    monkeypatch.setattr(http, "_ssl_context_for", None)
    monkeypatch.setattr(httpx, "create_ssl_context", lambda: built.append(1) or ssl.create_default_context())
    with make_client(), make_client():
        pass
    assert http.ssl_context() is http.ssl_context()
    assert len(built) == 1


def test_the_shared_pool_outlives_a_client_that_is_closed(respx_mock):
    route = respx_mock.get("https://pds.example/ping").mock(return_value=httpx.Response(200))
    with httpx.Client(transport=http.shared_transport()) as client:
        client.get("https://pds.example/ping")
    with httpx.Client(transport=http.shared_transport()) as client:
        client.get("https://pds.example/ping")
    assert route.call_count == 2


def test_a_forked_worker_builds_its_own_pool(monkeypatch):
    parent = http.shared_transport()
    monkeypatch.setattr(http.os, "getpid", lambda: -1)
    assert http.shared_transport() is not parent
    assert http.ssl_context() is not None
