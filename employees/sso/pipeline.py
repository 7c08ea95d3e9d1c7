"""Steps of the python-social-auth pipeline that decide who a company sign-in is.

The library has already checked the protocol (state, nonce, signatures, audience,
times) when these run; what is left is this platform's policy.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from employees.sso import selectors, services
from employees.sso.errors import SSORefused


def email_in_verified_domain(backend, details, response, *args, **kwargs) -> dict:
    """The identity provider's email must be in one of the organization's verified domains."""
    provider = backend.sso_provider()
    email = (details.get("email") or "").strip().lower()
    if "@" not in email:
        raise SSORefused(
            _(
                "Your identity provider did not send your email address. Ask your IT department to release the "
                "email claim (or attribute) to this application."
            )
        )
    # OpenID Connect: from the ID token or the UserInfo answer (the library checked its sub).
    claims = {**(getattr(backend, "id_token", None) or {}), **(response if isinstance(response, dict) else {})}
    if claims.get("email_verified") is False:
        raise SSORefused(_("Your identity provider says your email address is not verified. Verify it there first."))
    domain = email.rsplit("@", 1)[1]
    if not selectors.domain_is_verified(organization=provider.organization, domain=domain):
        raise SSORefused(
            _(
                "%(email)s is not in one of %(organization)s's email domains, so it cannot sign in here. "
                "Sign in with your work account, or ask your organization's admin to add the domain."
            )
            % {"email": email, "organization": provider.organization}
        )
    return {"email": email, "sso_provider": provider}


def user_link_or_provision(backend, uid, details, email, sso_provider, user=None, social=None, *args, **kwargs) -> dict:
    """Find the member this subject is, or link them by email once, or create them (just in time)."""
    organization = sso_provider.organization
    if user is not None:
        # Known by the provider's subject: their email there may have changed since.
        services.sso_membership_check(organization=organization, user=user)
        return {"user": user}
    existing = selectors.user_by_email(email=email)
    if existing is not None:
        if selectors.user_has_other_subject(user=existing, provider_name=backend.name, organization=organization):
            raise SSORefused(
                _(
                    "%(email)s is already linked to another account at your identity provider. "
                    "Ask your organization's admin to check who this address belongs to."
                )
                % {"email": email}
            )
        if selectors.membership_of(organization=organization, user=existing) is not None:
            services.sso_membership_check(organization=organization, user=existing)
            return {"user": existing}
    invited = selectors.pending_invitation(organization=organization, email=email) is not None
    if not (invited or sso_provider.jit_provisioning):
        raise SSORefused(
            _(
                "You are not a member of %(organization)s on this platform yet. "
                "Ask your organization's admin for an invitation."
            )
            % {"organization": organization}
        )
    user = services.sso_member_provision(
        organization=organization, email=email, name=details.get("fullname") or "", existing=existing
    )
    return {"user": user, "is_new": existing is None}


def membership_login_audit(backend, user, sso_provider, *args, **kwargs) -> None:
    """Record the login and act as the organization that was signed in to."""
    services.sso_login_record(organization=sso_provider.organization, user=user, kind=sso_provider.kind)
    from employees.selectors import ORGANIZATION_SESSION_KEY

    backend.strategy.session_set(ORGANIZATION_SESSION_KEY, sso_provider.organization_id)
