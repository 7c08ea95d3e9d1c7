"""The audit log: every act that matters leaves an event, admins read it, nobody else."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from content.models import Post
from employees.audit import audit_record
from employees.models import AuditEvent
from employees.scim.tokens import scim_token_create
from tests.factories import PASSWORD, PostFactory, SocialProfileFactory

Action = AuditEvent.Action
USER = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"


def _post_form(**overrides):
    data = {
        "title": "We opened an office in Aarhus",
        "body": "",
        "link_url": "https://example.com/aarhus",
        "internal_notes": "",
        "captions-TOTAL_FORMS": "0",
        "captions-INITIAL_FORMS": "0",
        "action": "save",
    }
    return data | overrides


def _publish_from_editor(cast, login):
    login(cast.carol).post(reverse("content:post_create"), _post_form(action="publish"))
    return cast.carol


def _schedule_from_editor(cast, login):
    later = (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    login(cast.carol).post(reverse("content:post_create"), _post_form(action="schedule", publish_at=later))
    return cast.carol


def _publish_now(cast, login):
    draft = PostFactory(organization=cast.org)
    login(cast.carol).post(reverse("content:post_publish", args=[draft.id]))
    return cast.carol


def _archive(cast, login):
    post = PostFactory.published(organization=cast.org)
    login(cast.carol).post(reverse("content:post_archive", args=[post.id]))
    return cast.carol


def _archive_in_bulk(cast, login):
    posts = [PostFactory(organization=cast.org), PostFactory(organization=cast.org)]
    login(cast.carol).post(reverse("content:post_bulk"), {"action": "archive", "post": [post.id for post in posts]})
    return cast.carol


def _suggestion(cast):
    return PostFactory(organization=cast.org, status="pending_approval", source="employee", created_by=cast.emma.user)


def _approve(cast, login):
    login(cast.carol).post(reverse("content:suggestion_approve", args=[_suggestion(cast).id]), {"publish": "1"})
    return cast.carol


def _reject(cast, login):
    login(cast.carol).post(reverse("content:suggestion_reject", args=[_suggestion(cast).id]), {"reason": "Too old"})
    return cast.carol


def _change_roles(cast, login):
    login(cast.alice).post(reverse("employees:member_edit", args=[cast.emma.id]), {"roles": ["employee", "comms"]})
    return cast.alice


def _invite(cast, login):
    login(cast.alice).post(
        reverse("employees:invite"), {"email": "new@acme.test", "name": "New", "roles": ["employee"]}
    )
    return cast.alice


def _deactivate(cast, login):
    login(cast.alice).post(reverse("employees:member_deactivate", args=[cast.emma.id]))
    return cast.alice


def _reactivate(cast, login):
    cast.emma.is_active = False
    cast.emma.save()
    login(cast.alice).post(reverse("employees:member_reactivate", args=[cast.emma.id]))
    return cast.alice


def _connect(cast, login):
    login(cast.emma).post(reverse("profiles:profile_connect", args=["facebook"]))
    return cast.emma


def _disconnect(cast, login):
    profile = SocialProfileFactory(owner_membership=cast.emma)
    login(cast.emma).post(reverse("profiles:profile_disconnect", args=[profile.id]))
    return cast.emma


def _organization_settings(cast, login):
    data = {"name": "Acme A/S", "language": "da", "timezone": "Europe/Copenhagen"}
    login(cast.alice).post(reverse("employees:organization_settings"), data)
    return cast.alice


def _sso_settings(cast, login):
    data = {
        "kind": "oidc",
        "oidc_discovery_url": "https://login.example.com/.well-known/openid-configuration",
        "oidc_client_id": "chorus",
        "oidc_client_secret": "a-secret",
        "domains": "acme.test",
    }
    login(cast.alice).post(reverse("sso:settings"), data)
    return cast.alice


def _sso_break_glass(cast, login):
    from allauth.mfa.totp.internal.auth import (
        TOTP,
        format_hotp_value,
        generate_totp_secret,
        hotp_value,
        yield_hotp_counters_from_time,
    )
    from django.test import Client

    from employees.sso.models import IdentityProvider

    IdentityProvider.objects.create(
        organization=cast.org,
        kind="oidc",
        oidc_discovery_url="https://login.example.com/.well-known/openid-configuration",
        oidc_client_id="chorus",
        sso_required=True,
    )
    secret = generate_totp_secret()
    TOTP.activate(cast.alice.user, secret)
    client = Client()
    client.post(reverse("account_login"), {"login": cast.alice.user.email, "password": PASSWORD})
    client.post(
        reverse("mfa_authenticate"),
        {"code": format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))},
    )
    return cast.alice


def _compliance(cast, login):
    data = {"disclosure_text": "#ansat", "disclosure_mode": "append", "blocked_phrases": "secret"}
    login(cast.carol).post(reverse("content:compliance"), data)
    return cast.carol


def _network_app(cast, login):
    data = {"x-client_id": "acme-x", "x-client_secret": "shh"}
    login(cast.alice).post(reverse("profiles:network_app_edit", args=["x"]), data)
    return cast.alice


def _export(cast, login):
    login(cast.emma).post(reverse("profiles:my_data_export"))
    return cast.emma


def _offboard(cast, login):
    login(cast.alice).post(
        reverse("employees:member_offboard", args=[cast.emma.id]), {"confirm_email": "emma@acme.test"}
    )
    return cast.alice


def _scim_token_create(cast, login):
    login(cast.alice).post(reverse("scim:settings"), {"name": "Entra ID"})
    return cast.alice


def _scim_token_revoke(cast, login):
    token, _plain = scim_token_create(organization=cast.org, name="Okta", actor=cast.alice.user)
    AuditEvent.objects.all().delete()
    login(cast.alice).post(reverse("scim:token_revoke", args=[token.id]))
    return cast.alice


ACTS = [
    (_publish_from_editor, Action.POST_PUBLISHED),
    (_schedule_from_editor, Action.POST_SCHEDULED),
    (_publish_now, Action.POST_PUBLISHED),
    (_archive, Action.POST_ARCHIVED),
    (_archive_in_bulk, Action.POST_ARCHIVED),
    (_approve, Action.SUGGESTION_APPROVED),
    (_reject, Action.SUGGESTION_REJECTED),
    (_change_roles, Action.ROLE_CHANGED),
    (_invite, Action.MEMBER_INVITED),
    (_deactivate, Action.MEMBER_DEACTIVATED),
    (_reactivate, Action.MEMBER_REACTIVATED),
    (_connect, Action.PROFILE_CONNECTED),
    (_disconnect, Action.PROFILE_DISCONNECTED),
    (_organization_settings, Action.SETTINGS_CHANGED),
    (_sso_settings, Action.SSO_CHANGED),
    (_sso_break_glass, Action.SSO_BREAK_GLASS),
    (_compliance, Action.SETTINGS_CHANGED),
    (_network_app, Action.SETTINGS_CHANGED),
    (_export, Action.DATA_EXPORTED),
    (_offboard, Action.MEMBER_OFFBOARDED),
    (_scim_token_create, Action.SCIM_TOKEN_CREATED),
    (_scim_token_revoke, Action.SCIM_TOKEN_REVOKED),
]


# What an identity provider does through SCIM: the token it used is named, no person.
def _scim(cast, method, path, body=None, *, revoked=False):
    token, plain = scim_token_create(organization=cast.org, name="Entra ID", actor=cast.alice.user)
    if revoked:
        token.revoked_at = timezone.now()
        token.save()
    AuditEvent.objects.all().delete()
    data = {"content_type": "application/scim+json", "data": json.dumps(body)} if body else {}
    Client().generic(method, f"/scim/v2/{path}", headers={"Authorization": f"Bearer {plain}"}, **data)


def _user(user_name="dana@acme.test"):
    return {"schemas": [USER], "userName": user_name, "emails": [{"value": user_name}]}


def _patch(*operations):
    return {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": list(operations)}


SCIM_ACTS = [
    (lambda cast: _scim(cast, "GET", "Users"), Action.SCIM_TOKEN_USED),
    (lambda cast: _scim(cast, "GET", "Users", revoked=True), Action.SCIM_TOKEN_REFUSED),
    (lambda cast: _scim(cast, "POST", "Users", _user()), Action.SCIM_USER_CREATED),
    (
        lambda cast: _scim(
            cast, "PATCH", f"Users/{cast.emma.id}", _patch({"op": "add", "path": "externalId", "value": "e-1"})
        ),
        Action.SCIM_USER_UPDATED,
    ),
    (
        lambda cast: _scim(cast, "POST", "Groups", {"schemas": [GROUP], "displayName": "Support"}),
        Action.SCIM_GROUP_CREATED,
    ),
    (
        lambda cast: _scim(
            cast, "PATCH", f"Groups/{cast.sales.id}", _patch({"op": "replace", "path": "displayName", "value": "Sale"})
        ),
        Action.SCIM_GROUP_UPDATED,
    ),
    (lambda cast: _scim(cast, "DELETE", f"Groups/{cast.marketing.id}"), Action.SCIM_GROUP_DELETED),
]


@pytest.mark.parametrize(("act", "action"), SCIM_ACTS, ids=[action.value for _act, action in SCIM_ACTS])
def test_each_act_of_an_identity_provider_leaves_one_event_naming_its_token(cast, act, action):
    act(cast)
    event = AuditEvent.objects.get(action=action)
    assert event.organization == cast.org
    assert event.actor is None and event.actor_label.startswith("SCIM: Entra ID (chorus_scim_")


@pytest.mark.parametrize(("act", "action"), ACTS, ids=[act.__name__.strip("_") for act, _action in ACTS])
def test_each_act_leaves_one_event_naming_who_did_it(cast, login, act, action):
    actor = act(cast, login)
    events = AuditEvent.objects.filter(action=action)
    assert events.count() == 1
    event = events.get()
    assert event.organization == cast.org
    assert event.actor == actor.user
    assert actor.user.email in event.actor_label


# Acts that need a real identity provider: their tests sign in through the local ones.
RECORDED_IN_OTHER_TESTS = {
    Action.SSO_LOGIN: "tests/employees/sso/test_oidc_login.py, test_saml_login.py",
    Action.SSO_PROVISIONED: "tests/employees/sso/test_oidc_login.py, test_sso_required.py",
    Action.POST_TAKEN_DOWN: "tests/content/test_employee_posts.py",
}


def test_every_kind_of_action_but_deleting_a_post_is_recorded_somewhere():
    recorded = {action for _act, action in ACTS + SCIM_ACTS} | set(RECORDED_IN_OTHER_TESTS)
    # Posts are archived, never deleted, through the platform.
    assert set(Action.values) - recorded == {Action.POST_DELETED}


def test_archiving_in_bulk_names_every_post(cast, login):
    _archive_in_bulk(cast, login)
    event = AuditEvent.objects.get(action=Action.POST_ARCHIVED)
    assert sorted(event.detail["post_ids"]) == sorted(Post.objects.values_list("id", flat=True))


def test_a_role_change_says_what_it_was_before(cast, login):
    _change_roles(cast, login)
    detail = AuditEvent.objects.get(action=Action.ROLE_CHANGED).detail
    assert (detail["previous_roles"], detail["roles"]) == (["employee"], ["comms", "employee"])


def test_saving_settings_without_a_change_records_nothing(cast, login):
    data = {"name": "Acme", "language": "en", "timezone": "UTC"}
    login(cast.alice).post(reverse("employees:organization_settings"), data)
    assert not AuditEvent.objects.exists()


def test_the_secret_of_a_network_app_is_never_in_the_log(cast, login):
    _network_app(cast, login)
    assert "shh" not in str(AuditEvent.objects.get().detail)


@pytest.mark.parametrize("person", ["carol", "mike", "emma"])
def test_only_admins_read_the_audit_log(cast, login, person):
    assert login(getattr(cast, person)).get(reverse("employees:audit_log")).status_code == 403


def test_an_admin_reads_the_log_filtered_by_action_and_actor(cast, login):
    audit_record(organization=cast.org, actor=cast.carol.user, action=Action.POST_PUBLISHED, target="Launch day")
    audit_record(organization=cast.org, actor=cast.alice.user, action=Action.MEMBER_INVITED, target="new@acme.test")
    client = login(cast.alice)

    page = client.get(reverse("employees:audit_log")).content.decode()
    assert "Launch day" in page and "new@acme.test" in page

    page = client.get(reverse("employees:audit_log"), {"action": Action.MEMBER_INVITED}).content.decode()
    assert "new@acme.test" in page and "Launch day" not in page

    page = client.get(reverse("employees:audit_log"), {"actor": "carol@"}).content.decode()
    assert "Launch day" in page and "new@acme.test" not in page


def test_the_log_is_paged(cast, login):
    for number in range(55):
        audit_record(organization=cast.org, actor=None, action=Action.POST_PUBLISHED, target=f"Post number {number}")
    client = login(cast.alice)
    first = client.get(reverse("employees:audit_log")).content.decode()
    second = client.get(reverse("employees:audit_log"), {"page": 2}).content.decode()
    assert "Post number 54" in first and "Post number 0<" not in first
    assert "Post number 0<" in second


def test_an_outsider_sees_nothing_of_acme_in_their_log(cast, login):
    audit_record(organization=cast.org, actor=cast.alice.user, action=Action.MEMBER_INVITED, target="secret@acme.test")
    page = login(cast.olga).get(reverse("employees:audit_log")).content.decode()
    assert "secret@acme.test" not in page and "alice@acme.test" not in page


def test_an_event_keeps_its_actor_when_the_actor_is_gone(cast, login):
    audit_record(organization=cast.org, actor=cast.carol.user, action=Action.POST_PUBLISHED, target="Launch day")
    cast.carol.user.delete()
    event = AuditEvent.objects.get()
    assert event.actor is None
    assert "carol@acme.test" in event.actor_label
    assert "carol@acme.test" in login(cast.alice).get(reverse("employees:audit_log")).content.decode()
