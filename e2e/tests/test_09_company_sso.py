"""Journey 9: a company turns on single sign-on, and a newcomer signs in through it.

The identity provider is a real OpenID Connect provider (oidc-provider, tests/idp)
on loopback. The admin of Fjord ApS pastes its values into the settings page; a
colleague who has never been invited types their work email, follows the link to
the provider, signs in there and lands in Chorus as an employee — all under the
real Content-Security-Policy (form-action 'self': the provider is reached by a
link, never by a redirect that answers a form).
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from e2e.tests.support import BASE_URL, PASSWORD, login, shot
from tests.idp.servers import OidcProvider

ADMIN = "frida@fjord.test"
NEWCOMER = "nils@fjord.test"


@pytest.fixture(scope="module")
def oidc_idp():
    idp = OidcProvider(redirect_uri=f"{BASE_URL}/sso/complete/oidc/").start()
    yield idp
    idp.stop()


@pytest.fixture(scope="module")
def fjord():
    from allauth.account.models import EmailAddress

    from employees.models import Membership, Organization, User

    organization = Organization.objects.create(name="Fjord ApS", slug="fjord")
    admin = User.objects.create_user(ADMIN, PASSWORD, name="Frida Admin")
    EmailAddress.objects.create(user=admin, email=ADMIN, verified=True, primary=True)
    Membership.objects.create(user=admin, organization=organization, is_admin=True, is_employee=False)
    return organization


def test_a_newcomer_signs_in_through_the_companys_openid_provider(open_page, oidc_idp, fjord):
    from social_django.models import UserSocialAuth

    from employees.models import AuditEvent, Membership

    admin = open_page()
    login(admin, ADMIN)
    admin.goto("/sso/settings/")
    expect(admin.locator("#oidc-redirect-uri")).to_have_text(f"{BASE_URL}/sso/complete/oidc/")
    admin.locator("#id_kind").select_option("oidc")
    admin.get_by_label("Discovery URL").fill(oidc_idp.discovery_url)
    admin.get_by_label("Client id").fill(oidc_idp.client_id)
    admin.get_by_label("Client secret").fill(oidc_idp.client_secret)
    admin.get_by_label("Verified email domains").fill("fjord.test")
    admin.get_by_label("Create accounts on first sign-in").check()
    admin.get_by_role("button", name="Save").click()
    expect(admin.get_by_text("Single sign-on settings saved.")).to_be_visible()
    shot(admin, "sso-settings")

    page = open_page()
    page.goto("/account/login/")
    page.get_by_label("Work email").fill(NEWCOMER)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text("Fjord ApS signs you in with your company account.")).to_be_visible()
    page.get_by_role("link", name="Continue to Fjord ApS sign-in").click()

    # At the provider: its own sign-in form (any password), the login is the subject.
    expect(page).to_have_url(re.compile(rf"^{re.escape(oidc_idp.issuer)}/interaction/"))
    page.locator("input[name=login]").fill(f"sub-{NEWCOMER}")
    page.locator("input[name=password]").fill("anything")
    page.get_by_role("button", name="Sign-in").click()

    expect(page).to_have_url(re.compile(rf"^{re.escape(BASE_URL)}/"))
    expect(page).not_to_have_url(re.compile(r"/account/login/|/sso/"))
    expect(page.get_by_role("link", name="My feed").first).to_be_visible()
    shot(page, "sso-signed-in")

    link = UserSocialAuth.objects.get(uid=f"org{fjord.id}:sub-{NEWCOMER}")
    assert link.user.email == NEWCOMER
    membership = Membership.objects.get(organization=fjord, user=link.user)
    assert membership.roles == ["employee"]
    actions = set(AuditEvent.objects.filter(organization=fjord).values_list("action", flat=True))
    assert {"sso.changed", "sso.provisioned", "sso.login"} <= actions
