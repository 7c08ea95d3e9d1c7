"""Create (or refresh) the demo organization with teams and one user per role."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.core.management.base import BaseCommand
from django.db import transaction

from analytics.demo import seed_history
from content.demo import seed_content
from employees.models import Membership, Organization, Role, Team, User

DEMO_PASSWORD = "demo-password-123"
DEMO_TEAMS = [("Sales", None), ("Nordics", "Sales"), ("Marketing", None), ("Engineering", None)]
DEMO_PEOPLE = [
    ("admin@demo.example", "Astrid Admin", [Role.ADMIN], []),
    ("comms@demo.example", "Carl Comms", [Role.COMMS, Role.EMPLOYEE], ["Marketing"]),
    ("manager@demo.example", "Maja Manager", [Role.MANAGER, Role.EMPLOYEE], ["Sales"]),
    ("employee@demo.example", "Emil Employee", [Role.EMPLOYEE], ["Nordics"]),
]


class Command(BaseCommand):
    help = "Create the demo organization, its teams and one user per role; safe to run again."

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        organization, _ = Organization.objects.get_or_create(
            slug="demo", defaults={"name": "Demo Company", "language": "en", "timezone": "Europe/Copenhagen"}
        )
        teams: dict[str, Team] = {}
        for name, parent in DEMO_TEAMS:
            team, _ = Team.objects.get_or_create(organization=organization, name=name)
            team.parent = teams.get(parent) if parent else None
            team.save(update_fields=["parent"])
            teams[name] = team
        for email, name, roles, team_names in DEMO_PEOPLE:
            user = User.objects.filter(email=email).first()
            if user is None:
                user = User.objects.create_user(email, DEMO_PASSWORD, name=name)
            EmailAddress.objects.update_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
            membership, _ = Membership.objects.get_or_create(user=user, organization=organization)
            membership.set_roles(roles)
            membership.is_active = True
            membership.save()
            membership.teams.set([teams[team_name] for team_name in team_names])

        seed_content(
            organization=organization,
            author=User.objects.get(email="comms@demo.example"),
            suggester=User.objects.get(email="employee@demo.example"),
        )
        seed_history(organization=organization)

        self.stdout.write(self.style.SUCCESS(f"Demo organization “{organization.name}” is ready. Log in with:"))
        for email, _name, roles, _teams in DEMO_PEOPLE:
            self.stdout.write(f"  {', '.join(roles):<20} {email:<26} password: {DEMO_PASSWORD}")
