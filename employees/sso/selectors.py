"""Reads for company single sign-on."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils import timezone
from social_django.models import UserSocialAuth

from employees.models import Invitation, Membership, User
from employees.sso.models import IdentityProvider, VerifiedDomain

if TYPE_CHECKING:
    from employees.models import Organization


def email_domain(email: str) -> str:
    return email.strip().rsplit("@", 1)[-1].lower().rstrip(".")


def provider_for_email(*, email: str) -> IdentityProvider | None:
    """The enabled identity provider of the organization that verified the email's domain."""
    if "@" not in email:
        return None
    domain = VerifiedDomain.objects.filter(domain=email_domain(email)).select_related("organization").first()
    if domain is None:
        return None
    provider = IdentityProvider.objects.filter(organization=domain.organization).select_related("organization").first()
    return provider if provider is not None and provider.is_enabled else None


def provider_for_organization(*, organization: Organization) -> IdentityProvider | None:
    return IdentityProvider.objects.filter(organization=organization).first()


def domain_is_verified(*, organization: Organization, domain: str) -> bool:
    return VerifiedDomain.objects.filter(organization=organization, domain=domain.lower()).exists()


def domain_list(*, organization: Organization) -> list[str]:
    return list(VerifiedDomain.objects.filter(organization=organization).values_list("domain", flat=True))


def user_by_email(*, email: str) -> User | None:
    return User.objects.filter(email__iexact=email).first()


def membership_of(*, organization: Organization, user: User) -> Membership | None:
    return Membership.objects.filter(organization=organization, user=user).first()


def user_has_other_subject(*, user: User, provider_name: str, organization: Organization) -> bool:
    """True when `user` already signs in to `organization` as another subject of its provider."""
    return UserSocialAuth.objects.filter(
        user=user, provider=provider_name, uid__startswith=f"org{organization.id}:"
    ).exists()


def sso_required_memberships(*, user: User) -> list[Membership]:
    """The user's active memberships in organizations whose provider turned password login off."""
    memberships = Membership.objects.filter(user=user, is_active=True).select_related("organization__identity_provider")
    return [
        membership
        for membership in memberships
        if (provider := getattr(membership.organization, "identity_provider", None)) is not None
        and provider.sso_required
        and provider.is_enabled
    ]


def pending_invitation(*, organization: Organization, email: str) -> Invitation | None:
    """The newest invitation of `email` to `organization` that can still be taken up."""
    return (
        Invitation.objects.filter(
            organization=organization,
            email__iexact=email,
            status=Invitation.Status.PENDING,
            expires_at__gt=timezone.now(),
        )
        .order_by("-created_at")
        .first()
    )
