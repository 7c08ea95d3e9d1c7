from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from employees.csv_import import invitations_import_csv
from employees.models import Invitation


def _import(cast, text: str | bytes):
    data = text.encode() if isinstance(text, str) else text
    return invitations_import_csv(organization=cast.org, data=data, invited_by=cast.alice.user)


def test_good_rows_are_imported_and_bad_rows_reported(cast):
    report = _import(
        cast,
        "name,email,team,roles\n"
        "Anna Good,anna@acme.test,Sales,employee\n"
        "Bo Badmail,not-an-email,Sales,employee\n"
        "Cai Noteam,cai@acme.test,Atlantis,employee\n"
        "Dan Dup,anna@acme.test,Sales,employee\n"
        "Eve Member,emma@acme.test,,\n"
        "Finn Two,finn@acme.test,Sales;Marketing,manager;employee\n"
        "Gus Role,gus@acme.test,,overlord\n",
    )
    assert [invitation.email for invitation in report.invited] == ["anna@acme.test", "finn@acme.test"]
    reasons = {error.line: " ".join(error.reasons) for error in report.errors}
    assert set(reasons) == {3, 4, 5, 6, 8}
    assert "not a valid email" in reasons[3]
    assert "Unknown team “Atlantis”" in reasons[4]
    assert "line 2" in reasons[5]
    assert "Already a member" in reasons[6]
    assert "Unknown role “overlord”" in reasons[8]
    finn = Invitation.objects.get(email="finn@acme.test")
    assert set(finn.roles) == {"manager", "employee"}
    assert {team.name for team in finn.teams.all()} == {"Sales", "Marketing"}


def test_rows_in_another_encoding_are_reported_by_line_and_the_rest_imported(cast):
    data = "name,email,team,roles\nSøren Ok,soren@acme.test,Sales,employee\n".encode()
    data += "Bjørn Latin,bjorn@acme.test,Sales,employee\n".encode("latin-1")
    report = _import(cast, data)
    assert [invitation.email for invitation in report.invited] == ["soren@acme.test"]
    assert report.errors[0].line == 3
    assert "UTF-8" in report.errors[0].reasons[0]
    assert Invitation.objects.get(email="soren@acme.test").name == "Søren Ok"


def test_semicolons_and_a_byte_order_mark_are_understood(cast):
    report = _import(cast, "\ufeffName;Email;Team;Roles\nAnna;anna@acme.test;sales;Employee\n")
    assert [invitation.email for invitation in report.invited] == ["anna@acme.test"]
    assert report.errors == []


def test_an_empty_file_or_a_missing_email_column_is_explained(cast):
    assert "empty" in _import(cast, "").file_error
    assert "missing: email" in _import(cast, "name,team\nAnna,Sales\n").file_error
    assert not Invitation.objects.exists()


def test_a_pending_invitation_is_not_duplicated(cast):
    _import(cast, "email\nanna@acme.test\n")
    report = _import(cast, "email\nanna@acme.test\n")
    assert report.invited == []
    assert "Already invited" in report.errors[0].reasons[0]
    assert Invitation.objects.filter(email="anna@acme.test").count() == 1


def test_the_import_page_shows_the_report(cast, login):
    upload = SimpleUploadedFile("people.csv", b"name,email,team,roles\nA,a@acme.test,Sales,\nB,bad,Sales,\n")
    response = login(cast.alice).post(reverse("employees:people_import"), {"file": upload})
    page = response.content.decode()
    assert response.status_code == 200
    assert "1 person invited" in page
    assert "1 row was not imported" in page
    assert "“bad” is not a valid email address." in page
