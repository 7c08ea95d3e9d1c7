"""broker-restart: 250 shares to the local Bluesky network while the broker, a
redis-server of the scenario's own without persistence, is SIGKILLed and brought
back on the same port.

Proves: the worker reconnects by itself, and the messages that died with the broker
are sent again by the sweeper (it re-queues shares left "queued" or "posting" with no
message behind them); every share is posted exactly once, counted on the PDS.
"""

from __future__ import annotations

import time

from advocacy.models import Share
from chaos.bluesky import Bluesky, count_on_network
from chaos.platform import organization_create, posts_create, share_create, shares_settle, status_counts
from chaos.processes import RedisServer, log_dir, start_worker, wait_for
from chaos.result import Result

NAME = "broker-restart"
ACCOUNTS = 5
POSTS = 50
# The broker goes down once this many shares are out, and stays down this long.
KILL_AFTER_POSTED = 50
OUTAGE_SECONDS = 5.0
CONCURRENCY = 3


def run(prepared: dict) -> Result:
    broker: RedisServer = prepared["broker"]
    result = Result(NAME, logs=str(log_dir(NAME)))
    bluesky = Bluesky(NAME).start()
    worker = None
    try:
        organization, members = organization_create("Chaos broker restart", people=ACCOUNTS)
        connected = [bluesky.connect(member, "br") for member in members]
        posts = posts_create(organization, POSTS)
        share_ids, number = [], 0
        for post in posts:
            for member, (_account, profile) in zip(members, connected, strict=True):
                number += 1
                share_ids.append(share_create(member=member, post=post, profile=profile, tag=NAME, number=number).id)
        result.shares = len(share_ids)

        def posted() -> int:
            return Share.objects.filter(id__in=share_ids, status=Share.Status.POSTED).count()

        worker = start_worker(NAME, "1", concurrency=CONCURRENCY)
        wait_for(lambda: posted() >= KILL_AFTER_POSTED, timeout=300, what="first shares posted")
        broker.kill()
        at_kill = posted()
        queued = Share.objects.filter(id__in=share_ids, status__in=[Share.Status.QUEUED, Share.Status.POSTING]).count()
        time.sleep(OUTAGE_SECONDS)  # the outage itself: nothing to poll for
        broker.start()
        log_from = len(worker.log_text())
        wait_for(
            lambda: "Connected to redis://" in worker.log_text()[log_from:],
            timeout=120,
            what="the worker reconnecting to the broker",
        )
        result.check(at_kill < len(share_ids), "every share was out before the broker went down")
        result.figures |= {"posted_at_kill": at_kill, "unsent_at_kill": queued, "outage": f"{OUTAGE_SECONDS:.0f}s"}

        swept = shares_settle(share_ids, timeout=900)
        result.figures |= swept
        result.check(worker.alive, "the worker died with the broker")
        result.figures["worker_survived"] = "yes" if worker.alive else "no"
        counts = count_on_network(bluesky, [account for account, _profile in connected], share_ids, NAME)
        result.posted, result.duplicates, result.lost = counts["posted"], counts["duplicates"], counts["lost"]
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
