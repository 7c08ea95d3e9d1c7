"""Writes for people and tenancy: invitations, roles, teams, deactivation."""

from __future__ import annotations

import hashlib
import secrets
import zoneinfo
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from employees.audit import audit_anonymise_person, audit_record
from employees.locale import override_for
from employees.models import AuditEvent, Invitation, Membership, Organization, Role, Team, User

if TYPE_CHECKING:
    from collections.abc import Iterable


class InvitationInvalid(Exception):
    """An invitation link that cannot be used, with a reason to show the person."""


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _clean_roles(roles: Iterable[str]) -> list[str]:
    cleaned = [role for role in Role.values if role in set(roles)]
    return cleaned or [Role.EMPLOYEE]


def invitation_create(
    *,
    organization: Organization,
    email: str,
    name: str = "",
    roles: Iterable[str] = (),
    teams: Iterable[Team] = (),
    invited_by: User | None,
    send: bool = True,
) -> Invitation:
    """Invite a person by email. The email itself is sent by a task after commit.

    `send=False` leaves the sending to the caller (`invitation_send`), for a caller that
    must show the link itself.
    """
    from employees.tasks import invitation_send_task

    email = email.strip().lower()
    if Membership.objects.filter(organization=organization, user__email__iexact=email).exists():
        raise ValidationError(_("%(email)s is already a member of this organization.") % {"email": email})
    if Invitation.objects.filter(
        organization=organization, email__iexact=email, status=Invitation.Status.PENDING
    ).exists():
        raise ValidationError(_("%(email)s has already been invited.") % {"email": email})
    try:
        with transaction.atomic():
            invitation = Invitation.objects.create(
                organization=organization,
                email=email,
                name=name.strip(),
                roles=_clean_roles(roles),
                token_hash=_hash_token(secrets.token_urlsafe(32)),
                invited_by=invited_by,
                expires_at=timezone.now() + timedelta(days=settings.INVITATION_DAYS),
            )
            invitation.teams.set([team for team in teams if team.organization_id == organization.id])
            audit_record(
                organization=organization,
                actor=invited_by,
                action=AuditEvent.Action.MEMBER_INVITED,
                target=email,
                detail={"invitation_id": invitation.id, "roles": invitation.roles},
            )
    except IntegrityError:
        raise ValidationError(_("%(email)s has already been invited.") % {"email": email}) from None
    if send:
        invitation_send_task.delay_on_commit(invitation.id)
    return invitation


def invitation_send(*, invitation: Invitation) -> str:
    """Give the invitation a fresh token and email its link; returns the link.

    The token is made here, at send time, so that it never travels through the
    task queue; resending invalidates the previous link.
    """
    token = secrets.token_urlsafe(32)
    invitation.token_hash = _hash_token(token)
    invitation.expires_at = timezone.now() + timedelta(days=settings.INVITATION_DAYS)
    invitation.save(update_fields=["token_hash", "expires_at"])
    context = {
        "invitation": invitation,
        "organization": invitation.organization,
        "inviter": invitation.invited_by,
        "url": settings.SITE_URL + reverse("employees:invitation_accept", args=[token]),
        "site_name": settings.SITE_NAME,
    }
    with override_for(invitation.organization):
        subject = _("You are invited to join %(organization)s on %(site)s") % {
            "organization": invitation.organization.name,
            "site": settings.SITE_NAME,
        }
        body = render_to_string("employees/email/invitation.txt", context)
    send_mail(subject, body, None, [invitation.email])
    return context["url"]


def invitation_resend(*, invitation: Invitation) -> None:
    from employees.tasks import invitation_send_task

    if invitation.status not in (Invitation.Status.PENDING, Invitation.Status.EXPIRED):
        raise ValidationError(_("Only pending or expired invitations can be sent again."))
    invitation.status = Invitation.Status.PENDING
    invitation.expires_at = timezone.now() + timedelta(days=settings.INVITATION_DAYS)
    invitation.save(update_fields=["status", "expires_at"])
    invitation_send_task.delay_on_commit(invitation.id)


