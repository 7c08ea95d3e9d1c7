"""network-faults: shares to X and Mastodon through a loopback server that answers each
share's first attempt with 429 and a wait, the second with 500, the third with success.

Proves: a rate limit's wait is honoured, in each network's own header (X's
x-rate-limit-reset; Mastodon's Retry-After or X-RateLimit-Reset), server errors are
retried with backoff, nothing is retried in a loop, and every share is posted once.
The wait asked for (40 s) is longer than the platform's own first backoff (30 s), so a
retry that ignored the header would come early and be caught; times are the server's.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from itertools import pairwise

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
from chaos.processes import log_dir, start_worker
from chaos.result import Result
from networks.base import Credentials

NAME = "network-faults"
PROFILES_PER_NETWORK = 3
POSTS = 5
SCRIPT = ("429", "500", "ok")
WAIT_ASKED = 40.0


def run(prepared: dict) -> Result:
    result = Result(NAME, logs=str(log_dir(NAME)))
    pattern = comment_for(NAME, 0)[:-5] + r"(\d{5})"
    server = FaultServer(pattern=pattern, script=SCRIPT, wait=WAIT_ASKED).start()
    # The worker posts to X at the fault server instead of api.x.com.
    os.environ["X_API_BASE"] = server.url
    worker = None
    try:
        organization, members = organization_create("Chaos network faults", people=2 * PROFILES_PER_NETWORK)
        profiles = []
        for index, member in enumerate(members):
            if index < PROFILES_PER_NETWORK:
                credentials = Credentials(
                    access_token=f"x-token-{index}",
                    refresh_token=f"x-refresh-{index}",
                    expires_at=datetime.now(UTC) + timedelta(hours=2),
                    extra={"username": f"chaos{index}"},
                )
                profiles.append(
                    profile_connect(
                        member, network="x", remote_id=f"{index}", credentials=credentials, handle=f"@chaos{index}"
                    )
                )
            else:
                credentials = Credentials(
                    access_token=f"mastodon-token-{index}", extra={"instance_url": server.url, "max_characters": 500}
                )
                profiles.append(
                    profile_connect(
                        member,
                        network="mastodon",
                        remote_id=f"{index}@chaos",
                        credentials=credentials,
                        handle=f"@chaos{index}@127.0.0.1",
                    )
                )
        posts = posts_create(organization, POSTS)
        share_ids, number = [], 0
        for post in posts:
            for member, profile in zip(members, profiles, strict=True):
                number += 1
                share_ids.append(share_create(member=member, post=post, profile=profile, tag=NAME, number=number).id)
        result.shares = len(share_ids)

        worker = start_worker(NAME, "1", concurrency=3)
        result.figures |= shares_settle(share_ids, timeout=900, clock_ahead=timedelta(0))
        judge(result, server, share_ids)
    finally:
        if worker is not None:
            worker.stop()
        server.stop()
    return result


def judge(result: Result, server: FaultServer, share_ids: list[int]) -> None:
    """Compare what the server saw with the shares' rows."""
    with server.lock:
        calls = sorted(server.book.calls, key=lambda call: call.at)
        created = {number: list(ids) for number, ids in server.book.created.items()}
    rows = {
        int(comment[-5:]): (status, remote_id)
        for comment, status, remote_id in Share.objects.filter(id__in=share_ids).values_list(
            "comment", "status", "remote_id"
        )
    }
    per_share: dict[int, list] = {}
    for call in calls:
        per_share.setdefault(call.number, []).append(call)
    margins, after_500, early = [], [], 0
    for sequence in per_share.values():
        for before, after in pairwise(sequence):
            if before.wait_until is not None:
                margins.append(after.at - before.wait_until)
                early += after.at < before.wait_until
            if before.status == 500:
                after_500.append(after.at - before.at)
    scripted = [429, 500]
    followed = sum(1 for number in rows if [c.status for c in per_share.get(number, [])][:2] == scripted)
    most = max((len(sequence) for sequence in per_share.values()), default=0)

    result.posted = sum(
        1
        for number, (status, remote_id) in rows.items()
        if created.get(number) and status == "posted" and remote_id == created[number][0]
    )
    result.duplicates = sum(len(ids) - 1 for ids in created.values()) + sum(
        len(ids) for number, ids in created.items() if number not in rows
    )
    result.lost = sum(1 for number in rows if not created.get(number))
    result.figures |= {
        "requests": len(calls),
        "rate_limited": sum(1 for call in calls if call.status == 429),
        "server_errors": sum(1 for call in calls if call.status == 500),
        "early_retries": early,
        "min_wait_margin": f"{min(margins, default=0):.2f}s",
        "min_backoff_after_500": f"{min(after_500, default=0):.0f}s",
    }
    statuses = status_counts(share_ids)
    result.check(statuses == {"posted": len(share_ids)}, f"share statuses {statuses}")
    result.check(followed == len(rows), f"only {followed} of {len(rows)} shares met the 429 and the 500")
    result.check(early == 0, f"{early} retries came before the wait the server asked for")
    result.check(most <= len(SCRIPT), f"a share was tried {most} times for a script of {len(SCRIPT)}")
    result.check(result.posted == result.shares, f"{result.shares - result.posted} shares not posted once")
    result.check(result.duplicates == 0, f"{result.duplicates} duplicate posts")
    result.check(result.lost == 0, f"{result.lost} shares never posted")
