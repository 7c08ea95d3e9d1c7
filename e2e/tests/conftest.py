"""Fixtures for the browser journeys: Chromium, pages, the Bluesky network, the story so far.

The platform runs in its own processes (started by e2e/run.sh); the tests drive it
through Chromium and read its database through Django to check what the browser
cannot see (records on the PDS, rows in the database). The journeys build on each
other in file order, like a day in the life of one organization: what one journey
leaves behind is kept in ``story``.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

ROOT = Path(__file__).resolve().parents[2]
if "E2E_BASE_URL" not in os.environ:
    pytest.exit("The browser journeys run through e2e/run.sh (make e2e), which starts the platform.", returncode=4)
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# Playwright's sync API keeps an event loop in this thread, which Django takes for an
# async context; the tests only read rows, one at a time.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import django  # noqa: E402

django.setup()
logging.getLogger("httpx").setLevel(logging.WARNING)

from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright  # noqa: E402

from e2e.tests.support import BASE_URL, OUT, SHOTS  # noqa: E402
from harness.bluesky import LocalBlueskyNetwork  # noqa: E402

CHROMIUM = os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium")
# Playwright's own browser download does not work here: Debian's chromium, with the
# background services off (this machine's closed network refuses them).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
DESKTOP = {"width": 1280, "height": 860}
PHONE = {"width": 390, "height": 844}


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def story() -> SimpleNamespace:
    """What earlier journeys left for later ones (the post, the shares, the accounts)."""
    return SimpleNamespace()


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def open_page(browser: Browser, request):
    """Opens a page in a new browser context: ``open_page(phone=True, axe=True)``.

    ``axe=True`` bypasses the page's Content-Security-Policy so that axe-core can be
    injected; journeys run without it, under the real policy, and fail on any
    violation of it.
    """
    contexts: list[tuple[BrowserContext, list[str]]] = []

    def _open(*, phone: bool = False, axe: bool = False, state: dict | None = None) -> Page:
        """``state``: a session kept from an earlier page (``page.context.storage_state()``)."""
        options = {"is_mobile": True, "has_touch": True} if phone else {}
        if state is not None:
            options["storage_state"] = state
        context = browser.new_context(
            base_url=BASE_URL,
            viewport=PHONE if phone else DESKTOP,
            locale="en-GB",
            timezone_id="Europe/Copenhagen",
            bypass_csp=axe,
            accept_downloads=True,
            **options,
        )
        context.set_default_timeout(15_000)
        csp_errors: list[str] = []
        contexts.append((context, csp_errors))
        page = context.new_page()

        def on_console(message) -> None:
            if message.type == "error" and "Content Security Policy" in message.text:
                csp_errors.append(f"{page.url}: {message.text}")

        context.on("console", on_console)
        return page

    yield _open

    failed = getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed
    errors = []
    for number, (context, csp_errors) in enumerate(contexts):
        if failed:
            for index, page in enumerate(context.pages):
                path = SHOTS / "failures" / f"{request.node.name}-{number}-{index}.png"
                path.parent.mkdir(parents=True, exist_ok=True)
                try:
                    page.screenshot(path=path, full_page=True)
                except Exception as exc:  # a failure picture is best effort
                    print(f"no failure screenshot {path.name}: {exc}")
        errors += csp_errors
        context.close()
    if errors and not failed:
        pytest.fail("The Content-Security-Policy blocked something:\n" + "\n".join(errors))


@pytest.fixture(scope="session")
def network():
    """The local Bluesky reference network, its schemas in the run's own database."""
    net = LocalBlueskyNetwork(env={"BSKY_DB_URL": os.environ.get("BSKY_DB_URL", os.environ["DATABASE_URL"])})
    net.start()
    # e2e/run.sh stops it from here if this process cannot.
    pid_file = OUT / "bluesky.pid"
    pid_file.write_text(str(net.info.get("pid", "")))
    yield net
    net.stop()
    pid_file.unlink(missing_ok=True)


@pytest.fixture(scope="session")
def accounts(network):
    """Bluesky accounts: the employees', and fans who follow them (their potential reach)."""
    from harness.bluesky import unique_handle

    people = {name: network.create_account(unique_handle(name)) for name in ("emil", "dorthe", "demo")}
    fans = [network.create_account(unique_handle("fan")) for _ in range(3)]
    clients = [network.login(fan.handle, fan.password) for fan in fans]
    for client in clients:
        client.follow(people["emil"].did)
    clients[0].follow(people["dorthe"].did)
    network.process_all()
    return SimpleNamespace(**people, fans=fans, fan_clients=clients, followers={"emil": 3, "dorthe": 1})
