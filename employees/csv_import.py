"""Bulk invitations from a CSV file: the good rows are imported, each bad one is explained.

Columns: ``name, email, team, roles``. Several teams or roles in one cell are
separated by ``;`` or ``|``. The delimiter may be a comma or a semicolon (spreadsheets
in Danish locales write semicolons). A row in another encoding than UTF-8 is reported
by line instead of guessed at, so no name is imported garbled.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from employees.models import Invitation, Membership, Role, Team
from employees.services import invitation_create

if TYPE_CHECKING:
    from employees.models import Organization, User

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000
# Far beyond a real row (a name, an email, a few teams and roles) and far below the
# csv module's field limit, whose error would otherwise end the import in a 500.
MAX_LINE_CHARS = 4000
REQUIRED_COLUMNS = ("email",)
KNOWN_COLUMNS = ("name", "email", "team", "roles")
_SPLIT = re.compile(r"[;|]")

_ROLE_ALIASES = (
    {role.value: role.value for role in Role}
    | {str(role.label).lower(): role.value for role in Role}
    | {
        "communication": "comms",
        "communications": "comms",
        "medarbejder": "employee",
        "leder": "manager",
        "kommunikation": "comms",
        "administrator": "admin",
    }
)


@dataclass
class RowError:
    line: int
    email: str
    reasons: list[str]


@dataclass
class ImportReport:
    invited: list[Invitation] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    file_error: str = ""

    @property
    def ok(self) -> bool:
        return not self.file_error and not self.errors


def _decode_lines(data: bytes) -> tuple[list[tuple[int, str]], list[RowError]]:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    lines: list[tuple[int, str]] = []
    errors: list[RowError] = []
    for number, raw in enumerate(data.splitlines(), start=1):
        if b"\x00" in raw:
            # No database text column can hold a NUL; a UTF-16 file is full of them.
            message = _(
                "This line contains NUL characters (is the file UTF-16?). Save it as “CSV UTF-8” and upload it again."
            )
            errors.append(RowError(number, "", [message]))
            continue
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            errors.append(
                RowError(
                    number,
                    "",
                    [_("This line is not UTF-8 text. Save the file as “CSV UTF-8” and upload it again.")],
                )
            )
            continue
        if len(text) > MAX_LINE_CHARS:
            message = _("This line is longer than %(max)s characters; is it one person?") % {"max": MAX_LINE_CHARS}
            errors.append(RowError(number, "", [message]))
            continue
        lines.append((number, text))
    return lines, errors


def _delimiter(header: str) -> str:
    return ";" if header.count(";") > header.count(",") else ","


def invitations_import_csv(*, organization: Organization, data: bytes, invited_by: User) -> ImportReport:
    report = ImportReport()
    if len(data) > MAX_BYTES:
        report.file_error = _("The file is larger than 2 MB. Split it into smaller files.")
        return report
    lines, report.errors = _decode_lines(data)
    lines = [(number, text) for number, text in lines if text.strip()]
    if not lines:
        report.file_error = _("The file is empty. The first line must name the columns: name, email, team, roles.")
        return report
    _header_line, header_text = lines[0]
    delimiter = _delimiter(header_text)
    header = [cell.strip().lower() for cell in next(csv.reader([header_text], delimiter=delimiter))]
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if missing:
        report.file_error = _(
            "The first line must name the columns: name, email, team, roles (missing: %(missing)s)."
        ) % {"missing": ", ".join(missing)}
        return report
    if len(lines) - 1 > MAX_ROWS:
        report.file_error = _("The file has more than %(max)s rows. Split it into smaller files.") % {"max": MAX_ROWS}
        return report

    teams = {team.name.lower(): team for team in Team.objects.filter(organization=organization)}
    members = set(Membership.objects.filter(organization=organization).values_list("user__email", flat=True))
    members = {email.lower() for email in members}
    invited = {
        email.lower()
        for email in Invitation.objects.filter(organization=organization, status=Invitation.Status.PENDING).values_list(
            "email", flat=True
        )
    }
    seen: dict[str, int] = {}

    for number, text in lines[1:]:
        try:
            cells = next(csv.reader([text], delimiter=delimiter), [])
        except csv.Error:
            report.errors.append(RowError(number, "", [_("This line is not valid CSV.")]))
            continue
        row = {column: (cells[i].strip() if i < len(cells) else "") for i, column in enumerate(header)}
        email = row.get("email", "").lower()
        reasons: list[str] = []
        try:
            validate_email(email)
        except ValidationError:
            reasons.append(
                _("“%(email)s” is not a valid email address.") % {"email": email}
                if email
                else _("The email is missing.")
            )
        if email in seen:
            reasons.append(_("The same email is on line %(line)s already.") % {"line": seen[email]})
        elif email in members:
            reasons.append(_("Already a member of the organization."))
        elif email in invited:
            reasons.append(_("Already invited; resend the invitation from the people page instead."))
        row_teams = []
        for team_name in filter(None, (part.strip() for part in _SPLIT.split(row.get("team", "")))):
            team = teams.get(team_name.lower())
            if team is None:
                reasons.append(_("Unknown team “%(team)s”. Create the team first.") % {"team": team_name})
            else:
                row_teams.append(team)
        roles = []
        for role_name in filter(None, (part.strip().lower() for part in _SPLIT.split(row.get("roles", "")))):
            role = _ROLE_ALIASES.get(role_name)
            if role is None:
                reasons.append(
                    _("Unknown role “%(role)s”; use admin, comms, manager or employee.") % {"role": role_name}
                )
            else:
                roles.append(role)
        if email and email not in seen:
            seen[email] = number
        if reasons:
            report.errors.append(RowError(number, email, reasons))
            continue
        try:
            invitation = invitation_create(
                organization=organization,
                email=email,
                name=row.get("name", ""),
                roles=roles,
                teams=row_teams,
                invited_by=invited_by,
            )
        except ValidationError as exc:
            report.errors.append(RowError(number, email, list(exc.messages)))
            continue
        invited.add(email)
        report.invited.append(invitation)
    report.errors.sort(key=lambda error: error.line)
    return report
