from __future__ import annotations

from django.urls import reverse

from employees.models import Membership, Team


def test_an_admin_changes_roles_and_teams(cast, login):
    response = login(cast.alice).post(
        reverse("employees:member_edit", args=[cast.emma.id]),
        {"roles": ["employee", "comms"], "teams": [cast.marketing.id]},
    )
    assert response.status_code == 302
    cast.emma.refresh_from_db()
    assert set(cast.emma.roles) == {"employee", "comms"}
    assert list(cast.emma.teams.all()) == [cast.marketing]


def test_the_last_admin_cannot_lose_the_admin_role(cast, login):
    response = login(cast.alice).post(reverse("employees:member_edit", args=[cast.alice.id]), {"roles": ["employee"]})
    assert response.status_code == 200
    assert b"at least one admin" in response.content
    cast.alice.refresh_from_db()
    assert cast.alice.is_admin


def test_a_team_of_another_organization_cannot_be_assigned(cast, login):
    foreign = Team.objects.create(organization=cast.other_org, name="Foreign")
    response = login(cast.alice).post(
        reverse("employees:member_edit", args=[cast.emma.id]), {"roles": ["employee"], "teams": [foreign.id]}
    )
    assert response.status_code == 200
    assert foreign not in cast.emma.teams.all()


def test_a_deactivated_person_can_no_longer_log_in(cast, login, client):
    login(cast.alice).post(reverse("employees:member_deactivate", args=[cast.emma.id]))
    cast.emma.refresh_from_db()
    assert not cast.emma.is_active
    assert not cast.emma.user.is_active
    client.logout()
    response = client.post(
        reverse("account_login"), {"login": "emma@acme.test", "password": "correct-horse-battery-staple"}
    )
    assert not response.wsgi_request.user.is_authenticated

    login(cast.alice).post(reverse("employees:member_reactivate", args=[cast.emma.id]))
    cast.emma.refresh_from_db()
    assert cast.emma.is_active and cast.emma.user.is_active


def test_admins_cannot_deactivate_themselves(cast, login):
    response = login(cast.alice).post(reverse("employees:member_deactivate", args=[cast.alice.id]), follow=True)
    assert b"cannot deactivate yourself" in response.content
    assert Membership.objects.get(pk=cast.alice.pk).is_active


def test_people_can_be_filtered_by_role_team_and_search(cast, login):
    client = login(cast.alice)
    page = client.get(reverse("employees:people"), {"role": "manager"}).content.decode()
    assert "mike@acme.test" in page and "emma@acme.test" not in page
    page = client.get(reverse("employees:people"), {"team": cast.nordics.id}).content.decode()
    assert "emma@acme.test" in page and "mike@acme.test" not in page
    page = client.get(reverse("employees:people"), {"q": "carol"}).content.decode()
    assert "carol@acme.test" in page and "emma@acme.test" not in page


def test_the_htmx_filter_returns_only_the_table(cast, login):
    response = login(cast.alice).get(
        reverse("employees:people"), {"q": "emma"}, headers={"HX-Request": "true", "HX-Target": "member-table"}
    )
    page = response.content.decode()
    assert page.lstrip().startswith('<div id="member-table">')
    assert "emma@acme.test" in page
    assert "<html" not in page


def test_an_admin_creates_a_sub_team_and_duplicates_are_refused(cast, login):
    client = login(cast.alice)
    client.post(reverse("employees:teams"), {"name": "Denmark", "parent": cast.nordics.id})
    assert Team.objects.get(organization=cast.org, name="Denmark").parent == cast.nordics
    response = client.post(reverse("employees:teams"), {"name": "denmark"})
    assert b"exists already" in response.content
    assert Team.objects.filter(organization=cast.org, name__iexact="denmark").count() == 1


def test_the_organization_language_is_the_default_for_its_members(cast, login):
    cast.org.language = "da"
    cast.org.save()
    page = login(cast.emma).get(reverse("advocacy:feed")).content.decode()
    assert 'lang="da"' in page


def test_the_language_picker_overrides_the_organization_default(cast, login):
    cast.org.language = "da"
    cast.org.save()
    client = login(cast.emma)
    client.post(reverse("set_language"), {"language": "en", "next": "/feed/"})
    assert 'lang="en"' in client.get(reverse("advocacy:feed")).content.decode()


def test_admins_must_set_up_mfa_when_the_organization_requires_it(cast, login):
    cast.org.require_mfa_for_admins = True
    cast.org.save()
    response = login(cast.alice).get(reverse("employees:people"))
    assert response.status_code == 302
    assert response.url == reverse("mfa_activate_totp")
    assert login(cast.emma).get(reverse("advocacy:feed")).status_code == 200


def test_admins_with_an_authenticator_pass_the_mfa_rule(cast, login):
    from allauth.mfa.models import Authenticator

    cast.org.require_mfa_for_admins = True
    cast.org.save()
    Authenticator.objects.create(user=cast.alice.user, type=Authenticator.Type.TOTP, data={"secret": "x"})
    assert login(cast.alice).get(reverse("employees:people")).status_code == 200


def test_organization_settings_are_saved(cast, login):
    response = login(cast.alice).post(
        reverse("employees:organization_settings"),
        {"name": "Acme A/S", "language": "da", "timezone": "Europe/Copenhagen", "require_mfa_for_admins": ""},
    )
    assert response.status_code == 302
    cast.org.refresh_from_db()
    assert (cast.org.name, cast.org.language, cast.org.timezone) == ("Acme A/S", "da", "Europe/Copenhagen")
