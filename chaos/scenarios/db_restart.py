"""db-restart: PostgreSQL is restarted while visitors follow tracked links through
gunicorn (production settings, connections kept across requests) and a worker runs.

Proves: once PostgreSQL is back, no visitor gets a 500: every web worker (and the Celery
worker) finds its kept connection dead and opens a new one before using it
(CONN_HEALTH_CHECKS), instead of failing the first request after the restart. While the
server is down, errors are expected and only counted. Every visit answered with the
redirect is recorded once (the click is written in the same statement as the lookup).
"""

from __future__ import annotations

import http.client
import os
import subprocess
import threading
import time
from collections import Counter
from urllib.parse import urlsplit

from django.db import connection
from django.db.models import Count

from advocacy.models import Click
from chaos.platform import organization_create, posts_create, profile_connect, share_create
from chaos.processes import log_dir, start_gunicorn, start_worker, wait_for
from chaos.result import Result
from employees.models import Invitation
from networks.base import Credentials

NAME = "db-restart"
LINKS = 20
THREADS = 8
PHASE_SECONDS = 20.0
USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"


def postgres_restart() -> None:
    """The local cluster, restarted as an operator would (fast shutdown: clients are cut off)."""
    (version,) = os.listdir("/etc/postgresql")
    subprocess.run(  # noqa: S603
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart"],  # noqa: S607
        check=True,
        timeout=120,
    )


def postgres_answers() -> bool:
    try:
        connection.close()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except Exception:
        return False


class Visitors:
    """THREADS threads visiting tracked links until stopped; outcomes per phase."""

    def __init__(self, base: str, links: list[tuple[str, str]]) -> None:
        self.host = urlsplit(base)
        self.links = links
        self.phase = "before"
        self.answered: Counter[str] = Counter()  # redirects, per link code
        self.outcomes: dict[str, Counter[str]] = {}
        self.lock = threading.Lock()
        self.stopped = threading.Event()
        self.threads = [threading.Thread(target=self._visit, args=(number,)) for number in range(THREADS)]

    def start(self) -> None:
        for thread in self.threads:
            thread.start()

    def stop(self) -> None:
        self.stopped.set()
        for thread in self.threads:
            thread.join()

    def _visit(self, number: int) -> None:
        job = number
        while not self.stopped.is_set():
            code, target = self.links[job % len(self.links)]
            job += THREADS
            phase = self.phase
            outcome = self._one(code, target)
            with self.lock:
                self.outcomes.setdefault(phase, Counter())[outcome] += 1
                if outcome == "redirect":
                    self.answered[code] += 1

    def _one(self, code: str, target: str) -> str:
        visit = http.client.HTTPConnection(self.host.hostname, self.host.port, timeout=30)
        try:
            visit.request("GET", f"/l/{code}", headers={"User-Agent": USER_AGENT})
            response = visit.getresponse()
            response.read()
            redirected = response.status in (301, 302) and response.getheader("Location") == target
            return "redirect" if redirected else str(response.status)
        except OSError as error:
            return type(error).__name__
        finally:
            visit.close()


def run(prepared: dict) -> Result:
    result = Result(NAME, unit="clicks", logs=str(log_dir(NAME)))
    web = worker = visitors = None
    try:
        organization, (member,) = organization_create("Chaos restart", people=1)
        profile = profile_connect(
            member, network="facebook", remote_id="chaos-restart", credentials=Credentials(access_token=""), handle="r"
        )
        shares = [
            share_create(member=member, post=post, profile=profile, tag=NAME, number=number)
            for number, post in enumerate(posts_create(organization, LINKS), start=1)
        ]
        links = [(share.tracked_link.code, share.tracked_link.target_url) for share in shares]
        codes = [code for code, _target in links]

        web, base = start_gunicorn(NAME, workers=2)
        worker = start_worker(NAME, "1", concurrency=1)
        visitors = Visitors(base, links)
        visitors.start()
        time.sleep(PHASE_SECONDS)

        visitors.phase = "during"
        started = time.monotonic()
        postgres_restart()
        wait_for(postgres_answers, timeout=120, interval=0.5, what="PostgreSQL accepting connections again")
        result.figures["restart_seconds"] = f"{time.monotonic() - started:.1f}"

        visitors.phase = "after"
        time.sleep(PHASE_SECONDS)
        visitors.stop()
        answered, outcomes = visitors.answered, visitors.outcomes
        visitors = None

        # The worker's kept connection died too: a task after the restart must still run.
        invitation = Invitation.objects.create(
            organization=organization,
            email="late@chaos.example",
            token_hash="f" * 64,
            expires_at=organization.created_at,
        )
        from employees.tasks import invitations_expire_task

        invitations_expire_task.apply_async(queue=os.environ["CELERY_QUEUE"])
        wait_for(
            lambda: Invitation.objects.get(id=invitation.id).status == Invitation.Status.EXPIRED,
            timeout=60,
            interval=0.5,
            what="a task run by the worker after the restart",
        )

        rows = Click.objects.filter(link__code__in=codes).values("link__code").annotate(n=Count("id"))
        recorded = Counter({row["link__code"]: row["n"] for row in rows})
        result.duplicates = sum(max(recorded[code] - answered[code], 0) for code in codes)
        result.lost = sum(max(answered[code] - recorded[code], 0) for code in codes)
        after = outcomes.get("after", Counter())
        result.figures |= {
            "visits": sum(sum(counter.values()) for counter in outcomes.values()),
            "redirects": sum(answered.values()),
            "errors_during": sum(n for key, n in outcomes.get("during", Counter()).items() if key != "redirect"),
            "errors_after": sum(n for key, n in after.items() if key != "redirect"),
        }
        result.check(after.get("redirect", 0) > 0, "no visit answered after the restart")
        result.check(not result.figures["errors_after"], f"answers other than the redirect after it: {dict(after)}")
        result.check(result.duplicates == 0, f"{result.duplicates} clicks recorded twice")
        result.check(result.lost == 0, f"{result.lost} clicks lost")
    finally:
        if visitors is not None:
            visitors.stop()
        if worker is not None:
            worker.stop()
        if web is not None:
            web.stop()
    return result