def invitation_reopen(*, invitation: Invitation) -> None:
    """Make an expired invitation pending again, to be sent with a new link (`invitation_send`)."""
    if invitation.status == Invitation.Status.EXPIRED:
        invitation.status = Invitation.Status.PENDING
        invitation.save(update_fields=["status"])


def invitation_revoke(*, invitation: Invitation) -> None:
    if invitation.status != Invitation.Status.PENDING:
        raise ValidationError(_("Only pending invitations can be revoked."))
    invitation.status = Invitation.Status.REVOKED
    invitation.save(update_fields=["status"])


def invitation_for_token(token: str) -> Invitation:
    """The invitation a link stands for, or InvitationInvalid saying why it cannot be used."""
    invitation = Invitation.objects.select_related("organization").filter(token_hash=_hash_token(token)).first()
    if invitation is None:
        raise InvitationInvalid(
            _("This invitation link is not valid. It may have been replaced by a newer one; use the latest email.")
        )
    if invitation.status == Invitation.Status.ACCEPTED:
        raise InvitationInvalid(_("This invitation has already been used. Log in with your email and password."))
    if invitation.status == Invitation.Status.REVOKED:
        raise InvitationInvalid(_("This invitation was withdrawn. Ask your administrator for a new one."))
    if invitation.status == Invitation.Status.EXPIRED or invitation.expires_at <= timezone.now():
        raise InvitationInvalid(_("This invitation has expired. Ask your administrator to send it again."))
    return invitation


