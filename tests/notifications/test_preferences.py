"""The preferences page: the grid, the organization's defaults, every channel off."""

from __future__ import annotations

import pytest
from django.urls import reverse

from notifications.models import Channel, EmailFrequency, Event, MemberPreferences, OrganizationDefaults
from notifications.selectors import preferences_for


def _grid_post(*, checked: set[tuple[str, str]], email: str = "off", **extra) -> dict:
    data = {"new_post_email": email, "language": "", "quiet_start": "", "quiet_end": "", **extra}
    for event, channel in checked:
        data[f"{event}__{channel}"] = "on"
    return data


@pytest.mark.django_db
def test_the_page_shows_the_organizations_defaults_until_the_person_saves(cast, login):
    OrganizationDefaults.objects.create(
        organization=cast.org,
        grid={Event.NEW_POST: {Channel.PUSH: False}, Event.SHARE_FAILED: {Channel.SLACK: True}},
        new_post_email=EmailFrequency.DAILY,
    )
    response = login(cast.emma).get(reverse("notifications:notification_preferences"))
    assert response.status_code == 200
    form = response.context["form"]
    assert form["new_post__push"].value() is False
    assert form["share_failed__slack"].value() is True
    assert form["new_post_email"].value() == EmailFrequency.DAILY
    assert "defaults until you save your own" in response.content.decode()


@pytest.mark.django_db
def test_saving_keeps_the_persons_own_choices(cast, login):
    client = login(cast.emma)
    response = client.post(
        reverse("notifications:notification_preferences"),
        _grid_post(
            checked={(Event.SHARE_FAILED, Channel.PUSH)},
            email=EmailFrequency.IMMEDIATELY,
            quiet_start="22",
            quiet_end="7",
        ),
    )
    assert response.status_code == 302
    saved = preferences_for(membership=cast.emma)
    assert saved.own
    assert saved.wants(Event.SHARE_FAILED, Channel.PUSH)
    assert not saved.wants(Event.NEW_POST, Channel.PUSH)
    assert saved.new_post_email == EmailFrequency.IMMEDIATELY
    assert (saved.quiet_start, saved.quiet_end) == (22, 7)


@pytest.mark.django_db
def test_every_channel_off_is_a_valid_and_clearly_shown_state(cast, login):
    client = login(cast.emma)
    assert client.post(reverse("notifications:notification_preferences"), _grid_post(checked=set())).status_code == 302
    assert preferences_for(membership=cast.emma).everything_off
    page = client.get(reverse("notifications:notification_preferences")).content.decode()
    assert 'id="everything-off"' in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    "bad",
    [
        {"quiet_start": "22"},
        {"quiet_start": "25", "quiet_end": "3"},
        {"quiet_start": "x", "quiet_end": "3"},
        {"new_post_email": "hourly"},
        {"language": "xx"},
    ],
)
def test_bad_input_gets_a_message_and_changes_nothing(cast, login, bad):
    response = login(cast.emma).post(
        reverse("notifications:notification_preferences"), _grid_post(checked=set(), **bad)
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not MemberPreferences.objects.exists()


@pytest.mark.django_db
def test_the_notifications_page_is_in_the_user_menu(cast, login):
    client = login(cast.emma)
    # The person's name in the top bar opens the account pages, whose menu links here.
    assert f'href="{reverse("account_email")}"' in client.get(reverse("advocacy:feed")).content.decode()
    page = client.get(reverse("account_email")).content.decode()
    assert f'href="{reverse("notifications:notification_preferences")}"' in page


@pytest.mark.django_db
def test_only_admins_set_the_organizations_defaults_and_only_for_their_own(cast, login):
    assert login(cast.emma).get(reverse("notifications:notification_defaults")).status_code == 403
    response = login(cast.alice).post(
        reverse("notifications:notification_defaults"),
        _grid_post(checked={(Event.NEW_POST, Channel.PUSH)}, email="weekly"),
    )
    assert response.status_code == 302
    assert OrganizationDefaults.objects.get().organization == cast.org
    assert not preferences_for(membership=cast.emma).wants(Event.SHARE_FAILED, Channel.PUSH)
    # The other organization's people keep the built-in defaults.
    assert preferences_for(membership=cast.olga).wants(Event.SHARE_FAILED, Channel.PUSH)


@pytest.mark.django_db
def test_every_cell_of_the_grid_is_offered_on_the_persons_page_and_the_defaults_page(cast, login):
    from notifications.models import OFFERED

    assert {(event, channel) for event in Event.values for channel in Channel.values} == OFFERED
    for name, membership in (
        ("notifications:notification_preferences", cast.emma),
        ("notifications:notification_defaults", cast.alice),
    ):
        response = login(membership).get(reverse(name))
        fields = response.context["form"].fields
        for cell in ("weekly_impact__push", "weekly_impact__slack", "share_failed__email", "new_post__slack"):
            assert cell in fields
        assert "Not offered" not in response.content.decode()


@pytest.mark.django_db
def test_a_persons_choices_never_show_or_change_for_another_organization(cast, login):
    login(cast.emma).post(reverse("notifications:notification_preferences"), _grid_post(checked=set()))
    client = login(cast.olga)
    page = client.get(reverse("notifications:notification_preferences"))
    assert 'id="everything-off"' not in page.content.decode()
    client.post(reverse("notifications:notification_preferences"), _grid_post(checked={(Event.NEW_POST, Channel.PUSH)}))
    assert preferences_for(membership=cast.emma).everything_off
    assert MemberPreferences.objects.filter(membership=cast.olga).exists()


@pytest.mark.django_db
def test_the_vapid_public_key_reaches_the_page_in_a_data_attribute_not_a_script(cast, login, vapid):
    page = login(cast.emma).get(reverse("notifications:notification_preferences")).content.decode()
    assert f'data-vapid-public-key="{vapid}"' in page
    assert "<script>" not in page
    assert "js/push" in page


@pytest.mark.django_db
def test_a_person_who_keeps_the_organizations_language_follows_it_when_it_changes(cast, login):
    client = login(cast.emma)
    client.post(reverse("notifications:notification_preferences"), _grid_post(checked=set(), language=""))
    assert client.get(reverse("notifications:notification_preferences")).context["form"]["language"].value() == ""
    cast.org.language = "da"
    cast.org.save()
    assert preferences_for(membership=cast.emma).language == "da"
    client.post(reverse("notifications:notification_preferences"), _grid_post(checked=set(), language="en"))
    assert preferences_for(membership=cast.emma).language == "en"
