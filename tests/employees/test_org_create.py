"""`manage.py org_create`: the first organization and its admin's invitation."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import override_settings

from employees.models import Invitation, Membership, Organization
from tests.factories import MembershipFactory


def org_create(*args: str) -> str:
    out = StringIO()
    call_command("org_create", *args, stdout=out)
    return out.getvalue()


def counts() -> tuple[int, int, int]:
    return Organization.objects.count(), Invitation.objects.count(), len(mail.outbox)


@pytest.mark.django_db
def test_it_creates_the_organization_and_emails_its_admin_an_invitation():
    output = org_create(
        "Nordlys A/S", "--admin-email", "IT@Nordlys.example", "--language", "da", "--time-zone", "Europe/Copenhagen"
    )
    organization = Organization.objects.get(name="Nordlys A/S")
    assert organization.language == "da"
    assert organization.timezone == "Europe/Copenhagen"
    assert organization.slug == "nordlys-as"
    invitation = Invitation.objects.get(organization=organization)
    assert invitation.email == "it@nordlys.example"
    assert invitation.roles == ["admin"]
    assert invitation.status == Invitation.Status.PENDING
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["it@nordlys.example"]
    assert "Created the organization Nordlys A/S" in output
    assert "Invitation link" not in output  # email goes by SMTP-like backend here, not the console


@pytest.mark.django_db
@override_settings(EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend")
def test_it_prints_a_working_link_when_email_goes_to_the_console(client, capsys):
    output = org_create("Acme", "--admin-email", "boss@acme.example")
    link = re.search(r"Invitation link: (\S+)", output).group(1)
    path = "/" + link.split("/", 3)[3]
    response = client.get(path)
    assert response.status_code == 200
    assert b"boss@acme.example" in response.content


@pytest.mark.django_db
def test_a_second_run_changes_nothing_and_says_so():
    org_create("Acme", "--admin-email", "boss@acme.example")
    before = counts()
    token_hash = Invitation.objects.get().token_hash
    output = org_create("Acme", "--admin-email", "boss@acme.example")
    assert counts() == before
    assert Invitation.objects.get().token_hash == token_hash
    assert "pending admin invitation" in output
    assert "nothing changed" in output


@pytest.mark.django_db
def test_resend_sends_the_pending_invitation_again_with_a_new_link():
    org_create("Acme", "--admin-email", "boss@acme.example")
    token_hash = Invitation.objects.get().token_hash
    org_create("Acme", "--admin-email", "boss@acme.example", "--resend")
    assert Organization.objects.count() == 1
    assert Invitation.objects.get().token_hash != token_hash
    assert len(mail.outbox) == 2


@pytest.mark.django_db
def test_an_admin_who_already_joined_is_told_there_is_nothing_to_do():
    organization = Organization.objects.create(name="Acme", slug="acme")
    MembershipFactory(organization=organization, user__email="boss@acme.example", is_admin=True)
    before = counts()
    output = org_create("acme", "--admin-email", "boss@acme.example")
    assert counts() == before
    assert "is its admin. Nothing to do." in output


@pytest.mark.django_db
def test_an_existing_name_with_another_admin_is_refused_and_nothing_changes():
    org_create("Acme", "--admin-email", "boss@acme.example")
    before = counts()
    with pytest.raises(CommandError, match="An organization named Acme exists already"):
        org_create("ACME", "--admin-email", "someone-else@acme.example")
    assert counts() == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["Acme", "--admin-email", "not-an-email"], "not-an-email is not a valid email address"),
        (["Acme", "--admin-email", "a@b.example", "--language", "xx"], "xx is not a language of the platform"),
        (["Acme", "--admin-email", "a@b.example", "--time-zone", "Mars/Olympus"], "Mars/Olympus is not a time zone"),
        (["   ", "--admin-email", "a@b.example"], "The organization needs a name"),
        (["x" * 201, "--admin-email", "a@b.example"], "too long"),
    ],
)
def test_bad_input_is_explained_and_nothing_is_written(args, message):
    with pytest.raises(CommandError, match=message):
        org_create(*args)
    assert counts() == (0, 0, 0)
    assert not Membership.objects.exists()


@pytest.mark.django_db
def test_an_unreachable_mail_server_is_explained_and_a_rerun_with_resend_sends_it(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9
    with pytest.raises(CommandError, match="could not be emailed"):
        org_create("Acme", "--admin-email", "boss@acme.example")
    assert Invitation.objects.filter(status=Invitation.Status.PENDING).count() == 1
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    org_create("Acme", "--admin-email", "boss@acme.example", "--resend")
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_an_expired_admin_invitation_can_be_sent_again():
    org_create("Acme", "--admin-email", "boss@acme.example")
    Invitation.objects.update(status=Invitation.Status.EXPIRED)
    output = org_create("Acme", "--admin-email", "boss@acme.example")
    assert "an expired admin invitation" in output
    assert Invitation.objects.get().status == Invitation.Status.EXPIRED
    org_create("Acme", "--admin-email", "boss@acme.example", "--resend")
    invitation = Invitation.objects.get()
    assert invitation.status == Invitation.Status.PENDING
    assert len(mail.outbox) == 2
