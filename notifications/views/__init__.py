from __future__ import annotations

from notifications.views.channels import slack_callback, slack_connect, slack_disconnect, slack_events, team_channels
from notifications.views.preferences import notification_defaults, notification_preferences
from notifications.views.push import push_subscribe, push_unsubscribe
from notifications.views.unsubscribe import unsubscribe

__all__ = [
    "notification_defaults",
    "notification_preferences",
    "push_subscribe",
    "push_unsubscribe",
    "slack_callback",
    "slack_connect",
    "slack_disconnect",
    "slack_events",
    "team_channels",
    "unsubscribe",
]
