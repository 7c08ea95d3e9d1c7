"""Journeys 2 and 5, first step: two employees connect their Bluesky profiles on the local network.

Emil does it in English with the mouse; Dorthe switches the interface to Danish
with the footer picker and does it with the keyboard only.
"""

from __future__ import annotations

from playwright.sync_api import expect

from e2e.tests.support import DANISH_EMPLOYEE, EMPLOYEE, login, tab_to
from employees.models import SocialProfile


def _connected(email: str, account) -> None:
    """The profile is stored as the employee's own, active, keyed by the account's DID."""
    profile = SocialProfile.objects.get(owner_membership__user__email=email, network="bluesky")
    assert (profile.remote_id, profile.handle, profile.state) == (account.did, account.handle, "active")


def test_an_employee_connects_a_bluesky_profile(open_page, story, network, accounts):
    page = open_page()
    login(page, EMPLOYEE)
    page.get_by_role("link", name="My profiles").click()
    page.get_by_role("link", name="Connect Bluesky").click()
    page.get_by_label("Handle").fill(accounts.emil.handle)
    page.get_by_label("App password").fill(accounts.emil.password)
    page.get_by_text("Advanced", exact=True).click()
    page.get_by_label("PDS address").fill(network.pds_url)
    page.get_by_role("button", name="Connect", exact=True).click()

    expect(page.get_by_text(f"Connected Bluesky profile {accounts.emil.handle}.")).to_be_visible()
    expect(page.get_by_role("article", name=accounts.emil.handle)).to_contain_text(
        f"{accounts.followers['emil']} followers"
    )
    _connected(EMPLOYEE, accounts.emil)
    story.emil_state = page.context.storage_state()


def test_a_danish_employee_switches_language_and_connects_with_the_keyboard(open_page, story, network, accounts):
    page = open_page()
    login(page, DANISH_EMPLOYEE)
    expect(page.get_by_role("heading", name="My feed")).to_be_visible()

    # The footer's language picker submits itself when the choice changes.
    picker = page.get_by_label("Language")
    tab_to(page, picker, presses=80)
    page.keyboard.press("ArrowDown")
    expect(page.get_by_role("heading", name="Mit feed")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "da")
    expect(page.get_by_role("navigation", name="Hovedmenu").get_by_role("link", name="Mine profiler")).to_be_visible()

    page.goto("/profiles/")
    tab_to(page, page.get_by_role("link", name="Tilslut Bluesky"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Tilslut Bluesky")).to_be_visible()
    tab_to(page, page.get_by_label("Brugernavn"))
    page.keyboard.type(accounts.dorthe.handle)
    tab_to(page, page.get_by_label("App-adgangskode"))
    page.keyboard.type(accounts.dorthe.password)
    tab_to(page, page.get_by_text("Avanceret", exact=True))
    page.keyboard.press("Enter")
    pds = page.get_by_label("PDS-adresse")
    tab_to(page, pds)
    page.keyboard.press("ControlOrMeta+A")
    page.keyboard.type(network.pds_url)
    tab_to(page, page.get_by_role("button", name="Tilslut", exact=True))
    page.keyboard.press("Enter")

    # Signing in on the PDS takes seconds on a busy machine.
    expect(page.get_by_text(f"Bluesky-profilen {accounts.dorthe.handle} er tilsluttet.")).to_be_visible(timeout=20_000)
    expect(page.get_by_role("article", name=accounts.dorthe.handle)).to_contain_text("1 følger")
    _connected(DANISH_EMPLOYEE, accounts.dorthe)
    story.dorthe_state = page.context.storage_state()
