"""SCIM Users: an identity provider creates, finds, updates, deactivates and removes
an organization's people; bad input gets a SCIM error and changes nothing."""

from __future__ import annotations

from datetime import timedelta

from allauth.account.models import EmailAddress
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from advocacy.models import Share
from employees.models import AuditEvent, Membership, User
from employees.profiles.services import profile_store
from employees.scim.models import ScimUser
from networks.base import Credentials
from tests.employees.scim.conftest import assert_scim_error, new_user
from tests.factories import MembershipFactory, PostFactory


def test_it_creates_a_person_as_an_employee_with_a_verified_email(cast, scim):
    response = scim.post("Users", new_user(externalId="entra-42"))

    assert response.status_code == 201, response.content
    body = response.json()
    membership = Membership.objects.get(pk=int(body["id"]))
    assert membership.organization == cast.org
    assert membership.roles == ["employee"] and membership.is_active
    assert membership.user.email == "dana@acme.test" and membership.user.name == "Dana Scully"
    assert not membership.user.has_usable_password()
    assert EmailAddress.objects.get(user=membership.user).verified
    assert body["userName"] == "dana@acme.test" and body["externalId"] == "entra-42"
    assert body["name"] == {"givenName": "Dana", "familyName": "Scully"}
    assert response["Location"] == body["meta"]["location"] == f"http://testserver/scim/v2/Users/{membership.pk}"
    event = AuditEvent.objects.get(action=AuditEvent.Action.SCIM_USER_CREATED)
    assert event.organization == cast.org and event.actor is None
    assert event.actor_label.startswith("SCIM: Entra ID")


def test_it_finds_a_member_who_was_never_provisioned_by_their_email_as_user_name(cast, scim):
    response = scim.get('Users?filter=userName eq "EMMA@acme.test"')

    assert response.status_code == 200
    body = response.json()
    assert body["totalResults"] == 1
    assert body["Resources"][0]["id"] == str(cast.emma.pk)
    assert body["Resources"][0]["emails"][0]["value"] == "emma@acme.test"
    assert body["Resources"][0]["groups"][0]["display"] == "Nordics"


def test_it_filters_by_external_id(cast, scim):
    created = scim.post("Users", new_user(externalId="okta-7")).json()
    scim.post("Users", new_user("fox@acme.test", externalId="okta-8"))

    body = scim.get('Users?filter=externalId eq "okta-7"').json()

    assert [resource["id"] for resource in body["Resources"]] == [created["id"]]


def test_a_list_holds_only_the_organizations_own_people_page_by_page(cast, scim):
    first = scim.get("Users?startIndex=1&count=2").json()
    second = scim.get("Users?startIndex=3&count=2").json()

    ids = {resource["id"] for resource in first["Resources"] + second["Resources"]}
    assert first["totalResults"] == 4 and first["itemsPerPage"] == 2
    assert ids == {str(m.pk) for m in (cast.alice, cast.carol, cast.mike, cast.emma)}


def test_a_malformed_filter_is_a_scim_error(cast, scim):
    assert_scim_error(scim.get('Users?filter=userName eq "unclosed'), 400, "invalidFilter")
    assert_scim_error(scim.get("Users?filter=userName zz 1"), 400, "invalidFilter")


def test_a_malformed_body_is_a_scim_error_and_creates_nothing(cast, scim):
    before = Membership.objects.count()

    assert_scim_error(scim.post("Users", raw=b'{"userName": '), 400)
    assert_scim_error(scim.post("Users", {"schemas": ["urn:nonsense"], "userName": 12}), 400)
    assert_scim_error(scim.post("Users", new_user(emails=[{"value": "not an email"}])), 400, "invalidValue")

    assert Membership.objects.count() == before


def test_a_person_without_an_email_is_refused(cast, scim):
    body = new_user("dana-without-mail")
    del body["emails"]

    assert_scim_error(scim.post("Users", body), 400)
    assert not User.objects.filter(email__icontains="dana").exists()


def test_a_user_name_or_email_taken_is_a_conflict(cast, scim):
    scim.post("Users", new_user())

    assert_scim_error(scim.post("Users", new_user()), 409, "uniqueness")
    assert_scim_error(scim.post("Users", new_user("emma@acme.test")), 409, "uniqueness")
    assert Membership.objects.filter(organization=cast.org).count() == 5


def test_someone_of_another_organization_joins_without_their_account_being_touched(cast, scim):
    olga = cast.olga.user

    response = scim.post("Users", new_user("olga@other.test", name={"formatted": "Olga Renamed"}))

    assert response.status_code == 201
    olga.refresh_from_db()
    assert Membership.objects.filter(user=olga, organization=cast.org).exists()
    assert olga.has_usable_password()


