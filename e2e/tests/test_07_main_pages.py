"""Every main page, on a desktop and on a 390 px phone: screenshots, axe-core, and phone comfort.

The pages are those of the demo organization (``seed_demo``: ninety days of history),
so that the screenshots show the platform in use. axe-core runs in each page; a
serious or critical violation anywhere fails the test, and all of them are listed.
"""

from __future__ import annotations

from dataclasses import dataclass

from playwright.sync_api import Page, expect

from e2e.tests.support import DEMO_PASSWORD, axe_violations, login, shot

PHONE_WIDTH = 390
# Apple's and Google's guidance: about 44 and 48 px; 40 is the floor here.
MIN_TAP = 40
# Smaller text in a form field makes a phone's browser zoom in on focus.
MIN_INPUT_FONT_PX = 16


@dataclass(frozen=True)
class Screen:
    name: str
    heading: str
    path: str = ""  # or found by `find` from the page before


def _composer_path(page: Page) -> str:
    page.goto("/feed/")
    return page.locator("article.feed-post").first.get_by_role("link", name="Share").get_attribute("href")


def _editor_path(page: Page) -> str:
    page.goto("/content/?status=published")
    return page.get_by_role("link", name="Our spring product release").get_attribute("href")


def _post_detail_path(page: Page) -> str:
    return _editor_path(page).removesuffix("edit/")


def _post_report_path(page: Page) -> str:
    page.goto("/analytics/")
    return page.locator("section", has_text="Top posts").locator("tbody a").first.get_attribute("href")


# The main pages, then (under more/) the other pages each role uses.
EMPLOYEE_PAGES = [
    Screen("feed", "My feed", "/feed/"),
    Screen("composer", "Share with your network"),
    Screen("my-shares", "My shares", "/shares/"),
    Screen("profiles", "My profiles", "/profiles/"),
    Screen("my-impact", "My impact", "/analytics/me/"),
    Screen("more/connect-bluesky", "Connect Bluesky", "/profiles/connect/bluesky/"),
    Screen("more/suggest", "Suggest a post", "/content/suggest/"),
    Screen("more/my-suggestions", "My suggestions", "/content/suggestions/"),
]
COMMS_PAGES = [
    Screen("library", "Content library", "/content/"),
    Screen("editor", "Our spring product release"),
    Screen("approval-queue", "Suggestions awaiting approval", "/content/approvals/"),
    Screen("more/new-post", "New post", "/content/new/"),
    Screen("more/post-detail", "Our spring product release"),
    Screen("more/topics", "Topics", "/content/topics/"),
    Screen("more/compliance", "Compliance rules", "/content/compliance/"),
    Screen("more/sources", "Sources", "/content/sources/"),
    Screen("more/company-profiles", "Company profiles", "/profiles/company/"),
]
MANAGER_PAGES = [
    Screen("dashboard", "Reach dashboard", "/analytics/"),
    Screen("more/post-report", ""),
]
ADMIN_PAGES = [
    Screen("people", "People", "/people/"),
    Screen("more/people-import", "Import people from a CSV file", "/people/import/"),
    Screen("more/teams", "Teams", "/teams/"),
    Screen("more/organization-settings", "Organization settings", "/settings/organization/"),
    Screen("more/audit-log", "Audit log", "/settings/audit/"),
]
FINDERS = {
    "composer": _composer_path,
    "editor": _editor_path,
    "more/post-detail": _post_detail_path,
    "more/post-report": _post_report_path,
}


def _phone_comfort(page: Page, name: str) -> list[str]:
    problems = []
    width = page.evaluate("() => document.documentElement.scrollWidth")
    if width > PHONE_WIDTH + 1:
        problems.append(f"{name} (phone): the page is {width}px wide, wider than the screen")
    if name in ("feed", "composer"):
        targets = page.locator(
            "main .button, main button, main .topic-filter a,"
            " main label:has(input[type=checkbox]), main label:has(input[type=radio])"
        ).filter(visible=True)
        for index in range(targets.count()):
            box = targets.nth(index).bounding_box()
            if box and box["height"] < MIN_TAP:
                label = targets.nth(index).inner_text().strip()[:40]
                problems.append(f"{name} (phone): {label!r} is a {box['height']:.0f}px high target (< {MIN_TAP})")
        fields = page.locator("main textarea, main input[type=text], main input[type=datetime-local]")
        for index in range(fields.count()):
            size = fields.nth(index).evaluate("el => parseFloat(getComputedStyle(el).fontSize)")
            if size < MIN_INPUT_FONT_PX:
                problems.append(f"{name} (phone): a form field's text is {size}px (< {MIN_INPUT_FONT_PX})")
    return problems


