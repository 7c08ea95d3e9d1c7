"""redis-pressure: a Redis at its memory limit, first shared by the broker and the cache
as the defaults share it (`CACHE_URL` falls back to `REDIS_URL`), then split as the
README's "Cache and broker" says, while a signed-in person keeps loading pages.

Phase "shared": one Redis, `maxmemory` with `allkeys-lru`; shares are queued while no
worker runs, then the cache is filled past the limit as a busy platform would fill it.
The eviction takes queued messages (and kombu's queue bindings) with the cache keys:
the platform must still post every share once, through its sweeper.

Phase "split": the broker on a Redis with `noeviction`, the cache on another with
`maxmemory` and `allkeys-lru`; the same load. Every queued message must survive (no sweep
needed), and then the cache server is killed outright while pages are loaded: the
platform answers from process memory (config/cache.py), no server error.

Proves: the documented split keeps the queue whole under memory pressure; the shared
default loses messages under pressure but no share (the sweeper); pages never answer
500 while the cache is full, evicting or gone.
"""

from __future__ import annotations

import os
import time

import redis

from advocacy.models import Share
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
from chaos.processes import RedisServer, log_dir, start_gunicorn, start_worker
from chaos.result import Result
from networks.base import Credentials

NAME = "redis-pressure"
PEOPLE = 4
POSTS = 10
LIMIT = "8mb"
# Cache entries as the platform writes them: a key per page fragment or period's sums.
ENTRY_BYTES = 32 * 1024
FILL_ROUNDS = 4  # the cache is written this many times the limit


