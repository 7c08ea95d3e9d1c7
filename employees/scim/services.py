"""Writes an identity provider makes through SCIM, on validated resources.

The resources arrive as scim2-models validated them (dumped to their JSON shape);
these functions map them onto Chorus's people and teams. Deactivation and offboarding
are the platform's own (`employees.services`): `active: false` deactivates, reversibly;
DELETE offboards, for good. Errors are SCIM exceptions, which the endpoint turns into
SCIM error responses; every write is atomic, so a refused request changes nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from scim2_models import (
    ConflictException,
    InvalidValueException,
    MutabilityException,
    NotFoundException,
    UniquenessException,
)

from employees import services as people
from employees.audit import audit_record
from employees.models import AuditEvent, Membership, Team, User
from employees.scim.models import ScimGroup, ScimUser
from employees.scim.selectors import row_id
from employees.scim.tokens import token_label

if TYPE_CHECKING:
    from employees.models import Organization
    from employees.scim.models import ScimToken

_EMAIL_MAX = User._meta.get_field("email").max_length
_NAME_MAX = User._meta.get_field("name").max_length
_TEAM_NAME_MAX = Team._meta.get_field("name").max_length


def _messages(exc: ValidationError) -> str:
    return " ".join(str(message) for message in exc.messages)


def _email_of(data: dict) -> str:
    """The address the person logs in with: the primary email, else the first, else an
    email-shaped userName."""
    emails = [item for item in data.get("emails") or [] if item.get("value")]
    chosen = next((item for item in emails if item.get("primary")), emails[0] if emails else None)
    email = (chosen["value"] if chosen else data.get("userName", "")).strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise InvalidValueException(
            detail="A person needs an email address to log in: send one in emails (type work)."
        ) from None
    if len(email) > _EMAIL_MAX:
        raise InvalidValueException(detail=f"An email address may have at most {_EMAIL_MAX} characters.")
    return email


def _name_of(data: dict) -> str:
    name = data.get("name") or {}
    joined = " ".join(part for part in (name.get("givenName"), name.get("familyName")) if part)
    return (name.get("formatted") or data.get("displayName") or joined or "").strip()[:_NAME_MAX]


def _attributes_of(data: dict) -> dict:
    # `active` is kept only as "the IdP stated it": unassigned (never sent, or removed
    # by PATCH) means active, and an active person then shows no `active` at all.
    return {key: data[key] for key in ("name", "displayName", "emails", "active") if data.get(key) is not None}


def _user_name_of(data: dict) -> str:
    user_name = (data.get("userName") or "").strip()
    if not user_name or len(user_name) > ScimUser._meta.get_field("user_name").max_length:
        raise InvalidValueException(detail="userName must hold between 1 and 254 characters.")
    return user_name


def _check_user_name_free(organization: Organization, user_name: str, *, exclude: Membership | None = None) -> None:
    linked = ScimUser.objects.filter(organization=organization, user_name__iexact=user_name)
    # A member who was never provisioned answers to their email as userName.
    unlinked = Membership.objects.filter(
        organization=organization, scim__isnull=True, offboarded_at__isnull=True, user__email__iexact=user_name
    )
    if exclude is not None:
        linked = linked.exclude(membership=exclude)
        unlinked = unlinked.exclude(pk=exclude.pk)
    if linked.exists() or unlinked.exists():
        raise UniquenessException(detail=f"userName {user_name!r} is taken in this organization.")


def _record(token: ScimToken, action: str, target: str, detail: dict) -> None:
    audit_record(
        organization=token.organization_id,
        actor=None,
        actor_label=token_label(token),
        action=action,
        target=target,
        detail=detail,
    )


@transaction.atomic
def scim_user_create(*, token: ScimToken, data: dict) -> Membership:
    organization = token.organization
    user_name = _user_name_of(data)
    email = _email_of(data)
    _check_user_name_free(organization, user_name)
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        # No password: the person signs in through the organization's single sign-on,
        # or sets one with "Forgot your password?" at the address the IdP vouched for.
        user = User.objects.create_user(email, None, name=_name_of(data))
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        membership = Membership.objects.create(user=user, organization=organization)
    else:
        membership = Membership.objects.filter(user=user, organization=organization).first()
        if membership is not None and membership.offboarded_at is None:
            raise UniquenessException(detail=f"A member with the email {email} exists already.")
        if membership is None:
            membership = Membership.objects.create(user=user, organization=organization)
        else:
            # Offboarded before, yet still someone elsewhere: they join again, as new.
            membership.set_roles(["employee"])
            membership.offboarded_at = membership.deactivated_at = None
            membership.is_active = True
            membership.save()
    active = data.get("active", True) is not False
    if active and not user.is_active:
        user.is_active = True
        user.save(update_fields=["is_active"])
    try:
        with transaction.atomic():
            ScimUser.objects.create(
                organization=organization,
                membership=membership,
                user_name=user_name,
                external_id=data.get("externalId") or "",
                attributes=_attributes_of(data),
            )
    except IntegrityError:
        raise UniquenessException(detail=f"userName {user_name!r} is taken in this organization.") from None
    _record(
        token,
        AuditEvent.Action.SCIM_USER_CREATED,
        str(user),
        {"membership_id": membership.pk, "user_name": user_name, "external_id": data.get("externalId") or ""},
    )
    if not active:
        people.membership_deactivate(membership=membership, actor=None, actor_label=token_label(token))
    return membership


def _email_change(membership: Membership, email: str) -> None:
    user = membership.user
    if user.email.lower() == email:
        return
    if User.objects.filter(email__iexact=email).exclude(pk=user.pk).exists():
        raise UniquenessException(detail=f"The email {email} belongs to another account.")
    elsewhere = user.memberships.exclude(organization_id=membership.organization_id).filter(offboarded_at__isnull=True)
    if elsewhere.exists():
        raise MutabilityException(
            detail="This person also belongs to another organization on this platform; "
            "their login email cannot be changed from here."
        )
    EmailAddress.objects.filter(user=user).delete()
    user.email = email
    user.save(update_fields=["email"])
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)


@transaction.atomic
def scim_user_update(*, token: ScimToken, membership: Membership, data: dict) -> Membership:
    """Take over the whole new state of a person (PUT, or PATCH already applied)."""
    membership = Membership.objects.select_for_update().select_related("user").get(pk=membership.pk)
    user = membership.user
    link = ScimUser.objects.filter(membership=membership).first()
    user_name = _user_name_of(data)
    email = _email_of(data)
    before = {
        "userName": link.user_name if link else user.email,
        "externalId": link.external_id if link else "",
        "email": user.email,
        "name": user.name,
        "attributes": link.attributes if link else {},
    }
    if user_name.lower() != before["userName"].lower():
        _check_user_name_free(membership.organization, user_name, exclude=membership)
    _email_change(membership, email)
    name = _name_of(data)
    if name != user.name:
        user.name = name
        user.save(update_fields=["name"])
    if link is None:
        link = ScimUser(organization_id=membership.organization_id, membership=membership)
    link.user_name = user_name
    link.external_id = data.get("externalId") or ""
    link.attributes = _attributes_of(data)
    link.save()
    after = {
        "userName": user_name,
        "externalId": link.external_id,
        "email": user.email,
        "name": user.name,
        "attributes": link.attributes,
    }
    changed = sorted(key for key in after if after[key] != before[key])
    if changed:
        _record(
            token, AuditEvent.Action.SCIM_USER_UPDATED, str(user), {"membership_id": membership.pk, "changed": changed}
        )
    # As at creation, a person whose `active` the IdP leaves unassigned is active.
    active = data.get("active") is not False
    try:
        if membership.is_active and not active:
            people.membership_deactivate(membership=membership, actor=None, actor_label=token_label(token))
        elif active and not membership.is_active:
            people.membership_reactivate(membership=membership, actor=None, actor_label=token_label(token))
    except ValidationError as exc:
        raise MutabilityException(detail=_messages(exc)) from None
    return membership


def scim_user_offboard(*, token: ScimToken, membership: Membership) -> None:
    """DELETE: the person leaves for good (profiles disconnected, tokens deleted,
    anonymised unless active elsewhere); their shares stay for the statistics."""
    try:
        people.membership_offboard(membership=membership, actor=None, actor_label=token_label(token))
    except ValidationError as exc:
        raise MutabilityException(detail=_messages(exc)) from None


def _team_name_of(data: dict) -> str:
    name = (data.get("displayName") or "").strip()
    if not name or len(name) > _TEAM_NAME_MAX:
        raise InvalidValueException(detail=f"displayName must hold between 1 and {_TEAM_NAME_MAX} characters.")
    return name


def _members_of(organization: Organization, data: dict) -> list[Membership]:
    values = [str(item.get("value") or "") for item in data.get("members") or []]
    ids = {row_id(value) for value in values} - {None}
    found = list(Membership.objects.filter(organization=organization, offboarded_at__isnull=True, pk__in=ids))
    known = {str(member.pk) for member in found}
    unknown = sorted({value for value in values if value not in known})
    if unknown:
        raise InvalidValueException(
            detail=f"Unknown members: {', '.join(unknown)}. Members are Users of this organization."
        )
    return found


def _check_team_name_free(organization: Organization, name: str, *, exclude: Team | None = None) -> None:
    teams = Team.objects.filter(organization=organization, name__iexact=name)
    if exclude is not None:
        teams = teams.exclude(pk=exclude.pk)
    if teams.exists():
        raise UniquenessException(detail=f"A team called {name!r} exists already.")


@transaction.atomic
def scim_group_create(*, token: ScimToken, data: dict) -> Team:
    organization = token.organization
    name = _team_name_of(data)
    _check_team_name_free(organization, name)
    members = _members_of(organization, data)
    try:
        with transaction.atomic():
            team = Team.objects.create(organization=organization, name=name)
    except IntegrityError:
        raise UniquenessException(detail=f"A team called {name!r} exists already.") from None
    team.memberships.set(members)
    ScimGroup.objects.create(organization=organization, team=team, external_id=data.get("externalId") or "")
    _record(
        token,
        AuditEvent.Action.SCIM_GROUP_CREATED,
        team.name,
        {"team_id": team.pk, "members": len(members), "external_id": data.get("externalId") or ""},
    )
    return team


@transaction.atomic
def scim_group_update(*, token: ScimToken, team: Team, data: dict) -> Team:
    team = Team.objects.select_for_update().get(pk=team.pk)
    name = _team_name_of(data)
    if name.lower() != team.name.lower():
        _check_team_name_free(team.organization, name, exclude=team)
    members = _members_of(team.organization, data)
    previous = set(team.memberships.filter(offboarded_at__isnull=True).values_list("pk", flat=True))
    current = {member.pk for member in members}
    link, _created = ScimGroup.objects.get_or_create(organization_id=team.organization_id, team=team)
    detail = {"team_id": team.pk}
    if name != team.name:
        detail["previous_name"] = team.name
        team.name = name
        team.save(update_fields=["name"])
    if current != previous:
        team.memberships.remove(*(previous - current))
        team.memberships.add(*(current - previous))
        detail |= {"members_added": len(current - previous), "members_removed": len(previous - current)}
    external_id = data.get("externalId") or ""
    if external_id != link.external_id:
        detail["external_id"] = external_id
    link.external_id = external_id
    link.save()  # also marks the group modified
    if len(detail) > 1:
        _record(token, AuditEvent.Action.SCIM_GROUP_UPDATED, team.name, detail)
    return team


@transaction.atomic
def scim_group_delete(*, token: ScimToken, team: Team) -> None:
    team = Team.objects.select_for_update().filter(pk=team.pk).first()
    if team is None:
        raise NotFoundException(detail="No such Group.")
    # A post whose only audience is this team would become visible to everyone.
    targeted = team.targeted_posts.count()
    if targeted:
        raise ConflictException(
            detail=f"This team is the audience of {targeted} posts; change their audience in Chorus first."
        )
    _record(
        token,
        AuditEvent.Action.SCIM_GROUP_DELETED,
        team.name,
        {"team_id": team.pk, "members": team.memberships.count()},
    )
    team.delete()
