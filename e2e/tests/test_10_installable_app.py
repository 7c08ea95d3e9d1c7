"""The installable web app in Chromium: the browser's own installability check finds no
error, a link shared to the app lands on the suggestion form, and the offline page shows
when the server cannot be reached.

Chromium offers installation only outside incognito: this journey runs in a browser
profile on disk (a persistent context), not in the fresh contexts the others use.
"""

from __future__ import annotations

from playwright.sync_api import expect

from e2e.tests.conftest import CHROMIUM, CHROMIUM_ARGS, PHONE
from e2e.tests.support import BASE_URL, EMPLOYEE, login, shot


def test_chromium_finds_the_app_installable_and_it_works_offline_and_as_a_share_target(browser, tmp_path):
    context = browser.browser_type.launch_persistent_context(
        str(tmp_path / "profile"),
        executable_path=CHROMIUM,
        args=CHROMIUM_ARGS,
        headless=True,
        base_url=BASE_URL,
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        locale="en-GB",
    )
    problems: list[str] = []
    context.on("console", lambda message: message.type == "error" and problems.append(message.text))
    try:
        page = context.pages[0] if context.pages else context.new_page()
        login(page, EMPLOYEE)
        page.goto("/feed/")
        # The service worker takes over once it is installed and has claimed the page.
        page.evaluate("navigator.serviceWorker.ready.then(() => true)")
        page.wait_for_function("navigator.serviceWorker.controller !== null")

        session = context.new_cdp_session(page)
        errors = session.send("Page.getInstallabilityErrors")["installabilityErrors"]
        assert errors == [], errors
        manifest = session.send("Page.getAppManifest")
        assert not manifest.get("errors"), manifest.get("errors")

        # A link shared from the phone's share sheet: the manifest's share target.
        page.goto("/content/suggest/?title=New+office&url=https%3A%2F%2Fnews.example%2Foffice")
        expect(page.get_by_label("Link")).to_have_value("https://news.example/office")
        expect(page.get_by_label("Title (optional)")).to_have_value("New office")
        shot(page, "share-target-phone")

        # No connection: the page comes from the service worker, nothing personal in it.
        context.set_offline(True)
        try:
            page.goto("/feed/")
            expect(page.get_by_role("heading", name="You are offline")).to_be_visible()
            shot(page, "offline-phone")
        finally:
            context.set_offline(False)
        page.goto("/feed/")
        expect(page.get_by_role("heading", name="You are offline")).to_have_count(0)
    finally:
        context.close()
    # Going offline makes the browser log the failed fetch; anything else is a fault.
    assert [text for text in problems if "ERR_INTERNET_DISCONNECTED" not in text] == []