def run(prepared: dict) -> Result:
    result = Result(NAME, logs=str(log_dir(NAME)))
    broker: RedisServer = prepared["broker"]
    server = FaultServer(pattern=comment_for(NAME, 0)[:-5] + r"(\d{5})", script=("ok",)).start()
    os.environ["X_API_BASE"] = server.url
    cache_server = None
    try:
        organization, members = organization_create("Chaos redis pressure", people=PEOPLE)
        viewer = viewer_prepare(members[0])
        profiles = [
            profile_connect(
                member,
                network="x",
                remote_id=f"{index}",
                credentials=Credentials(access_token=f"x-token-{index}", extra={"username": f"chaos{index}"}),
                handle=f"@chaos{index}",
            )
            for index, member in enumerate(members)
        ]
        posts = posts_create(organization, POSTS)
        number = 0

        def queue_shares(first_post: int) -> list[int]:
            nonlocal number
            ids = []
            for post in posts[first_post : first_post + POSTS // 2]:
                for member, profile in zip(members, profiles, strict=True):
                    number += 1
                    ids.append(share_create(member=member, post=post, profile=profile, tag=NAME, number=number).id)
            return ids

        broker_client = redis.Redis.from_url(broker.url)
        broker_client.config_set("maxmemory", LIMIT)

        # -- shared: broker and cache on one Redis, evicting any key --------------------------
        broker_client.config_set("maxmemory-policy", "allkeys-lru")
        shared_cache = broker.url.rsplit("/", 1)[0] + "/1"
        web, base = start_gunicorn(NAME, workers=2, env={"CACHE_URL": shared_cache, **PLAIN_HTTP})
        shared_ids = queue_shares(0)
        queue = os.environ["CELERY_QUEUE"]
        before = broker_client.llen(queue)
        with PagePoller(base, viewer.user.email) as poller:
            fill(redis.Redis.from_url(shared_cache))
            shared_errors = poller.errors()
        survived = broker_client.llen(queue)
        evicted = int(broker_client.info("stats")["evicted_keys"])
        worker = start_worker(NAME, "shared", concurrency=3, env={"CACHE_URL": shared_cache})
        try:
            shared_settle = shares_settle(shared_ids, timeout=300)
        finally:
            worker.stop()
        web.stop()

        # -- split: the broker never evicts; the cache has a server of its own ---------------
        broker_client.config_set("maxmemory-policy", "noeviction")
        broker_client.config_set("maxmemory", "0")
        redis.Redis.from_url(shared_cache).flushdb()
        cache_server = RedisServer(NAME, "cache").start()
        cache_client = redis.Redis.from_url(cache_server.url)
        cache_client.config_set("maxmemory", LIMIT)
        cache_client.config_set("maxmemory-policy", "allkeys-lru")
        web, base = start_gunicorn(NAME, workers=2, env={"CACHE_URL": cache_server.url, **PLAIN_HTTP})
        # What the shared phase's worker queued and left (a follow-up task it sent before it
        # stopped) stays in the queue; the split phase counts its own messages on top of it.
        split_left_over = broker_client.llen(queue)
        split_ids = queue_shares(POSTS // 2)
        split_before = broker_client.llen(queue)
        with PagePoller(base, viewer.user.email) as poller:
            fill(cache_client)
            split_survived = broker_client.llen(queue)
            cache_server.kill()
            time.sleep(3)  # pages keep loading with the cache gone
            split_errors = poller.errors()
            pages = poller.pages
        worker = start_worker(NAME, "split", concurrency=3, env={"CACHE_URL": cache_server.url})
        try:
            split_settle = shares_settle(split_ids, timeout=300)
        finally:
            worker.stop()
        web.stop()

        judge(result, server, shared_ids + split_ids)
        result.figures |= {
            "shared_queued": before,
            "shared_queue_left": survived,
            "shared_evicted_keys": evicted,
            "shared_requeued": shared_settle["requeued"],
            "split_left_over": split_left_over,
            "split_queued": split_before - split_left_over,
            "split_queue_left": split_survived,
            "split_requeued": split_settle["requeued"],
            "pages": pages,
            "server_errors": shared_errors + split_errors,
        }
        result.check(before == len(shared_ids), f"{before} of {len(shared_ids)} messages queued before the pressure")
        result.check(evicted > 0, "the shared Redis evicted nothing: the pressure did not happen")
        result.check(split_before - split_left_over == len(split_ids), "the split phase's shares were not all queued")
        result.check(split_survived == split_before, "the split broker lost queued messages")
        result.check(split_settle["requeued"] == 0, "the split broker needed the sweeper")
        result.check(shared_errors + split_errors == 0, f"{shared_errors + split_errors} pages answered 5xx")
        result.check(pages > 0, "no page was loaded during the pressure")
    finally:
        server.stop()
        if cache_server is not None:
            cache_server.stop()
    return result


def fill(client: redis.Redis) -> None:
    """Write cache entries (with expiry, as Django's cache does) until the limit is passed many times."""
    limit = int(client.config_get("maxmemory")["maxmemory"])
    value = os.urandom(ENTRY_BYTES)
    for index in range(FILL_ROUNDS * limit // ENTRY_BYTES):
        client.set(f":1:chaos-entry-{index}", value, ex=300)


def judge(result: Result, server: FaultServer, share_ids: list[int]) -> None:
    with server.lock:
        created = {number: list(ids) for number, ids in server.book.created.items()}
    rows = {
        int(comment[-5:]): (status, remote_id)
        for comment, status, remote_id in Share.objects.filter(id__in=share_ids).values_list(
            "comment", "status", "remote_id"
        )
    }
    result.shares = len(share_ids)
    result.posted = sum(
        1
        for number, (status, remote_id) in rows.items()
        if created.get(number) and status == "posted" and remote_id == created[number][0]
    )
    result.duplicates = sum(len(ids) - 1 for ids in created.values())
    result.lost = sum(1 for number in rows if not created.get(number))
    statuses = status_counts(share_ids)
    result.check(statuses == {"posted": len(share_ids)}, f"share statuses {statuses}")
    result.check(result.duplicates == 0, f"{result.duplicates} duplicate posts")
    result.check(result.lost == 0, f"{result.lost} shares never posted")
