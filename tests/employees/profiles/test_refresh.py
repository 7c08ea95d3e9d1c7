"""Token refresh: rotated pairs stored at once, dead credentials to needs_reconnect and one email."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs

import httpx
import pytest
from django.core import mail
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import timezone

from employees.models import SocialProfile
from employees.profiles import services
from employees.profiles.context_processors import reconnect_banner
from employees.profiles.tasks import profiles_refresh_due_task
from networks.base import Credentials
from tests.employees.profiles.conftest import make_profile

X_TOKEN = "https://api.x.com/2/oauth2/token"


def rotated(access: str, refresh: str) -> httpx.Response:
    return httpx.Response(
        200, json={"access_token": access, "refresh_token": refresh, "expires_in": 7200, "scope": "tweet.write"}
    )


def sent_refresh_token(route) -> str:
    return parse_qs(route.calls.last.request.content.decode())["refresh_token"][0]


@pytest.fixture
def x_profile(cast, x_app):
    return make_profile(cast.emma, expires_at=timezone.now() + timedelta(minutes=1))


def test_a_refresh_stores_the_rotated_pair_and_the_next_refresh_uses_it(x_profile, respx_mock):
    route = respx_mock.post(X_TOKEN).mock(
        side_effect=[rotated("x-access-2", "x-refresh-2"), rotated("x-access-3", "x-refresh-3")]
    )

    services.profile_credentials_refresh(profile_id=x_profile.id)

    assert sent_refresh_token(route) == "x-refresh-token-1"
    stored = SocialProfile.objects.get(pk=x_profile.pk)
    assert (stored.access_token, stored.refresh_token) == ("x-access-2", "x-refresh-2")
    assert stored.expires_at > timezone.now() + timedelta(minutes=100)
    assert stored.extra["username"] == "emma"

    services.profile_credentials_refresh(profile_id=x_profile.id)

    assert sent_refresh_token(route) == "x-refresh-2"
    assert SocialProfile.objects.get(pk=x_profile.pk).refresh_token == "x-refresh-3"


def test_a_profile_refreshed_by_another_worker_meanwhile_is_not_refreshed_again(x_profile, respx_mock):
    route = respx_mock.post(X_TOKEN).mock(return_value=rotated("x-access-2", "x-refresh-2"))
    SocialProfile.objects.filter(pk=x_profile.pk).update(expires_at=timezone.now() + timedelta(hours=2))

    services.profile_credentials_refresh(profile_id=x_profile.id, only_if_due=True)

    assert route.call_count == 0


def test_opening_an_adapter_refreshes_a_due_token_first(x_profile, respx_mock):
    respx_mock.post(X_TOKEN).mock(return_value=rotated("x-access-2", "x-refresh-2"))

    profile, adapter = services.profile_adapter_open(profile_id=x_profile.id)

    with adapter:
        assert adapter.credentials.access_token == "x-access-2"
    assert profile.refresh_token == "x-refresh-2"


def test_a_failed_refresh_marks_the_profile_and_sends_exactly_one_email(
    cast, x_profile, respx_mock, django_capture_on_commit_callbacks
):
    respx_mock.post(X_TOKEN).mock(return_value=httpx.Response(400, json={"error": "invalid_request"}))

    with django_capture_on_commit_callbacks(execute=True):
        services.profile_credentials_refresh(profile_id=x_profile.id)
    with django_capture_on_commit_callbacks(execute=True):
        services.profile_mark_needs_reconnect(profile_id=x_profile.id, reason="refused again")
        services.profile_reconnect_notify(profile_id=x_profile.id)

    profile = SocialProfile.objects.get(pk=x_profile.pk)
    assert profile.state == SocialProfile.State.NEEDS_RECONNECT
    assert "X refused the refresh token" in profile.last_error
    assert profile.reconnect_notified_at is not None
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [cast.emma.user.email]
    assert "Reconnect your X profile" in mail.outbox[0].subject
    assert "/profiles/" in mail.outbox[0].body
    assert "x-refresh-token-1" not in mail.outbox[0].body


def test_nothing_can_be_posted_with_a_profile_that_needs_reconnecting(x_profile):
    SocialProfile.objects.filter(pk=x_profile.pk).update(state=SocialProfile.State.NEEDS_RECONNECT)

    with pytest.raises(services.ProfileUnavailable):
        services.profile_adapter_open(profile_id=x_profile.id)


def test_a_company_profile_needing_reconnection_emails_admins_and_comms(
    cast, x_app, django_capture_on_commit_callbacks
):
    profile = make_profile(cast.alice, company=True)

    with django_capture_on_commit_callbacks(execute=True):
        services.profile_mark_needs_reconnect(profile_id=profile.id, reason="revoked")

    assert sorted(mail.outbox[0].to) == [cast.alice.user.email, cast.carol.user.email]


def test_the_banner_lists_the_members_profiles_to_reconnect(cast, x_app, rf: RequestFactory):
    make_profile(cast.emma, state=SocialProfile.State.NEEDS_RECONNECT)
    make_profile(cast.mike, remote_id="77", handle="@mike", state=SocialProfile.State.NEEDS_RECONNECT)
    request = rf.get("/")
    cast.emma.refresh_from_db()  # as a request reads it, with its reconnect flag
    request.membership = cast.emma

    html = render_to_string("employees/profiles/_reconnect_banner.html", reconnect_banner(request))

    assert "@emma" in html
    assert "@mike" not in html
    assert "needs reconnecting" in html


def test_the_schedule_refreshes_what_expires_within_a_day_and_retires_what_cannot_be_refreshed(cast, x_app, respx_mock):
    route = respx_mock.post(X_TOKEN).mock(return_value=rotated("x-access-2", "x-refresh-2"))
    due = make_profile(cast.emma, expires_at=timezone.now() + timedelta(hours=3))
    make_profile(cast.mike, remote_id="2", expires_at=timezone.now() + timedelta(days=30))
    recently = make_profile(cast.carol, remote_id="3", expires_at=timezone.now() + timedelta(hours=3))
    SocialProfile.objects.filter(pk=recently.pk).update(credentials_refreshed_at=timezone.now())
    dead = make_profile(
        cast.alice,
        network="linkedin",
        remote_id="4",
        credentials=Credentials(access_token="li"),
        expires_at=timezone.now() - timedelta(minutes=1),
    )

    assert profiles_refresh_due_task() == 1

    assert route.call_count == 1
    assert SocialProfile.objects.get(pk=due.pk).refresh_token == "x-refresh-2"
    assert SocialProfile.objects.get(pk=dead.pk).state == SocialProfile.State.NEEDS_RECONNECT


def test_an_x_profile_talks_to_the_configured_api_origin(x_profile, settings, respx_mock):
    settings.X_API_BASE = "http://127.0.0.1:8765"
    route = respx_mock.post("http://127.0.0.1:8765/2/oauth2/token").mock(
        return_value=rotated("x-access-2", "x-refresh-2")
    )

    profile, adapter = services.profile_adapter_open(profile_id=x_profile.id)

    with adapter:
        assert adapter.api_base == "http://127.0.0.1:8765"
    assert route.call_count == 1
    assert profile.refresh_token == "x-refresh-2"
