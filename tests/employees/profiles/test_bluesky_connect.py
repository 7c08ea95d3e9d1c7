"""Connecting a Bluesky profile through the page, against the local reference network."""

from __future__ import annotations

import logging

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.urls import reverse

from employees.models import SocialProfile
from tests.bluesky.network import unique_handle


@pytest.fixture
def local_network(settings, bluesky_network):
    # The local PDS listens on localhost, which the platform refuses by default.
    settings.NETWORKS_ALLOW_PRIVATE_HOSTS = True
    return bluesky_network


def connect(client, account, pds_url):
    return client.post(
        reverse("profiles:profile_connect", args=["bluesky"]),
        {"handle": account.handle, "app_password": account.password, "pds_url": pds_url},
    )


def test_an_employee_connects_bluesky_and_sees_it_active_with_its_follower_count(cast, login, local_network, caplog):
    caplog.set_level(logging.DEBUG)
    account = local_network.create_account(unique_handle("emma"))
    fan = local_network.create_account(unique_handle("fan"))
    local_network.login(fan.handle, fan.password).follow(account.did)
    local_network.process_all()
    client = login(cast.emma)

    response = connect(client, account, local_network.pds_url)

    assert response.status_code == 302
    assert response.url == reverse("profiles:my_profiles")
    profile = SocialProfile.objects.get()
    assert profile.owner_membership == cast.emma
    assert profile.state == SocialProfile.State.ACTIVE
    assert (profile.network, profile.remote_id, profile.handle) == ("bluesky", account.did, account.handle)
    assert profile.followers == 1
    assert profile.extra["pds_url"] == local_network.pds_url
    page = client.get(reverse("profiles:my_profiles")).content.decode()
    assert account.handle in page
    assert "Active" in page
    assert "1 follower" in page

    secrets = [profile.access_token, profile.refresh_token, account.password]
    assert all(secrets[:2]), "the session tokens are stored"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT access_token, refresh_token, secret_extra, extra FROM employees_socialprofile WHERE id = %s",
            [profile.id],
        )
        raw_columns = " ".join(str(column) for column in cursor.fetchone())
    for secret in secrets:
        assert secret not in raw_columns
        assert secret not in caplog.text
        assert secret not in page


def test_a_wrong_app_password_is_refused_clearly_and_leaves_no_profile(cast, login, local_network):
    account = local_network.create_account(unique_handle("emma"))
    client = login(cast.emma)

    response = connect(client, account._replace(password="aaaa-bbbb-cccc-dddd"), local_network.pds_url)

    assert response.status_code == 400
    assert "Bluesky did not accept this handle and app password" in response.content.decode()
    assert not SocialProfile.objects.exists()


def test_an_account_another_employee_connected_is_refused(cast, login, local_network):
    account = local_network.create_account(unique_handle("emma"))
    assert connect(login(cast.emma), account, local_network.pds_url).status_code == 302

    response = connect(login(cast.mike), account, local_network.pds_url)

    assert response.status_code == 400
    assert "already connected by someone else in your organization" in response.content.decode()
    assert list(SocialProfile.objects.values_list("owner_membership", flat=True)) == [cast.emma.id]


def test_reconnecting_the_same_account_renews_the_one_profile(cast, login, local_network):
    account = local_network.create_account(unique_handle("emma"))
    client = login(cast.emma)
    connect(client, account, local_network.pds_url)
    SocialProfile.objects.update(state=SocialProfile.State.NEEDS_RECONNECT, last_error="expired")

    response = connect(client, account, local_network.pds_url)

    assert response.status_code == 302
    profile = SocialProfile.objects.get()
    assert profile.state == SocialProfile.State.ACTIVE
    assert profile.last_error == ""
    assert [m.message for m in get_messages(response.wsgi_request)][-1].startswith("Connected Bluesky profile")


def test_a_main_password_is_refused_before_anything_is_sent(cast, login):
    response = login(cast.emma).post(
        reverse("profiles:profile_connect", args=["bluesky"]),
        {"handle": "emma.bsky.social", "app_password": "my-real-password", "pds_url": ""},
    )

    assert response.status_code == 400
    assert "does not look like an app password" in response.content.decode()
    assert not SocialProfile.objects.exists()


def test_a_server_on_a_private_network_is_refused(cast, login):
    response = login(cast.emma).post(
        reverse("profiles:profile_connect", args=["bluesky"]),
        {"handle": "emma.bsky.social", "app_password": "abcd-efgh-ijkl-mnop", "pds_url": "http://10.0.0.5"},
    )

    assert response.status_code == 400
    assert "10.0.0.5 is not a public internet address" in response.content.decode()
    assert not SocialProfile.objects.exists()
