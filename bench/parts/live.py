"""Share to live: shares submitted through the composer at a constant rate (open loop),
each timed from its scheduled submit to its record being readable on the local PDS.

Share i is scheduled at ``start + i × 60 ÷ rate`` (rate in shares a minute) and sent then,
whether or not earlier ones have been answered: a POST of the composer's form through
gunicorn, as the browser sends it (session cookie, CSRF token, Origin). A watcher thread
reads the benchmark organization's shares that the worker marked posted, and asks the
PDS for each one's record (com.atproto.repo.getRecord); the share is live when the PDS
returns it. Its latency is from the scheduled submit to that answer, so a slow composer,
a queue in front of the worker or a slow PDS all count. A share not live within `grace`
seconds after the last submit is lost.
"""

from __future__ import annotations

import asyncio
import re
import threading
import time
from dataclasses import dataclass, field

import httpx
from django.db import connection

from advocacy.models import Share
from bench.openloop import _percentile, connection_limit
from bench.parts.bluesky import Sharer, posts_create, sharers_connect
from bench.parts.web import BROWSER, SESSION_COOKIE, session_for
from bench.servers import FORWARDED
from harness.bluesky import LocalBlueskyNetwork
from networks.bluesky_records import POST_COLLECTION

COMMENT = "Proud of the team behind this one"
_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass
class _Sender:
    """One sharer as the browser is: a signed-in session and the composer's CSRF token."""

    sharer: Sharer
    cookie: str
    token: str


@dataclass
class _Clock:
    scheduled: dict[tuple[int, int], float] = field(default_factory=dict)  # (profile, post) -> submit time
    answered: dict[tuple[int, int], tuple[str, float]] = field(default_factory=dict)  # -> (status, time)
    live: dict[tuple[int, int], float] = field(default_factory=dict)
    lags: list[float] = field(default_factory=list)


def _sender_for(client: httpx.Client, base_url: str, sharer: Sharer, post_id: int) -> _Sender:
    """Open the composer once as the sharer: the CSRF cookie and the form's token."""
    session = session_for(sharer.membership.id)
    response = client.get(
        f"{base_url}/feed/{post_id}/share/",
        headers={**FORWARDED, "User-Agent": BROWSER, "Cookie": f"{SESSION_COOKIE}={session}"},
    )
    match = _TOKEN.search(response.text)
    csrf = response.cookies.get("csrftoken")
    if response.status_code != 200 or match is None or csrf is None:
        raise RuntimeError(f"the composer answered {response.status_code} without a form for {sharer.profile.handle}")
    return _Sender(sharer, f"{SESSION_COOKIE}={session}; csrftoken={csrf}", match.group(1))


def _watch(network: LocalBlueskyNetwork, organization_id: int, clock: _Clock, done: threading.Event) -> None:
    """Record when each posted share's record is readable on the PDS (until `done`)."""
    client = network.pds_client()
    seen: set[int] = set()
    try:
        while not done.is_set():
            posted = (
                Share.objects.filter(organization_id=organization_id, status=Share.Status.POSTED)
                .exclude(pk__in=seen)
                .values_list("pk", "profile_id", "post_id", "remote_id")
            )
            for pk, profile_id, post_id, uri in posted:
                repo, collection, rkey = uri.removeprefix("at://").split("/")
                if collection != POST_COLLECTION:
                    continue
                try:
                    client.com.atproto.repo.get_record({"repo": repo, "collection": collection, "rkey": rkey})
                except Exception:  # noqa: S112 - not readable yet: asked again on the next turn
                    continue
                clock.live[(profile_id, post_id)] = time.monotonic()
                seen.add(pk)
            time.sleep(0.05)
    finally:
        connection.close()


