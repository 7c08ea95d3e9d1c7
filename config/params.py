"""Bounds for numbers read from query strings and forms, checked before any use.

`int()` refuses strings of more than 4,300 digits (a ValueError, so a 500) and the
database refuses numbers beyond a bigint; an id outside these bounds names no row.
"""

from __future__ import annotations

from collections.abc import Iterable

MAX_ID = 2**63 - 1
MAX_ID_DIGITS = len(str(MAX_ID))
# Ids a bulk action takes at once: far more than a page shows.
MAX_BULK_IDS = 1000


def id_param(value: str | None) -> int | None:
    """A row id from a request parameter, or None when it cannot be one."""
    if not value or len(value) > MAX_ID_DIGITS or not (value.isascii() and value.isdigit()):
        return None
    number = int(value)
    return number if 0 < number <= MAX_ID else None


def id_params(values: Iterable[str], *, limit: int = MAX_BULK_IDS) -> list[int]:
    """The row ids among request parameters; at most `limit` of them are read."""
    ids = []
    for value in values:
        if len(ids) >= limit:
            break
        if (number := id_param(value)) is not None:
            ids.append(number)
    return ids
