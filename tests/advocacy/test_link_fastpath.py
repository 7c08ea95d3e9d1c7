"""Tracked links are answered right after SecurityMiddleware, without the rest of the stack."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from advocacy import links
from advocacy.models import Click, TrackedLink

FIREFOX = "Mozilla/5.0 Firefox/130"


@pytest.fixture
def link(cast):
    return TrackedLink.objects.create(
        code="fastPATH1",
        organization=cast.org,
        share=None,
        target_url=links.with_utm("https://example.com/news", network="bluesky", campaign="post-1", content="share-2"),
    )


def _statements(client, path, **headers):
    with CaptureQueriesContext(connection) as context:
        response = client.get(path, **headers)
    return response, [query["sql"] for query in context.captured_queries]


def test_the_fast_path_answers_the_same_redirect_and_records_exactly_one_click(client, link):
    response, statements = _statements(client, "/l/fastPATH1", HTTP_USER_AGENT=FIREFOX)
    assert response.status_code == 302
    assert response["Location"] == link.target_url
    assert response["Referrer-Policy"] == "no-referrer-when-downgrade"
    assert "no-store" in response["Cache-Control"]
    assert Click.objects.filter(link=link).count() == 1
    # No session, user, membership or anything else of the stack was read.
    assert not any("django_session" in sql or "employees_" in sql for sql in statements)


def test_the_fast_path_sets_no_cookie_even_for_a_signed_in_visitor(client, link, cast, login):
    login(cast.emma)
    client.cookies["csrftoken"] = "x" * 32
    response = client.get("/l/fastPATH1", HTTP_USER_AGENT=FIREFOX)
    assert response.status_code == 302
    assert not response.cookies
    assert "Set-Cookie" not in response.headers
    assert "Vary" not in response.headers  # nothing about the visitor went into the answer


def test_an_unknown_code_falls_through_to_the_normal_404_page(client, db):
    response = client.get("/l/nope1234")
    assert response.status_code == 404
    # The whole stack ran: the 404 is the site's page, with its security policy.
    assert "Content-Security-Policy" in response.headers
    assert b"<html" in response.content.lower()
    assert not Click.objects.exists()


def test_an_unknown_code_is_looked_up_once(client, db):
    _response, statements = _statements(client, "/l/nope1234")
    assert sum("advocacy_trackedlink" in sql for sql in statements) == 1


@pytest.mark.parametrize("path", ["/l/", "/l/a/b", "/l/with%20space"])
def test_paths_that_are_no_code_go_through_the_stack(client, db, path):
    assert client.get(path).status_code == 404
    assert not Click.objects.exists()


def test_under_production_settings_plain_http_is_sent_to_https_and_counts_nothing(client, link, settings):
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/l/fastPATH1", HTTP_USER_AGENT=FIREFOX)
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/l/fastPATH1"
    assert not Click.objects.exists()


def test_under_production_settings_the_redirect_carries_hsts(client, link, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    response = client.get("/l/fastPATH1", HTTP_USER_AGENT=FIREFOX, secure=True)
    assert response.status_code == 302
    assert response["Location"] == link.target_url
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert Click.objects.filter(link=link).count() == 1


def test_the_fast_path_sits_right_after_security_middleware():
    stack = settings.MIDDLEWARE
    assert stack.index("advocacy.fastpath.TrackedLinkMiddleware") == (
        stack.index("django.middleware.security.SecurityMiddleware") + 1
    )