@transaction.atomic
def invitation_accept(*, invitation: Invitation, name: str, password: str | None, user: User | None = None) -> User:
    """Turn an invitation into a membership: a new user with a password, or a logged-in one."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.status != Invitation.Status.PENDING:
        raise InvitationInvalid(_("This invitation has already been used. Log in with your email and password."))
    if user is None:
        if User.objects.filter(email__iexact=invitation.email).exists():
            raise InvitationInvalid(
                _("An account with this email exists already. Log in first, then open the link again.")
            )
        user = User.objects.create_user(invitation.email, password, name=name.strip() or invitation.name)
    EmailAddress.objects.update_or_create(user=user, email=user.email, defaults={"verified": True, "primary": True})
    membership, _created = Membership.objects.get_or_create(user=user, organization=invitation.organization)
    membership.set_roles(invitation.roles)
    membership.is_active = True
    membership.deactivated_at = None
    membership.save()
    membership.teams.add(*invitation.teams.all())
    if not user.is_active:
        user.is_active = True
        user.save(update_fields=["is_active"])
    invitation.status = Invitation.Status.ACCEPTED
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["status", "accepted_at"])
    return user


def invitations_expire(*, now: datetime | None = None) -> int:
    """Mark pending invitations past their date as expired; returns how many."""
    now = now or timezone.now()
    return Invitation.objects.filter(status=Invitation.Status.PENDING, expires_at__lte=now).update(
        status=Invitation.Status.EXPIRED
    )


def _other_active_admins(membership: Membership) -> bool:
    return (
        Membership.objects.filter(organization_id=membership.organization_id, is_admin=True, is_active=True)
        .exclude(pk=membership.pk)
        .exists()
    )


def _member_label(membership: Membership) -> str:
    return str(membership.user)


@transaction.atomic
def membership_update(
    *, membership: Membership, roles: Iterable[str], teams: Iterable[Team], actor: User | None = None
) -> Membership:
    roles = set(roles)
    previous_roles = membership.roles
    previous_teams = sorted(membership.teams.values_list("name", flat=True))
    if membership.is_admin and Role.ADMIN not in roles and not _other_active_admins(membership):
        raise ValidationError(_("The organization needs at least one admin; make someone else admin first."))
    if not roles:
        raise ValidationError(_("Choose at least one role."))
    membership.set_roles(roles)
    membership.save()
    membership.teams.set([team for team in teams if team.organization_id == membership.organization_id])
    current_teams = sorted(membership.teams.values_list("name", flat=True))
    if (previous_roles, previous_teams) != (membership.roles, current_teams):
        audit_record(
            organization=membership.organization_id,
            actor=actor,
            action=AuditEvent.Action.ROLE_CHANGED,
            target=_member_label(membership),
            detail={
                "membership_id": membership.id,
                "roles": membership.roles,
                "previous_roles": previous_roles,
                "teams": current_teams,
                "previous_teams": previous_teams,
            },
        )
    return membership


def user_sessions_end(*, user: User) -> int:
    """Log a person out of every browser at once; returns how many sessions ended.

    An inactive user is refused on their next request anyway, but their session would
    come back to life if they were reactivated: it is deleted instead.
    """
    from django.contrib.auth import SESSION_KEY
    from django.contrib.sessions.models import Session

    user_key = str(user.pk)
    ended = [
        session.pk
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if session.get_decoded().get(SESSION_KEY) == user_key
    ]
    Session.objects.filter(pk__in=ended).delete()
    return len(ended)


@transaction.atomic
def membership_deactivate(*, membership: Membership, actor: User | None, actor_label: str = "") -> None:
    """Take a person out of the organization; their history stays for statistics.

    Their unsent shares are stopped, and someone no longer active anywhere is logged
    out at once. `actor` is None when the organization's identity provider does it
    (`actor_label` names it).
    """
    if actor is not None and membership.user_id == actor.id:
        raise ValidationError(_("You cannot deactivate yourself."))
    from advocacy.services import shares_cancel_for_member

    if membership.is_admin and not _other_active_admins(membership):
        raise ValidationError(_("The organization needs at least one admin."))
    membership.is_active = False
    membership.deactivated_at = timezone.now()
    membership.save(update_fields=["is_active", "deactivated_at"])
    # Nothing goes out in the name of someone who can no longer log in to stop it.
    cancelled = shares_cancel_for_member(membership=membership)
    user = membership.user
    sessions_ended = 0
    if not user.memberships.filter(is_active=True).exists():
        user.is_active = False
        user.save(update_fields=["is_active"])
        sessions_ended = user_sessions_end(user=user)
    audit_record(
        organization=membership.organization_id,
        actor=actor,
        actor_label=actor_label,
        action=AuditEvent.Action.MEMBER_DEACTIVATED,
        target=_member_label(membership),
        detail={"membership_id": membership.id, "shares_cancelled": cancelled, "sessions_ended": sessions_ended},
    )


@transaction.atomic
def membership_reactivate(*, membership: Membership, actor: User | None = None, actor_label: str = "") -> None:
    if membership.offboarded_at is not None:
        raise ValidationError(_("This person was offboarded and anonymised; invite them again instead."))
    membership.is_active = True
    membership.deactivated_at = None
    membership.save(update_fields=["is_active", "deactivated_at"])
    if not membership.user.is_active:
        membership.user.is_active = True
        membership.user.save(update_fields=["is_active"])
    audit_record(
        organization=membership.organization_id,
        actor=actor,
        actor_label=actor_label,
        action=AuditEvent.Action.MEMBER_REACTIVATED,
        target=_member_label(membership),
        detail={"membership_id": membership.id},
    )


def _user_anonymise(user: User, *, language: str) -> None:
    """Remove a departed person's identity; the rows that point at them stay for statistics."""
    from allauth.mfa.models import Authenticator

    old_email = user.email
    with translation.override(language):
        user.name = _("Former employee #%(id)s") % {"id": user.id}
    user.email = f"former-employee-{user.id}-{secrets.token_hex(4)}@anonymised.invalid"
    user.set_unusable_password()  # also ends every session: their hash no longer matches
    user.is_active = False
    user.save(update_fields=["name", "email", "password", "is_active"])
    EmailAddress.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
    user.social_auth.all().delete()
    invitations = Invitation.objects.filter(email__iexact=old_email)
    invitations.filter(status=Invitation.Status.PENDING).update(status=Invitation.Status.REVOKED)
    invitations.update(email=user.email, name="")


