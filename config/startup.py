"""A warning at start-up when production runs on the embedded defaults.

SQLite and the filesystem task queue under var/ are for trying the platform and for
development: one machine, no concurrent writers to speak of. With DEBUG off they are
almost certainly a mistake, so the web process and the worker say so in their logs.
"""

from __future__ import annotations

import logging
import os

logger = logging.getLogger("config.startup")


def embedded_default_warnings() -> list[str]:
    from django.conf import settings

    if settings.DEBUG:
        return []
    found = []
    if not os.environ.get("DATABASE_URL") and not os.environ.get("DATABASE_URL_FILE"):
        found.append(
            "DATABASE_URL is not set: the platform runs on the SQLite file under var/, which is for trying "
            "and development only; set DATABASE_URL to a PostgreSQL database for production."
        )
    if not settings.REDIS_URL:
        found.append(
            "REDIS_URL is not set: tasks go through the filesystem queue under var/, which is for trying "
            "and development only; set REDIS_URL to a Redis server for production."
        )
    return found


def embedded_defaults_warn() -> None:
    for message in embedded_default_warnings():
        logger.warning(message)
