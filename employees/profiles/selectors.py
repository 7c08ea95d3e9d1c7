"""Reads for connected profiles and the networks an organization can connect to."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from employees.models import NetworkApp, Role, SocialProfile
from networks import ADAPTERS, get_adapter_class
from networks.base import AppCredentials, ConnectKind

if TYPE_CHECKING:
    from django.utils.functional import Promise

    from employees.models import Membership, Organization

State = SocialProfile.State

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
    # A company connection ends with picking one of the account's pages.
    company_page_choice: bool = False


def profile_list_for_member(*, membership: Membership) -> QuerySet[SocialProfile]:
    """The member's own profiles, without the ones they disconnected."""
    return SocialProfile.objects.filter(
        organization_id=membership.organization_id, owner_membership=membership
    ).exclude(state=State.DISCONNECTED)


def profile_list_company(*, organization: Organization) -> QuerySet[SocialProfile]:
    return SocialProfile.objects.filter(organization=organization, owner_membership__isnull=True).exclude(
        state=State.DISCONNECTED
    )


def profile_list_needing_reconnect(*, membership: Membership) -> list[SocialProfile]:
    """What the reconnect banner shows: own profiles, and company ones for admins and comms."""
    owned = Q(owner_membership=membership)
    if membership.has_role(Role.ADMIN, Role.COMMS):
        owned |= Q(owner_membership__isnull=True)
    return list(
        SocialProfile.objects.filter(
            owned, organization_id=membership.organization_id, state=State.NEEDS_RECONNECT
        ).order_by("network", "handle")
    )


def network_app_get(*, organization_id: int | None, network: str) -> NetworkApp | None:
    """The organization's own app row, else the global one."""
    rows = NetworkApp.objects.filter(network=network, instance_url="").filter(
        Q(organization_id=organization_id) | Q(organization__isnull=True)
    )
    # The organization's row first, whatever order the backend gives NULLs by default.
    return rows.order_by(F("organization_id").asc(nulls_last=True)).first()


def network_list_with_app() -> list[str]:
    return [name for name, adapter in ADAPTERS.items() if adapter.app_settings is not None]


def network_settings_options(*, network: str, connect: bool = False) -> dict[str, str]:
    """The adapter's options that come from settings, leaving out those not set."""
    adapter = get_adapter_class(network)
    names = adapter.connect_settings if connect else adapter.settings_options
    options = {option: str(getattr(settings, setting, "") or "") for option, setting in names.items()}
    return {option: value for option, value in options.items() if value}


def network_app_credentials(*, organization_id: int | None, network: str) -> AppCredentials | None:
    """The app credentials of a network whose app is ours (LinkedIn, X): a row overrides the settings.

    None when there are none, and the network is then shown as unavailable.
    """
    adapter = ADAPTERS.get(network)
    if adapter is None or adapter.app_settings is None:
        return None
    row = network_app_get(organization_id=organization_id, network=network)
    if row is not None and row.client_id:
        client_id, client_secret = row.client_id, row.client_secret
    else:
        id_setting, secret_setting = adapter.app_settings
        client_id = str(getattr(settings, id_setting, "") or "")
        client_secret = str(getattr(settings, secret_setting, "") or "")
    if not client_id or (adapter.app_secret_required and not client_secret):
        return None
    return AppCredentials(client_id=client_id, client_secret=client_secret)


def network_app_source(*, organization: Organization, network: str) -> str:
    """Where the app credentials come from: "organization", "global", "settings" or ""."""
    row = network_app_get(organization_id=organization.id, network=network)
    if row is not None and row.client_id:
        return "organization" if row.organization_id else "global"
    if network_app_credentials(organization_id=None, network=network) is not None:
        return "settings"
    return ""


def instance_app_get(*, network: str, instance_url: str) -> NetworkApp | None:
    """Our app's registration on one server of a per-instance network, shared by all organizations."""
    return NetworkApp.objects.filter(organization__isnull=True, network=network, instance_url=instance_url).first()


# The order the pages list the ways to connect: sign-in first, the share dialog last.
_KIND_ORDER = [ConnectKind.APP_PASSWORD, ConnectKind.OAUTH_PER_INSTANCE, ConnectKind.OAUTH, ConnectKind.SHARE_DIALOG]


def network_options(*, organization: Organization) -> list[NetworkOption]:
    options = []
    for network, adapter in sorted(ADAPTERS.items(), key=lambda item: _KIND_ORDER.index(item[1].connect_kind)):
        kind = adapter.connect_kind
        available, reason = True, ""
        if (
            adapter.app_settings is not None
            and network_app_credentials(organization_id=organization.id, network=network) is None
        ):
            available = False
            reason = _("No %(network)s app credentials have been added yet.") % {"network": adapter.label}
        options.append(
            NetworkOption(
                network=network,
                label=adapter.label,
                kind=kind,
                available=available,
                reason=reason,
                company_page_choice=adapter.company_page_choice,
            )
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
    networks = [name for name, adapter in ADAPTERS.items() if adapter.reports_followers]
    return list(
        SocialProfile.objects.filter(state=State.ACTIVE, network__in=networks)
        .exclude(access_token="")
        .values_list("id", flat=True)
    )
