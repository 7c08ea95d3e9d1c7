"""Beat's heartbeat: a file touched on every tick, and a check of its age.

A container healthcheck cannot ask beat whether it is alive (it serves no requests);
a stale heartbeat file says it is stuck or gone.

    python -m config.heartbeat [MAX_AGE_SECONDS]   # exit 0 when fresh, 1 when stale or missing
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from celery.beat import PersistentScheduler

# Beat ticks at least this often (config/celery.py sets beat_max_interval to 60 s).
DEFAULT_MAX_AGE = 180


class HeartbeatScheduler(PersistentScheduler):
    """The default scheduler, touching the heartbeat file on every tick."""

    def tick(self, *args, **kwargs):
        from django.conf import settings

        heartbeat = Path(settings.BEAT_HEARTBEAT_FILE)
        heartbeat.parent.mkdir(parents=True, exist_ok=True)
        heartbeat.touch()
        return super().tick(*args, **kwargs)


def heartbeat_fresh(path: Path, *, max_age: float) -> bool:
    try:
        return time.time() - path.stat().st_mtime <= max_age
    except OSError:
        return False


def main(argv: list[str]) -> int:
    # Without Django: the healthcheck runs every few seconds and should cost nothing.
    var_dir = Path(os.environ.get("VAR_DIR", Path(__file__).resolve().parent.parent / "var"))
    path = Path(os.environ.get("BEAT_HEARTBEAT_FILE", var_dir / "celerybeat-heartbeat"))
    max_age = float(argv[0]) if argv else DEFAULT_MAX_AGE
    if heartbeat_fresh(path, max_age=max_age):
        return 0
    print(f"beat heartbeat {path} is missing or older than {max_age:.0f}s", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
