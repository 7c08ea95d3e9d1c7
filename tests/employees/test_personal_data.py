"""Personal data: a person downloads what is held about them; a person who leaves is
offboarded, their tokens deleted at once and their name removed, their shares kept."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.urls import reverse

from advocacy.models import Click, Share
from employees.models import AuditEvent, Invitation, Membership, SocialProfile, User
from employees.profiles.services import profile_store
from networks.base import Credentials
from tests.factories import PASSWORD, MembershipFactory, PostFactory

ACCESS, REFRESH, SESSION = "emma-access-token-1", "emma-refresh-token-1", "emma-bluesky-session-jwt"


@pytest.fixture
def emmas_profiles(cast):
    mastodon = profile_store(
        membership=cast.emma,
        network="mastodon",
        remote_id="1@social.example",
        handle="@emma@social.example",
        credentials=Credentials(
            access_token=ACCESS, refresh_token=REFRESH, extra={"instance_url": "https://social.example"}
        ),
    )
    bluesky = profile_store(
        membership=cast.emma,
        network="bluesky",
        remote_id="did:plc:emma",
        handle="emma.bsky.social",
        credentials=Credentials(access_token="", extra={"did": "did:plc:emma", "session": SESSION}),
    )
    return mastodon, bluesky


@pytest.fixture
def emmas_share(cast, emmas_profiles):
    post = PostFactory.published(organization=cast.org, title="Our new office")
    share = Share.objects.create(
        organization=cast.org,
        post=post,
        profile=emmas_profiles[0],
        member=cast.emma,
        network="mastodon",
        comment="Proud of this!",
        final_text="Proud of this!\n\nhttps://chorus.example/l/abcdefgh",
        status=Share.Status.POSTED,
        remote_url="https://social.example/@emma/1",
    )
    from advocacy.links import tracked_link_create

    link = tracked_link_create(share=share)
    for is_bot in (False, False, True):
        Click.objects.create(link=link, at=share.created_at, is_bot=is_bot, visitor="v")
    return share


def _raw_tokens(profile_ids) -> list[tuple[str, str, str]]:
    """The token columns as stored, read past the model."""
    rows = []
    with connection.cursor() as cursor:
        for profile_id in profile_ids:
            cursor.execute(
                "SELECT access_token, refresh_token, secret_extra FROM employees_socialprofile WHERE id = %s",
                [profile_id],
            )
            rows.append(tuple(cursor.fetchone()))
    return rows


# -- the download ---------------------------------------------------------------------


def test_a_person_downloads_their_data_without_any_token(cast, login, emmas_share):
    response = login(cast.emma).post(reverse("profiles:my_data_export"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith("attachment;")
    body = response.content.decode()
    for secret in (ACCESS, REFRESH, SESSION):
        assert secret not in body
    data = json.loads(body)
    assert data["user"]["email"] == "emma@acme.test"
    assert [m["organization"] for m in data["memberships"]] == ["Acme"]
    assert {p["network"] for p in data["profiles"]} == {"mastodon", "bluesky"}
    assert all(set(p) >= {"handle", "state"} and "access_token" not in p for p in data["profiles"])
    (share,) = data["shares"]
    assert share["status"] == "posted"
    assert share["comment"] == "Proud of this!"
    assert share["remote_url"] == "https://social.example/@emma/1"
    assert share["tracked_link"] == emmas_share.tracked_link.code
    assert (share["clicks"], share["clicks_by_people"]) == (3, 2)


def test_the_download_holds_only_the_persons_own_data(cast, login, emmas_share):
    body = login(cast.carol).post(reverse("profiles:my_data_export")).content.decode()
    assert "emma" not in body.lower()
    assert json.loads(body)["shares"] == []


def test_the_download_is_recorded_and_asked_for_by_post_only(cast, login):
    client = login(cast.emma)
    assert client.get(reverse("profiles:my_data_export")).status_code == 405
    client.post(reverse("profiles:my_data_export"))
    event = AuditEvent.objects.get(action=AuditEvent.Action.DATA_EXPORTED)
    assert (event.organization, event.actor) == (cast.org, cast.emma.user)


def test_typed_markup_comes_out_escaped_in_the_download(cast, login, emmas_share):
    Share.objects.filter(pk=emmas_share.pk).update(comment="<script>alert(1)</script>")
    response = login(cast.emma).post(reverse("profiles:my_data_export"))
    assert b"<script>" not in response.content
    assert json.loads(response.content)["shares"][0]["comment"] == "<script>alert(1)</script>"


# -- offboarding ------------------------------------------------------------------------


def _offboard(client, membership, email=None):
    return client.post(
        reverse("employees:member_offboard", args=[membership.id]), {"confirm_email": email or membership.user.email}
    )


def test_offboarding_deletes_every_token_at_once_and_keeps_the_shares(cast, login, emmas_profiles, emmas_share):
    ids = [profile.id for profile in emmas_profiles]
    assert all(any(row) for row in _raw_tokens(ids))

    response = _offboard(login(cast.alice), cast.emma)

    assert response.status_code == 302
    assert _raw_tokens(ids) == [("", "", "")] * 2
    assert set(SocialProfile.objects.filter(id__in=ids).values_list("state", flat=True)) == {"disconnected"}
    share = Share.objects.get(pk=emmas_share.pk)
    assert share.member_id == cast.emma.id
    assert Share.objects.filter(post=share.post, status="posted").count() == 1
    assert share.tracked_link.clicks.count() == 3


def test_an_offboarded_person_is_anonymised_and_cannot_log_in(cast, login, client, emmas_share):
    user_id = cast.emma.user_id
    _offboard(login(cast.alice), cast.emma)

    user = User.objects.get(pk=user_id)
    assert user.name == f"Former employee #{user_id}"
    assert "emma" not in user.email and user.email.endswith(".invalid")
    assert not user.has_usable_password() and not user.is_active
    assert not user.emailaddress_set.exists()
    membership = Membership.objects.get(pk=cast.emma.pk)
    assert not membership.is_active and membership.offboarded_at is not None
    assert not SocialProfile.objects.filter(owner_membership=membership).exclude(handle="").exists()

    client.logout()
    client.post(reverse("account_login"), {"login": "emma@acme.test", "password": PASSWORD})
    assert not client.session.get("_auth_user_id")


def test_the_shares_of_a_former_employee_are_labelled_as_such(cast, login, emmas_share):
    _offboard(login(cast.alice), cast.emma)
    page = login(cast.carol).get(reverse("content:post_detail", args=[emmas_share.post_id])).content.decode()
    assert "Former employee" in page
    assert "emma@acme.test" not in page


def test_offboarding_is_recorded_without_the_persons_name(cast, login, emmas_profiles):
    _offboard(login(cast.alice), cast.emma)
    event = AuditEvent.objects.get(action=AuditEvent.Action.MEMBER_OFFBOARDED)
    assert event.actor == cast.alice.user
    assert event.target.startswith("Former employee")
    assert event.detail["profiles_disconnected"] == 2 and event.detail["anonymised"]
    assert AuditEvent.objects.filter(action=AuditEvent.Action.PROFILE_DISCONNECTED).count() == 2


def test_shares_not_yet_sent_are_stopped(cast, login, emmas_share):
    Share.objects.filter(pk=emmas_share.pk).update(status=Share.Status.SCHEDULED)
    _offboard(login(cast.alice), cast.emma)
    share = Share.objects.get(pk=emmas_share.pk)
    assert share.status == Share.Status.FAILED and "left the organization" in share.last_error


def test_pending_invitations_to_the_address_are_withdrawn(cast, login):
    other = MembershipFactory(user=cast.emma.user).organization
    Membership.objects.filter(user=cast.emma.user, organization=other).update(is_active=False)
    invitation = Invitation.objects.create(
        organization=other, email="emma@acme.test", token_hash="x" * 64, expires_at="2100-01-01T00:00Z"
    )
    _offboard(login(cast.alice), cast.emma)
    invitation.refresh_from_db()
    assert invitation.status == "revoked" and "emma" not in invitation.email


def test_a_person_still_active_elsewhere_keeps_their_name(cast, login, emmas_profiles):
    MembershipFactory(user=cast.emma.user)
    _offboard(login(cast.alice), cast.emma)
    user = User.objects.get(pk=cast.emma.user_id)
    assert (user.email, user.is_active) == ("emma@acme.test", True)
    assert _raw_tokens([profile.id for profile in emmas_profiles]) == [("", "", "")] * 2
    assert not Membership.objects.get(pk=cast.emma.pk).is_active


def test_the_email_must_be_typed_to_confirm(cast, login, emmas_profiles):
    response = _offboard(login(cast.alice), cast.emma, email="someone@else.test")
    assert response.status_code == 400
    assert Membership.objects.get(pk=cast.emma.pk).is_active
    assert all(any(row) for row in _raw_tokens([profile.id for profile in emmas_profiles]))


def test_admins_cannot_offboard_themselves_and_only_admins_offboard(cast, login):
    response = _offboard(login(cast.alice), cast.alice)
    assert response.status_code == 400 and b"cannot offboard yourself" in response.content
    assert _offboard(login(cast.carol), cast.emma).status_code == 403
    assert _offboard(login(cast.olga), cast.emma).status_code == 404
    assert Membership.objects.get(pk=cast.emma.pk).is_active


def test_an_offboarded_person_cannot_be_reactivated(cast, login):
    client = login(cast.alice)
    _offboard(client, cast.emma)
    response = client.post(reverse("employees:member_reactivate", args=[cast.emma.id]), follow=True)
    assert b"offboarded" in response.content
    assert not Membership.objects.get(pk=cast.emma.pk).is_active
