"""long-rate-limit: shares to X and Mastodon through a loopback server whose first answer
to each is a 429 with a reset one hour ahead (X's x-rate-limit-reset, Mastodon's
Retry-After), the second a success.

Proves: a wait longer than the broker should hold is kept in the database, not in the
broker (no message is left unacknowledged in Redis while the shares wait, so nothing can
be delivered again when the visibility timeout runs out, and no worker keeps them in
memory); nothing is retried before its time, not even by the sweeper; beat's release,
run here with its clock moved an hour ahead as the sweeper scenarios do, sends each
share once, at the time the network named; every share is posted once.
"""

from __future__ import annotations

import json
import os
import time
from datetime import UTC, datetime, timedelta

import redis
from django.conf import settings
from django.utils import timezone

from advocacy import services
from advocacy.models import Share
from chaos.faults import FaultServer
from chaos.platform import (
    comment_for,
    organization_create,
    posts_create,
    profile_connect,
    share_create,
    shares_settle,
    status_counts,
)
from chaos.processes import log_dir, start_worker, wait_for
from chaos.result import Result
from networks.base import Credentials

NAME = "long-rate-limit"
PROFILES_PER_NETWORK = 3
POSTS = 4
SCRIPT = ("429", "ok")
WAIT_ASKED = 3600.0
# How long the parked shares are watched, in real time, for a retry that should not come.
WATCH_SECONDS = 20.0


def run(prepared: dict) -> Result:
    result = Result(NAME, logs=str(log_dir(NAME)))
    pattern = comment_for(NAME, 0)[:-5] + r"(\d{5})"
    server = FaultServer(pattern=pattern, script=SCRIPT, wait=WAIT_ASKED).start()
    os.environ["X_API_BASE"] = server.url
    worker = None
    try:
        organization, members = organization_create("Chaos long rate limit", people=2 * PROFILES_PER_NETWORK)
        profiles = []
        for index, member in enumerate(members):
            if index < PROFILES_PER_NETWORK:
                credentials = Credentials(
                    access_token=f"x-token-{index}",
                    refresh_token=f"x-refresh-{index}",
                    expires_at=datetime.now(UTC) + timedelta(hours=3),
                    extra={"username": f"chaos{index}"},
                )
                profile = profile_connect(
                    member, network="x", remote_id=f"{index}", credentials=credentials, handle=f"@chaos{index}"
                )
            else:
                credentials = Credentials(
                    access_token=f"mastodon-token-{index}", extra={"instance_url": server.url, "max_characters": 500}
                )
                profile = profile_connect(
                    member,
                    network="mastodon",
                    remote_id=f"{index}@chaos",
                    credentials=credentials,
                    handle=f"@chaos{index}@127.0.0.1",
                )
            profiles.append(profile)
        share_ids, number = [], 0
        for post in posts_create(organization, POSTS):
            for member, profile in zip(members, profiles, strict=True):
                number += 1
                share_ids.append(share_create(member=member, post=post, profile=profile, tag=NAME, number=number).id)
        result.shares = len(share_ids)

        worker = start_worker(NAME, "1", concurrency=3)
        wait_for(lambda: _rate_limited(server) == len(share_ids), timeout=300, interval=0.5, what="every first 429")
        # Every share has met its 429 and is waiting; watch them wait.
        time.sleep(WATCH_SECONDS)
        unacked = _unacknowledged_messages()
        due = dict(Share.objects.filter(id__in=share_ids).values_list("id", "next_attempt_at"))
        statuses_waiting = status_counts(share_ids)
        swept = services.shares_requeue_stuck(now=timezone.now() + services.STUCK_AFTER * 2)
        early_release = services.shares_release_due(now=timezone.now() + timedelta(minutes=30))
        calls_while_waiting = len(server.book.calls)

        released = services.shares_release_due(now=timezone.now() + timedelta(seconds=WAIT_ASKED + 60))
        result.figures |= shares_settle(share_ids, timeout=300, clock_ahead=timedelta(0))
        judge(result, server, share_ids, due)
        result.figures |= {
            "unacked_while_waiting": unacked,
            "released_early": early_release,
            "swept_while_waiting": swept,
            "released": released,
        }
        result.check(
            statuses_waiting == {"queued": len(share_ids)}, f"shares while waiting: {statuses_waiting}, not all queued"
        )
        result.check(unacked == 0, f"{unacked} messages held unacknowledged in the broker during the wait")
        result.check(swept == 0, f"the sweeper re-queued {swept} shares that were waiting on purpose")
        result.check(early_release == 0, f"{early_release} shares released half an hour early")
        result.check(
            calls_while_waiting == len(share_ids),
            f"{calls_while_waiting - len(share_ids)} requests reached the network during the wait",
        )
        result.check(released == len(share_ids), f"beat released {released} of {len(share_ids)} when due")
    finally:
        if worker is not None:
            worker.stop()
        server.stop()
    return result


