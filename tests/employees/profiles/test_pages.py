"""Who may see and change which profiles, and what the pages show."""

from __future__ import annotations

import pytest
from django.urls import reverse

from employees.models import SocialProfile
from tests.employees.profiles.conftest import make_profile


@pytest.fixture
def emmas_profile(cast):
    return make_profile(cast.emma, followers=1234)


def test_my_profiles_shows_the_members_own_profiles_with_state_and_followers(cast, login, emmas_profile):
    make_profile(cast.mike, remote_id="99", handle="@mike_x")

    page = login(cast.emma).get(reverse("profiles:my_profiles")).content.decode()

    assert "@emma" in page
    assert "1,234 followers" in page
    assert "Active" in page
    assert "@mike_x" not in page
    assert "x-access-token-1" not in page
    assert "Facebook lets no app post to a personal profile" in page


@pytest.mark.parametrize("action", ["profiles:profile_disconnect", "profiles:profile_reconnect"])
def test_an_outsider_gets_404_for_someone_elses_profile(cast, login, emmas_profile, action):
    response = login(cast.olga).post(reverse(action, args=[emmas_profile.id]))

    assert response.status_code == 404
    assert SocialProfile.objects.get(pk=emmas_profile.pk).state == SocialProfile.State.ACTIVE


@pytest.mark.parametrize("action", ["profiles:profile_disconnect", "profiles:profile_reconnect"])
def test_a_colleague_gets_404_for_an_employees_profile(cast, login, emmas_profile, action):
    response = login(cast.alice).post(reverse(action, args=[emmas_profile.id]))

    assert response.status_code == 404


def test_disconnecting_deletes_the_tokens_and_keeps_the_row(cast, login, emmas_profile):
    response = login(cast.emma).post(reverse("profiles:profile_disconnect", args=[emmas_profile.id]))

    assert response.url == reverse("profiles:my_profiles")
    profile = SocialProfile.objects.get(pk=emmas_profile.pk)
    assert profile.state == SocialProfile.State.DISCONNECTED
    assert (profile.access_token, profile.refresh_token, profile.secret_extra) == ("", "", "")
    page = login(cast.emma).get(reverse("profiles:my_profiles")).content.decode()
    assert "Disconnected X profile @emma. Its tokens were deleted." in page
    assert f'id="profile-{profile.id}"' not in page


def test_disconnect_needs_a_post(cast, login, emmas_profile):
    assert login(cast.emma).get(reverse("profiles:profile_disconnect", args=[emmas_profile.id])).status_code == 405


@pytest.mark.parametrize("person", ["emma", "mike"])
def test_employees_and_managers_cannot_open_company_profiles(cast, login, person):
    client = login(getattr(cast, person))

    assert client.get(reverse("profiles:company_profiles")).status_code == 403
    assert client.post(reverse("profiles:company_profile_connect", args=["facebook"])).status_code == 403
    assert not SocialProfile.objects.exists()


def test_an_employee_cannot_disconnect_a_company_profile(cast, login):
    company = make_profile(cast.alice, company=True)

    response = login(cast.emma).post(reverse("profiles:profile_disconnect", args=[company.id]))

    assert response.status_code == 403
    assert SocialProfile.objects.get(pk=company.pk).state == SocialProfile.State.ACTIVE


@pytest.mark.parametrize("person", ["alice", "carol"])
def test_admins_and_comms_see_company_profiles(cast, login, person):
    make_profile(cast.alice, company=True, handle="@acme")

    page = login(getattr(cast, person)).get(reverse("profiles:company_profiles")).content.decode()

    assert "@acme" in page
    assert ("Network app credentials" in page) is (person == "alice")


def test_only_admins_may_set_app_credentials(cast, login):
    response = login(cast.carol).post(reverse("profiles:network_app_edit", args=["x"]), {"x-client_id": "c"})

    assert response.status_code == 403


def test_facebook_is_added_as_a_share_dialog_profile_measured_by_clicks(cast, login):
    client = login(cast.emma)

    client.post(reverse("profiles:profile_connect", args=["facebook"]))
    client.post(reverse("profiles:profile_connect", args=["facebook"]))

    profile = SocialProfile.objects.get()
    assert (profile.network, profile.clicks_only, profile.access_token) == ("facebook", True, "")
    assert profile.owner_membership == cast.emma


def test_reconnecting_bluesky_opens_the_form_filled_in(cast, login):
    profile = make_profile(
        cast.emma,
        network="bluesky",
        remote_id="did:plc:abc",
        handle="emma.test",
        extra={"pds_url": "https://pds.example"},
    )

    response = login(cast.emma).get(reverse("profiles:profile_reconnect", args=[profile.id]))

    assert (
        response.url
        == reverse("profiles:profile_connect", args=["bluesky"]) + "?handle=emma.test&pds_url=https%3A%2F%2Fpds.example"
    )


def test_an_unknown_network_is_404(cast, login):
    assert login(cast.emma).get(reverse("profiles:profile_connect", args=["myspace"])).status_code == 404
    assert login(cast.emma).get(reverse("profiles:profile_callback", args=["myspace"])).status_code == 404
