"""The environment the scenarios run the platform in: production settings (DEBUG off),
a PostgreSQL database of their own and Redis databases 7 (broker) and 8 (cache).

Values already set in the environment win, so `CHAOS_DATABASE_URL=...` style overrides
are not needed: set DATABASE_URL, REDIS_URL or CACHE_URL themselves. The keys are for
these scenarios only.
"""

from __future__ import annotations

import os
import tempfile

from harness import environment

DEFAULTS = environment.platform(
    database_url=environment.postgres_url("chorus_chaos"),
    redis_url="redis://127.0.0.1:6379/7",
    cache_url="redis://127.0.0.1:6379/8",
    secret_key="chaos-only-secret-key-that-is-long-enough-for-django-checks",  # noqa: S106 - a scenarios key
    encryption_keys="dGVzdC1vbmx5LWtleS1kby1ub3QtdXNlLWluLXByb2Q=",
    site_url="https://chorus.chaos.example",
    # The local Bluesky network and the fault server listen on loopback (loopback_networks).
    SECURE_SSL_REDIRECT="0",
    VAR_DIR=os.path.join(tempfile.gettempdir(), "chaos-var"),
    # Mail goes to each scenario's own SMTP sink; nothing leaves the machine.
    EMAIL_HOST="127.0.0.1",
    EMAIL_PORT="9",
    LOG_LEVEL="INFO",
    PYTHONUNBUFFERED="1",
)


def apply() -> dict[str, str]:
    """Set the defaults that are not set yet; returns the scenarios' environment."""
    return environment.apply(DEFAULTS)
