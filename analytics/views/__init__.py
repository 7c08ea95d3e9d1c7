"""Analytics pages: the reach dashboard, my impact, reports, leaderboard, settings, digests."""

from analytics.views.dashboard import dashboard
from analytics.views.digests import unsubscribe
from analytics.views.dividend import dividend
from analytics.views.exports import export
from analytics.views.impact import leaderboard_opt_in, my_impact
from analytics.views.leaderboard import leaderboard
from analytics.views.reports import post_report
from analytics.views.settings import analytics_settings

__all__ = [
    "analytics_settings",
    "dashboard",
    "dividend",
    "export",
    "leaderboard",
    "leaderboard_opt_in",
    "my_impact",
    "post_report",
    "unsubscribe",
]