def _profile_identifiers(profile) -> list[str]:
    handle = profile.handle or ""
    return [handle, handle.lstrip("@"), profile.display_name, profile.profile_url, profile.remote_id]


@transaction.atomic
def membership_offboard(*, membership: Membership, actor: User | None, actor_label: str = "") -> Membership:
    """A person leaves for good: their profiles are disconnected and their tokens deleted
    at once, the membership ends, and the person is anonymised unless they are still
    active in another organization. Their shares stay, so the statistics do too.
    `actor` is None when the organization's identity provider does it.
    """
    from advocacy.services import shares_cancel_for_member
    from employees.models import SocialProfile
    from employees.profiles.services import profile_disconnect
    from employees.scim.models import ScimUser

    membership = Membership.objects.select_for_update().select_related("user", "organization").get(pk=membership.pk)
    if actor is not None and membership.user_id == actor.id:
        raise ValidationError(_("You cannot offboard yourself."))
    if membership.offboarded_at is not None:
        raise ValidationError(_("This person has been offboarded already."))
    if membership.is_admin and membership.is_active and not _other_active_admins(membership):
        raise ValidationError(_("The organization needs at least one admin."))
    profiles = SocialProfile.objects.filter(owner_membership=membership)
    live = list(profiles.exclude(state=SocialProfile.State.DISCONNECTED))
    for profile in live:
        profile_disconnect(profile=profile, actor=actor)
    cancelled = shares_cancel_for_member(membership=membership)
    now = timezone.now()
    membership.is_active = False
    membership.deactivated_at = membership.deactivated_at or now
    membership.offboarded_at = now
    membership.save(update_fields=["is_active", "deactivated_at", "offboarded_at"])
    # What the identity provider told us about the person is personal data too.
    ScimUser.objects.filter(membership=membership).delete()
    user = membership.user
    anonymised = not user.memberships.filter(is_active=True).exists()
    if anonymised:
        all_profiles = list(SocialProfile.objects.filter(owner_membership__user=user))
        identifiers = [user.name, user.email, *[value for p in all_profiles for value in _profile_identifiers(p)]]
        _user_anonymise(user, language=membership.organization.language)
        audit_anonymise_person(
            user=user,
            identifiers=identifiers,
            membership_ids=list(user.memberships.values_list("id", flat=True)),
            profile_ids=[profile.id for profile in all_profiles],
        )
        # The accounts' names and addresses identify the person as well as their own.
        for profile in profiles:
            profile.handle = profile.display_name = profile.profile_url = ""
            profile.remote_id = f"offboarded-{profile.id}"
            profile.extra = {}
            profile.save(update_fields=["handle", "display_name", "profile_url", "remote_id", "extra", "updated_at"])
    audit_record(
        organization=membership.organization_id,
        actor=actor,
        actor_label=actor_label,
        action=AuditEvent.Action.MEMBER_OFFBOARDED,
        target=_member_label(membership),
        detail={
            "membership_id": membership.id,
            "profiles_disconnected": len(live),
            "shares_cancelled": cancelled,
            "anonymised": anonymised,
        },
    )
    return membership


def personal_data_export(*, user: User) -> dict:
    """Everything the platform holds about a person, for them to download; the
    download is recorded in every organization whose data it contains."""
    from employees.selectors import personal_data

    with transaction.atomic():
        data = personal_data(user=user)
        for organization_id in sorted({row["organization_id"] for row in data["memberships"]}):
            audit_record(
                organization=organization_id,
                actor=user,
                action=AuditEvent.Action.DATA_EXPORTED,
                target=str(user),
                detail={"scope": "personal data"},
            )
    return data


def team_create(*, organization: Organization, name: str, parent: Team | None = None) -> Team:
    name = name.strip()
    if not name:
        raise ValidationError(_("A team needs a name."))
    if parent is not None and parent.organization_id != organization.id:
        raise ValidationError(_("Unknown parent team."))
    if Team.objects.filter(organization=organization, name__iexact=name).exists():
        raise ValidationError(_("A team called %(name)s exists already.") % {"name": name})
    return Team.objects.create(organization=organization, name=name, parent=parent)


