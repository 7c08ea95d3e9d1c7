"""Reads for people and tenancy."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Count, Prefetch, Q, QuerySet

from employees.models import AuditEvent, Invitation, Membership, Organization, Team

if TYPE_CHECKING:
    from django.http import HttpRequest

    from employees.models import User

ORGANIZATION_SESSION_KEY = "organization_id"


def membership_get_for_request(request: HttpRequest) -> Membership | None:
    """The active membership the request acts as: the chosen organization, else the oldest.

    All the person's active memberships are read in this one query and kept on the
    request (``request.active_memberships``) for the organization switcher, which
    every page's header shows: it costs no query of its own.
    """
    memberships = list(
        Membership.objects.filter(user=request.user, is_active=True)
        .select_related("organization", "user")
        .order_by("created_at", "id")
    )
    request.active_memberships = memberships
    chosen = request.session.get(ORGANIZATION_SESSION_KEY)
    if chosen:
        for membership in memberships:
            if str(membership.organization_id) == str(chosen):
                return membership
    return memberships[0] if memberships else None


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


def invitation_list_pending(*, organization: Organization) -> QuerySet[Invitation]:
    return (
        Invitation.objects.filter(organization=organization, status=Invitation.Status.PENDING)
        .prefetch_related("teams")
        .select_related("invited_by")
    )


def audit_event_list(*, organization: Organization, action: str = "", actor: str = "") -> QuerySet[AuditEvent]:
    """The organization's audit log, newest first; `actor` matches the recorded name or email."""
    events = AuditEvent.objects.filter(organization=organization).order_by("-at", "-id")
    if action:
        events = events.filter(action=action)
    if actor:
        events = events.filter(actor_label__icontains=actor)
    return events


def _provisioned_as(membership: Membership) -> dict | None:
    """What the organization's identity provider sent about the person through SCIM."""
    link = getattr(membership, "scim", None)
    if link is None:
        return None
    return {"user_name": link.user_name, "external_id": link.external_id, "attributes": link.attributes}


def personal_data(*, user: User) -> dict:
    """What the platform holds about a person: their account, memberships, connected
    profiles (never their tokens), suggestions and shares with their clicks."""
    from advocacy.selectors import share_records_for_member
    from content.models import Post
    from employees.models import SocialProfile

    memberships = list(
        Membership.objects.filter(user=user)
        .select_related("organization", "scim")
        .prefetch_related("teams")
        .order_by("id")
    )
    profiles = SocialProfile.objects.filter(owner_membership__user=user).select_related("organization")
    suggestions = Post.objects.filter(created_by=user, source=Post.Source.EMPLOYEE).select_related("organization")
    return {
        "user": {
            "email": user.email,
            "name": user.name,
            "date_joined": user.date_joined,
            "last_login": user.last_login,
        },
        "memberships": [
            {
                "organization_id": membership.organization_id,
                "organization": membership.organization.name,
                "roles": membership.roles,
                "teams": sorted(team.name for team in membership.teams.all()),
                "active": membership.is_active,
                "joined": membership.created_at,
                "deactivated_at": membership.deactivated_at,
                "identity_provider": _provisioned_as(membership),
            }
            for membership in memberships
        ],
        # Fields are listed one by one, so that a token field added later stays out.
        "profiles": [
            {
                "organization": profile.organization.name,
                "network": profile.network,
                "handle": profile.handle,
                "name": profile.display_name,
                "profile_url": profile.profile_url,
                "followers": profile.followers,
                "state": profile.state,
                "connected_at": profile.connected_at,
            }
            for profile in profiles.order_by("id")
        ],
        "suggestions": [
            {
                "organization": post.organization.name,
                "title": post.title,
                "link": post.link_url,
                "reason": post.suggestion_reason,
                "status": post.status,
                "created_at": post.created_at,
            }
            for post in suggestions.order_by("id")
        ],
        "shares": share_records_for_member(membership_ids=[membership.id for membership in memberships]),
    }


def membership_list_for_switcher(*, user: User) -> list[Membership]:
    """The active memberships a person can switch between, by organization name.

    Pages use the memberships the request already read (``membership_get_for_request``).
    """
    return list(
        Membership.objects.filter(user=user, is_active=True)
        .select_related("organization")
        .order_by("organization__name", "organization_id")
    )
