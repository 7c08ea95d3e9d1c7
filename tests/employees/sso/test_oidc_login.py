"""OpenID Connect sign-in against a real provider (oidc-provider): redirect, code, ID token."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from social_django.models import UserSocialAuth

from employees.models import AuditEvent, Membership, User
from tests.employees.sso.flows import begin_url, oidc_login


def test_a_member_signs_in_through_the_organizations_provider(cast, client, acme_oidc, oidc_idp):
    response = oidc_login(client, oidc_idp, email="emma@acme.test")

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/").wsgi_request.user == cast.emma.user
    link = UserSocialAuth.objects.get(user=cast.emma.user)
    assert link.provider == "oidc"
    assert link.uid == f"org{cast.org.id}:sub-emma@acme.test"
    # The provider's tokens are used for this sign-in only, never stored.
    assert link.extra_data == {}
    event = AuditEvent.objects.get(organization=cast.org, action=AuditEvent.Action.SSO_LOGIN)
    assert event.actor == cast.emma.user
    assert event.detail == {"kind": "oidc"}


def test_the_authorization_request_carries_state_nonce_and_pkce(cast, client, acme_oidc):
    start = client.get(begin_url(client, "emma@acme.test"))
    query = parse_qs(urlsplit(start["Location"]).query)

    assert query["client_id"] == ["chorus"]
    assert query["redirect_uri"] == ["http://chorus.test/sso/complete/oidc/"]
    assert len(query["state"][0]) >= 32
    assert len(query["nonce"][0]) >= 32
    assert query["code_challenge_method"] == ["S256"]
    assert query["code_challenge"][0]
    assert query["login_hint"] == ["emma@acme.test"]


def test_later_sign_ins_find_the_member_by_subject_even_when_the_email_changed(cast, client, acme_oidc, oidc_idp):
    oidc_login(client, oidc_idp, email="emma@acme.test")
    client.logout()
    oidc_idp.set_account("sub-emma@acme.test", email="emma.jensen@acme.test")

    response = oidc_login(client, oidc_idp, email="emma@acme.test")

    assert response.status_code == 302
    assert client.get("/").wsgi_request.user == cast.emma.user
    assert not User.objects.filter(email="emma.jensen@acme.test").exists()


def test_a_newcomer_joins_as_an_employee_when_the_organization_allows_it(cast, client, acme_oidc, oidc_idp):
    acme_oidc.jit_provisioning = True
    acme_oidc.save()

    response = oidc_login(client, oidc_idp, email="nina@acme.test")

    assert response.status_code == 302
    nina = User.objects.get(email="nina@acme.test")
    assert not nina.has_usable_password()
    membership = Membership.objects.get(user=nina, organization=cast.org)
    assert membership.roles == ["employee"]
    assert AuditEvent.objects.filter(
        organization=cast.org, action=AuditEvent.Action.SSO_PROVISIONED, actor=nina, detail={"how": "just_in_time"}
    ).exists()


def test_the_page_asked_for_before_login_opens_after_it(cast, client, acme_oidc, oidc_idp):
    from tests.employees.sso.flows import local

    page = client.post("/sso/", {"email": "emma@acme.test", "next": "/shares/"})
    assert b"next=%2Fshares%2F" in page.content
    start = client.get("/sso/begin/acme/?email=emma%40acme.test&next=%2Fshares%2F")

    response = client.get(local(oidc_idp.sign_in(start["Location"], login="sub-emma@acme.test")))

    assert response["Location"] == "/shares/"


def test_a_next_address_on_another_site_is_dropped(cast, client, acme_oidc):
    page = client.post("/sso/", {"email": "emma@acme.test", "next": "https://evil.example/"})

    assert b"evil.example" not in page.content


def test_a_sign_in_while_logged_in_as_someone_else_never_links_to_them(cast, client, acme_oidc, oidc_idp):
    client.force_login(cast.alice.user, backend="django.contrib.auth.backends.ModelBackend")

    response = oidc_login(client, oidc_idp, email="emma@acme.test")

    assert response.status_code == 302
    assert client.get("/").wsgi_request.user == cast.emma.user
    assert not UserSocialAuth.objects.filter(user=cast.alice.user).exists()
    assert UserSocialAuth.objects.get().user == cast.emma.user
