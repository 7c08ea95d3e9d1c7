"""Fresh figures without waiting for beat: a rollup run queued right after the events
that change them, at most once per window however many events come.

- a share posted: enrolled in the figures within seconds (`share_posted`);
- a pull that read something: booked already, a run then ingests the clicks too;
- a burst of clicks: one run once the newest is older than `CLICK_LAG` (clicks younger
  than that are left for the next run, see analytics/services/rollups.py).

The window is kept in the shared cache (one key per reason), and for clicks also in
the process, so that a busy link costs a cache round trip at most once a window.
A run that cannot be queued (broker away) is only logged: beat's own run still comes.
"""

from __future__ import annotations

import logging
import threading
import time

from django.core.cache import cache
from django.db import transaction

from analytics.services.rollups import CLICK_LAG

logger = logging.getLogger(__name__)

KEY = "analytics:rollup-soon:{reason}"
# Seconds: one queued run per window and reason.
WINDOWS = {"share": 10, "pull": 10, "clicks": 30}
# Seconds after the event: clicks wait until they are old enough to be ingested.
DELAYS = {"share": 2, "pull": 1, "clicks": int(CLICK_LAG.total_seconds()) + 5}

_local = threading.local()


def rollup_soon(*, reason: str) -> bool:
    """Queue one rollup run for `reason` unless one was queued within its window; True if queued."""
    window, delay = WINDOWS[reason], DELAYS[reason]
    try:
        if not cache.add(KEY.format(reason=reason), 1, timeout=window):
            return False
    except Exception:  # the cache away: leave it to beat
        logger.warning("Could not reach the cache to queue a rollup run", exc_info=True)
        return False
    from analytics.tasks import rollups_update_task

    try:
        rollups_update_task.apply_async(countdown=delay, retry=False)
    except Exception:
        cache.delete(KEY.format(reason=reason))
        logger.warning("Could not queue a rollup run (%s); beat's run will count it", reason, exc_info=True)
        return False
    return True


def on_share_posted(**kwargs) -> None:
    """A share was posted: count it in the figures soon (after the current transaction)."""
    transaction.on_commit(lambda: rollup_soon(reason="share"))


def on_link_followed(**kwargs) -> None:
    """A person followed a tracked link: ingest the burst soon. Cheap when called per click."""
    now = time.monotonic()
    if now < getattr(_local, "clicks_until", 0.0):
        return
    _local.clicks_until = now + WINDOWS["clicks"]
    transaction.on_commit(lambda: rollup_soon(reason="clicks"))
