"""Create an organization and invite its first admin: the way in on an empty server.

    python manage.py org_create "Acme" --admin-email it@acme.example [--language da --time-zone Europe/Copenhagen]

The invitation is emailed at once (its link is printed too when email goes to the
console). A second run with the same name and admin changes nothing; `--resend` then
sends the pending invitation again with a fresh link.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from employees import services

_CONSOLE_BACKEND = "django.core.mail.backends.console.EmailBackend"


class Command(BaseCommand):
    help = "Create an organization and send its first admin an invitation."

    def add_arguments(self, parser) -> None:
        parser.add_argument("name", help="The organization's name.")
        parser.add_argument("--admin-email", required=True, help="Who is invited as its first admin.")
        parser.add_argument("--language", default="en", help="Default language: en or da (default en).")
        parser.add_argument("--time-zone", default="UTC", help="Time zone name, e.g. Europe/Copenhagen (default UTC).")
        parser.add_argument(
            "--resend", action="store_true", help="Send a pending admin invitation again, with a new link."
        )

    def handle(self, *args, name: str, admin_email: str, language: str, time_zone: str, resend: bool, **options):
        try:
            setup = services.organization_create_with_admin(
                name=name, admin_email=admin_email, language=language, time_zone=time_zone
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        organization = setup.organization
        if setup.created:
            self.stdout.write(f"Created the organization {organization.name} ({organization.slug}).")
        elif setup.invitation is None:
            self.stdout.write(f"{organization.name} exists already and {admin_email} is its admin. Nothing to do.")
            return
        elif not resend:
            state = "an expired" if setup.invitation.status == setup.invitation.Status.EXPIRED else "a pending"
            self.stdout.write(
                f"{organization.name} exists already and {setup.invitation.email} has {state} admin invitation "
                "(nothing changed). Run again with --resend to send it again with a new link."
            )
            return
        else:
            services.invitation_reopen(invitation=setup.invitation)
        try:
            url = services.invitation_send(invitation=setup.invitation)
        except OSError as error:
            raise CommandError(
                f"The invitation to {setup.invitation.email} could not be emailed ({error}). Check the EMAIL_* "
                "settings, then run the same command with --resend."
            ) from None
        self.stdout.write(f"Invited {setup.invitation.email} as admin; the invitation was emailed.")
        if settings.EMAIL_BACKEND == _CONSOLE_BACKEND:
            self.stdout.write(f"Invitation link: {url}")
