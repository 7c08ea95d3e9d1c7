"""Writes for connected profiles: storing a connection, using and refreshing its
credentials, marking it for reconnection, disconnecting, and network app settings.

The sharing pipeline uses a profile through `profile_adapter_open` (a ready adapter,
refreshed under a row lock when due), persists what the adapter changed with
`profile_save_credentials`, and reports dead credentials with
`profile_mark_needs_reconnect`. Connecting (per network) lives in `connect.py`.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from config.egress import private_hosts_allowed
from employees.audit import audit_record
from employees.locale import override_for
from employees.models import AuditEvent, Membership, NetworkApp, Role, SocialProfile
from employees.profiles import selectors
from employees.signals import profile_state_changed
from networks import get_adapter_class
from networks.base import Adapter, Credentials, CredentialsDead, PermanentError, Unsupported
from networks.links import web_url

if TYPE_CHECKING:
    from employees.models import Organization, User

logger = logging.getLogger(__name__)

State = SocialProfile.State
# Longer messages are cut: they are shown to people and kept on the row.
MAX_ERROR_CHARS = 500


class ProfileConnectError(Exception):
    """A connection that cannot be made, with a message for the person who tried."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ProfileUnavailable(CredentialsDead):
    """The profile is not active (needs reconnecting, revoked, disconnected or gone)."""


def check_company_role(*, membership: Membership, company: bool) -> None:
    if company and not membership.has_role(Role.ADMIN, Role.COMMS):
        raise PermissionDenied


# -- storing a connection -------------------------------------------------------------


def _conflict_message(existing: SocialProfile, *, company: bool) -> str:
    network = existing.get_network_display()
    if existing.is_company:
        return _(
            "This %(network)s account is already connected as a company profile, "
            "so it cannot also be connected as a personal one."
        ) % {"network": network}
    if company:
        return _(
            "This %(network)s account is connected by an employee as their personal profile, "
            "so it cannot also be a company profile."
        ) % {"network": network}
    return _(
        "This %(network)s account is already connected by someone else in your organization. "
        "An account can be connected by one person only."
    ) % {"network": network}


def profile_store(
    *,
    membership: Membership,
    network: str,
    remote_id: str,
    credentials: Credentials,
    handle: str = "",
    display_name: str = "",
    profile_url: str = "",
    followers: int | None = None,
    clicks_only: bool = False,
    company: bool = False,
) -> SocialProfile:
    """Save a new connection, or renew the member's (or company's) existing one.

    Called after the network accepted the connection, so a refused one leaves no
    row behind. A renewed connection keeps its stored refresh token when the new
    grant brought none.
    """
    check_company_role(membership=membership, company=company)
    owner_id = None if company else membership.id
    now = timezone.now()
    same_account = SocialProfile.objects.filter(
        organization_id=membership.organization_id, network=network, remote_id=remote_id
    )
    try:
        with transaction.atomic():
            live = same_account.select_for_update().exclude(state=State.DISCONNECTED).first()
            if live is not None and live.owner_membership_id != owner_id:
                raise ProfileConnectError(_conflict_message(live, company=company))
            profile = live or (
                same_account.filter(owner_membership_id=owner_id, state=State.DISCONNECTED)
                .order_by("-updated_at")
                .first()
            )
            if profile is None:
                profile = SocialProfile(
                    organization_id=membership.organization_id,
                    owner_membership_id=owner_id,
                    network=network,
                    remote_id=remote_id,
                )
            profile.set_credentials(credentials, keep_refresh_token=live is not None)
            profile.handle = handle[:255]
            profile.display_name = display_name[:255]
            # From the network's answer: kept only when a link may point to it.
            profile.profile_url = web_url(profile_url, allow_http=private_hosts_allowed())
            if followers is not None:
                profile.followers = max(int(followers), 0)
                profile.followers_at = now
            profile.clicks_only = clicks_only
            profile.state = State.ACTIVE
            profile.last_error = ""
            profile.reconnect_notified_at = None
            profile.connected_at = now
            profile.credentials_refreshed_at = now
            profile.save()
            audit_record(
                organization=membership.organization_id,
                actor=membership.user,
                action=AuditEvent.Action.PROFILE_CONNECTED,
                target=str(profile),
                detail={"profile_id": profile.id, "network": network, "company": company, "renewed": live is not None},
            )
    except IntegrityError:
        # Someone connected the same account at the same moment.
        raise ProfileConnectError(
            _("This %(network)s account has just been connected by someone else in your organization.")
            % {"network": get_adapter_class(network).label}
        ) from None
    return profile


