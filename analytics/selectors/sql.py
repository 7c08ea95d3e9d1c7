"""Querysets written into larger statements of our own."""

from __future__ import annotations

from django.core.exceptions import EmptyResultSet
from django.db.models import QuerySet


def queryset_sql(queryset: QuerySet, *, empty: str) -> tuple[str, tuple]:
    """The queryset's SQL and parameters, for a WITH clause or a subquery.

    Django writes no SQL for a queryset it knows matches nothing (a filter such as
    ``id IN ()``, for a manager of a team with nobody in it): it raises instead. `empty`
    then stands in — a SELECT of the same columns, typed, which is given no row.
    """
    try:
        return queryset.query.sql_with_params()
    except EmptyResultSet:
        return f"{empty} WHERE 1 = 0", ()
