"""The attacks again, over real HTTP, against gunicorn with production settings.

The test client skips the parts a deployment has: gunicorn's parsing, the streamed
body leaving the process chunk by chunk, the session and CSRF cookies as a browser
keeps them, the Host header and the forwarded scheme. Here two organizations are
served by `gunicorn config.wsgi` with DEBUG off, the SSL redirect on and the TLS
proxy trusted, and every answer is read by httpx as a browser would.

None of these may happen: a 500, a stream cut short, a cross-tenant read, a POST
without a valid CSRF token taken, a redirect off the site, a forged Host answered.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from django.conf import settings
from django.test import Client

from analytics.selectors.exports import TABLES
from content.models import Post
from tests.config.test_proxy import free_port, wait_for
from tests.factories import PostFactory
from tests.worker import _database_url

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SITE = "https://chorus.test"
LOGIN = "/account/login/"  # what the proxy forwards as; the SSL redirect is on


@pytest.fixture
def production(tmp_path, transactional_db):
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "VAR_DIR": str(tmp_path / "var"),
        "DEBUG": "0",
        "SECURE_SSL_REDIRECT": "1",
        "BEHIND_TLS_PROXY": "1",
        "TRUSTED_PROXY_COUNT": "1",
        "ALLOWED_HOSTS": "chorus.test",
        "SITE_URL": SITE,
        # The proxy speaks TLS to the browser and plain HTTP to gunicorn; httpx here
        # plays the proxy's side, where a Secure cookie would not be sent back.
        # (That cookies are Secure in production is tested with the headers.)
        "SECURE_COOKIES": "0",
    }
    log = tmp_path / "gunicorn.log"
    with log.open("w") as output:
        process = subprocess.Popen(  # noqa: S603
            [str(BIN / "gunicorn"), "config.wsgi:application", "--bind", f"127.0.0.1:{port}", "-w", "2"],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for(f"http://127.0.0.1:{port}/healthz", process, log)
        yield f"http://127.0.0.1:{port}", log
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
    # Whatever the attacks did, the server never failed on one of them.
    text = log.read_text()
    assert "Traceback" not in text, text[-4000:]


def browser(base: str, membership=None) -> httpx.Client:
    """A client that talks to gunicorn as the proxy would forward a browser's requests."""
    cookies = {}
    if membership is not None:
        django_client = Client()
        django_client.force_login(membership.user, backend="django.contrib.auth.backends.ModelBackend")
        cookies[settings.SESSION_COOKIE_NAME] = django_client.cookies[settings.SESSION_COOKIE_NAME].value
    return httpx.Client(
        base_url=base,
        # What the proxy forwards of a browser's request on the site's own pages.
        headers={
            "Host": "chorus.test",
            "X-Forwarded-Proto": "https",
            "X-Forwarded-For": "198.51.100.7",
            "Referer": f"{SITE}/",
        },
        cookies=cookies,
        timeout=60,
        follow_redirects=False,
    )


def on_site(location: str) -> bool:
    parts = urlsplit(location.replace("\\", "/"))
    return parts.scheme in ("", "https") and parts.netloc in ("", "chorus.test") and location[:1] in ("/", "h")


def csrf_token(client: httpx.Client, path: str) -> str:
    page = client.get(path)
    assert page.status_code == 200, (path, page.status_code)
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)


EDGE_PERIODS = [
    {"start": "0001-01-01", "end": "0001-01-01"},
    {"start": "0001-01-01", "end": "9999-12-31"},
    {"start": "9999-12-31", "end": "9999-12-31"},
    {"start": "9999-12-31", "end": "0001-01-01"},
    {"days": "9" * 1000},
    {"start": "2026-02-30", "team": "-1", "network": "<script>"},
    {"start": "\x00", "end": "1" * 1000},
]


