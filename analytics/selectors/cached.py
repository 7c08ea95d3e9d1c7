"""Reads of the rollups kept in the cache until the rollups change.

The key carries the organization's rollup version (analytics.models.RollupVersion),
which every write of rollup rows moves on in the same transaction, so a cached value
is never served after the rows it came from changed, in any process. Only values that
depend on rollup rows and the read's own arguments go in here; anything that also
depends on people, teams or settings is worked out from them after the read.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from django.core.cache import cache

from analytics.models import RollupVersion

if TYPE_CHECKING:
    from collections.abc import Callable

T = TypeVar("T")

# Old versions' values are never read again; they only need to leave eventually.
TIMEOUT = 24 * 3600
PREFIX = "analytics:rollups"


def rollups_version_get(*, organization_id: int) -> str | None:
    """The organization's rollup version, or None before its rollups were first written."""
    row = RollupVersion.objects.filter(organization_id=organization_id).only("generation", "version").first()
    return None if row is None else row.key


def rollups_read_cached(*, organization_id: int, name: str, parts: tuple, compute: Callable[[], T]) -> T:
    """`compute()`, or its value from the cache while the organization's rollups are unchanged."""
    version = rollups_version_get(organization_id=organization_id)
    if version is None:
        return compute()
    key = ":".join([PREFIX, name, str(organization_id), version, *(str(part) for part in parts)])
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, TIMEOUT)
    return value
