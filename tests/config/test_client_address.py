"""Behind the compose file's proxy, the login limit per address applies per visitor.

The proxy (Caddy) writes the address it saw as the last X-Forwarded-For entry; with
TRUSTED_PROXY_COUNT=1 allauth reads that entry. Everyone then reaches the platform from
the proxy's address (REMOTE_ADDR), which must not make one visitor's failures lock out
the whole site, and entries a client wrote itself must not let it dodge the limit.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from tests.factories import PASSWORD

PROXY = "172.18.0.5"


@pytest.fixture(autouse=True)
def _one_proxy(settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login_failed": "10/m/ip,5/5m/key"}


def failed_login(client, *, forwarded_for: str, email: str):
    return client.post(
        reverse("account_login"),
        {"login": email, "password": "wrong-password"},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=forwarded_for,
    )


def test_one_visitors_failures_do_not_lock_out_another_behind_the_same_proxy(cast, client):
    for number in range(12):
        failed_login(client, forwarded_for="198.51.100.7", email=f"guess{number}@acme.test")
    other_visitor = client.post(
        reverse("account_login"),
        {"login": "emma@acme.test", "password": PASSWORD},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR="203.0.113.9",
    )
    assert other_visitor.status_code == 302
    assert other_visitor.wsgi_request.user == cast.emma.user


def test_a_visitor_is_limited_by_the_address_the_proxy_saw(cast, client):
    for number in range(10):
        failed_login(client, forwarded_for="198.51.100.7", email=f"guess{number}@acme.test")
    response = failed_login(client, forwarded_for="198.51.100.7", email="another@acme.test")
    assert b"Too many failed login attempts" in response.content


def test_addresses_a_client_writes_into_the_header_itself_do_not_reset_its_limit(cast, client):
    # The client sends its own X-Forwarded-For; the proxy appends the real address.
    for number in range(10):
        failed_login(client, forwarded_for=f"10.0.{number}.1, 198.51.100.7", email=f"guess{number}@acme.test")
    response = client.post(
        reverse("account_login"),
        {"login": "emma@acme.test", "password": PASSWORD},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR="192.0.2.200, 198.51.100.7",
    )
    assert not response.wsgi_request.user.is_authenticated
    assert b"Too many failed login attempts" in response.content


def test_without_a_trusted_proxy_the_header_is_ignored(cast, client, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    for number in range(10):
        client.post(
            reverse("account_login"),
            {"login": f"guess{number}@acme.test", "password": "wrong-password"},
            REMOTE_ADDR="198.51.100.7",
            HTTP_X_FORWARDED_FOR=f"203.0.113.{number}",
        )
    response = client.post(
        reverse("account_login"),
        {"login": "x@acme.test", "password": "wrong-password"},
        REMOTE_ADDR="198.51.100.7",
        HTTP_X_FORWARDED_FOR="203.0.113.250",
    )
    assert b"Too many failed login attempts" in response.content


def test_the_setting_comes_from_the_environment():
    root = Path(__file__).resolve().parents[2]
    code = "from django.conf import settings; print(settings.ALLAUTH_TRUSTED_PROXY_COUNT)"
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code],
        cwd=root,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "TRUSTED_PROXY_COUNT": "1"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.stdout.strip() == "1", result.stderr
