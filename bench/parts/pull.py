"""Pull: API calls for one engagement refresh of n shares per network, against ⌈n ÷ batch⌉.

Bluesky is read from the local reference network (the shares the push part posted);
X and Mastodon from contract doubles (respx, the documented response shapes). Every
HTTP request an adapter makes is counted, whatever it is for. The platform's own plan
and job functions run in this process: the same code the Celery tasks call.
"""

from __future__ import annotations

import math
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import httpx
import respx
from django.db import connection
from django.utils import timezone

from advocacy.models import Share
from analytics.models import EngagementSnapshot, ShareMetrics
from analytics.services.pull import engagement_pull_job, engagement_pull_plan
from analytics.services.rollups import rollups_update
from bench.parts.bluesky import member_create, posts_create
from employees.profiles.services import profile_store
from networks import get_adapter_class
from networks.base import Credentials

X_TWEETS = "https://api.x.com/2/tweets"
MASTODON = "https://mastodon.pull.example"
PARKED = timedelta(days=365 * 100)
PROFILES_PER_NETWORK = 5


def _x_answer(request: httpx.Request) -> httpx.Response:
    ids = request.url.params.get("ids", "").split(",")
    data = [
        {
            "id": tweet_id,
            "text": "…",
            "public_metrics": {
                "like_count": int(tweet_id) % 97,
                "retweet_count": int(tweet_id) % 13,
                "reply_count": int(tweet_id) % 7,
                "quote_count": int(tweet_id) % 3,
                "impression_count": int(tweet_id) % 5000,
            },
        }
        for tweet_id in ids
    ]
    return httpx.Response(200, json={"data": data})


def _mastodon_answer(request: httpx.Request) -> httpx.Response:
    ids = request.url.params.get_list("id[]")
    statuses = [
        {"id": i, "favourites_count": int(i) % 50, "reblogs_count": int(i) % 9, "replies_count": int(i) % 4}
        for i in ids
    ]
    return httpx.Response(200, json=statuses)


@contextmanager
def requests_counted() -> Iterator[Counter]:
    """Every HTTP request any httpx client sends, by host and path (whatever answers it).

    respx's own call lists count a passed-through request twice, so the count is taken
    one level up, at httpx's transport.
    """
    counts: Counter = Counter()
    original = httpx.HTTPTransport.handle_request

    def handle_request(transport: httpx.HTTPTransport, request: httpx.Request) -> httpx.Response:
        counts[(request.url.host, request.url.path)] += 1
        return original(transport, request)

    httpx.HTTPTransport.handle_request = handle_request
    try:
        yield counts
    finally:
        httpx.HTTPTransport.handle_request = original


def _doubles_shares(organization, network: str, count: int, first_id: int) -> int:
    """Posted shares on a network read through a contract double, spread over a few profiles."""
    profiles = []
    for index in range(PROFILES_PER_NETWORK):
        membership = member_create(organization, f"{network}{index}")
        extra = {"instance_url": MASTODON} if network == "mastodon" else {"username": f"bench{index}"}
        credentials = Credentials(
            access_token=f"bench-{network}-token-{index}",
            refresh_token=f"bench-{network}-refresh-{index}",
            expires_at=timezone.now() + timedelta(days=1),
            extra=extra,
        )
        profiles.append(
            profile_store(
                membership=membership,
                network=network,
                remote_id=f"{network}-bench-{index}",
                credentials=credentials,
                followers=100,
            )
        )
    [post] = posts_create(organization, 1, f"pull-{network}")
    now = timezone.now()
    Share.objects.bulk_create(
        Share(
            organization=organization,
            post=post,
            profile=profiles[index % len(profiles)],
            member_id=profiles[index % len(profiles)].owner_membership_id,
            network=network,
            sequence=index + 1,
            final_text="bench",
            status=Share.Status.POSTED,
            posted_at=now,
            remote_id=str(first_id + index),
            followers_at_share=100,
        )
        for index in range(count)
    )
    return count


def measure(organization, *, shares_per_double: int, bench_org_ids: list[int], network) -> dict:
    _doubles_shares(organization, "x", shares_per_double, 1_900_000_000_000_000_000)
    _doubles_shares(organization, "mastodon", shares_per_double, 112_000_000_000_000_000)
    rollups_update()  # enrols the new posted shares, as beat does before each pull
    network.process_all()  # the AppView has indexed every post the push part made
    now = timezone.now()
    parked = (
        ShareMetrics.objects.filter(next_pull_at__lte=now)
        .exclude(organization_id__in=bench_org_ids)
        .update(next_pull_at=_shifted("next_pull_at", PARKED))
    )
    try:
        with requests_counted() as counts, respx.mock(assert_all_called=False) as router:
            router.get(X_TWEETS).mock(side_effect=_x_answer)
            router.get(f"{MASTODON}/api/v1/statuses").mock(side_effect=_mastodon_answer)
            router.route(host__regex=r"^(localhost|127\.0\.0\.1)$").pass_through()
            other = router.route().mock(return_value=httpx.Response(599))
            started = time.perf_counter()
            jobs = engagement_pull_plan(now=now)
            outcomes = [
                engagement_pull_job(
                    organization_id=job.organization_id,
                    network=job.network,
                    scope=job.scope,
                    share_ids=job.share_ids,
                    claim=job.claim,
                    now=now,
                )
                for job in jobs
            ]
            seconds = time.perf_counter() - started
    finally:
        ShareMetrics.objects.filter(next_pull_at__gt=now + PARKED - timedelta(days=1)).update(
            next_pull_at=_shifted("next_pull_at", -PARKED)
        )
    groups: dict[tuple, int] = defaultdict(int)
    for job in jobs:
        groups[(job.organization_id, job.network, job.scope)] += len(job.share_ids)
    per_network: dict[str, dict] = {}
    for (_org, network_name, _scope), count in groups.items():
        batch = get_adapter_class(network_name).metrics_batch_size
        entry = per_network.setdefault(network_name, {"n": 0, "batch": batch, "expected_calls": 0})
        entry["n"] += count
        entry["expected_calls"] += math.ceil(count / batch)
    calls: Counter = Counter()
    bluesky_paths: Counter = Counter()
    for (host, path), count in counts.items():
        if host == "api.x.com":
            calls["x"] += count
        elif MASTODON.endswith(host):
            calls["mastodon"] += count
        elif host in ("localhost", "127.0.0.1"):
            calls["bluesky"] += count
            bluesky_paths[path.rsplit("/", 1)[-1]] += count
    for name, entry in per_network.items():
        entry["api_calls"] = calls.get(name, 0)
    per_network.setdefault("bluesky", {})["requests_by_endpoint"] = dict(bluesky_paths)
    read = sum(outcome.read for outcome in outcomes)
    snapshots = EngagementSnapshot.objects.filter(at=now).count()
    connection.close()
    return {
        "api_calls": sum(calls.values()),
        "expected_calls": sum(entry.get("expected_calls", 0) for entry in per_network.values()),
        "per_network": per_network,
        "unexpected_requests": len(other.calls),
        "jobs": len(jobs),
        "shares_read": read,
        "snapshots_written": snapshots,
        "missing": sum(outcome.missing for outcome in outcomes),
        "postponed": sum(outcome.postponed for outcome in outcomes),
        "seconds": round(seconds, 2),
        "other_due_shares_parked": parked,
    }


def _shifted(field: str, delta: timedelta):
    from django.db.models import F

    return F(field) + delta