def profile_disconnect(*, profile: SocialProfile, actor: User | None = None) -> None:
    """Stop using a profile: its tokens are deleted, its history stays."""
    with transaction.atomic():
        locked = SocialProfile.objects.select_for_update().filter(pk=profile.pk).first()
        if locked is None or locked.state == State.DISCONNECTED:
            return
        locked.clear_credentials()
        locked.state = State.DISCONNECTED
        locked.last_error = ""
        locked.save()
        audit_record(
            organization=locked.organization_id,
            actor=actor,
            action=AuditEvent.Action.PROFILE_DISCONNECTED,
            target=str(locked),
            detail={"profile_id": locked.id, "network": locked.network, "company": locked.is_company},
        )
    profile.refresh_from_db()


# -- using credentials ----------------------------------------------------------------


def profile_adapter(profile: SocialProfile) -> Adapter:
    """An adapter on the profile's decrypted credentials; close it after use.

    Refuses a profile that is not active: nothing is posted with dead credentials.
    """
    if profile.state != State.ACTIVE:
        raise ProfileUnavailable(f"profile {profile.pk} is {profile.state}; it must be reconnected first")
    adapter_class = get_adapter_class(profile.network)
    app = selectors.network_app_credentials(organization_id=profile.organization_id, network=profile.network)
    options = selectors.network_settings_options(network=profile.network)
    return adapter_class(profile.get_credentials(), app, **options)


def profile_adapter_open(*, profile_id: int, profile: SocialProfile | None = None) -> tuple[SocialProfile, Adapter]:
    """The profile and a ready adapter, its token refreshed first when it is due.

    `profile` is the row when the caller has just read it (the push reads it with
    its share). Raises ProfileUnavailable when the profile is gone, not active, or
    its refresh failed for good (it is then marked for reconnection).
    """
    if profile is None:
        profile = SocialProfile.objects.filter(pk=profile_id).first()
    if profile is None:
        raise ProfileUnavailable(f"profile {profile_id} does not exist")
    adapter = profile_adapter(profile)
    if adapter.needs_refresh(timezone.now()):
        adapter.close()
        profile_credentials_refresh(profile_id=profile_id, only_if_due=True)
        profile.refresh_from_db()
        adapter = profile_adapter(profile)
    return profile, adapter


def _persist_credentials(profile: SocialProfile, credentials: Credentials) -> None:
    profile.set_credentials(credentials)
    profile.credentials_refreshed_at = timezone.now()
    profile.save(
        update_fields=[
            "access_token",
            "refresh_token",
            "expires_at",
            "secret_extra",
            "extra",
            "credentials_refreshed_at",
            "updated_at",
        ]
    )


def profile_save_credentials(*, profile: SocialProfile, adapter: Adapter) -> bool:
    """Store the credentials an adapter replaced on its own (e.g. the Bluesky SDK's refresh).

    All tokens are written in one statement under a row lock. Returns whether
    anything was written.
    """
    if not adapter.credentials_changed:
        return False
    with transaction.atomic():
        locked = SocialProfile.objects.select_for_update().filter(pk=profile.pk, state=State.ACTIVE).first()
        if locked is None:
            return False
        _persist_credentials(locked, adapter.credentials)
    profile.set_credentials(adapter.credentials)
    adapter.credentials_changed = False
    return True


