"""Reads of the rollups kept in the cache until the rollups change.

The key carries the organization's rollup version (analytics.models.RollupVersion),
which every write of rollup rows moves on in the same transaction, so a cached value
is never served after the rows it came from changed, in any process. Sums over
settled days are keyed on the settled version instead, which the constant writes to
the last few days leave alone: a period is read as its settled days (cached for as
long as they stay unchanged) plus its last few days (cached until the next write).
Values that also depend on who is in which team (the team table, the distribution,
adoption, a manager's figures) are keyed on the people version as well
(`scope_read_cached`), which every change of a person, team, team link or connected
profile moves on (analytics/signals.py). Anything that depends on settings is worked
out after the read.
"""

from __future__ import annotations

import hashlib
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, timedelta
from typing import TYPE_CHECKING, TypeVar

from django.core.cache import cache

from analytics.forms import organization_today
from analytics.models import RollupVersion

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from analytics.forms import Filters
    from analytics.selectors.scope import Scope

T = TypeVar("T")

# Old versions' values are never read again; they only need to leave eventually.
TIMEOUT = 24 * 3600
PREFIX = "analytics:rollups"


def rollups_version_get(*, organization_id: int, settled: bool = False) -> str | None:
    """The organization's rollup version (of its settled days only, with `settled`), or
    None before its rollups were first written."""
    row = _version_row(organization_id)
    if row is None:
        return None
    return row.settled_key if settled else row.key


# Within `rollups_version_pinned()`, the versions already read (organization id -> row).
_PINNED: ContextVar[dict[int, RollupVersion | None] | None] = ContextVar("rollups_version_pinned", default=None)


@contextmanager
def rollups_version_pinned() -> Iterator[None]:
    """Read each organization's rollup version once for everything inside the block.

    A page built from several cached reads (the dashboard) then costs one version read
    instead of one per read, and all its figures come from the same version: a write
    in the middle of the page can no longer mix figures from before and after it.
    An inner block inside an outer one keeps the outer block's versions.
    """
    if _PINNED.get() is not None:
        yield
        return
    token = _PINNED.set({})
    try:
        yield
    finally:
        _PINNED.reset(token)


def rollups_changed_at(*, organization_id: int):
    """When the organization's rollups last changed (None before they were first written)."""
    row = _version_row(organization_id)
    return row.changed_at if row is not None else None


def _version_row(organization_id: int) -> RollupVersion | None:
    pinned = _PINNED.get()
    if pinned is not None and organization_id in pinned:
        return pinned[organization_id]
    row = RollupVersion.objects.filter(organization_id=organization_id).first()
    if pinned is not None:
        pinned[organization_id] = row
    return row


def settled_through(filters: Filters) -> date:
    """The last day whose rollups are cached under the settled version (see RollupVersion)."""
    return organization_today(filters) - timedelta(days=RollupVersion.SETTLED_AFTER_DAYS + 1)


def rollups_read_cached(
    *, organization_id: int, name: str, parts: tuple, compute: Callable[[], T], settled: bool = False
) -> T:
    """`compute()`, or its value from the cache while the organization's rollups (or,
    with `settled`, those of its settled days, which `compute` must keep to) are unchanged."""
    return _through_cache(
        _version_row(organization_id),
        organization_id=organization_id,
        name=name,
        parts=parts,
        compute=compute,
        settled=settled,
    )


def scope_read_cached(
    *, scope: Scope, filters: Filters, name: str, parts: tuple, compute: Callable[[], T], rollups: bool = True
) -> T:
    """`compute()` for the scope and filters (narrowed to the filters' team by `compute`),
    from the cache while neither the organization's rollups nor its people and teams
    changed (only the latter with `rollups=False`, for values that read no rollup row).
    A topic filter reads fresh: which posts carry a topic follows neither."""
    if filters.topic_id:
        return compute()
    row = _version_row(scope.organization_id)
    if row is None:
        return compute()
    teams = "all" if scope.team_ids is None else ",".join(str(team_id) for team_id in sorted(scope.team_ids))
    # A manager of many teams: the ids are hashed so the key stays short.
    scope_part = hashlib.sha256(teams.encode()).hexdigest()[:24]
    return _through_cache(
        row,
        organization_id=scope.organization_id,
        name=name,
        parts=(scope_part, filters.team_id or "", filters.network or "", filters.start, filters.end, *parts),
        compute=compute,
        version=row.people_key if rollups else row.people_only_key,
    )


def _through_cache(
    row: RollupVersion | None,
    *,
    organization_id: int,
    name: str,
    parts: tuple,
    compute: Callable[[], T],
    settled: bool = False,
    version: str | None = None,
) -> T:
    if row is None:
        return compute()
    version = version or (row.settled_key if settled else row.key)
    key = ":".join([PREFIX, name, str(organization_id), version, *(str(part) for part in parts)])
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, TIMEOUT)
    return value


def rollups_read_settled(
    *,
    organization_id: int,
    filters: Filters,
    name: str,
    parts: tuple,
    read: Callable[[date, date], T],
    merge: Callable[[T, T], T],
) -> T:
    """`read(start, end)` over the filters' days, put together with `merge` (which must
    not change its arguments) from the settled days' value, cached until a settled day
    changes, and the last few days', cached until anything changes. The result is
    cached too, until anything changes, so that an unchanged page merges nothing."""
    row = _version_row(organization_id)
    return _through_cache(
        row,
        organization_id=organization_id,
        name=f"{name}-period",
        parts=(filters.start, filters.end, *parts),
        compute=lambda: _settled_and_recent(row, organization_id, filters, name, parts, read, merge),
        settled=False,
    )


def _settled_and_recent(
    row: RollupVersion | None,
    organization_id: int,
    filters: Filters,
    name: str,
    parts: tuple,
    read: Callable[[date, date], T],
    merge: Callable[[T, T], T],
) -> T:
    last = settled_through(filters)
    recent_start = max(filters.start, last + timedelta(days=1))
    recent = None
    if filters.end >= recent_start:
        recent = _through_cache(
            row,
            organization_id=organization_id,
            name=f"{name}-recent",
            parts=(recent_start, filters.end, *parts),
            compute=lambda: read(recent_start, filters.end),
            settled=False,
        )
    if filters.start > last:
        return recent
    settled_end = min(filters.end, last)
    settled = _through_cache(
        row,
        organization_id=organization_id,
        name=name,
        parts=(filters.start, settled_end, *parts),
        compute=lambda: read(filters.start, settled_end),
        settled=True,
    )
    return settled if recent is None else merge(settled, recent)
