"""A signed-in person loading pages through gunicorn while a scenario hurts the platform.

Every answer is counted by status; a 5xx, or no answer at all, is a server error the
scenario reports.
"""

from __future__ import annotations

import threading
from collections import Counter

import httpx
from allauth.account.models import EmailAddress
from django.urls import reverse

from employees.models import Membership

# The signed-in clients talk plain http on loopback: cookies without the Secure flag.
PLAIN_HTTP = {"SECURE_COOKIES": "0"}
PASSWORD = "chaos-password-that-is-long-enough"  # noqa: S105 - a throwaway account


def viewer_prepare(member: Membership, *, comms: bool = False) -> Membership:
    """Make `member` a manager (and communications, with `comms`) who can sign in with PASSWORD."""
    member.is_manager = True
    member.is_comms = comms or member.is_comms
    member.save(update_fields=["is_manager", "is_comms"])
    member.user.set_password(PASSWORD)
    member.user.save(update_fields=["password"])
    EmailAddress.objects.create(user=member.user, email=member.user.email, verified=True, primary=True)
    return member


def signed_in(base: str, email: str) -> httpx.Client:
    """An http client signed in through the login form, as a browser would."""
    client = httpx.Client(base_url=base, timeout=30, follow_redirects=False)
    login = reverse("account_login")
    client.get(login)
    token = client.cookies.get("csrftoken", "")
    answer = client.post(
        login,
        data={"login": email, "password": PASSWORD, "csrfmiddlewaretoken": token},
        headers={"Referer": base + login},
    )
    if answer.status_code != 302:
        client.close()
        raise RuntimeError(f"signing in answered {answer.status_code}")
    return client


class PagePoller:
    """A signed-in manager loading the dashboard and the feed (or `urls` by name), in a
    thread, until stopped; `pause` seconds between rounds leaves the CPU to the rest."""

    def __init__(
        self,
        base: str,
        email: str,
        *,
        urls: tuple[str, ...] = ("analytics:dashboard", "advocacy:feed"),
        pause: float = 0.0,
    ):
        self.base = base
        self.email = email
        self.names = urls
        self.pause = pause
        self.codes: Counter = Counter()
        self.pages = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> PagePoller:
        self.client = signed_in(self.base, self.email)
        self.thread.start()
        return self

    def _run(self) -> None:
        urls = [reverse(name) for name in self.names]
        while not self.stop.is_set():
            for url in urls:
                try:
                    self.codes[self.client.get(url).status_code] += 1
                except httpx.HTTPError:
                    self.codes["error"] += 1
                self.pages += 1
            self.stop.wait(self.pause)

    def errors(self) -> int:
        return sum(count for code, count in self.codes.items() if code == "error" or int(code) >= 500)

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self.thread.join(timeout=60)
        self.client.close()
