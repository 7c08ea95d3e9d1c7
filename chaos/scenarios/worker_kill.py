"""worker-kill: 1,000 shares to the local Bluesky network (10 accounts × 100 posts) while
the Celery worker is SIGKILLed again and again and a new one started each time.

Proves: a worker dying mid-post loses nothing (the sweeper gives back the rows it left
in "posting" and the messages it held) and doubles nothing (a retried post carries the
share's record key, so the PDS keeps one record). Counted on the PDS, per account.
"""

from __future__ import annotations

import time

from advocacy.models import Share
from chaos.bluesky import Bluesky, count_on_network
from chaos.platform import organization_create, posts_create, share_create, shares_settle, status_counts
from chaos.processes import log_dir, start_worker, wait_for
from chaos.result import Result

NAME = "worker-kill"
ACCOUNTS = 10
POSTS = 100
KILLS = 4
# A worker lives at least this long, and posts at least MIN_PROGRESS shares, before it is killed.
# Short enough that four kills happen well before the 1,000 shares are through: on a quiet
# machine a worker posts about 40 shares a second, and at 6 s the fourth worker could find
# only the few rows its killed predecessor left for the sweeper (it then waited in vain).
KILL_EVERY = 3.0
MIN_PROGRESS = 10
CONCURRENCY = 3


def posted_count(share_ids: list[int]) -> int:
    return Share.objects.filter(id__in=share_ids, status=Share.Status.POSTED).count()


def run(prepared: dict) -> Result:
    result = Result(NAME, logs=str(log_dir(NAME)))
    bluesky = Bluesky(NAME).start()
    worker = None
    try:
        organization, members = organization_create("Chaos worker kill", people=ACCOUNTS)
        connected = [bluesky.connect(member, "wk") for member in members]
        posts = posts_create(organization, POSTS)
        share_ids, number = [], 0
        for post in posts:
            for member, (_account, profile) in zip(members, connected, strict=True):
                number += 1
                share_ids.append(share_create(member=member, post=post, profile=profile, tag=NAME, number=number).id)
        result.shares = len(share_ids)

        kills = 0
        worker = start_worker(NAME, "1", concurrency=CONCURRENCY)
        while kills < KILLS:
            born, before = time.monotonic(), posted_count(share_ids)
            wait_for(
                lambda before=before: posted_count(share_ids) >= before + MIN_PROGRESS,
                timeout=300,
                what=f"worker {kills + 1} posting",
            )
            time.sleep(max(KILL_EVERY - (time.monotonic() - born), 0))
            if posted_count(share_ids) == len(share_ids):
                break  # nothing left to interrupt
            worker.kill()
            kills += 1
            worker = start_worker(NAME, str(kills + 1), concurrency=CONCURRENCY)
        result.figures["kills"] = kills
        result.check(kills == KILLS, f"only {kills} of {KILLS} kills happened before the run ended")

        swept = shares_settle(share_ids, timeout=1200)
        result.figures |= swept
        counts = count_on_network(bluesky, [account for account, _profile in connected], share_ids, NAME)
        result.posted, result.duplicates, result.lost = counts["posted"], counts["duplicates"], counts["lost"]
        result.figures["records"] = counts["records"]
        statuses = status_counts(share_ids)
        result.check(statuses == {"posted": len(share_ids)}, f"share statuses {statuses}")
        result.check(result.posted == result.shares, f"{result.shares - result.posted} shares not posted once")
        result.check(result.duplicates == 0, f"{result.duplicates} duplicate records on the PDS")
        result.check(result.lost == 0, f"{result.lost} shares missing on the PDS")
    finally:
        if worker is not None:
            worker.stop()
        bluesky.stop()
    return result