def organization_create(*, name: str, slug: str, language: str = "en", timezone_name: str = "UTC") -> Organization:
    return Organization.objects.create(name=name, slug=slug, language=language, timezone=timezone_name)


@transaction.atomic
def organization_save(*, organization: Organization, actor: User, changed: Iterable[str]) -> Organization:
    """Save settings an admin changed on the organization (already set on it)."""
    changed = list(changed)
    organization.save()
    if changed:
        audit_record(
            organization=organization,
            actor=actor,
            action=AuditEvent.Action.SETTINGS_CHANGED,
            target=organization.name,
            detail={
                "settings": "organization",
                "changed": {name: str(getattr(organization, name)) for name in changed},
            },
        )
    return organization


# -- the first organization on a new server ------------------------------------------


@dataclass(frozen=True)
class OrganizationSetup:
    """What `organization_create_with_admin` found or made: `invitation` is None once the admin joined."""

    organization: Organization
    invitation: Invitation | None
    created: bool


def _unique_slug(name: str) -> str:
    base = slugify(name)[:50].strip("-") or "organization"
    slug, number = base, 1
    while Organization.objects.filter(slug=slug).exists():
        number += 1
        slug = f"{base}-{number}"
    return slug


def organization_create_with_admin(
    *, name: str, admin_email: str, language: str = "en", time_zone: str = "UTC"
) -> OrganizationSetup:
    """Create an organization and invite its first admin (the invitation is not sent here).

    Running it again with the same name and admin changes nothing and says what is
    there; the same name with another admin, or any bad value, is refused before
    anything is written.
    """
    name = " ".join(name.split())
    email = admin_email.strip().lower()
    if not name:
        raise ValidationError(_("The organization needs a name."))
    if len(name) > Organization._meta.get_field("name").max_length:
        raise ValidationError(_("The organization's name is too long (200 characters at most)."))
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError(_("%(email)s is not a valid email address.") % {"email": admin_email}) from None
    if language not in dict(settings.LANGUAGES):
        languages = ", ".join(code for code, _label in settings.LANGUAGES)
        raise ValidationError(
            _("%(language)s is not a language of the platform; use one of: %(languages)s.")
            % {"language": language, "languages": languages}
        )
    if time_zone not in zoneinfo.available_timezones():
        raise ValidationError(_("%(zone)s is not a time zone name such as Europe/Copenhagen.") % {"zone": time_zone})

    with transaction.atomic():
        existing = Organization.objects.select_for_update().filter(name__iexact=name).first()
        if existing is not None:
            return _organization_existing(organization=existing, email=email)
        organization = Organization.objects.create(
            name=name, slug=_unique_slug(name), language=language, timezone=time_zone
        )
        invitation = invitation_create(
            organization=organization, email=email, roles=[Role.ADMIN], invited_by=None, send=False
        )
    return OrganizationSetup(organization=organization, invitation=invitation, created=True)


def _organization_existing(*, organization: Organization, email: str) -> OrganizationSetup:
    if Membership.objects.filter(
        organization=organization, user__email__iexact=email, is_admin=True, is_active=True
    ).exists():
        return OrganizationSetup(organization=organization, invitation=None, created=False)
    open_invitations = Invitation.objects.filter(
        organization=organization,
        email__iexact=email,
        status__in=[Invitation.Status.PENDING, Invitation.Status.EXPIRED],
    ).order_by("-status", "-created_at")  # "pending" sorts after "expired": pending first
    # Roles are a JSON list; checked here because SQLite cannot look inside one.
    invitation = next((row for row in open_invitations if Role.ADMIN in row.roles), None)
    if invitation is not None:
        return OrganizationSetup(organization=organization, invitation=invitation, created=False)
    raise ValidationError(
        _("An organization named %(name)s exists already and %(email)s is not its admin; choose another name.")
        % {"name": organization.name, "email": email}
    )
