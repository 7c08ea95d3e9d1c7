"""Tenancy and permissions, in one place.

Every view that touches an organization's rows gets them through these helpers: the
member's organization scopes every query, and an object of another organization is
indistinguishable from one that does not exist (404).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, TypeVar

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.shortcuts import get_object_or_404, render

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse

    from employees.models import Membership

M = TypeVar("M", bound=Model)


def membership_required(*roles: str) -> Callable:
    """Require a logged-in, active member; with roles, one of them.

    Anonymous users go to the login page; a user without an organization sees a page
    that says so; a member without the role gets 403.
    """

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            membership = request.membership
            if membership is None:
                return render(request, "employees/no_organization.html", status=403)
            if roles and not membership.has_role(*roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def scoped(queryset: QuerySet[M], membership: Membership, *, field: str = "organization") -> QuerySet[M]:
    """The part of a queryset that belongs to the member's organization."""
    return queryset.filter(**{field: membership.organization_id})


def get_scoped_or_404(queryset: QuerySet[M], membership: Membership, *, field: str = "organization", **lookup) -> M:
    return get_object_or_404(scoped(queryset, membership, field=field), **lookup)


def descendant_team_ids(organization_id: int, team_ids: set[int]) -> set[int]:
    """The given teams and every team below them, within one organization."""
    from employees.models import Team

    parents = dict(Team.objects.filter(organization_id=organization_id).values_list("id", "parent_id"))
    children: dict[int, list[int]] = {}
    for team_id, parent_id in parents.items():
        if parent_id is not None:
            children.setdefault(parent_id, []).append(team_id)
    found: set[int] = set()
    stack = [team_id for team_id in team_ids if team_id in parents]
    while stack:
        team_id = stack.pop()
        if team_id in found:
            continue
        found.add(team_id)
        stack.extend(children.get(team_id, []))
    return found


def managed_team_ids(membership: Membership) -> set[int]:
    """Teams a manager sees: their own teams and everything below them."""
    own = set(membership.teams.values_list("id", flat=True))
    return descendant_team_ids(membership.organization_id, own)
