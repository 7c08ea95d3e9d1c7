"""Which team's posts go to which Slack channel and Teams webhook (admins)."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from employees.audit import audit_record
from employees.models import AuditEvent, Organization, Team, User
from notifications.models import TeamChannel
from notifications.services.teams import teams_webhook_check

# A channel id (C0123ABCD) or a public channel's name (#news or news).
_SLACK_CHANNEL = re.compile(r"^(?:[CG][A-Z0-9]{6,20}|#?[a-z0-9][a-z0-9_-]{0,79})$")


def slack_channel_clean(value: str) -> str:
    value = value.strip()
    if value and not _SLACK_CHANNEL.fullmatch(value):
        raise ValidationError(_("A Slack channel is its id (such as C0123ABCD) or its name (such as #news)."))
    return value


@transaction.atomic
def team_channels_save(*, organization: Organization, routes: dict[int, tuple[str, str | None]], actor: User) -> None:
    """`routes`: team id → (Slack channel, Teams webhook or None to keep the stored one)."""
    teams = {team.id: team for team in Team.objects.filter(organization=organization, id__in=routes)}
    for team_id, (channel, webhook) in routes.items():
        team = teams.get(team_id)
        if team is None:
            continue
        route = TeamChannel.objects.filter(organization=organization, team=team).first()
        if route is None:
            if not channel and not webhook:
                continue
            route = TeamChannel(organization=organization, team=team)
        route.slack_channel = channel
        if webhook is not None:
            route.teams_webhook = webhook
            route.teams_state, route.teams_problem = TeamChannel.State.ACTIVE, ""
        route.save()
    audit_record(organization=organization, actor=actor, action=AuditEvent.Action.SETTINGS_CHANGED, target="channels")


def teams_webhook_clean(value: str) -> str:
    value = value.strip()
    return teams_webhook_check(value) if value else ""
