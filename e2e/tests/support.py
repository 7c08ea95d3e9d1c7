"""Helpers the journeys share: logging in, screenshots, axe-core, the keyboard, waiting."""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path

from atproto import Client
from playwright.sync_api import Locator, Page, expect

ROOT = Path(__file__).resolve().parents[2]
BASE_URL = os.environ.get("E2E_BASE_URL", "")
SITE_URL = os.environ.get("E2E_SITE_URL", "")
OUT = Path(os.environ.get("E2E_OUT", ROOT / "var" / "e2e"))
SHOTS = OUT / "screenshots"
AXE = ROOT / "e2e" / "node_modules" / "axe-core" / "axe.min.js"

PASSWORD = "e2e-password-123"  # noqa: S105 - e2e/seed.py's test users
DEMO_PASSWORD = "demo-password-123"  # noqa: S105 - seed_demo's users
COMMS = "clara@nordlys.test"
MANAGER = "magnus@nordlys.test"
EMPLOYEE = "emil@nordlys.test"
DANISH_EMPLOYEE = "dorthe@nordlys.test"
OUTSIDER = "sam@nordlys.test"  # in another team: the post is not for him
TEAM = "Field sales"


def login(page: Page, email: str, password: str = PASSWORD) -> None:
    """The login page asks for the work email first; without company sign-in, the password next."""
    page.goto("/account/login/")
    page.get_by_label("Work email").fill(email)
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page).not_to_have_url(re.compile(r"/account/login/"))


def shot(page: Page, name: str, *, full_page: bool = True) -> Path:
    path = SHOTS / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=path, full_page=full_page, animations="disabled", caret="hide")
    return path


def axe_violations(page: Page, label: str) -> list[str]:
    """Runs axe-core in the page; returns the serious and critical violations, readable.

    The page's context must bypass the Content-Security-Policy (``open_page(axe=True)``):
    the policy allows no script from anywhere but the platform itself.
    """
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {resultTypes: ['violations']});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => n.target.join(' ') + ' — ' + (n.failureSummary || '').split('\\n')[1])}));
        }"""
    )
    log = OUT / "axe.jsonl"
    with log.open("a") as out:
        out.write(json.dumps({"page": label, "url": page.url, "violations": result}) + "\n")
    found = []
    for violation in result:
        if violation["impact"] in ("serious", "critical"):
            nodes = "\n      ".join(violation["nodes"][:6])
            found.append(f"{label}: [{violation['impact']}] {violation['id']}: {violation['help']}\n      {nodes}")
    return found


def tab_to(page: Page, target: Locator, *, presses: int = 60, shift: bool = False) -> None:
    """Presses Tab until ``target`` has the focus: proof it is reachable by keyboard."""
    handle = target.element_handle()
    key = "Shift+Tab" if shift else "Tab"
    for _ in range(presses):
        page.keyboard.press(key)
        if page.evaluate("el => document.activeElement === el", handle):
            return
    focused = page.evaluate("() => document.activeElement && document.activeElement.outerHTML.slice(0, 200)")
    raise AssertionError(f"{target} not reached with {presses} × {key}; the focus is on {focused}")


def wait_for(condition, *, timeout: float = 60, interval: float = 0.5, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout:.0f}s")
        time.sleep(interval)


def pds_posts(pds_url: str, did: str) -> list:
    """The app.bsky.feed.post records in an account's repository on the PDS."""
    client = Client(base_url=pds_url + "/xrpc")
    page = client.com.atproto.repo.list_records({"repo": did, "collection": "app.bsky.feed.post", "limit": 100})
    return list(page.records)


def watch_console(page: Page) -> list[str]:
    """Every console error (policy violations included) and uncaught script error, on
    every page the tab visits: a journey that checks it fails on any of them."""
    errors: list[str] = []

    def on_console(message) -> None:
        if message.type == "error":
            errors.append(f"{page.url}: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))
    return errors
