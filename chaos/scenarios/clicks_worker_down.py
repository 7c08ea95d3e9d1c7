"""clicks-worker-down: thousands of visits of tracked links, sent concurrently to the
platform under gunicorn while no Celery worker runs; then a worker (with its beat) is
started and given time to do whatever is left.

Proves: every visit answered with the redirect to the link's target is recorded once,
whether the platform records clicks in the request or through background work; a stopped
worker neither loses nor doubles one. Only what can be observed is compared: redirects
received against Click rows, per link, after the worker has run.
"""

from __future__ import annotations

import http.client
import threading
import time
from collections import Counter
from urllib.parse import urlsplit

from django.db.models import Count

from advocacy.models import Click
from chaos.platform import organization_create, posts_create, profile_connect, share_create
from chaos.processes import log_dir, start_gunicorn, start_worker, wait_for
from chaos.result import Result
from networks.base import Credentials

NAME = "clicks-worker-down"
LINKS = 100
VISITS = 3000
THREADS = 16
# After the count is reached, it must stay put this long (a late duplicate would show).
STEADY_SECONDS = 15.0
USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"


def visit_all(base: str, links: list[tuple[str, str]]) -> tuple[Counter, Counter]:
    """Visit the links VISITS times from THREADS threads; (redirects per code, other answers)."""
    host = urlsplit(base)
    answered: Counter[str] = Counter()
    other: Counter[str] = Counter()
    lock = threading.Lock()
    jobs = iter(range(VISITS))

    def visitor() -> None:
        while True:
            with lock:
                job = next(jobs, None)
            if job is None:
                return
            code, target = links[job % len(links)]
            connection = http.client.HTTPConnection(host.hostname, host.port, timeout=30)
            try:
                connection.request("GET", f"/l/{code}", headers={"User-Agent": USER_AGENT})
                response = connection.getresponse()
                response.read()
                redirected = response.status in (301, 302) and response.getheader("Location") == target
                outcome = None if redirected else str(response.status)
            except OSError as error:
                outcome = type(error).__name__
            finally:
                connection.close()
            with lock:
                if outcome is None:
                    answered[code] += 1
                else:
                    other[outcome] += 1

    threads = [threading.Thread(target=visitor) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answered, other


def recorded(codes: list[str]) -> Counter:
    rows = Click.objects.filter(link__code__in=codes).values("link__code").annotate(n=Count("id"))
    return Counter({row["link__code"]: row["n"] for row in rows})


def run(prepared: dict) -> Result:
    result = Result(NAME, unit="clicks", logs=str(log_dir(NAME)))
    web = worker = None
    try:
        organization, (member,) = organization_create("Chaos clicks", people=1)
        profile = profile_connect(
            member, network="facebook", remote_id="chaos", credentials=Credentials(access_token=""), handle="chaos"
        )
        # Facebook shares go out through the share dialog: handed off, measured by clicks.
        shares = [
            share_create(member=member, post=post, profile=profile, tag=NAME, number=number)
            for number, post in enumerate(posts_create(organization, LINKS), start=1)
        ]
        links = [(share.tracked_link.code, share.tracked_link.target_url) for share in shares]
        codes = [code for code, _target in links]

        web, base = start_gunicorn(NAME)
        started = time.monotonic()
        answered, other = visit_all(base, links)
        seconds = time.monotonic() - started
        total = sum(answered.values())
        result.figures |= {
            "visits": VISITS,
            "redirects": total,
            "other_answers": sum(other.values()),
            "per_second": f"{VISITS / seconds:.0f}",
        }
        result.figures["recorded_before_worker"] = Click.objects.filter(link__code__in=codes).count()

        worker = start_worker(NAME, "1", concurrency=2, beat=True)
        wait_for(
            lambda: Click.objects.filter(link__code__in=codes).count() >= total,
            timeout=300,
            interval=1.0,
            what=f"{total} clicks recorded",
        )
        time.sleep(STEADY_SECONDS)  # a late duplicate would arrive in this time
        counts = recorded(codes)
        result.figures["recorded"] = sum(counts.values())
        result.duplicates = sum(max(counts[code] - answered[code], 0) for code in codes)
        result.lost = sum(max(answered[code] - counts[code], 0) for code in codes)
        result.check(not other, f"visits not answered with the redirect: {dict(other)}")
        result.check(result.duplicates == 0, f"{result.duplicates} clicks recorded twice")
        result.check(result.lost == 0, f"{result.lost} clicks lost")
    finally:
        if worker is not None:
            worker.stop()
        if web is not None:
            web.stop()
    return result
