"""The environment the platform's processes are started in.

`platform()` builds the variables every child of the platform reads (settings module,
database, broker and cache, secret and encryption keys, hosts); each runner (the tests'
worker, the benchmark, the fault scenarios, the browser journeys) passes its own values
and extras. `apply()` lays such defaults under what is already set, so that a variable
set by the caller always wins.
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Mapping

POSTGRES = "postgres://postgres@127.0.0.1:5432"
LOOPBACK_HOSTS = "127.0.0.1,localhost,testserver"


def postgres_url(name_or_url: str) -> str:
    """A database name on the local PostgreSQL, or a full URL as it is."""
    return name_or_url if "://" in name_or_url else f"{POSTGRES}/{name_or_url}"


def platform(
    *,
    database_url: str,
    redis_url: str,
    cache_url: str,
    secret_key: str,
    encryption_keys: str,
    settings: str = "config.settings",
    allowed_hosts: str = LOOPBACK_HOSTS,
    site_url: str | None = None,
    loopback_networks: bool = True,
    **extra: str,
) -> dict[str, str]:
    """The platform with production settings (DEBUG off) on the given database and Redis.

    `loopback_networks` lets the network clients reach the local Bluesky network and
    other loopback stand-ins, which the egress guard refuses otherwise.
    """
    env = {
        "DJANGO_SETTINGS_MODULE": settings,
        "DEBUG": "0",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "CACHE_URL": cache_url,
        "SECRET_KEY": secret_key,
        "FIELD_ENCRYPTION_KEYS": encryption_keys,
        "ALLOWED_HOSTS": allowed_hosts,
    }
    if site_url:
        env["SITE_URL"] = site_url
    if loopback_networks:
        env["NETWORKS_ALLOW_PRIVATE_HOSTS"] = "1"
    return env | extra


def apply(defaults: Mapping[str, str]) -> dict[str, str]:
    """Set the defaults that are not set yet in os.environ; returns the resulting values."""
    for key, value in defaults.items():
        os.environ.setdefault(key, value)
    return {key: os.environ[key] for key in defaults}


def exports(env: Mapping[str, str]) -> str:
    """`export KEY=value` lines for a shell's eval."""
    return "\n".join(f"export {key}={shlex.quote(value)}" for key, value in env.items())


def database_url(settings_dict: Mapping) -> str:
    """The URL of a Django database's settings (`connection.settings_dict`), for a child."""
    if settings_dict["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{settings_dict['NAME']}"
    user = settings_dict.get("USER") or ""
    password = f":{settings_dict['PASSWORD']}" if settings_dict.get("PASSWORD") else ""
    auth = f"{user}{password}@" if user else ""
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = f":{settings_dict['PORT']}" if settings_dict.get("PORT") else ""
    return f"postgres://{auth}{host}{port}/{settings_dict['NAME']}"
