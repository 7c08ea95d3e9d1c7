"""Reads for people and tenancy."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Count, Prefetch, Q, QuerySet

from employees.models import Invitation, Membership, Organization, Team

if TYPE_CHECKING:
    from django.http import HttpRequest

    from employees.models import User

ORGANIZATION_SESSION_KEY = "organization_id"


def membership_for_request(request: HttpRequest) -> Membership | None:
    """The active membership the request acts as: the chosen organization, else the oldest."""
    memberships = (
        Membership.objects.filter(user=request.user, is_active=True)
        .select_related("organization", "user")
        .order_by("created_at", "id")
    )
    chosen = request.session.get(ORGANIZATION_SESSION_KEY)
    if chosen:
        membership = memberships.filter(organization_id=chosen).first()
        if membership is not None:
            return membership
    return memberships.first()


def user_has_mfa(user: User) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def member_list(
    *, organization: Organization, query: str = "", role: str = "", team_id: int | None = None, status: str = "active"
) -> QuerySet[Membership]:
    members = (
        Membership.objects.filter(organization=organization)
        .select_related("user")
        .prefetch_related(Prefetch("teams", queryset=Team.objects.order_by("name")))
        .order_by("user__name", "user__email")
    )
    if status == "active":
        members = members.filter(is_active=True)
    elif status == "inactive":
        members = members.filter(is_active=False)
    if query:
        members = members.filter(Q(user__name__icontains=query) | Q(user__email__icontains=query))
    if role:
        members = members.filter(**{f"is_{role}": True})
    if team_id:
        members = members.filter(teams__id=team_id)
    return members


def team_list(*, organization: Organization) -> QuerySet[Team]:
    return (
        Team.objects.filter(organization=organization)
        .select_related("parent")
        .annotate(member_count=Count("memberships", filter=Q(memberships__is_active=True)))
        .order_by("name")
    )


def pending_invitations(*, organization: Organization) -> QuerySet[Invitation]:
    return (
        Invitation.objects.filter(organization=organization, status=Invitation.Status.PENDING)
        .prefetch_related("teams")
        .select_related("invited_by")
    )
