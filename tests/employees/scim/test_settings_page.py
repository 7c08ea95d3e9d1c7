"""The settings page where admins make and revoke SCIM tokens."""

from __future__ import annotations

from django.urls import reverse

from employees.models import AuditEvent
from employees.scim.models import ScimToken
from employees.scim.tokens import scim_token_create


def test_an_admin_creates_a_token_that_is_shown_once(cast, login):
    client = login(cast.alice)

    response = client.post(reverse("scim:settings"), {"name": "Entra ID"})

    assert response.status_code == 200
    token = ScimToken.objects.get(organization=cast.org)
    plain = response.context["created"]["plain"]
    assert plain.encode() in response.content and "no-store" in response["Cache-Control"]
    assert plain != token.token_hash
    page = client.get(reverse("scim:settings"))
    assert plain.encode() not in page.content and token.prefix.encode() in page.content
    assert b"http://127.0.0.1:8000/scim/v2" in page.content or b"/scim/v2" in page.content
    assert AuditEvent.objects.filter(action=AuditEvent.Action.SCIM_TOKEN_CREATED, actor=cast.alice.user).exists()


def test_a_token_needs_a_name(cast, login):
    response = login(cast.alice).post(reverse("scim:settings"), {"name": "  "})

    assert response.status_code == 400
    assert not ScimToken.objects.exists()


def test_an_admin_revokes_a_token_and_it_stops_working_at_once(cast, login, client):
    token, plain = scim_token_create(organization=cast.org, name="Okta", actor=cast.alice.user)
    assert client.get("/scim/v2/Users", headers={"Authorization": f"Bearer {plain}"}).status_code == 200

    response = login(cast.alice).post(reverse("scim:token_revoke", args=[token.pk]))

    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    client.logout()
    assert client.get("/scim/v2/Users", headers={"Authorization": f"Bearer {plain}"}).status_code == 401
    assert AuditEvent.objects.filter(action=AuditEvent.Action.SCIM_TOKEN_REVOKED).exists()


def test_only_admins_see_the_page_and_outsiders_cannot_revoke(cast, login):
    token, _plain = scim_token_create(organization=cast.org, name="Okta", actor=cast.alice.user)

    assert login(cast.carol).get(reverse("scim:settings")).status_code == 403
    assert login(cast.olga).post(reverse("scim:token_revoke", args=[token.pk])).status_code == 404
    assert login(cast.olga).get(reverse("scim:settings")).context["tokens"].count() == 0
    token.refresh_from_db()
    assert token.revoked_at is None
