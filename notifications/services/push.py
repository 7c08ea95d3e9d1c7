"""Web push: subscriptions per person and device, and sending one notification.

The push service's address comes from the browser, so it is a host from outside:
it is checked by the egress guard when the browser hands it over, and every request
to it goes through the guard's client (pywebpush is given a session that uses it).
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
from dataclasses import dataclass

import httpx
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from config.egress import refused_message
from employees.models import Membership
from networks import egress
from notifications.models import PushSubscription

logger = logging.getLogger(__name__)

# A notification not delivered within a day is no news any more.
PUSH_TTL = 24 * 60 * 60
PUSH_TIMEOUT = 10.0


def _key_bytes(value: str, *, length: int | None = None) -> bytes:
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError):
        raise ValidationError(_("The browser sent a subscription this platform cannot read.")) from None
    if length is not None and len(raw) != length:
        raise ValidationError(_("The browser sent a subscription this platform cannot read."))
    return raw


def push_subscription_save(
    *, membership: Membership, endpoint: str, p256dh: str, auth: str, device: str = ""
) -> PushSubscription:
    """Store (or move to this person) the subscription of one browser on one device.

    The endpoint must be an https address of a public host: a browser's push service
    is one, and anything else would make the server post into its own network.
    """
    if len(endpoint) > 1000:
        raise ValidationError(_("The browser sent a subscription this platform cannot read."))
    try:
        url = egress.check_url(endpoint, https_only=True)
    except egress.Refused as refused:
        raise ValidationError(refused_message(refused.host)) from None
    except egress.SchemeRefused:
        raise ValidationError(_("Only push services at https addresses are accepted.")) from None
    except egress.InvalidAddress:
        raise ValidationError(_("The browser sent a subscription this platform cannot read.")) from None
    # P-256 public key (uncompressed point) and the 16-byte authentication secret.
    _key_bytes(p256dh, length=65)
    _key_bytes(auth, length=16)
    fields = {
        "organization_id": membership.organization_id,
        "membership": membership,
        "p256dh": p256dh,
        "auth": auth,
        "device": device[:120],
    }
    try:
        with transaction.atomic():
            subscription, _created = PushSubscription.objects.update_or_create(endpoint=str(url), defaults=fields)
    except IntegrityError:
        subscription = PushSubscription.objects.get(endpoint=str(url))
    return subscription


def push_subscription_delete(*, membership: Membership, subscription_id: int) -> bool:
    deleted, _rows = PushSubscription.objects.filter(
        organization_id=membership.organization_id, membership=membership, pk=subscription_id
    ).delete()
    return bool(deleted)


class _Response:
    """What pywebpush reads of an answer, from the guard's httpx response."""

    def __init__(self, response) -> None:
        self.status_code = response.status_code
        self.reason = response.reason_phrase
        self.text = response.text[:500]
        self.headers = response.headers


class _GuardedSession:
    """A requests-like session for pywebpush whose requests go through the egress guard."""

    def post(self, url: str, *, data=None, headers=None, timeout=None, **_ignored) -> _Response:
        egress.check_url(url)
        with egress.client(timeout=httpx.Timeout(PUSH_TIMEOUT)) as http:
            return _Response(http.post(url, content=data, headers=dict(headers or {})))


@dataclass(frozen=True)
class PushResult:
    sent: bool = False
    gone: bool = False  # the push service forgot the device (404/410): drop the subscription
    retry_after: int | None = None  # transient: try again after this many seconds
    error: str = ""


def vapid_configured() -> bool:
    return bool(settings.VAPID_PUBLIC_KEY and settings.VAPID_PRIVATE_KEY)


def push_send(*, subscription: PushSubscription, payload: dict) -> PushResult:
    """Encrypt the payload for the device (aes128gcm) and post it with a VAPID signature."""
    if not vapid_configured():
        return PushResult(error="web push is not configured (VAPID keys)")
    # Imported here: pywebpush and its HTTP stack (about 17 MB) are the worker's; web
    # processes only save subscriptions.
    from pywebpush import WebPushException, webpush

    info = {"endpoint": subscription.endpoint, "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth}}
    try:
        webpush(
            info,
            data=json.dumps(payload, ensure_ascii=False),
            vapid_private_key=settings.VAPID_PRIVATE_KEY,
            vapid_claims={"sub": settings.VAPID_SUBJECT},
            content_encoding="aes128gcm",
            ttl=PUSH_TTL,
            timeout=PUSH_TIMEOUT,
            requests_session=_GuardedSession(),
        )
    except WebPushException as exc:
        status = exc.status_code
        if status in (404, 410):
            return PushResult(gone=True, error=f"push service answered {status}")
        if status == 429 or (status is not None and status >= 500):
            return PushResult(retry_after=_retry_after(exc.retry_after), error=f"push service answered {status}")
        return PushResult(error=f"push service answered {status}")
    except egress.Refused:
        return PushResult(gone=True, error="push service address refused")
    except (egress.NetworkError, httpx.HTTPError, OSError) as exc:
        return PushResult(retry_after=60, error=type(exc).__name__)
    PushSubscription.objects.filter(pk=subscription.pk).update(last_sent_at=timezone.now())
    return PushResult(sent=True)


def _retry_after(value: str | None) -> int:
    try:
        return max(1, min(int(value or 60), 3600))
    except ValueError:
        return 60
