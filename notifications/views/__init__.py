from __future__ import annotations

from notifications.views.preferences import notification_defaults, notification_preferences
from notifications.views.push import push_subscribe, push_unsubscribe
from notifications.views.unsubscribe import unsubscribe

__all__ = ["notification_defaults", "notification_preferences", "push_subscribe", "push_unsubscribe", "unsubscribe"]
