"""Reads for SCIM: an organization's people and teams as SCIM resources (JSON-shaped
dicts that scim2-models validates), and the Django lookups an `eq` filter narrows to."""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING

from django.db.models import Prefetch, Q, QuerySet

from employees.models import Membership, Team
from employees.scim.models import ScimToken

if TYPE_CHECKING:
    from employees.models import Organization

USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"


def scim_tokens(*, organization: Organization) -> QuerySet[ScimToken]:
    return ScimToken.objects.filter(organization=organization).select_related("created_by")


def scim_members(*, organization: Organization) -> QuerySet[Membership]:
    """Everyone the identity provider can see: offboarded people are gone for good."""
    return (
        Membership.objects.filter(organization=organization, offboarded_at__isnull=True)
        .select_related("user", "scim")
        .prefetch_related(Prefetch("teams", queryset=Team.objects.order_by("name")))
        .order_by("pk")
    )


def scim_teams(*, organization: Organization) -> QuerySet[Team]:
    members = Membership.objects.filter(offboarded_at__isnull=True).select_related("user").order_by("pk")
    return (
        Team.objects.filter(organization=organization)
        .select_related("scim", "organization")
        .prefetch_related(Prefetch("memberships", queryset=members))
        .order_by("pk")
    )


def row_id(value: str) -> int | None:
    """A resource id as a primary key; None for anything no row can have."""
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 18 else None


def user_lookup(field: str, value: str) -> Q | None:
    """The rows a `<field> eq "<value>"` filter on Users can match, or None to scan."""
    if field == "id":
        return Q(pk=row_id(value)) if row_id(value) is not None else Q(pk__in=[])
    if field == "external_id":
        return Q(scim__external_id=value)
    if field == "user_name":
        # A member who was never provisioned answers to their email.
        return Q(scim__user_name__iexact=value) | Q(scim__isnull=True, user__email__iexact=value)
    return None


def group_lookup(field: str, value: str) -> Q | None:
    if field == "id":
        return Q(pk=row_id(value)) if row_id(value) is not None else Q(pk__in=[])
    if field == "external_id":
        return Q(scim__external_id=value)
    if field == "display_name":
        return Q(name__iexact=value)
    return None


def _link(obj) -> object | None:
    # The reverse one-to-one raises an AttributeError subclass when there is no row.
    return getattr(obj, "scim", None)


def _meta(resource_type: str, resource: dict, created, last_modified) -> dict:
    digest = hashlib.sha256(json.dumps(resource, sort_keys=True, default=str).encode()).hexdigest()[:20]
    return {
        "resourceType": resource_type,
        "created": created.isoformat(),
        "lastModified": max(created, last_modified).isoformat(),
        "version": f'W/"{digest}"',
    }


def _emails(stored: list[dict], email: str) -> list[dict]:
    """The emails the IdP sent, with the one Chorus logs the person in with kept true."""
    if not stored:
        return [{"value": email, "type": "work", "primary": True}]
    if any(item.get("value", "").lower() == email.lower() for item in stored):
        return stored
    emails = [dict(item) for item in stored]
    chosen = next((item for item in emails if item.get("primary")), emails[0])
    chosen["value"] = email
    return emails


def user_resource(membership: Membership) -> dict:
    user = membership.user
    link = _link(membership)
    resource: dict = {"schemas": [USER_SCHEMA], "id": str(membership.pk)}
    if link is None or "active" in link.attributes or not membership.is_active:
        resource["active"] = membership.is_active
    if link is None:
        resource["userName"] = user.email
        if user.name:
            resource["name"] = {"formatted": user.name}
            resource["displayName"] = user.name
        resource["emails"] = _emails([], user.email)
    else:
        resource["userName"] = link.user_name
        if link.external_id:
            resource["externalId"] = link.external_id
        for key in ("name", "displayName"):
            if link.attributes.get(key):
                resource[key] = link.attributes[key]
        resource["emails"] = _emails(link.attributes.get("emails") or [], user.email)
    teams = list(membership.teams.all())
    if teams:
        resource["groups"] = [
            {"value": str(team.pk), "$ref": f"Groups/{team.pk}", "display": team.name, "type": "direct"}
            for team in teams
        ]
    modified = link.updated_at if link is not None else membership.created_at
    resource["meta"] = _meta("User", resource, membership.created_at, modified)
    return resource


def group_resource(team: Team) -> dict:
    link = _link(team)
    resource: dict = {"schemas": [GROUP_SCHEMA], "id": str(team.pk), "displayName": team.name}
    if link is not None and link.external_id:
        resource["externalId"] = link.external_id
    members = list(team.memberships.all())
    if members:
        resource["members"] = [
            {"value": str(member.pk), "$ref": f"Users/{member.pk}", "type": "User"} for member in members
        ]
    created = link.created_at if link is not None else team.organization.created_at
    modified = link.updated_at if link is not None else created
    resource["meta"] = _meta("Group", resource, created, modified)
    return resource
