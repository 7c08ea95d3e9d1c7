"""slow-network: shares to a Mastodon instance (the loopback fault server) that answers
too slowly, while shares to the local Bluesky network go out on the same worker and a
signed-in manager keeps loading pages. The instance makes each status, then either
says nothing for 25 s before answering (longer than the 20 s read timeout) or sends
its answer a byte a second (each byte well inside the read timeout, the whole never).

Proves: no call holds a worker past the push task's soft time limit: the silent
instance is left at the read timeout, the trickling one at the egress guard's deadline
for the whole call (networks/egress.py TOTAL_TIMEOUT), and no task meets its time
limit; while every slow call is held, every Bluesky share is posted on the worker's
other slots; each slow share is recorded as queued for a retry ("timed out"), then
posted once: the retry's Idempotency-Key gets back the status the first attempt made,
not a second one; no page answers 5xx.
"""

from __future__ import annotations

from datetime import timedelta

from advocacy.models import Share
from advocacy.tasks import share_push_task
from chaos.bluesky import Bluesky, count_on_network
from chaos.faults import FaultServer
from chaos.pages import PLAIN_HTTP, PagePoller, viewer_prepare
from chaos.platform import (
    comment_for,
    organization_create,
    posts_create,
    profile_connect,
    share_create,
    shares_settle,
    status_counts,
)
from chaos.processes import log_dir, start_gunicorn, start_worker, wait_for
from chaos.result import Result
from networks import egress
from networks.base import Credentials

NAME = "slow-network"
# One Mastodon profile answered in silence, one a byte at a time: two of the four slots.
SLOW_PROFILES = 2
CONCURRENCY = 4
BLUESKY_ACCOUNTS = 2
BLUESKY_POSTS = 4
# Longer than the read timeout (networks/http.py TIMEOUT): a read timeout cuts it.
SILENCE = 25.0
# A byte in time for each of the client's reads: only the deadline for the whole call can cut.
TRICKLE_EVERY = 1.0
# What Celery logs when a task meets its soft or hard time limit.
LIMIT_WORDS = ("SoftTimeLimitExceeded", "TimeLimitExceeded", "Hard time limit")


def script(number: int) -> tuple[str, ...]:
    return ("slow" if number % 2 == 0 else "trickle", "ok")


