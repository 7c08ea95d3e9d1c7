"""The organization's analytics settings, with the documented defaults when none are saved."""

from __future__ import annotations

from analytics.models import AnalyticsSettings
from networks import ADAPTERS


def analytics_settings_get(*, organization_id: int) -> AnalyticsSettings:
    """The saved settings, or an unsaved row holding the defaults (reading never writes)."""
    found = AnalyticsSettings.objects.filter(organization_id=organization_id).first()
    return found or AnalyticsSettings(organization_id=organization_id)


def is_pullable(network: str) -> bool:
    """Whether the network can be asked for post engagement at all (Facebook cannot)."""
    adapter = ADAPTERS.get(network)
    return adapter is not None and adapter.metrics_batch_size > 0
