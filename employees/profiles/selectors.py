"""Reads for connected profiles and the networks an organization can connect to."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from employees.models import NetworkApp, Role, SocialProfile
from networks import ADAPTERS
from networks.base import AppCredentials

if TYPE_CHECKING:
    from django.utils.functional import Promise

    from employees.models import Membership, Organization

State = SocialProfile.State

# Networks whose OAuth app is ours to register, with the settings that may hold it.
APP_SETTINGS: dict[str, tuple[str, str]] = {
    "linkedin": ("LINKEDIN_CLIENT_ID", "LINKEDIN_CLIENT_SECRET"),
    "x": ("X_CLIENT_ID", "X_CLIENT_SECRET"),
}
# X allows public clients (PKCE, no secret); LinkedIn's code exchange needs the secret.
SECRET_REQUIRED = {"linkedin": True, "x": False}

# How each network connects, in the order the pages list them.
CONNECT_KINDS: dict[str, str] = {
    "bluesky": "app_password",
    "mastodon": "instance",
    "linkedin": "oauth",
    "x": "oauth",
    "facebook": "share_dialog",
}

# The refresh schedule renews tokens that expire within this window, at most once per
# REFRESH_AT_MOST_EVERY: short-lived tokens (X, Bluesky: hours) are renewed before a
# post needs them, so the schedule only keeps their refresh sessions alive.
REFRESH_WINDOW = timedelta(days=1)
REFRESH_AT_MOST_EVERY = timedelta(hours=20)


@dataclass(frozen=True)
class NetworkOption:
    network: str
    label: str
    kind: str
    available: bool
    reason: str | Promise = ""


def profile_list_for_member(*, membership: Membership) -> QuerySet[SocialProfile]:
    """The member's own profiles, without the ones they disconnected."""
    return SocialProfile.objects.filter(
        organization_id=membership.organization_id, owner_membership=membership
    ).exclude(state=State.DISCONNECTED)


def profile_list_company(*, organization: Organization) -> QuerySet[SocialProfile]:
    return SocialProfile.objects.filter(organization=organization, owner_membership__isnull=True).exclude(
        state=State.DISCONNECTED
    )


def profile_list_usable(*, membership: Membership) -> QuerySet[SocialProfile]:
    """Profiles the member may share to now: their own active ones."""
    return profile_list_for_member(membership=membership).filter(state=State.ACTIVE)


def profiles_needing_reconnect(*, membership: Membership) -> list[SocialProfile]:
    """What the reconnect banner shows: own profiles, and company ones for admins and comms."""
    owned = Q(owner_membership=membership)
    if membership.has_role(Role.ADMIN, Role.COMMS):
        owned |= Q(owner_membership__isnull=True)
    return list(
        SocialProfile.objects.filter(
            owned, organization_id=membership.organization_id, state=State.NEEDS_RECONNECT
        ).order_by("network", "handle")
    )


def network_app_row(*, organization_id: int | None, network: str) -> NetworkApp | None:
    """The organization's own app row, else the global one."""
    rows = NetworkApp.objects.filter(network=network, instance_url="").filter(
        Q(organization_id=organization_id) | Q(organization__isnull=True)
    )
    # The organization's row first, whatever order the backend gives NULLs by default.
    return rows.order_by(F("organization_id").asc(nulls_last=True)).first()


def network_app_credentials(*, organization_id: int | None, network: str) -> AppCredentials | None:
    """The app credentials for LinkedIn or X: an app row overrides the settings.

    None when there are none, and the network is then shown as unavailable.
    """
    if network not in APP_SETTINGS:
        return None
    row = network_app_row(organization_id=organization_id, network=network)
    if row is not None and row.client_id:
        client_id, client_secret = row.client_id, row.client_secret
    else:
        id_setting, secret_setting = APP_SETTINGS[network]
        client_id = str(getattr(settings, id_setting, "") or "")
        client_secret = str(getattr(settings, secret_setting, "") or "")
    if not client_id or (SECRET_REQUIRED[network] and not client_secret):
        return None
    return AppCredentials(client_id=client_id, client_secret=client_secret)


def network_app_source(*, organization: Organization, network: str) -> str:
    """Where the app credentials come from: "organization", "global", "settings" or ""."""
    row = network_app_row(organization_id=organization.id, network=network)
    if row is not None and row.client_id:
        return "organization" if row.organization_id else "global"
    if network_app_credentials(organization_id=None, network=network) is not None:
        return "settings"
    return ""


def mastodon_app(*, instance_url: str) -> NetworkApp | None:
    return NetworkApp.objects.filter(organization__isnull=True, network="mastodon", instance_url=instance_url).first()


def network_options(*, organization: Organization) -> list[NetworkOption]:
    options = []
    for network, kind in CONNECT_KINDS.items():
        adapter = ADAPTERS[network]
        available, reason = True, ""
        if (
            network in APP_SETTINGS
            and network_app_credentials(organization_id=organization.id, network=network) is None
        ):
            available = False
            reason = _("No %(network)s app credentials have been added yet.") % {"network": adapter.label}
        options.append(
            NetworkOption(network=network, label=adapter.label, kind=kind, available=available, reason=reason)
        )
    return options


def profile_ids_due_for_refresh(*, now: datetime) -> list[int]:
    """Active profiles with a refresh token whose access token expires within a day."""
    return list(
        SocialProfile.objects.filter(state=State.ACTIVE, expires_at__isnull=False, expires_at__lte=now + REFRESH_WINDOW)
        .exclude(refresh_token="")
        .filter(Q(credentials_refreshed_at__isnull=True) | Q(credentials_refreshed_at__lte=now - REFRESH_AT_MOST_EVERY))
        .values_list("id", flat=True)
    )


def profile_ids_expired_for_good(*, now: datetime) -> list[int]:
    """Active profiles whose token has expired and that hold no refresh token."""
    return list(
        SocialProfile.objects.filter(state=State.ACTIVE, expires_at__isnull=False, expires_at__lte=now)
        .filter(refresh_token="")
        .values_list("id", flat=True)
    )


def profile_ids_for_audience() -> list[int]:
    """Active profiles with credentials, on networks that report followers."""
    return list(
        SocialProfile.objects.filter(state=State.ACTIVE)
        .exclude(network="facebook")
        .exclude(access_token="")
        .values_list("id", flat=True)
    )