def test_put_replaces_the_name_and_the_login_email(cast, scim):
    created = scim.post("Users", new_user()).json()
    replacement = new_user("dana.s@acme.test", name={"formatted": "Dana K. Scully"})

    response = scim.put(f"Users/{created['id']}", replacement)

    assert response.status_code == 200, response.content
    user = Membership.objects.get(pk=created["id"]).user
    assert (user.email, user.name) == ("dana.s@acme.test", "Dana K. Scully")
    assert EmailAddress.objects.get(user=user).email == "dana.s@acme.test"
    event = AuditEvent.objects.get(action=AuditEvent.Action.SCIM_USER_UPDATED)
    assert "email" in event.detail["changed"] and "userName" in event.detail["changed"]


def test_the_login_email_of_someone_in_another_organization_is_not_changed_from_here(cast, scim):
    both = MembershipFactory(organization=cast.org, user__email="both@acme.test")
    MembershipFactory(organization=cast.other_org, user=both.user)

    response = scim.patch(f"Users/{both.pk}", {"op": "replace", "path": "emails", "value": [{"value": "x@acme.test"}]})

    assert_scim_error(response, 400, "mutability")
    both.user.refresh_from_db()
    assert both.user.email == "both@acme.test"


def test_patch_active_false_deactivates_and_ends_a_logged_in_session_at_once(cast, scim, client):
    from tests.factories import PASSWORD

    client.post(reverse("account_login"), {"login": "emma@acme.test", "password": PASSWORD})
    assert client.get(reverse("advocacy:feed")).status_code == 200

    response = scim.patch(f"Users/{cast.emma.pk}", {"op": "replace", "path": "active", "value": False})

    assert response.status_code == 204, response.content  # PATCH answers without a body unless asked
    assert scim.get(f"Users/{cast.emma.pk}").json()["active"] is False
    cast.emma.refresh_from_db()
    assert not cast.emma.is_active and not cast.emma.user.is_active
    feed = client.get(reverse("advocacy:feed"))
    assert feed.status_code == 302 and reverse("account_login") in feed["Location"]
    assert not client.session.get("_auth_user_id")
    event = AuditEvent.objects.get(action=AuditEvent.Action.MEMBER_DEACTIVATED)
    assert event.actor_label.startswith("SCIM: Entra ID") and event.detail["sessions_ended"] == 1


def test_a_session_ended_by_deactivation_does_not_come_back_with_reactivation(cast, scim, client):
    from tests.factories import PASSWORD

    client.post(reverse("account_login"), {"login": "emma@acme.test", "password": PASSWORD})
    scim.patch(f"Users/{cast.emma.pk}", {"op": "replace", "path": "active", "value": False})
    scim.patch(f"Users/{cast.emma.pk}", {"op": "replace", "path": "active", "value": True})

    assert client.get(reverse("advocacy:feed")).status_code == 302
    assert not Session.objects.exists()


def test_deactivation_stops_the_shares_not_yet_sent(cast, scim):
    profile = profile_store(
        membership=cast.emma,
        network="mastodon",
        remote_id="1@social.example",
        handle="@emma@social.example",
        credentials=Credentials(access_token="emma-token", extra={"instance_url": "https://social.example"}),
    )
    post = PostFactory.published(organization=cast.org)
    share = Share.objects.create(
        organization=cast.org,
        post=post,
        profile=profile,
        member=cast.emma,
        network="mastodon",
        comment="Later",
        final_text="Later",
        status=Share.Status.SCHEDULED,
        scheduled_for=timezone.now() + timedelta(hours=2),
    )

    scim.patch(f"Users/{cast.emma.pk}", {"op": "replace", "path": "active", "value": False})

    share.refresh_from_db()
    profile.refresh_from_db()
    assert share.status == Share.Status.FAILED
    assert profile.access_token == "emma-token"  # kept: deactivation can be undone


def test_entra_style_patch_without_a_path_deactivates_and_active_true_brings_them_back(cast, scim):
    scim.patch(f"Users/{cast.emma.pk}", {"op": "Replace", "value": {"active": False}})
    cast.emma.refresh_from_db()
    assert not cast.emma.is_active

    response = scim.patch(f"Users/{cast.emma.pk}", {"op": "replace", "path": "active", "value": True})

    assert response.status_code == 204
    cast.emma.refresh_from_db()
    assert cast.emma.is_active and cast.emma.user.is_active
    assert cast.emma.user.has_usable_password()  # deactivation is reversible; offboarding is not


def test_the_last_admin_cannot_be_deactivated_through_scim(cast, scim):
    response = scim.patch(f"Users/{cast.alice.pk}", {"op": "replace", "path": "active", "value": False})

    assert_scim_error(response, 400, "mutability")
    cast.alice.refresh_from_db()
    assert cast.alice.is_active


