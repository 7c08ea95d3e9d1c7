"""Reads: a person's effective preferences, who hears of a post, a person's devices."""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import datetime, timedelta

from employees.access import descendant_team_ids
from employees.models import Membership, Organization
from notifications.models import (
    DEFAULT_NEW_POST_EMAIL,
    OFFERED,
    Channel,
    EmailFrequency,
    Event,
    MemberPreferences,
    OrganizationDefaults,
    PushSubscription,
    SlackConnection,
    default_grid,
)


@dataclass
class Preferences:
    grid: dict[str, dict[str, bool]]
    new_post_email: str
    language: str
    quiet_start: int | None
    quiet_end: int | None
    own: bool  # saved by the person, rather than the organization's defaults
    chosen_language: str = ""  # empty: the organization's, whatever it becomes

    def wants(self, event: str, channel: str) -> bool:
        if (event, channel) not in OFFERED:
            return False
        if event == Event.NEW_POST and channel == Channel.EMAIL:
            return self.new_post_email != EmailFrequency.OFF
        return bool(self.grid.get(event, {}).get(channel, False))

    @property
    def everything_off(self) -> bool:
        return not any(self.wants(event, channel) for event in Event.values for channel in Channel.values)


def _complete(grid: dict) -> dict[str, dict[str, bool]]:
    """The grid with every cell present (a cell missing from a stored grid is off)."""
    return {
        event: {channel: bool((grid or {}).get(event, {}).get(channel, False)) for channel in Channel.values}
        for event in Event.values
    }


def organization_defaults(*, organization: Organization) -> OrganizationDefaults:
    found = OrganizationDefaults.objects.filter(organization=organization).first()
    return found or OrganizationDefaults(organization=organization, grid=default_grid())


def preferences_for(*, membership: Membership) -> Preferences:
    own = MemberPreferences.objects.filter(membership=membership).first()
    if own is not None:
        return Preferences(
            grid=_complete(own.grid),
            new_post_email=own.new_post_email,
            language=own.language or membership.organization.language,
            quiet_start=own.quiet_start,
            quiet_end=own.quiet_end,
            own=True,
            chosen_language=own.language,
        )
    defaults = organization_defaults(organization=membership.organization)
    return Preferences(
        grid=_complete(defaults.grid),
        new_post_email=defaults.new_post_email or DEFAULT_NEW_POST_EMAIL,
        language=membership.organization.language,
        quiet_start=None,
        quiet_end=None,
        own=False,
    )


def post_audience(*, post) -> list[Membership]:
    """Active employees whose feed shows the post: everyone, or its teams and the teams below them."""
    members = Membership.objects.filter(
        organization_id=post.organization_id, is_active=True, is_employee=True, user__is_active=True
    ).select_related("user", "organization")
    audience = set(post.audience_teams.values_list("id", flat=True))
    if audience:
        members = members.filter(teams__id__in=descendant_team_ids(post.organization_id, audience)).distinct()
    return list(members)


def push_subscriptions_for(*, membership: Membership):
    return PushSubscription.objects.filter(organization_id=membership.organization_id, membership=membership).order_by(
        "-created_at"
    )


def slack_connection_active(*, organization_id: int) -> bool:
    """Whether the organization's Slack app is connected and usable for messages."""
    return SlackConnection.objects.filter(organization_id=organization_id, state=SlackConnection.State.ACTIVE).exists()


def organization_zone(organization: Organization) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(organization.timezone or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def quiet_until(*, preferences: Preferences, organization: Organization, now: datetime) -> datetime | None:
    """When the person's quiet hours end, if `now` falls inside them; else None.

    Hours are read in the organization's time zone; a range such as 22-7 crosses midnight.
    """
    start, end = preferences.quiet_start, preferences.quiet_end
    if start is None or end is None or start == end:
        return None
    local = now.astimezone(organization_zone(organization))
    hour = local.hour
    inside = start <= hour < end if start < end else (hour >= start or hour < end)
    if not inside:
        return None
    ends = local.replace(hour=end, minute=0, second=0, microsecond=0)
    if ends <= local:
        ends += timedelta(days=1)
    # Normalise through UTC: adding a day across a daylight-saving change keeps the wall clock.
    return ends.astimezone(zoneinfo.ZoneInfo("UTC"))


def preferences_for_many(*, memberships: list[Membership]) -> dict[int, Preferences]:
    """Everyone's effective preferences in two queries (a post's whole audience at once)."""
    if not memberships:
        return {}
    own = {row.membership_id: row for row in MemberPreferences.objects.filter(membership__in=memberships)}
    found: dict[int, Preferences] = {}
    defaults_by_org: dict[int, OrganizationDefaults] = {}
    for membership in memberships:
        row = own.get(membership.id)
        if row is None:
            organization = membership.organization
            defaults = defaults_by_org.get(organization.id)
            if defaults is None:
                defaults = defaults_by_org[organization.id] = organization_defaults(organization=organization)
            found[membership.id] = Preferences(
                grid=_complete(defaults.grid),
                new_post_email=defaults.new_post_email,
                language=organization.language,
                quiet_start=None,
                quiet_end=None,
                own=False,
            )
        else:
            found[membership.id] = Preferences(
                grid=_complete(row.grid),
                new_post_email=row.new_post_email,
                language=row.language or membership.organization.language,
                quiet_start=row.quiet_start,
                quiet_end=row.quiet_end,
                own=True,
                chosen_language=row.language,
            )
    return found
