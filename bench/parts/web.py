"""Feed, redirect and the ceiling: requests per second under load, latency, and SQL per request."""

from __future__ import annotations

import random
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.db.models import CharField
from django.db.models.functions import MD5, Cast
from django.test import Client
from django.test.utils import CaptureQueriesContext

from advocacy.models import Click, TrackedLink
from bench.load import LoadShape, run_wrk
from bench.openloop import open_loop
from bench.servers import FORWARDED
from employees.models import Membership, SocialProfile

BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
SESSION_COOKIE = "sessionid"


def session_for(member_id: int) -> str:
    """A logged-in session for the member's user, stored where the platform keeps sessions."""
    user = Membership.objects.select_related("user").get(pk=member_id).user
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


def headers_for(session_key: str | None) -> dict[str, str]:
    headers = {**FORWARDED, "User-Agent": BROWSER}
    if session_key:
        headers["Cookie"] = f"{SESSION_COOKIE}={session_key}"
    return headers


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def fetch(url: str, headers: dict[str, str]) -> tuple[int, str, float]:
    """One request, redirects not followed: (status, body, seconds)."""
    opener = urllib.request.build_opener(_NoRedirect)
    started = time.perf_counter()
    try:
        with opener.open(urllib.request.Request(url, headers=headers), timeout=60) as response:  # noqa: S310 - http only
            body = response.read().decode("utf-8", "replace")
            status = response.status
    except urllib.error.HTTPError as error:
        body, status = error.read().decode("utf-8", "replace"), error.code
    return status, body, time.perf_counter() - started


def queries_of(path: str, session_key: str | None) -> list[dict]:
    """The SQL one request runs, in process (Django's test client) on the same database."""
    client = Client()
    if session_key:
        client.cookies[SESSION_COOKIE] = session_key
    client.get(path, secure=True, headers={"User-Agent": BROWSER})  # warm: caches, first-visit session write
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path, secure=True, headers={"User-Agent": BROWSER})
    if response.status_code not in (200, 302):
        raise RuntimeError(f"{path} answered {response.status_code} in process")
    return [{"sql": query["sql"], "ms": round(float(query["time"]) * 1000, 2)} for query in captured.captured_queries]


def access_log_statuses(log: Path, since: int) -> tuple[dict[str, int], int]:
    """Status counts of the access-log lines written after byte `since`; and the new end."""
    counts: dict[str, int] = {}
    with log.open("rb") as handle:
        handle.seek(since)
        data = handle.read()
    for line in data.decode("utf-8", "replace").splitlines():
        parts = line.split('"')
        if len(parts) > 2:
            status = parts[2].split()[0] if parts[2].split() else "?"
            counts[status] = counts.get(status, 0) + 1
    return counts, since + len(data)


