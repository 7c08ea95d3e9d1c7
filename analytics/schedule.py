"""How often beat refreshes the figures: read by config/celery.py and by the pages that
say when the next update comes. No Django imports (config/celery.py loads it first)."""

from __future__ import annotations

from datetime import datetime, timedelta

# Beat's rollup run (new shares enrolled, clicks ingested) and engagement pull.
ROLLUP_EVERY_MINUTES = 5
PULL_EVERY_MINUTES = 10


def next_run(now: datetime, every_minutes: int) -> datetime:
    """The next time a crontab of `*/every_minutes` fires after `now` (same time zone)."""
    start = now.replace(second=0, microsecond=0)
    minutes = every_minutes - start.minute % every_minutes
    return start + timedelta(minutes=minutes)
