"""Password login for members of organizations that require single sign-on.

Members of such an organization sign in through its identity provider only. Its
admins keep an emergency ("break-glass") path for when the provider is down or
misconfigured: password plus their authenticator app, and every use is audited.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode

from employees.selectors import user_has_mfa
from employees.sso import selectors, services

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse

    from employees.models import User


def password_login_refusal(request: HttpRequest, user: User) -> HttpResponse | None:
    """A page instead of the login when the password may not be used; None when it may."""
    memberships = selectors.sso_required_memberships(user=user)
    if not memberships:
        return None
    if all(membership.is_admin for membership in memberships) and user_has_mfa(user):
        return None
    membership = memberships[0]
    begin = reverse("sso:begin", args=[membership.organization.slug]) + "?" + urlencode({"email": user.email})
    context = {
        "organization": membership.organization,
        "begin_url": begin,
        "is_admin": membership.is_admin,
    }
    return render(request, "sso/password_refused.html", context, status=403)


def password_login_done(request: HttpRequest, user: User) -> None:
    """After a password login (and its TOTP step): record a break-glass use."""
    memberships = selectors.sso_required_memberships(user=user)
    if memberships:
        services.break_glass_record(user=user, memberships=memberships)


def sso_invitation_page(request: HttpRequest, invitation) -> HttpResponse | None:
    """Where single sign-on is required, an invitation is taken up by signing in there, not by a password."""
    provider = selectors.provider_for_organization(organization=invitation.organization)
    if provider is None or not (provider.sso_required and provider.is_enabled):
        return None
    begin = reverse("sso:begin", args=[invitation.organization.slug]) + "?" + urlencode({"email": invitation.email})
    context = {"organization": invitation.organization, "begin_url": begin, "is_admin": False}
    return render(request, "sso/password_refused.html", context)
