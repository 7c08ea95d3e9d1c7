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

from django.core.cache.backends.base import DEFAULT_TIMEOUT
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


# Bytes held by each named ByteBoundedLocMemCache, shared like Django's own stores.
_held: dict[str, list[int]] = {}


class ByteBoundedLocMemCache(LocMemCache):
    """Django's in-process cache, bounded by bytes as well as by entries.

    ``OPTIONS["MAX_BYTES"]`` bounds the pickled values together (the feed's cards
    hold post bodies, which are unbounded text); the least recently used go first,
    and a single value larger than the bound is not kept at all.
    """

    def __init__(self, name, params):
        super().__init__(name, params)
        self._max_bytes = int(params.get("OPTIONS", {}).get("MAX_BYTES", 16 * 1024 * 1024))
        self._held = _held.setdefault(name, [0])

    @property
    def bytes_held(self) -> int:
        return self._held[0]

    def _set(self, key, value, timeout=DEFAULT_TIMEOUT):
        self._delete(key)
        if len(value) > self._max_bytes:
            return
        while self._cache and (len(self._cache) >= self._max_entries or self._held[0] + len(value) > self._max_bytes):
            # The most recently used are at the front (LocMemCache); drop from the back.
            oldest = next(reversed(self._cache))
            self._delete(oldest)
        self._cache[key] = value
        self._cache.move_to_end(key, last=False)
        self._expire_info[key] = self.get_backend_timeout(timeout)
        self._held[0] += len(value)

    def _delete(self, key):
        value = self._cache.get(key)
        deleted = super()._delete(key)
        if deleted and value is not None:
            self._held[0] -= len(value)
        return deleted

    def incr(self, key, delta=1, version=None):
        raise NotImplementedError("counters do not belong in a per-process fragment cache")

    def clear(self):
        super().clear()
        self._held[0] = 0