def profile_credentials_refresh(*, profile_id: int, only_if_due: bool = False) -> SocialProfile | None:
    """Renew the profile's tokens; None when it is gone or not active.

    The row stays locked from reading the old refresh token until the new pair is
    written: X refresh tokens are single-use, so two workers refreshing at once, or
    a new pair lost between the network's answer and our write, would end the
    connection. Dead credentials mark the profile for reconnection.
    """
    with transaction.atomic():
        profile = SocialProfile.objects.select_for_update().filter(pk=profile_id, state=State.ACTIVE).first()
        if profile is None:
            return None
        adapter = profile_adapter(profile)
        try:
            # Another worker may have refreshed while this one waited for the lock.
            if only_if_due and not adapter.needs_refresh(timezone.now()):
                return profile
            adapter.refresh()
        except CredentialsDead as error:
            _mark_needs_reconnect(profile.pk, str(error))
            profile.refresh_from_db()
            return profile
        except PermanentError as error:
            # The app's own keys or settings, not the employee's connection.
            logger.warning("Refreshing social profile %s failed: %s", profile.pk, error)
            SocialProfile.objects.filter(pk=profile.pk).update(last_error=str(error)[:MAX_ERROR_CHARS])
            return profile
        finally:
            adapter.close()
        if adapter.credentials_changed:
            _persist_credentials(profile, adapter.credentials)
    return profile


# -- dead credentials -----------------------------------------------------------------


def reconnect_flag_sync(*, organization_id: int, owner_membership_id: int | None) -> None:
    """Set the flag the reconnect banner reads from what the profiles say now.

    The member's flag for their own profiles, the organization's for its company
    profiles. Called after every change of a profile's state (and by the profile's
    save and delete signals), so a flag is never off while a profile needs reconnecting.
    """
    from django.db.models import Exists

    from employees.models import Organization

    needing = SocialProfile.objects.filter(
        organization_id=organization_id, owner_membership_id=owner_membership_id, state=State.NEEDS_RECONNECT
    )
    if owner_membership_id is None:
        Organization.objects.filter(pk=organization_id).update(company_needs_reconnect=Exists(needing))
    else:
        Membership.objects.filter(pk=owner_membership_id, organization_id=organization_id).update(
            needs_reconnect=Exists(needing)
        )


def _mark_needs_reconnect(profile_id: int, reason: str) -> bool:
    from employees.profiles.tasks import profile_reconnect_notify_task

    changed = SocialProfile.objects.filter(pk=profile_id, state=State.ACTIVE).update(
        state=State.NEEDS_RECONNECT, last_error=reason[:MAX_ERROR_CHARS], updated_at=timezone.now()
    )
    if changed:
        owner = SocialProfile.objects.filter(pk=profile_id).values("organization_id", "owner_membership_id").first()
        if owner is not None:
            reconnect_flag_sync(**owner)
            profile_state_changed.send(sender=SocialProfile, organization_id=owner["organization_id"])
        logger.warning("Social profile %s needs reconnecting: %s", profile_id, reason)
        profile_reconnect_notify_task.delay_on_commit(profile_id)
    return bool(changed)


def profile_credentials_renewed_since(*, profile_id: int, since: datetime | None) -> bool:
    """Whether the profile's tokens were renewed after ``since`` (when an adapter was opened).

    A post sent with a token that another worker has just replaced is refused by the
    network; that says nothing about the connection, so it must not end it.
    """
    renewed = (
        SocialProfile.objects.filter(pk=profile_id, state=State.ACTIVE)
        .values_list("credentials_refreshed_at", flat=True)
        .first()
    )
    return renewed is not None and (since is None or renewed > since)


def profile_mark_needs_reconnect(*, profile_id: int, reason: str) -> bool:
    """The network refused the profile's credentials for good.

    Nothing is posted with the profile until its owner reconnects it; the owner sees
    a banner and gets one email. Returns False when it was not active any more.
    """
    with transaction.atomic():
        return _mark_needs_reconnect(profile_id, reason)


def _reconnect_recipients(profile: SocialProfile) -> list[str]:
    if profile.owner_membership is not None:
        owner = profile.owner_membership
        return [owner.user.email] if owner.is_active and owner.user.is_active else []
    # A company profile is looked after by the organization's admins and comms team.
    people = Membership.objects.filter(
        Q(is_admin=True) | Q(is_comms=True),
        organization_id=profile.organization_id,
        is_active=True,
        user__is_active=True,
    )
    return sorted({member.user.email for member in people.select_related("user")})


