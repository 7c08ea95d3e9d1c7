"""Push: the Celery pipeline posting n shares to the local Bluesky network, against a direct
loop of the same SDK calls (a new SDK client, session import, createRecord, per post, over one
connection pool, as the adapter does in a worker process)."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

from django.db import connection, transaction
from django.db.models import Count

from advocacy import links, services
from advocacy.models import Share
from bench.parts.bluesky import Sharer, posts_create, sharers_connect
from bench.servers import start_celery_worker
from content.models import Post
from harness.bluesky import LocalBlueskyNetwork
from networks import text as text_rules
from networks.bluesky_records import POST_COLLECTION, build_embed, facet_model, link_facets, tid_from_key
from networks.http import TIMEOUT

COMMENT = "Proud of the team behind this one."


def _sdk_for(sharer: Sharer, transport):
    from atproto import Client, Request, Session

    extra = sharer.credentials.extra
    session = Session(
        handle=extra["handle"],
        did=extra["did"],
        access_jwt=sharer.credentials.access_token,
        refresh_jwt=sharer.credentials.refresh_token,
        pds_endpoint=extra["pds_url"],
    )
    sdk = Client(base_url=extra["pds_url"], request=Request(timeout=TIMEOUT, transport=transport))
    sdk.login(session_string=session.export(), fetch_bsky_profile=False)
    return sdk


def direct_loop(sharers: list[Sharer], posts: list[Post], *, client_per_post: bool = True) -> dict:
    """What the pipeline does per share, without the platform: the SDK calls alone, in order.

    As the adapter does, each post gets its own SDK client with the session imported,
    and all of them share one connection pool (the adapter's worker process keeps one);
    `client_per_post=False` keeps one client per account instead (the tightest loop).
    """
    import httpx
    from atproto import models

    jobs = [(sharer, post) for sharer in sharers for post in posts]
    clients: dict[int, object] = {}
    started = time.perf_counter()
    transport = httpx.HTTPTransport()
    for sharer, post in jobs:
        extra = sharer.credentials.extra
        if client_per_post:
            sdk = _sdk_for(sharer, transport)
        else:
            sdk = clients.get(sharer.profile.id) or clients.setdefault(sharer.profile.id, _sdk_for(sharer, transport))
        link = links.short_url(links.new_code())
        text = text_rules.compose("bluesky", f"{COMMENT} #employee", link)
        record = models.AppBskyFeedPost.Record(
            text=text,
            created_at=sdk.get_current_time_iso(),
            facets=[facet_model(facet) for facet in link_facets(text)] or None,
            embed=build_embed(link, [], [], post.title, post.body[:300]),
        )
        sdk.com.atproto.repo.create_record(
            models.ComAtprotoRepoCreateRecord.Data(
                repo=extra["did"], collection=POST_COLLECTION, rkey=tid_from_key(str(uuid.uuid4())), record=record
            )
        )
    # Closing a client closes the pool it uses: once, at the end.
    transport.close()
    return {"seconds": round(time.perf_counter() - started, 2), "posts": len(jobs)}


def pipeline(sharers: list[Sharer], posts: list[Post], *, concurrency: int, log_dir: Path, name: str) -> dict:
    """Shares made as the composer makes them, queued on commit, posted by a real worker."""
    worker = start_celery_worker(log_dir, concurrency=concurrency, name=name)
    try:
        with transaction.atomic():
            ids = []
            for sharer in sharers:
                for post in posts:
                    created = services.shares_create(
                        member=sharer.membership,
                        actor=sharer.membership.user,
                        post=post,
                        profiles=[sharer.profile],
                        comment=COMMENT,
                    )
                    ids += [share.id for share in created]
            # The clock starts as the transaction commits and the tasks are queued.
            started = time.perf_counter()
        pending = Share.objects.filter(pk__in=ids).exclude(status__in=Share.FINAL_STATES)
        deadline = time.monotonic() + 60 + 2 * len(ids)
        while pending.exists():
            if time.monotonic() > deadline:
                raise RuntimeError(f"{pending.count()} shares still not posted; see {worker.log}")
            time.sleep(0.05)
        seconds = time.perf_counter() - started
        peaks = worker.peaks()
    finally:
        worker.stop()
    connection.close()
    statuses = dict(
        Share.objects.filter(pk__in=ids).values("status").order_by().annotate(n=Count("id")).values_list("status", "n")
    )
    remote = Share.objects.filter(pk__in=ids, status=Share.Status.POSTED).values_list("remote_id", flat=True)
    return {
        "seconds": round(seconds, 2),
        "posts": len(ids),
        "concurrency": concurrency,
        "statuses": statuses,
        "distinct_remote_ids": len(set(remote)),
        "worker_peak_rss_mb": peaks,
    }


def measure(network: LocalBlueskyNetwork, organization, *, shares: int, log_dir: Path) -> dict:
    accounts = 10
    per_account = max(1, shares // accounts)
    names = {"warm": "pw", "direct": "pd", "reused": "pr", "single": "ps", "deployed": "pp"}
    sets = {name: sharers_connect(network, organization, accounts, prefix) for name, prefix in names.items()}
    posts = posts_create(organization, per_account, "push")
    warm = direct_loop(sets["warm"][:1], posts[: min(20, len(posts))])
    direct = direct_loop(sets["direct"], posts)
    reused = direct_loop(sets["reused"], posts, client_per_post=False)
    single = pipeline(sets["single"], posts, concurrency=1, log_dir=log_dir, name="push1")
    deployed = pipeline(sets["deployed"], posts, concurrency=2, log_dir=log_dir, name="push2")
    return {
        "n": accounts * per_account,
        "accounts": accounts,
        "warm_up_posts": warm["posts"],
        "direct_seconds": direct["seconds"],
        "direct_one_client_per_account_seconds": reused["seconds"],
        "pipeline_seconds": single["seconds"],
        "ratio": round(single["seconds"] / direct["seconds"], 3),
        "deployed_pipeline_seconds": deployed["seconds"],
        "deployed_ratio": round(deployed["seconds"] / direct["seconds"], 3),
        "single": single,
        "deployed": deployed,
    }
