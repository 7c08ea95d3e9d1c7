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

from harness import environment

_REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/5")

DEFAULTS = environment.platform(
    settings="bench.settings",
    database_url=environment.postgres_url(os.environ.get("BENCH_DB", "chorus_bench")),
    redis_url=_REDIS,
    cache_url=os.environ.get("BENCH_CACHE_URL", _REDIS),
    secret_key="bench-only-secret-key-never-used-anywhere-else-0123456789",  # noqa: S106 - a benchmark key
    # base64 of 32 bytes: b"bench-only-fernet-key-not-secret"
    encryption_keys="YmVuY2gtb25seS1mZXJuZXQta2V5LW5vdC1zZWNyZXQ=",
    site_url="https://chorus.scale.example",
    # As behind the production TLS proxy (docker-compose.yml): requests carry X-Forwarded-Proto.
    BEHIND_TLS_PROXY="1",
)


def apply() -> dict[str, str]:
    """Set the defaults that are not set yet; returns the full benchmark environment."""
    return environment.apply(DEFAULTS)


if __name__ == "__main__":
    print(environment.exports(apply()))