async def _submit(base_url: str, jobs: list[tuple[_Sender, int]], *, rate: float, clock: _Clock) -> None:
    """Share `jobs` (sender, post id) at `rate` a second; every request independent of the others."""
    connections = connection_limit(64)
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    origin = base_url.replace("http://", "https://")
    async with httpx.AsyncClient(limits=limits, timeout=60.0, follow_redirects=False) as client:
        start = time.monotonic() + 0.2

        async def one(sender: _Sender, post_id: int, scheduled: float) -> None:
            key = (sender.sharer.profile.id, post_id)
            clock.scheduled[key] = scheduled
            clock.lags.append(time.monotonic() - scheduled)
            try:
                response = await client.post(
                    f"{base_url}/feed/{post_id}/share/",
                    data={
                        "csrfmiddlewaretoken": sender.token,
                        "profiles": str(sender.sharer.profile.id),
                        "comment": f"{COMMENT} ({post_id}).",
                        "when": "now",
                    },
                    headers={
                        **FORWARDED,
                        "User-Agent": BROWSER,
                        "Cookie": sender.cookie,
                        "Origin": origin,
                        "Referer": f"{origin}/feed/{post_id}/share/",
                    },
                )
                status = str(response.status_code)
            except httpx.HTTPError as error:
                status = type(error).__name__
            clock.answered[key] = (status, time.monotonic())

        tasks = []
        for index, (sender, post_id) in enumerate(jobs):
            scheduled = start + index / rate
            delay = scheduled - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(sender, post_id, scheduled)))
        await asyncio.gather(*tasks)


def _seconds(values: list[float], fraction: float) -> float | None:
    value = _percentile(values, fraction)
    return None if value is None else round(value, 3)


def measure(
    network: LocalBlueskyNetwork,
    organization,
    *,
    base_url: str,
    per_minute: float = 1000,
    seconds: float = 60,
    accounts: int = 20,
    grace: float = 120,
) -> dict:
    """Shares at `per_minute` for `seconds` over `accounts` sharers; their share-to-live latency."""
    count = max(1, round(per_minute * seconds / 60))
    per_account = -(-count // accounts)
    sharers = sharers_connect(network, organization, accounts, "pl")
    posts = posts_create(organization, per_account, "live")
    with httpx.Client(timeout=60.0, follow_redirects=False) as client:
        senders = [_sender_for(client, base_url, sharer, posts[0].id) for sharer in sharers]
    # Share i: sharer i mod accounts, the next post of theirs: every (profile, post) once.
    jobs = [(senders[index % accounts], posts[index // accounts].id) for index in range(count)]
    clock = _Clock()
    done = threading.Event()
    watcher = threading.Thread(target=_watch, args=(network, organization.id, clock, done), daemon=True)
    watcher.start()
    started = time.monotonic()
    try:
        asyncio.run(_submit(base_url, jobs, rate=per_minute / 60, clock=clock))
        submitted_within = time.monotonic() - started
        accepted = [key for key, (status, _at) in clock.answered.items() if status == "302"]
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline and not set(accepted) <= clock.live.keys():
            time.sleep(0.2)
    finally:
        done.set()
        watcher.join(timeout=30)
    live = [clock.live[key] - clock.scheduled[key] for key in accepted if key in clock.live]
    lost = len(accepted) - len(live)
    # A lost share counts with the longest wait it had (a lower bound), so that the
    # percentiles never leave it out.
    waited = live + [grace + seconds] * lost
    answers: dict[str, int] = {}
    for status, _at in clock.answered.values():
        answers[status] = answers.get(status, 0) + 1
    submit_latency = [at - clock.scheduled[key] for key, (_status, at) in clock.answered.items()]
    return {
        "method": "open loop: composer POSTs through gunicorn at a constant rate; live = the PDS returns the record",
        "per_minute": per_minute,
        "seconds": seconds,
        "accounts": accounts,
        "submitted": count,
        "submitted_within_s": round(submitted_within, 2),
        "send_lag_p99_s": _seconds(clock.lags, 0.99),
        "composer_answers": answers,
        "composer_p50_s": _seconds(submit_latency, 0.50),
        "composer_p95_s": _seconds(submit_latency, 0.95),
        "accepted": len(accepted),
        "live": len(live),
        "lost": lost,
        "refused": count - len(accepted),
        "grace_s": grace,
        "p50_s": _seconds(waited, 0.50),
        "p95_s": _seconds(waited, 0.95),
        "p99_s": _seconds(waited, 0.99),
        "max_s": _seconds(waited, 1.0),
    }