def test_streamed_exports_finish_whole_for_every_table_and_edge_period(production, cast):
    base, _log = production
    post = PostFactory(organization=cast.org)
    with browser(base, cast.alice) as client:
        for table in TABLES:
            for period in EDGE_PERIODS:
                params = {**period, **({"post": str(post.pk)} if table == "post_shares" else {})}
                # A stream cut short by an error raises here (an incomplete chunked body).
                response = client.get(f"/analytics/export/{table}.csv", params=params)
                if table == "leaderboard" and response.status_code == 404:
                    continue  # the leaderboard is off in this organization
                assert response.status_code in (200, 400), (table, period, response.status_code)
                if response.status_code == 200:
                    assert response.text.startswith("\ufeff"), (table, period)
                    assert "no-store" in response.headers["cache-control"]


def test_another_organizations_objects_are_not_found_over_http(production, cast):
    base, _log = production
    theirs = PostFactory(organization=cast.other_org)
    ours = PostFactory(organization=cast.org)
    with browser(base, cast.carol) as client:
        assert client.get(f"/content/posts/{ours.pk}/").status_code == 200
        assert client.get(f"/content/posts/{theirs.pk}/").status_code == 404
        assert client.get("/analytics/export/post_shares.csv", params={"post": theirs.pk}).status_code == 404
        token = csrf_token(client, f"/content/posts/{ours.pk}/")
        deleted = client.post(f"/content/posts/{theirs.pk}/archive/", data={"csrfmiddlewaretoken": token})
    assert deleted.status_code in (404, 405)
    assert Post.objects.filter(pk=theirs.pk).exists()


def test_a_post_without_a_valid_csrf_token_is_refused(production, cast):
    base, _log = production
    with browser(base, cast.carol) as client, browser(base, cast.emma) as other:
        stolen = csrf_token(other, "/feed/")
        for data in ({}, {"csrfmiddlewaretoken": "x" * 64}, {"csrfmiddlewaretoken": stolen}):
            response = client.post("/content/new/", data={"title": "Forged", **data})
            assert response.status_code == 403, data
    assert not Post.objects.filter(title="Forged").exists()


def test_hosts_schemes_and_redirects_stay_on_the_site(production, cast):
    base, _log = production
    with httpx.Client(base_url=base, timeout=30, follow_redirects=False) as raw:
        # The liveness probe answers the container's own request, with no public host.
        assert raw.get("/healthz").status_code == 200
        assert raw.get("/", headers={"Host": "evil.example", "X-Forwarded-Proto": "https"}).status_code == 400
        plain = raw.get(LOGIN, headers={"Host": "chorus.test"})
        assert plain.status_code == 301
        assert plain.headers["location"].startswith("https://chorus.test/")
    with browser(base) as client:
        page = client.get(LOGIN)
        assert page.headers["strict-transport-security"].startswith("max-age=")
        for target in ("//evil.example/", "https://evil.example/", "/\\evil.example", "javascript:alert(1)"):
            token = csrf_token(client, LOGIN)
            language = client.post(
                "/i18n/setlang/", data={"language": "da", "next": target, "csrfmiddlewaretoken": token}
            )
            assert language.status_code == 302
            assert on_site(language.headers["location"]), (target, language.headers["location"])


def test_numbers_and_fields_too_large_for_the_code_are_refused_not_failed(production, cast):
    base, _log = production
    with browser(base, cast.carol) as client:
        for path in (f"/content/posts/{'9' * 1000}/", "/analytics/?page=" + "9" * 1000, "/feed/?page=-1"):
            assert client.get(path).status_code in (200, 400, 404), path
        # Longer than a request line may be: gunicorn refuses it before Django sees it.
        assert client.get(f"/content/posts/{'9' * 5000}/").status_code == 414
        token = csrf_token(client, "/content/new/")
        response = client.post(
            "/content/new/",
            data={"csrfmiddlewaretoken": token, "title": "T" * 1_000_000, "body": "B" * 3_000_000},
        )
    assert response.status_code in (200, 400, 413), response.status_code
    assert not Post.objects.filter(title__startswith="TTTT").exists()
