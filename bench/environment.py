"""The environment the benchmark runs the platform in: production settings (DEBUG off,
TLS proxy headers honoured, secure cookies), a dedicated PostgreSQL database and Redis db 5.

`python -m bench.environment` prints the variables as `export` lines for bench/run.sh;
values already set in the environment win. The keys are for this benchmark only.

Where the benchmark's own database and Redis live can be moved without touching the
platform's variables: `BENCH_DB` (a database name on the local PostgreSQL, or a full
postgres:// URL), `BENCH_REDIS_URL` (queue) and `BENCH_CACHE_URL` (cache, by default the
queue's Redis), so that a benchmark never shares a Redis database with anything else.
"""

from __future__ import annotations

import os
import shlex

_DB = os.environ.get("BENCH_DB", "chorus_bench")
_REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/5")

DEFAULTS = {
    "DJANGO_SETTINGS_MODULE": "bench.settings",
    "DEBUG": "0",
    "DATABASE_URL": _DB if "://" in _DB else f"postgres://postgres@127.0.0.1:5432/{_DB}",
    "REDIS_URL": _REDIS,
    "CACHE_URL": os.environ.get("BENCH_CACHE_URL", _REDIS),
    "SECRET_KEY": "bench-only-secret-key-never-used-anywhere-else-0123456789",
    # base64 of 32 bytes: b"bench-only-fernet-key-not-secret"
    "FIELD_ENCRYPTION_KEYS": "YmVuY2gtb25seS1mZXJuZXQta2V5LW5vdC1zZWNyZXQ=",
    "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
    # As behind the production TLS proxy (docker-compose.yml): requests carry X-Forwarded-Proto.
    "BEHIND_TLS_PROXY": "1",
    "SITE_URL": "https://chorus.scale.example",
    # The local Bluesky network listens on loopback.
    "NETWORKS_ALLOW_PRIVATE_HOSTS": "1",
}


def apply() -> dict[str, str]:
    """Set the defaults that are not set yet; returns the full benchmark environment."""
    for key, value in DEFAULTS.items():
        os.environ.setdefault(key, value)
    return {key: os.environ[key] for key in DEFAULTS}


if __name__ == "__main__":
    for key, value in apply().items():
        print(f"export {key}={shlex.quote(value)}")
