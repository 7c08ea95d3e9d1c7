"""The endpoint itself: bearer tokens, discovery, errors in the SCIM format, no CSRF."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from employees.models import AuditEvent
from employees.scim.models import ScimToken
from tests.employees.scim.conftest import assert_scim_error, new_user


def test_no_token_an_unknown_one_or_a_malformed_header_is_refused(cast, scim):
    for token in ("", "chorus_scim_not-a-real-token", "nonsense"):
        body = assert_scim_error(scim.get("Users", token=token), 401)
        assert "token" in body["detail"]
    response = scim.client.get("/scim/v2/Users", headers={"Authorization": f"Basic {scim.token}"})
    assert_scim_error(response, 401)
    assert response["WWW-Authenticate"] == 'Bearer realm="SCIM"'


def test_a_revoked_token_is_refused_changes_nothing_and_the_attempt_is_audited(cast, scim):
    token = ScimToken.objects.get(organization=cast.org)
    token.revoked_at = timezone.now()
    token.save()

    assert_scim_error(scim.post("Users", new_user()), 401)
    assert_scim_error(scim.post("Users", new_user()), 401)

    assert not cast.org.memberships.filter(user__email="dana@acme.test").exists()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.SCIM_TOKEN_REFUSED).count() == 1


def test_a_token_records_its_last_use_and_the_audit_log_its_first(cast, scim):
    scim.get("Users")
    scim.get("Users")

    token = ScimToken.objects.get(organization=cast.org)
    assert token.last_used_at is not None
    assert AuditEvent.objects.filter(action=AuditEvent.Action.SCIM_TOKEN_USED).count() == 1

    ScimToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now() - timedelta(hours=2))
    scim.get("Users")
    assert AuditEvent.objects.filter(action=AuditEvent.Action.SCIM_TOKEN_USED).count() == 2


def test_only_a_hash_of_the_token_is_stored(cast, scim):
    token = ScimToken.objects.get(organization=cast.org)
    assert scim.token not in (token.token_hash, token.prefix)
    assert scim.token.startswith(token.prefix)


def test_the_service_provider_config_needs_no_token_and_announces_the_bearer_scheme(db, client):
    response = client.get("/scim/v2/ServiceProviderConfig")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/scim+json"
    body = response.json()
    assert body["patch"]["supported"] and body["filter"]["supported"] and not body["bulk"]["supported"]
    assert body["authenticationSchemes"][0]["type"] == "oauthbearertoken"


def test_discovery_describes_only_what_chorus_stores(cast, scim):
    types = scim.get("ResourceTypes").json()
    schemas = scim.get("Schemas").json()

    assert {resource["name"] for resource in types["Resources"]} == {"User", "Group"}
    user = next(s for s in schemas["Resources"] if s["id"].endswith(":User"))
    assert {a["name"] for a in user["attributes"]} == {"userName", "name", "displayName", "active", "emails", "groups"}
    assert_scim_error(scim.get("Schemas/urn:nonsense"), 404)


def test_unknown_paths_and_methods_are_scim_errors(cast, scim):
    assert_scim_error(scim.get("Nonsense"), 404)
    assert_scim_error(scim.request("PUT", "Users"), 405)


def test_the_bearer_api_needs_no_csrf_token_but_the_settings_page_does(cast, scim):
    # `scim.client` enforces CSRF checks, as a browser would be held to.
    assert scim.post("Users", new_user()).status_code == 201

    scim.client.force_login(cast.alice.user, backend="django.contrib.auth.backends.ModelBackend")
    assert scim.client.post("/settings/scim/", {"name": "sneaky"}).status_code == 403
    assert not ScimToken.objects.filter(name="sneaky").exists()


def test_a_body_too_large_is_a_scim_error(cast, scim, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000

    response = scim.post("Users", new_user(displayName="x" * 2000))

    assert_scim_error(response, 413)