def _visit(open_page, email: str | None, screens: list[Screen], *, before=None) -> list[str]:
    """Desktop first (finding the paths), then the phone with the same session."""
    found = []
    desktop = open_page(axe=True)
    if email:
        login(desktop, email, DEMO_PASSWORD)
    if before:
        before(desktop)
    paths = {screen.name: screen.path or FINDERS[screen.name](desktop) for screen in screens}
    state = desktop.context.storage_state()
    phone = open_page(axe=True, phone=True, state=state)
    for page, suffix in ((desktop, ""), (phone, "-phone")):
        for screen in screens:
            page.goto(paths[screen.name])
            expect(page.get_by_role("heading", level=1)).to_contain_text(screen.heading)
            page.wait_for_load_state("networkidle")
            shot(page, f"{screen.name}{suffix}")
            found += axe_violations(page, f"{screen.name}{suffix}")
            if suffix:
                found += _phone_comfort(page, screen.name)
    return found


def _connect_a_profile(network, account):
    def connect(page: Page) -> None:
        page.goto("/profiles/connect/bluesky/")
        page.get_by_label("Handle").fill(account.handle)
        page.get_by_label("App password").fill(account.password)
        page.get_by_text("Advanced", exact=True).click()
        page.get_by_label("PDS address").fill(network.pds_url)
        page.get_by_role("button", name="Connect", exact=True).click()
        expect(page.get_by_text(f"Connected Bluesky profile {account.handle}.")).to_be_visible()

    return connect


def test_main_pages_pass_axe_and_fit_a_phone(open_page, network, accounts):
    problems = []
    login_page = open_page(axe=True)
    for page, suffix in ((login_page, ""), (open_page(axe=True, phone=True), "-phone")):
        page.goto("/account/login/")
        shot(page, f"login{suffix}")
        problems += axe_violations(page, f"login{suffix}")
    # The demo employee connects a real profile, so that the composer has somewhere to share to.
    problems += _visit(
        open_page, "employee@demo.example", EMPLOYEE_PAGES, before=_connect_a_profile(network, accounts.demo)
    )
    problems += _visit(open_page, "comms@demo.example", COMMS_PAGES)
    problems += _visit(open_page, "manager@demo.example", MANAGER_PAGES)
    problems += _visit(open_page, "admin@demo.example", ADMIN_PAGES)
    assert not problems, "\n".join(["Accessibility and phone problems:", *problems])


def test_on_a_phone_the_navigation_folds_behind_a_menu_button(open_page):
    """Up to 600 px the main navigation is behind a menu button (static/js/app.js; the
    policy allows no inline script); the content library turns into cards."""
    page = open_page(phone=True)
    login(page, "comms@demo.example", DEMO_PASSWORD)
    page.goto("/content/")
    menu = page.get_by_role("button", name="Menu")
    nav = page.get_by_role("navigation", name="Main")
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(nav).to_be_hidden()
    shot(page, "menu-closed-phone", full_page=False)
    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(nav.get_by_role("link", name="Library")).to_be_visible()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    shot(page, "menu-open-phone", full_page=False)
    nav.get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Reach dashboard")

    # The library: one card per post, each cell naming its column.
    page.goto("/content/")
    first = page.locator("#post-table tbody tr").first
    box = first.bounding_box()
    assert box and box["width"] <= PHONE_WIDTH, "a card fits the screen"
    label = first.locator("td[data-label]").first.evaluate("td => getComputedStyle(td, '::before').content")
    assert "Status" in label
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE_WIDTH + 1

    desktop = open_page(state=page.context.storage_state())
    desktop.goto("/content/")
    expect(desktop.get_by_role("button", name="Menu")).to_be_hidden()
    expect(desktop.get_by_role("navigation", name="Main").get_by_role("link", name="Library")).to_be_visible()
