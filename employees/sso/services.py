"""Writes for company single sign-on: settings, domains, provisioning, the audit trail."""

from __future__ import annotations

from typing import TYPE_CHECKING

from allauth.account.models import EmailAddress
from django.db import transaction
from django.utils.translation import gettext as _
from onelogin.saml2.idp_metadata_parser import OneLogin_Saml2_IdPMetadataParser

from employees.audit import audit_record
from employees.models import AuditEvent, Membership, User
from employees.sso.errors import SSORefused
from employees.sso.fetch import sso_fetch_text
from employees.sso.models import IdentityProvider, VerifiedDomain

if TYPE_CHECKING:
    from employees.models import Organization


class SamlMetadataInvalid(ValueError):
    """The IdP metadata cannot be used; the message says why."""


def saml_metadata_parse(*, xml: str) -> dict:
    """Entity id, sign-in URL (HTTP-Redirect) and signing certificates from IdP metadata."""
    try:
        parsed = OneLogin_Saml2_IdPMetadataParser.parse(xml)
    except Exception:  # the toolkit raises lxml, xmlsec and its own errors alike
        raise SamlMetadataInvalid(_("This is not SAML 2.0 identity provider metadata.")) from None
    idp = parsed.get("idp")
    if not idp:
        raise SamlMetadataInvalid(_("This is not SAML 2.0 identity provider metadata."))
    sso_url = (idp.get("singleSignOnService") or {}).get("url")
    certs = []
    if idp.get("x509cert"):
        certs.append(idp["x509cert"])
    certs += (idp.get("x509certMulti") or {}).get("signing", [])
    if not idp.get("entityId") or not sso_url:
        raise SamlMetadataInvalid(
            _("The metadata names no entity id or no sign-in address with the HTTP-Redirect binding.")
        )
    if not certs:
        raise SamlMetadataInvalid(_("The metadata holds no signing certificate: assertions could not be checked."))
    return {"entity_id": idp["entityId"], "sso_url": sso_url, "certs": list(dict.fromkeys(certs))}


def saml_metadata_load(*, provider: IdentityProvider) -> None:
    """Read the IdP metadata (pasted, else fetched from its URL) into `provider`'s fields."""
    xml = provider.saml_metadata_xml.strip()
    if not xml and provider.saml_metadata_url:
        try:
            xml = sso_fetch_text(provider.saml_metadata_url)
        except SSORefused as exc:
            raise SamlMetadataInvalid(exc.message) from None
    if not xml:
        raise SamlMetadataInvalid(_("Give the identity provider's metadata URL or paste its metadata XML."))
    parsed = saml_metadata_parse(xml=xml)
    if provider.saml_idp_entity_id and provider.saml_idp_entity_id != parsed["entity_id"]:
        raise SamlMetadataInvalid(
            _("The metadata is for entity id %(found)s, not %(expected)s.")
            % {"found": parsed["entity_id"], "expected": provider.saml_idp_entity_id}
        )
    provider.saml_idp_entity_id = parsed["entity_id"]
    provider.saml_idp_sso_url = parsed["sso_url"]
    provider.saml_idp_x509_certs = parsed["certs"]


@transaction.atomic
def identity_provider_save(
    *, provider: IdentityProvider, domains: list[str], actor: User, changed: list[str]
) -> IdentityProvider:
    """Save an organization's single sign-on settings and its verified domains."""
    provider.save()
    organization = provider.organization
    current = set(VerifiedDomain.objects.filter(organization=organization).values_list("domain", flat=True))
    wanted = set(domains)
    VerifiedDomain.objects.filter(organization=organization, domain__in=current - wanted).delete()
    VerifiedDomain.objects.bulk_create(
        [VerifiedDomain(organization=organization, domain=domain) for domain in sorted(wanted - current)]
    )
    if wanted != current:
        changed = [*changed, "domains"]
    if changed:
        audit_record(
            organization=organization,
            actor=actor,
            action=AuditEvent.Action.SSO_CHANGED,
            target=provider.get_kind_display(),
            # Names only: the secret's value never goes into the log.
            detail={"changed": sorted(set(changed)), "domains": sorted(wanted)},
        )
    return provider


def sso_membership_check(*, organization: Organization, user: User) -> Membership:
    """The user's active membership, or a refusal that says why there is none."""
    membership = Membership.objects.filter(organization=organization, user=user).first()
    if membership is None:
        raise SSORefused(
            _("You are not a member of %(organization)s. Ask its admin for an invitation.")
            % {"organization": organization}
        )
    if not membership.is_active or not user.is_active:
        raise SSORefused(
            _("Your account at %(organization)s has been deactivated. Ask your organization's admin.")
            % {"organization": organization}
        )
    return membership


def sso_member_provision(*, organization: Organization, email: str, name: str, existing: User | None) -> User:
    """A first sign-in: take up a pending invitation, else join as an employee (just in time)."""
    from employees import services as employee_services
    from employees.sso.selectors import pending_invitation

    invitation = pending_invitation(organization=organization, email=email)
    if invitation is not None:
        # No password: this person signs in through the company's identity provider.
        user = employee_services.invitation_accept(invitation=invitation, name=name, password=None, user=existing)
        how = "invitation"
    else:
        user = existing or User.objects.create_user(email, None, name=name.strip()[:150])
        EmailAddress.objects.update_or_create(user=user, email=user.email, defaults={"verified": True, "primary": True})
        Membership.objects.create(user=user, organization=organization, is_employee=True)
        how = "just_in_time"
    audit_record(
        organization=organization,
        actor=user,
        action=AuditEvent.Action.SSO_PROVISIONED,
        target=user.email,
        detail={"how": how},
    )
    return user


def sso_login_record(*, organization: Organization, user: User, kind: str) -> None:
    audit_record(
        organization=organization,
        actor=user,
        action=AuditEvent.Action.SSO_LOGIN,
        target=user.email,
        detail={"kind": kind},
    )


def break_glass_record(*, user: User, memberships: list[Membership]) -> None:
    """An admin of an organization that requires single sign-on logged in with password + TOTP."""
    for membership in memberships:
        audit_record(
            organization=membership.organization_id,
            actor=user,
            action=AuditEvent.Action.SSO_BREAK_GLASS,
            target=user.email,
            detail={"method": "password+totp"},
        )