def _rate_limited(server: FaultServer) -> int:
    with server.lock:
        return sum(1 for call in server.book.calls if call.status == 429)


def _unacknowledged_messages() -> int:
    """Messages a worker took from this scenario's queue and has not acknowledged.

    Kombu's Redis transport keeps them in one hash for every queue, each as
    [message, exchange, routing key]. Only this scenario's count: workers SIGKILLed by
    an earlier scenario (worker-kill) leave theirs there until the visibility timeout.
    """
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    queue = os.environ["CELERY_QUEUE"]
    return sum(1 for value in client.hvals("unacked") if json.loads(value)[2] == queue)


def judge(result: Result, server: FaultServer, share_ids: list[int], due: dict[int, datetime]) -> None:
    with server.lock:
        calls = sorted(server.book.calls, key=lambda call: call.at)
        created = {number: list(ids) for number, ids in server.book.created.items()}
    rows = {
        int(comment[-5:]): (share_id, status, remote_id)
        for share_id, comment, status, remote_id in Share.objects.filter(id__in=share_ids).values_list(
            "id", "comment", "status", "remote_id"
        )
    }
    per_share: dict[int, list] = {}
    for call in calls:
        per_share.setdefault(call.number, []).append(call)
    # The time each share was to wait until, as stored, against what the network asked for.
    off = []
    for number, (share_id, _status, _remote) in rows.items():
        asked = next((call.wait_until for call in per_share.get(number, []) if call.wait_until), None)
        stored = due.get(share_id)
        if asked is not None and stored is not None:
            off.append(abs(stored.timestamp() - asked))
    result.posted = sum(
        1
        for number, (_id, status, remote_id) in rows.items()
        if created.get(number) and status == "posted" and remote_id == created[number][0]
    )
    result.duplicates = sum(len(ids) - 1 for ids in created.values()) + sum(
        len(ids) for number, ids in created.items() if number not in rows
    )
    result.lost = sum(1 for number in rows if not created.get(number))
    most = max((len(sequence) for sequence in per_share.values()), default=0)
    result.figures |= {"requests": len(calls), "max_due_error": f"{max(off, default=0):.1f}s"}
    statuses = status_counts(share_ids)
    result.check(statuses == {"posted": len(share_ids)}, f"share statuses {statuses}")
    result.check(len(off) == len(rows), f"only {len(off)} of {len(rows)} shares stored the time the network named")
    result.check(max(off, default=0) <= 2.0, f"a share's stored wait is {max(off, default=0):.1f}s off the network's")
    result.check(most <= len(SCRIPT), f"a share was tried {most} times for a script of {len(SCRIPT)}")
    result.check(result.posted == result.shares, f"{result.shares - result.posted} shares not posted once")
    result.check(result.duplicates == 0, f"{result.duplicates} duplicate posts")
    result.check(result.lost == 0, f"{result.lost} shares never posted")
