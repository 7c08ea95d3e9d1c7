"""A Redis cache that the platform can lose.

When the cache server is unreachable, or refuses writes (a Redis at `maxmemory` with
`noeviction`), each call falls back to a small cache in the process's own memory, with
a warning in the log: pages are slower (every process computes its own copies) but
never broken, logins keep their rate limits per process instead of failing closed for
everyone, and one-time codes stay one-time within a process. The task queue never
lives here: see README, "Cache and broker".
"""

from __future__ import annotations

import logging

from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

_LOST = (RedisConnectionError, RedisTimeoutError, ResponseError, OSError)
_METHODS = (
    "get",
    "get_many",
    "has_key",
    "set",
    "add",
    "touch",
    "set_many",
    "delete",
    "delete_many",
    "incr",
    "clear",
)


def _with_fallback(name: str):
    method = getattr(RedisCache, name)

    def call(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except _LOST as error:
            logger.warning("cache unavailable (%s): %s served from process memory", type(error).__name__, name)
            return getattr(self.fallback, name)(*args, **kwargs)

    call.__name__ = name
    call.__doc__ = method.__doc__
    return call


class TolerantRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self.fallback = LocMemCache(f"fallback:{server}", {"TIMEOUT": params.get("TIMEOUT", 300)})


for _name in _METHODS:
    setattr(TolerantRedisCache, _name, _with_fallback(_name))
