"""The environment the scenarios run the platform in: production settings (DEBUG off),
a PostgreSQL database of their own and Redis databases 7 (broker) and 8 (cache).

Values already set in the environment win, so `CHAOS_DATABASE_URL=...` style overrides
are not needed: set DATABASE_URL, REDIS_URL or CACHE_URL themselves. The keys are for
these scenarios only.
"""

from __future__ import annotations

import os
import tempfile

DEFAULTS = {
    "DJANGO_SETTINGS_MODULE": "config.settings",
    "DEBUG": "0",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/chorus_chaos",
    "REDIS_URL": "redis://127.0.0.1:6379/7",
    "CACHE_URL": "redis://127.0.0.1:6379/8",
    "SECRET_KEY": "chaos-only-secret-key-that-is-long-enough-for-django-checks",
    "FIELD_ENCRYPTION_KEYS": "dGVzdC1vbmx5LWtleS1kby1ub3QtdXNlLWluLXByb2Q=",
    "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
    "SECURE_SSL_REDIRECT": "0",
    "VAR_DIR": os.path.join(tempfile.gettempdir(), "chaos-var"),
    "SITE_URL": "https://chorus.chaos.example",
    # The local Bluesky network and the fault server listen on loopback.
    "NETWORKS_ALLOW_PRIVATE_HOSTS": "1",
    # Mail goes to each scenario's own SMTP sink; nothing leaves the machine.
    "EMAIL_HOST": "127.0.0.1",
    "EMAIL_PORT": "9",
    "LOG_LEVEL": "INFO",
    "PYTHONUNBUFFERED": "1",
}


def apply() -> dict[str, str]:
    """Set the defaults that are not set yet; returns the scenarios' environment."""
    for key, value in DEFAULTS.items():
        os.environ.setdefault(key, value)
    return {key: os.environ[key] for key in DEFAULTS}