def test_delete_offboards_for_good(cast, scim):
    profile = profile_store(
        membership=cast.emma,
        network="mastodon",
        remote_id="1@social.example",
        handle="@emma@social.example",
        credentials=Credentials(access_token="emma-token", extra={"instance_url": "https://social.example"}),
    )
    user_id = cast.emma.user_id
    scim.patch(f"Users/{cast.emma.pk}", {"op": "add", "path": "externalId", "value": "entra-emma"})
    assert ScimUser.objects.filter(membership=cast.emma).exists()

    response = scim.delete(f"Users/{cast.emma.pk}")

    assert response.status_code == 204
    membership = Membership.objects.get(pk=cast.emma.pk)
    assert membership.offboarded_at is not None and not membership.is_active
    user = User.objects.get(pk=user_id)
    assert user.email.endswith(".invalid") and not user.has_usable_password()
    assert not ScimUser.objects.filter(membership=membership).exists()
    profile.refresh_from_db()
    assert profile.state == "disconnected" and profile.access_token == ""
    assert_scim_error(scim.get(f"Users/{cast.emma.pk}"), 404)
    event = AuditEvent.objects.get(action=AuditEvent.Action.MEMBER_OFFBOARDED)
    assert event.actor_label.startswith("SCIM: Entra ID")


def test_another_organizations_people_are_not_found_and_not_changed(cast, scim):
    olga = cast.olga

    assert_scim_error(scim.get(f"Users/{olga.pk}"), 404)
    assert_scim_error(scim.patch(f"Users/{olga.pk}", {"op": "replace", "path": "active", "value": False}), 404)
    assert_scim_error(scim.put(f"Users/{olga.pk}", new_user("olga@other.test")), 404)
    assert_scim_error(scim.delete(f"Users/{olga.pk}"), 404)
    assert scim.get('Users?filter=userName eq "olga@other.test"').json()["totalResults"] == 0
    olga.refresh_from_db()
    assert olga.is_active and olga.offboarded_at is None


def test_ids_no_row_can_have_are_not_found(cast, scim):
    assert_scim_error(scim.get("Users/99999999999999999999999"), 404)
    assert_scim_error(scim.get("Users/abc"), 404)


ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"


def test_it_takes_what_entra_id_sends_by_default_and_keeps_only_what_chorus_needs(cast, scim):
    body = new_user(
        "dana@acme.test",
        schemas=["urn:ietf:params:scim:schemas:core:2.0:User", ENTERPRISE],
        externalId="8c6a-object-id",
        title="Field agent",
        preferredLanguage="da-DK",
        phoneNumbers=[{"value": "+45 1234 5678", "type": "work"}],
        addresses=[{"type": "work", "formatted": "Somewhere 1", "primary": True}],
        **{ENTERPRISE: {"department": "X-Files", "employeeNumber": "42"}},
    )

    created = scim.post("Users", body)

    assert created.status_code == 201, created.content
    link = ScimUser.objects.get(membership_id=created.json()["id"])
    assert "title" not in str(link.attributes) and "5678" not in str(link.attributes)
    assert "title" not in created.json() and ENTERPRISE not in created.json()

    response = scim.patch(
        f"Users/{created.json()['id']}",
        {"op": "Replace", "path": "title", "value": "Director"},
        {"op": "Add", "path": f"{ENTERPRISE}:department", "value": "Basement"},
        {"op": "Replace", "path": 'emails[type eq "work"].value', "value": "dana.scully@acme.test"},
        {"op": "Replace", "path": "name.familyName", "value": "Mulder"},
    )

    assert response.status_code in (200, 204), response.content
    user = Membership.objects.get(pk=created.json()["id"]).user
    assert user.email == "dana.scully@acme.test"
    assert scim.get(f"Users/{created.json()['id']}").json()["name"]["familyName"] == "Mulder"


def test_entra_removes_a_group_member_with_a_value_instead_of_a_filter(cast, scim):
    response = scim.patch(
        f"Groups/{cast.sales.pk}", {"op": "Remove", "path": "members", "value": [{"value": str(cast.mike.pk)}]}
    )

    assert response.status_code in (200, 204), response.content
    assert not cast.sales.memberships.exists()


def test_what_the_identity_provider_sent_is_in_the_persons_data_download(cast, scim, login):
    scim.patch(
        f"Users/{cast.emma.pk}",
        {"op": "add", "path": "externalId", "value": "entra-emma"},
        {"op": "replace", "path": "name", "value": {"givenName": "Emma", "familyName": "Nordic"}},
    )

    data = login(cast.emma).post(reverse("profiles:my_data_export")).json()

    (membership,) = data["memberships"]
    assert membership["identity_provider"]["external_id"] == "entra-emma"
    # A replace on a complex attribute leaves the sub-attributes it does not name (RFC 7644 §3.5.2.3).
    assert membership["identity_provider"]["attributes"]["name"] == {
        "formatted": cast.emma.user.name,
        "givenName": "Emma",
        "familyName": "Nordic",
    }