@dataclass
class WebBench:
    base_url: str
    access_log: Path
    shape: LoadShape

    def _offset(self) -> int:
        return self.access_log.stat().st_size if self.access_log.exists() else 0

    def check(self, path: str, session_key: str | None, *, contains: str, expect: int = 200) -> int:
        """The page as the load will see it (status and content), then a short warm-up load."""
        headers = headers_for(session_key)
        status, body, _seconds = fetch(self.base_url + path, headers)
        if status != expect or contains not in body:
            raise RuntimeError(f"{path} answered {status} (expected {expect}, containing {contains!r})")
        run_wrk(self.base_url + path, shape=self.shape, headers=headers, seconds=self.shape.warmup_seconds)
        return len(body.encode())

    def measure(self, path: str, session_key: str | None) -> dict:
        offset = self._offset()
        result = run_wrk(self.base_url + path, shape=self.shape, headers=headers_for(session_key))
        statuses, _end = access_log_statuses(self.access_log, offset)
        return {**result.as_dict(), "statuses": statuses}

    def feed_open_loop(self, session_key: str, *, rate: float, seconds: int) -> dict:
        """The feed at a constant arrival rate (bench/openloop.py), latency from the scheduled send."""
        url = self.base_url + "/feed/"
        return open_loop(lambda _index: url, rate=rate, seconds=seconds, headers=headers_for(session_key))

    def feed_many(self, visits_file: Path, *, seconds: int | None = None) -> dict:
        """The feed, closed loop, each request a random (member, page) of `visits_file`."""
        offset = self._offset()
        result = run_wrk(
            self.base_url + "/feed/",
            shape=self.shape,
            headers=headers_for(None),
            script="feed.lua",
            script_args=[str(visits_file)],
            seconds=seconds,
        )
        statuses, _end = access_log_statuses(self.access_log, offset)
        return {**result.as_dict(), "statuses": statuses}

    def feed_many_open_loop(self, visits_file: Path, *, rate: float, seconds: int) -> dict:
        """The same visits at a constant arrival rate (one member's cookie per request)."""
        visits = [line.split() for line in visits_file.read_text().splitlines() if line.strip()]
        rng = random.Random(17)  # noqa: S311 - which page to ask for next, not a secret
        # Request i is the i-th drawn (session key, path); the generator sends no more than this.
        drawn = [rng.choice(visits) for _ in range(max(1, round(rate * seconds)))]
        return open_loop(
            lambda index: self.base_url + drawn[index][1],
            rate=rate,
            seconds=seconds,
            headers=headers_for(None),
            headers_of=lambda index: {"Cookie": f"{SESSION_COOKIE}={drawn[index][0]}"},
        )

    def redirect_burst(self, codes_file: Path, *, hits: int, seconds: float) -> dict:
        """``hits`` visits of tracked links scheduled within ``seconds``, each from its own
        connection as far as the file descriptor limit allows; every visit sent must have
        its click in the database (``lost`` = sent - recorded)."""
        codes = codes_file.read_text().split()
        _settled_click_count()
        last_id = Click.objects.order_by("-id").values_list("id", flat=True).first() or 0
        base = self.base_url + "/l/"
        result = open_loop(
            lambda index: base + codes[index % len(codes)],
            rate=hits / seconds,
            seconds=seconds,
            headers=headers_for(None),
            connections=hits,
        )
        _settled_click_count()
        recorded = Click.objects.filter(id__gt=last_id).count()
        answered = result["statuses"].get("302", 0)
        return {**result, "answered": answered, "recorded": recorded, "lost": result["sent"] - recorded}

    def redirect_warm(self, codes_file: Path) -> None:
        self._redirect_load(codes_file, seconds=self.shape.warmup_seconds)

    def redirect(self, codes_file: Path) -> dict:
        """One measured run; clicks are counted once the run has settled."""
        _settled_click_count()
        last_id = Click.objects.order_by("-id").values_list("id", flat=True).first() or 0
        offset = self._offset()
        result = self._redirect_load(codes_file)
        _settled_click_count()
        # Read once every request in flight at the end has been answered and logged.
        statuses, _end = access_log_statuses(self.access_log, offset)
        return {
            **result.as_dict(),
            "statuses": statuses,
            "clicks_sent": result.sent,
            "clicks_answered": statuses.get("302", 0),
            "clicks_recorded": Click.objects.filter(id__gt=last_id).count(),
        }

    def _redirect_load(self, codes_file: Path, seconds: int | None = None):
        return run_wrk(
            self.base_url + "/",
            shape=self.shape,
            headers=headers_for(None),
            script="codes.lua",
            script_args=[str(codes_file)],
            seconds=seconds,
        )


def write_feed_visits(path: Path, organization_id: int, *, members: int = 200, pages: int = 3) -> dict:
    """`members` employees of the organization (a fixed pseudo-random sample of those
    with a connected profile), each with a session, and their feed pages 1 to `pages`:
    one line "<session key> <path>" per (member, page)."""
    sample = list(
        Membership.objects.filter(
            organization_id=organization_id,
            is_active=True,
            is_employee=True,
            pk__in=SocialProfile.objects.filter(organization_id=organization_id).values("owner_membership_id"),
        )
        .order_by(MD5(Cast("id", CharField())))
        .values_list("id", flat=True)[:members]
    )
    lines = [
        f"{session_for(member_id)} /feed/{'' if page == 1 else f'?page={page}'}"
        for member_id in sample
        for page in range(1, pages + 1)
    ]
    path.write_text("\n".join(lines) + "\n")
    return {"members": len(sample), "pages": pages, "visits": len(lines)}


def median_round(rounds: list[dict]) -> dict:
    """The round with the median throughput (its latencies with it), and every round's throughput."""
    ordered = sorted(rounds, key=lambda entry: entry["rps"])
    chosen = dict(ordered[(len(ordered) - 1) // 2])
    chosen["rounds_rps"] = [entry["rps"] for entry in rounds]
    for key in ("clicks_sent", "clicks_answered", "clicks_recorded"):
        if key in chosen:
            chosen[key] = sum(entry[key] for entry in rounds)
    if "statuses" in chosen:
        statuses: dict[str, int] = {}
        for entry in rounds:
            for status, count in entry["statuses"].items():
                statuses[status] = statuses.get(status, 0) + count
        chosen["statuses"] = statuses
    return chosen


def _settled_click_count(timeout: float = 30.0) -> int:
    """The click count once it stops changing (the redirect writes before it answers)."""
    previous = -1
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        count = Click.objects.count()
        if count == previous:
            return count
        previous = count
        time.sleep(1.0)
    return previous


def write_codes(path: Path, organization_id: int, count: int = 5000) -> int:
    """A sample of tracked links of posted shares, for the redirect load."""
    codes = list(
        TrackedLink.objects.filter(organization_id=organization_id, share__status="posted")
        .order_by("?")
        .values_list("code", flat=True)[:count]
    )
    path.write_text("\n".join(codes) + "\n")
    return len(codes)
