"""Settings fail loudly on bad values, and production settings pass `check --deploy`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "production-like-secret-key-" + "k" * 40,
    "ALLOWED_HOSTS": "advocacy.example.com",
    "FIELD_ENCRYPTION_KEYS": "dGVzdC1vbmx5LWtleS1kby1ub3QtdXNlLWluLXByb2Q=",
}


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    base = {
        key: value for key, value in os.environ.items() if key not in PRODUCTION_ENV and key != "SECURE_SSL_REDIRECT"
    }
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_the_deploy_check():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("DEBUG", "maybe", "DEBUG='maybe' is not a boolean"),
        ("SECRET_KEY", "short", "SECRET_KEY must be at least 50 characters"),
        ("ALLOWED_HOSTS", "", "ALLOWED_HOSTS must list"),
        ("DATABASE_URL", "nosuchdb://x", "DATABASE_URL is not a database URL"),
        ("REDIS_URL", "http://localhost", "REDIS_URL='http://localhost' must start with redis://"),
        ("EMAIL_PORT", "twenty-five", "EMAIL_PORT='twenty-five' is not a whole number"),
        ("FIELD_ENCRYPTION_KEYS", "not-a-key", "FIELD_ENCRYPTION_KEYS: key 1 is not a valid Fernet key"),
        ("SESSION_COOKIE_AGE", "10", "SESSION_COOKIE_AGE=10 must be at least 300"),
    ],
)
def test_a_malformed_setting_stops_start_up_naming_the_variable(name, value, message):
    result = _manage("check", **{**PRODUCTION_ENV, name: value})
    assert result.returncode != 0
    assert message in result.stderr


def test_missing_encryption_keys_are_required_in_production():
    env = {key: value for key, value in PRODUCTION_ENV.items() if key != "FIELD_ENCRYPTION_KEYS"}
    result = _manage("check", **env)
    assert result.returncode != 0
    assert "FIELD_ENCRYPTION_KEYS must hold at least one Fernet key" in result.stderr


def test_a_secret_can_come_from_a_file(tmp_path):
    secret_file = tmp_path / "secret"
    secret_file.write_text("file-secret-" + "f" * 50 + "\n")
    env = {key: value for key, value in PRODUCTION_ENV.items() if key != "SECRET_KEY"}
    result = _manage("check", SECRET_KEY_FILE=str(secret_file), **env)
    assert result.returncode == 0, result.stderr
