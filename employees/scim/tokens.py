"""Bearer tokens of the SCIM endpoint: made, checked, used, revoked."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import TYPE_CHECKING

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from employees.audit import audit_record
from employees.models import AuditEvent
from employees.scim.models import ScimToken

if TYPE_CHECKING:
    from employees.models import Organization, User

TOKEN_PREFIX = "chorus_scim_"  # noqa: S105 - a marker, not a secret
# An identity provider syncs every few minutes: the audit log records a token's use
# when it starts again after an hour's silence, not every request, and
# `last_used_at` is written at most once a minute.
USE_AUDIT_INTERVAL = timedelta(hours=1)
LAST_USED_PRECISION = timedelta(minutes=1)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_label(token: ScimToken) -> str:
    """How the audit log names what a token did."""
    return f"SCIM: {token.name} ({token.prefix}…)"


@transaction.atomic
def scim_token_create(*, organization: Organization, name: str, actor: User) -> tuple[ScimToken, str]:
    """Make a token; the plain value is returned this once and never stored."""
    name = name.strip()
    if not name:
        raise ValidationError(_("Give the token a name, such as the identity provider it is for."))
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ScimToken.objects.create(
        organization=organization,
        name=name[:100],
        token_hash=_hash(plain),
        prefix=plain[: len(TOKEN_PREFIX) + 6],
        created_by=actor,
    )
    audit_record(
        organization=organization,
        actor=actor,
        action=AuditEvent.Action.SCIM_TOKEN_CREATED,
        target=token.name,
        detail={"token_id": token.id, "prefix": token.prefix},
    )
    return token, plain


@transaction.atomic
def scim_token_revoke(*, token: ScimToken, actor: User) -> None:
    token = ScimToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is not None:
        raise ValidationError(_("This token has been revoked already."))
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit_record(
        organization=token.organization_id,
        actor=actor,
        action=AuditEvent.Action.SCIM_TOKEN_REVOKED,
        target=token.name,
        detail={"token_id": token.id, "prefix": token.prefix},
    )


def scim_token_authenticate(*, header: str | None) -> ScimToken | None:
    """The live token an `Authorization: Bearer …` header carries, or None.

    A revoked token is refused like an unknown one; trying it is recorded in its
    organization's audit log (once an hour, so that a misconfigured IdP cannot flood it).
    """
    scheme, _space, value = (header or "").partition(" ")
    value = value.strip()
    if scheme.lower() != "bearer" or not value.startswith(TOKEN_PREFIX) or len(value) > 200:
        return None
    token = ScimToken.objects.select_related("organization").filter(token_hash=_hash(value)).first()
    if token is None:
        return None
    if token.revoked_at is not None:
        if cache.add(f"scim:refused:{token.pk}", 1, timeout=int(USE_AUDIT_INTERVAL.total_seconds())):
            audit_record(
                organization=token.organization_id,
                actor=None,
                actor_label=token_label(token),
                action=AuditEvent.Action.SCIM_TOKEN_REFUSED,
                target=token.name,
                detail={"token_id": token.id, "prefix": token.prefix},
            )
        return None
    _token_mark_used(token)
    return token


def _token_mark_used(token: ScimToken) -> None:
    now = timezone.now()
    previous = token.last_used_at
    if previous is not None and now - previous < LAST_USED_PRECISION:
        return
    # Conditional, so that concurrent requests record one audit event between them.
    claimed = ScimToken.objects.filter(pk=token.pk, last_used_at=previous).update(last_used_at=now)
    token.last_used_at = now
    if claimed and (previous is None or now - previous >= USE_AUDIT_INTERVAL):
        audit_record(
            organization=token.organization_id,
            actor=None,
            actor_label=token_label(token),
            action=AuditEvent.Action.SCIM_TOKEN_USED,
            target=token.name,
            detail={"token_id": token.id, "prefix": token.prefix},
        )
