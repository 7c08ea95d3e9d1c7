"""Day one on an empty server: `org_create` → the invitation link → the first admin sets
a password, turns on two-factor authentication and invites the first colleague.

The organization is made by the command an operator runs (email goes to the console
in e2e/run.sh, so the command prints the link); the code of the authenticator app is
computed here from the secret the page shows, as the app would.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time

from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import hotp_value
from playwright.sync_api import Page, expect

from e2e.tests.support import ROOT
from employees.models import Invitation, Membership

ORGANIZATION = "Fjordlys Energi"
ADMIN = "frida@fjordlys.example"
COLLEAGUE = "nina@fjordlys.example"
PASSWORD = "fjordlys-first-admin-pw"  # noqa: S105 - made up for this journey


def totp_code(secret: str, *, not_before: int | None = None) -> tuple[str, int]:
    """The app's current code; with `not_before`, wait for a later period (a code works once)."""
    period = mfa_settings.TOTP_PERIOD
    counter = int(time.time()) // period
    while not_before is not None and counter <= not_before:
        time.sleep(1)
        counter = int(time.time()) // period
    return f"{hotp_value(secret, counter):0{mfa_settings.TOTP_DIGITS}d}", counter


def org_create() -> str:
    result = subprocess.run(  # noqa: S603 - our own command
        [sys.executable, "manage.py", "org_create", ORGANIZATION, "--admin-email", ADMIN],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return re.search(r"Invitation link: (\S+)", result.stdout).group(1)


def test_the_first_admin_joins_turns_on_two_factor_and_invites_a_colleague(open_page):
    link = org_create()
    page: Page = open_page()
    page.goto(link)
    expect(page.get_by_role("heading", name=f"Join {ORGANIZATION}")).to_be_visible()
    page.get_by_label("Your name").fill("Frida First")
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.get_by_role("button", name="Join").click()
    expect(page.locator(".org-name")).to_have_text(ORGANIZATION)
    membership = Membership.objects.get(user__email=ADMIN, organization__name=ORGANIZATION)
    assert membership.is_admin and membership.is_active

    page.goto("/account/2fa/totp/activate/")
    # Joining logged her in, but changing how she logs in asks for the password again.
    expect(page.get_by_role("heading", name="Confirm Access")).to_be_visible()
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    secret = page.locator("#authenticator_secret").input_value()
    code, used = totp_code(secret)
    page.get_by_label("Authenticator code").fill(code)
    page.get_by_role("button", name="Activate").click()
    expect(page).not_to_have_url(re.compile(r"/2fa/totp/activate/"))
    assert Authenticator.objects.filter(user=membership.user, type=Authenticator.Type.TOTP).exists()

    page.goto("/people/")
    invite = page.locator("section[aria-labelledby=invite-heading]")
    invite.get_by_label("Name").fill("Nina Next")
    invite.get_by_label("Email").fill(COLLEAGUE)
    invite.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_text(f"Invitation sent to {COLLEAGUE}.")).to_be_visible()
    invitation = Invitation.objects.get(organization=membership.organization, email=COLLEAGUE)
    assert invitation.status == Invitation.Status.PENDING
    assert invitation.invited_by == membership.user

    # From now on the password alone is not enough.
    page.get_by_role("button", name="Log out").click()
    page.goto("/account/login/")
    page.get_by_label("Work email").fill(ADMIN)
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/account/2fa/authenticate/"))
    expect(page.get_by_role("heading", name="Two-Factor Authentication")).to_be_visible()
    code, _counter = totp_code(secret, not_before=used)
    page.get_by_label("Code").fill(code)
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("link", name="People")).to_be_visible()
