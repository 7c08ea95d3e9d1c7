"""Start-up warnings, JSON logs with request ids carried into tasks, Sentry kept clean."""

from __future__ import annotations

import json
import logging
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import override_settings

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "production-like-secret-key-" + "k" * 40,
    "ALLOWED_HOSTS": "advocacy.example.com",
    "FIELD_ENCRYPTION_KEYS": "dGVzdC1vbmx5LWtleS1kby1ub3QtdXNlLWluLXByb2Q=",
}


def start_web_process(tmp_path, **env: str) -> subprocess.CompletedProcess:
    """Load the WSGI application as gunicorn does, and return what it logged."""
    base = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "REDIS_URL", "CACHE_URL")}
    return subprocess.run(
        [sys.executable, "-c", "import config.wsgi"],
        cwd=ROOT,
        env={**base, **PRODUCTION, "VAR_DIR": str(tmp_path), **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_production_on_the_embedded_defaults_warns_at_start_up(tmp_path):
    result = start_web_process(tmp_path)
    assert result.returncode == 0, result.stderr
    assert "DATABASE_URL is not set" in result.stderr
    assert "REDIS_URL is not set" in result.stderr


def test_production_with_its_services_configured_starts_without_the_warning(tmp_path):
    result = start_web_process(
        tmp_path, DATABASE_URL="postgres://postgres@127.0.0.1:5432/unused", REDIS_URL="redis://127.0.0.1:1/0"
    )
    assert result.returncode == 0, result.stderr
    assert "is not set" not in result.stderr


def test_development_does_not_warn(tmp_path):
    result = start_web_process(tmp_path, DEBUG="1")
    assert "is not set" not in result.stderr


def test_json_logs_are_one_object_per_line_with_the_request_id(tmp_path):
    code = (
        "import logging, django; django.setup();"
        "from django_guid import set_guid; set_guid('abc123');"
        "logging.getLogger('advocacy').warning('share %s failed', 7)"
    )
    base = {key: value for key, value in os.environ.items()}
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**base, "DJANGO_SETTINGS_MODULE": "config.settings", "LOG_FORMAT": "json", "VAR_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    line = next(line for line in result.stderr.splitlines() if "share 7 failed" in line)
    record = json.loads(line)
    assert record["message"] == "share 7 failed"
    assert record["request_id"] == "abc123"
    assert record["level"] == "WARNING"
    assert record["logger"] == "advocacy"


def test_a_malformed_log_format_stops_start_up_naming_the_variable(tmp_path):
    result = start_web_process(tmp_path, LOG_FORMAT="xml", DEBUG="1")
    assert result.returncode != 0
    assert "LOG_FORMAT='xml' is not one of" in result.stderr


@pytest.mark.django_db
def test_every_response_carries_its_request_id_and_a_valid_incoming_one_is_kept(client):
    response = client.get("/account/login/")
    assert len(response["X-Request-ID"]) == 32
    incoming = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
    assert client.get("/account/login/", HTTP_X_REQUEST_ID=incoming)["X-Request-ID"] == incoming
    assert client.get("/account/login/", HTTP_X_REQUEST_ID="<script>")["X-Request-ID"] != "<script>"


def test_a_task_queued_during_a_request_carries_the_requests_id():
    from celery.signals import before_task_publish
    from django_guid import clear_guid, set_guid

    from config.celery import app

    headers: dict = {}
    set_guid("feedc0de" * 4)
    try:
        before_task_publish.send(sender="employees.tasks.invitations_expire_task", headers=headers, body=None)
    finally:
        clear_guid()
    assert headers["X-Request-ID"] == "feedc0de" * 4
    assert app.conf.task_always_eager


class _Capture:
    """A Sentry transport that keeps the events instead of sending them."""

    def __init__(self) -> None:
        self.events: list[dict] = []

    def __call__(self, event):  # sentry_sdk accepts a callable transport
        self.events.append(event)


@pytest.fixture
def sentry_events():
    import sentry_sdk

    from config.sentry import sentry_init

    capture = _Capture()
    assert sentry_init(dsn="https://public@sentry.example/1", environment="test", transport=capture)
    yield capture.events
    sentry_sdk.init()  # no DSN: reporting off again for the tests after this one


def test_no_dsn_means_sentry_is_never_started():
    import sentry_sdk

    from config.sentry import sentry_init

    assert not sentry_init(dsn="", environment="test")
    assert sentry_sdk.get_client().transport is None


@pytest.mark.django_db
@override_settings(DEBUG_PROPAGATE_EXCEPTIONS=False)
def test_an_error_report_holds_no_token_and_no_comment_text(sentry_events, rf):
    import sentry_sdk

    # Made at run time: the report carries source lines around each frame, and these
    # values must not be found there merely because the test spells them out.
    token = "ya29." + secrets.token_urlsafe(16)
    comment = "My personal words " + secrets.token_hex(6)

    def failing_share(comment_text: str, access_token: str) -> None:
        raise RuntimeError(f"network refused Bearer {access_token}")

    request = rf.post(
        "/feed/1/share/?token=" + token,
        {"comment": comment},
        HTTP_AUTHORIZATION=f"Bearer {token}",
        HTTP_COOKIE=f"sessionid={token}",
    )
    with sentry_sdk.new_scope() as scope:
        from sentry_sdk.integrations.django import _set_user_info  # noqa: F401 - the integration is loaded

        scope.set_extra("comment", comment)
        scope.add_breadcrumb(category="query", message=f"INSERT ... '{comment}'", data={"params": [comment]})
        scope.add_breadcrumb(category="httplib", data={"url": f"https://api.x.com/2/tweets?access_token={token}"})
        scope.add_breadcrumb(category="networks", message=f"refresh sent Authorization: Bearer {token}")
        try:
            failing_share(comment, token)
        except RuntimeError:
            sentry_sdk.capture_exception()
    assert request.method == "POST"
    assert sentry_events, "the event was reported"
    text = json.dumps(sentry_events)
    assert token not in text
    assert comment not in text
    assert "RuntimeError" in text


def test_log_records_outside_requests_have_a_placeholder_id():
    from config.logs import RequestIdFilter

    record = logging.LogRecord("x", logging.INFO, __file__, 1, "hello", None, None)
    RequestIdFilter().filter(record)
    assert record.request_id == "-"
