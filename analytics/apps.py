from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    name = "analytics"
    verbose_name = _("Analytics")

    def ready(self) -> None:
        from advocacy import signals
        from analytics import signals as analytics_signals
        from analytics.services import freshness

        analytics_signals.connect()

        signals.share_posted.connect(freshness.on_share_posted, dispatch_uid="analytics-share-posted")
        signals.link_followed.connect(freshness.on_link_followed, dispatch_uid="analytics-link-followed")