def profile_reconnect_notify(*, profile_id: int) -> bool:
    """Email the owner once that a profile needs reconnecting; returns whether it was sent.

    The email is claimed on the row (`reconnect_notified_at`) before it is sent, so a
    retried task, a second failure or a second worker never sends another.
    """
    now = timezone.now()
    claimed = SocialProfile.objects.filter(
        pk=profile_id, state=State.NEEDS_RECONNECT, reconnect_notified_at__isnull=True
    ).update(reconnect_notified_at=now)
    if not claimed:
        return False
    profile = SocialProfile.objects.select_related("organization", "owner_membership__user").get(pk=profile_id)
    recipients = _reconnect_recipients(profile)
    if not recipients:
        return False
    page = "profiles:company_profiles" if profile.is_company else "profiles:my_profiles"
    context = {
        "profile": profile,
        "organization": profile.organization,
        "url": settings.SITE_URL + reverse(page),
        "site_name": settings.SITE_NAME,
    }
    try:
        with override_for(profile.organization):
            subject = _("Reconnect your %(network)s profile on %(site)s") % {
                "network": profile.get_network_display(),
                "site": settings.SITE_NAME,
            }
            body = render_to_string("employees/profiles/email_reconnect.txt", context)
        send_mail(subject, body, None, recipients)
    except Exception:
        # Not sent: give the claim back so that the retried task sends it.
        SocialProfile.objects.filter(pk=profile_id, reconnect_notified_at=now).update(reconnect_notified_at=None)
        raise
    return True


# -- audience -------------------------------------------------------------------------


def profile_audience_refresh(*, profile_id: int) -> SocialProfile | None:
    """Read the profile's follower count from its network and keep it on the row."""
    try:
        profile, adapter = profile_adapter_open(profile_id=profile_id)
    except ProfileUnavailable:
        return None
    try:
        audience = adapter.fetch_audience()
    except Unsupported:
        return profile
    except CredentialsDead as error:
        profile_mark_needs_reconnect(profile_id=profile_id, reason=str(error))
        return None
    finally:
        profile_save_credentials(profile=profile, adapter=adapter)
        adapter.close()
    now = timezone.now()
    SocialProfile.objects.filter(pk=profile_id).update(followers=audience.followers, followers_at=now)
    profile.followers, profile.followers_at = audience.followers, now
    return profile


# -- network app credentials ----------------------------------------------------------


@transaction.atomic
def network_app_save(
    *, organization: Organization, network: str, client_id: str, client_secret: str = "", actor: User | None = None
) -> NetworkApp:
    """Set the organization's own app credentials for a network whose app is ours (LinkedIn, X).

    An empty secret keeps the stored one: the form never shows it back.
    """
    if network not in selectors.network_list_with_app():
        raise ValidationError(_("This network needs no app credentials."))
    client_id = client_id.strip()
    if not client_id:
        raise ValidationError(_("Enter the client id."))
    app = NetworkApp.objects.select_for_update().filter(organization=organization, network=network).first()
    if app is None:
        app = NetworkApp(organization=organization, network=network, instance_url="")
    app.client_id = client_id
    if client_secret.strip():
        app.client_secret = client_secret.strip()
    if get_adapter_class(network).app_secret_required and not app.client_secret:
        raise ValidationError(
            _("%(network)s needs the client secret too.") % {"network": get_adapter_class(network).label}
        )
    app.save()
    # The client id is not a secret; whether the secret changed is all the log says of it.
    audit_record(
        organization=organization,
        actor=actor,
        action=AuditEvent.Action.SETTINGS_CHANGED,
        target=get_adapter_class(network).label,
        detail={
            "settings": "network_app",
            "network": network,
            "client_id": client_id,
            "secret_changed": bool(client_secret.strip()),
        },
    )
    return app


@transaction.atomic
def network_app_delete(*, organization: Organization, network: str, actor: User | None = None) -> None:
    deleted, _rows = NetworkApp.objects.filter(organization=organization, network=network, instance_url="").delete()
    if deleted:
        audit_record(
            organization=organization,
            actor=actor,
            action=AuditEvent.Action.SETTINGS_CHANGED,
            target=get_adapter_class(network).label,
            detail={"settings": "network_app", "network": network, "removed": True},
        )