def run(prepared: dict) -> Result:
    result = Result(NAME, logs=str(log_dir(NAME)))
    server = FaultServer(
        pattern=comment_for(NAME, 0)[:-5] + r"(\d{5})", script=script, slow=SILENCE, trickle=TRICKLE_EVERY
    ).start()
    bluesky = Bluesky(NAME).start()
    worker = web = None
    try:
        organization, members = organization_create("Chaos slow network", people=SLOW_PROFILES + BLUESKY_ACCOUNTS)
        viewer = viewer_prepare(members[0])
        slow_members, bluesky_members = members[:SLOW_PROFILES], members[SLOW_PROFILES:]
        slow_profiles = [
            profile_connect(
                member,
                network="mastodon",
                remote_id=f"{index}@chaos",
                credentials=Credentials(
                    access_token=f"mastodon-token-{index}", extra={"instance_url": server.url, "max_characters": 500}
                ),
                handle=f"@chaos{index}@127.0.0.1",
            )
            for index, member in enumerate(slow_members)
        ]
        connected = [bluesky.connect(member, "sn") for member in bluesky_members]
        posts = posts_create(organization, BLUESKY_POSTS)
        web, base = start_gunicorn(NAME, workers=2, env=PLAIN_HTTP)
        worker = start_worker(NAME, "1", concurrency=CONCURRENCY)

        with PagePoller(base, viewer.user.email, pause=0.2) as poller:
            number = 0
            slow_ids = []
            for member, profile in zip(slow_members, slow_profiles, strict=True):
                number += 1
                slow_ids.append(share_create(member=member, post=posts[0], profile=profile, tag=NAME, number=number).id)
            wait_for(lambda: len(_in_flight(server)) == len(slow_ids), timeout=120, what="every slow call under way")

            # Every slow call now holds a slot; the Bluesky shares get the others.
            bluesky_ids = []
            for post in posts:
                for member, (_account, profile) in zip(bluesky_members, connected, strict=True):
                    number += 1
                    share = share_create(member=member, post=post, profile=profile, tag=NAME, number=number)
                    bluesky_ids.append(share.id)
            wait_for(
                lambda: _posted(bluesky_ids) == len(bluesky_ids) or not _in_flight(server),
                timeout=120,
                what="the Bluesky shares posted, or a slow call over",
            )
            posted_while_held = _posted(bluesky_ids)
            held_then = len(_in_flight(server))

            wait_for(lambda: not _in_flight(server), timeout=120, what="every slow call left by the platform")
            wait_for(
                lambda: status_counts(slow_ids).get("queued") == len(slow_ids), timeout=60, what="slow shares queued"
            )
            retry_errors = list(Share.objects.filter(id__in=slow_ids).values_list("last_error", flat=True))
            # The real clock: the slow shares wait for their retry's countdown on purpose.
            result.figures |= shares_settle(slow_ids + bluesky_ids, timeout=300, clock_ahead=timedelta(0))
            errors = poller.errors()
            pages = poller.pages

        counts = count_on_network(bluesky, [account for account, _profile in connected], bluesky_ids, NAME)
        judge(result, server, slow_ids, bluesky_ids, counts)
        calls = server.held()
        longest = {
            kind: max((call.held or 0.0 for call in calls if call.delivery == kind), default=0.0)
            for kind in ("slow", "trickle")
        }
        soft_limit = share_push_task.soft_time_limit
        limit_lines = sum(worker.log_text().count(word) for word in LIMIT_WORDS)
        result.figures |= {
            "bluesky_posted_while_held": posted_while_held,
            "silent_held": f"{longest['slow']:.0f}s",
            "trickle_held": f"{longest['trickle']:.0f}s",
            "time_limits_hit": limit_lines,
            "pages": pages,
            "server_errors": errors,
        }
        result.check(
            held_then == len(slow_ids) and posted_while_held == len(bluesky_ids),
            f"{posted_while_held} of {len(bluesky_ids)} Bluesky shares posted while the slow calls were held",
        )
        result.check(len(calls) == len(slow_ids), f"{len(calls)} slow answers for {len(slow_ids)} slow shares")
        result.check(all(call.cut for call in calls), "a slow answer was waited out instead of cut off")
        result.check(
            max(longest.values()) < soft_limit,
            f"a slow call held its worker {max(longest.values()):.0f}s, past the soft time limit {soft_limit}s",
        )
        # The deadline, not a read timeout, is what can end a trickle; allow a second's slack.
        result.check(
            longest["trickle"] <= egress.TOTAL_TIMEOUT + 1,
            f"a trickled answer held its worker {longest['trickle']:.0f}s, "
            f"past the {egress.TOTAL_TIMEOUT:.0f}s deadline",
        )
        result.check(limit_lines == 0, f"{limit_lines} time-limit lines in the worker's log")
        result.check(
            all("timed out" in error for error in retry_errors), f"slow shares waiting with errors {retry_errors}"
        )
        result.check(errors == 0, f"{errors} pages answered 5xx")
        result.check(pages > 0, "no page was loaded during the fault")
    finally:
        if worker is not None:
            worker.stop()
        if web is not None:
            web.stop()
        bluesky.stop()
        server.stop()
    return result


def _in_flight(server: FaultServer) -> list:
    return [call for call in server.held() if call.held is None]


def _posted(share_ids: list[int]) -> int:
    return Share.objects.filter(id__in=share_ids, status=Share.Status.POSTED).count()


def judge(
    result: Result, server: FaultServer, slow_ids: list[int], bluesky_ids: list[int], bluesky: dict[str, int]
) -> None:
    with server.lock:
        created = {number: list(ids) for number, ids in server.book.created.items()}
        requests = sum(1 for call in server.book.calls if call.number is not None)
    rows = {
        int(comment[-5:]): (status, remote_id, attempts)
        for comment, status, remote_id, attempts in Share.objects.filter(id__in=slow_ids).values_list(
            "comment", "status", "remote_id", "attempts"
        )
    }
    slow_posted = sum(
        1
        for number, (status, remote_id, _attempts) in rows.items()
        if created.get(number) and status == "posted" and remote_id == created[number][0]
    )
    result.shares = len(slow_ids) + len(bluesky_ids)
    result.posted = slow_posted + bluesky["posted"]
    result.duplicates = sum(len(ids) - 1 for ids in created.values()) + bluesky["duplicates"]
    result.lost = sum(1 for number in rows if not created.get(number)) + bluesky["lost"]
    result.figures["requests"] = requests
    statuses = status_counts(slow_ids + bluesky_ids)
    result.check(statuses == {"posted": result.shares}, f"share statuses {statuses}")
    result.check(
        all(attempts == 2 for _status, _remote, attempts in rows.values()),
        f"attempts per slow share {sorted(attempts for _s, _r, attempts in rows.values())}, not 2 each",
    )
    result.check(requests == 2 * len(slow_ids), f"{requests} requests for {len(slow_ids)} slow shares, not 2 each")
    result.check(result.posted == result.shares, f"{result.shares - result.posted} shares not posted once")
    result.check(result.duplicates == 0, f"{result.duplicates} duplicate posts")
    result.check(result.lost == 0, f"{result.lost} shares never posted")
