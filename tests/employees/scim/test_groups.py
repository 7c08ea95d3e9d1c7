"""SCIM Groups are teams: created, renamed, their members set, deleted."""

from __future__ import annotations

from employees.models import AuditEvent, Team
from tests.employees.scim.conftest import GROUP_SCHEMA, assert_scim_error
from tests.factories import PostFactory


def _group(name: str, *members) -> dict:
    return {"schemas": [GROUP_SCHEMA], "displayName": name, "members": [{"value": str(m.pk)} for m in members]}


def test_it_creates_a_team_with_its_members(cast, scim):
    response = scim.post("Groups", _group("Support", cast.emma, cast.mike) | {"externalId": "grp-1"})

    assert response.status_code == 201, response.content
    team = Team.objects.get(pk=int(response.json()["id"]))
    assert team.organization == cast.org and team.name == "Support"
    assert set(team.memberships.all()) == {cast.emma, cast.mike}
    assert AuditEvent.objects.get(action=AuditEvent.Action.SCIM_GROUP_CREATED).detail["members"] == 2
    body = scim.get(f"Users/{cast.emma.pk}").json()
    assert {group["display"] for group in body["groups"]} == {"Nordics", "Support"}


def test_existing_teams_are_groups_found_by_display_name(cast, scim):
    body = scim.get('Groups?filter=displayName eq "sales"').json()

    assert body["totalResults"] == 1
    assert body["Resources"][0]["id"] == str(cast.sales.pk)
    assert body["Resources"][0]["members"] == [
        {"value": str(cast.mike.pk), "$ref": f"http://testserver/scim/v2/Users/{cast.mike.pk}", "type": "User"}
    ]


def test_patch_adds_and_removes_members_the_way_entra_sends_them(cast, scim):
    path = f"Groups/{cast.sales.pk}"

    scim.patch(path, {"op": "add", "path": "members", "value": [{"value": str(cast.emma.pk)}]})
    assert set(cast.sales.memberships.all()) == {cast.mike, cast.emma}

    response = scim.patch(path, {"op": "remove", "path": f'members[value eq "{cast.mike.pk}"]'})

    assert response.status_code in (200, 204), response.content
    assert list(cast.sales.memberships.all()) == [cast.emma]
    event = AuditEvent.objects.filter(action=AuditEvent.Action.SCIM_GROUP_UPDATED).first()
    assert event.detail["members_removed"] == 1


def test_a_rename_to_a_taken_name_is_a_conflict(cast, scim):
    response = scim.patch(f"Groups/{cast.sales.pk}", {"op": "replace", "path": "displayName", "value": "MARKETING"})

    assert_scim_error(response, 409, "uniqueness")
    cast.sales.refresh_from_db()
    assert cast.sales.name == "Sales"


def test_another_organizations_people_cannot_be_made_members(cast, scim):
    response = scim.patch(
        f"Groups/{cast.sales.pk}", {"op": "add", "path": "members", "value": [{"value": str(cast.olga.pk)}]}
    )

    assert_scim_error(response, 400, "invalidValue")
    assert list(cast.sales.memberships.all()) == [cast.mike]
    assert_scim_error(scim.post("Groups", _group("Leak", cast.olga)), 400, "invalidValue")
    assert not Team.objects.filter(name="Leak").exists()


def test_another_organizations_teams_are_not_found(cast, scim, other_scim):
    assert_scim_error(other_scim.get(f"Groups/{cast.sales.pk}"), 404)
    assert_scim_error(other_scim.delete(f"Groups/{cast.sales.pk}"), 404)
    assert other_scim.get("Groups").json()["totalResults"] == 0
    assert Team.objects.filter(pk=cast.sales.pk).exists()


def test_delete_removes_the_team_but_its_people_stay(cast, scim):
    response = scim.delete(f"Groups/{cast.marketing.pk}")

    assert response.status_code == 204
    assert not Team.objects.filter(pk=cast.marketing.pk).exists()
    cast.carol.refresh_from_db()
    assert cast.carol.is_active
    assert AuditEvent.objects.filter(action=AuditEvent.Action.SCIM_GROUP_DELETED, target="Marketing").exists()


def test_a_team_that_is_a_posts_audience_is_not_deleted(cast, scim):
    # Deleting it would leave the post with no audience: visible to everyone.
    PostFactory(organization=cast.org, audience=[cast.marketing])

    assert_scim_error(scim.delete(f"Groups/{cast.marketing.pk}"), 409)
    assert Team.objects.filter(pk=cast.marketing.pk).exists()


def test_two_member_additions_at_once_both_count(cast, scim, transactional_db, monkeypatch):
    # Each PATCH reads the group, adds its member and writes the whole list back. The
    # barrier holds both between reading and writing, as bad luck would: without the
    # row lock each would write back a list without the other's member.
    import contextlib
    import threading

    from django.db import connection
    from django.test import Client

    from employees.scim import services

    barrier = threading.Barrier(2, timeout=2)
    update = services.scim_group_update

    def meet_then_update(**kwargs):
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait()
        return update(**kwargs)

    monkeypatch.setattr(services, "scim_group_update", meet_then_update)
    statuses = []

    def add(member):
        try:
            client = Client()
            headers = {"Authorization": f"Bearer {scim.token}"}
            body = {
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations": [{"op": "add", "path": "members", "value": [{"value": str(member.pk)}]}],
            }
            response = client.patch(
                f"/scim/v2/Groups/{cast.marketing.pk}", body, content_type="application/scim+json", headers=headers
            )
            statuses.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=add, args=(member,)) for member in (cast.emma, cast.mike)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(statuses) == [204, 204]
    assert set(cast.marketing.memberships.all()) == {cast.carol, cast.emma, cast.mike}
