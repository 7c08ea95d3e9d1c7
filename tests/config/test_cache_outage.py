from __future__ import annotations

import socket

import pytest
from django.conf import settings
from django.core.cache import caches
from django.test import override_settings
from django.urls import reverse

from tests.factories import PASSWORD


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def cache_down():
    """The default cache pointed at a port where nothing listens, as when the cache Redis is gone."""
    location = f"redis://127.0.0.1:{_closed_port()}/0"
    unreachable = {
        "default": {
            "BACKEND": "config.cache.TolerantRedisCache",
            "LOCATION": location,
            "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.5},
        },
        "fragments": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "outage"},
    }
    with override_settings(CACHES=unreachable):
        yield caches["default"]


def test_an_unreachable_cache_falls_back_to_the_process_memory(cache_down):
    assert cache_down.get("anything", "fallback") == "fallback"
    assert cache_down.get_many(["a", "b"]) == {}
    cache_down.set("key", "value")
    assert cache_down.get("key") == "value"
    assert cache_down.get_or_set("other", "computed") == "computed"
    cache_down.delete("key")
    assert cache_down.get("key") is None


def test_a_one_time_code_stays_one_time_while_the_cache_is_unreachable(cache_down):
    # allauth marks a used TOTP code with cache.add; the second use must still be refused.
    assert cache_down.add("totp-used:123456", "y", 30) is True
    assert cache_down.add("totp-used:123456", "y", 30) is False


def test_pages_still_answer_while_the_cache_is_unreachable(cast, login, cache_down):
    client = login(cast.mike)
    for name in ("analytics:dashboard", "advocacy:feed", "analytics:my_impact"):
        response = client.get(reverse(name))
        assert response.status_code == 200, name


def test_logging_in_still_works_while_the_cache_is_unreachable(cast, client, cache_down):
    refused = client.post(reverse("account_login"), {"login": "emma@acme.test", "password": "wrong-password"})
    assert refused.status_code == 200
    assert b"not correct" in refused.content
    response = client.post(reverse("account_login"), {"login": "emma@acme.test", "password": PASSWORD})
    assert response.status_code == 302
    assert response.wsgi_request.user == cast.emma.user


@pytest.mark.skipif(not settings.CACHES["default"]["BACKEND"].endswith("RedisCache"), reason="needs CACHE_URL (Redis)")
def test_the_platform_uses_the_tolerant_cache_for_redis():
    assert settings.CACHES["default"]["BACKEND"] == "config.cache.TolerantRedisCache"


@pytest.mark.skipif(not caches["default"].__class__.__name__.endswith("RedisCache"), reason="needs CACHE_URL (Redis)")
def test_a_reachable_cache_keeps_what_is_written():
    cache = caches["default"]
    cache.set("outage-test", {"kept": True}, 30)
    assert cache.get("outage-test") == {"kept": True}
