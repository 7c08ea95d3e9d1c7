"""Create (or refresh) the demo organizations with teams and one user per role: an
English one, and a Danish one in works-council mode."""

from __future__ import annotations

from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.core.management.base import BaseCommand
from django.db import transaction

from analytics.demo import seed_history
from analytics.models import AnalyticsSettings
from content.demo import seed_content
from employees.models import Membership, Organization, Role, Team, User

DEMO_PASSWORD = "demo-password-123"


@dataclass(frozen=True)
class DemoOrganization:
    slug: str
    name: str
    language: str
    teams: list[tuple[str, str | None]]
    # (email, name, roles, team names); the first comms person writes the posts, the
    # last employee suggests links.
    people: list[tuple[str, str, list[str], list[str]]]
    disclosure: str = "#employee"
    # The demo colleagues' team names as this organization names them.
    team_names: dict[str, str] | None = None
    works_council: bool = False


DEMO = DemoOrganization(
    slug="demo",
    name="Demo Company",
    language="en",
    teams=[("Sales", None), ("Nordics", "Sales"), ("Marketing", None), ("Engineering", None)],
    people=[
        ("admin@demo.example", "Astrid Admin", [Role.ADMIN], []),
        ("comms@demo.example", "Carl Comms", [Role.COMMS, Role.EMPLOYEE], ["Marketing"]),
        ("manager@demo.example", "Maja Manager", [Role.MANAGER, Role.EMPLOYEE], ["Sales"]),
        ("employee@demo.example", "Emil Employee", [Role.EMPLOYEE], ["Nordics"]),
    ],
)
# The Danish locale's demo: works-council mode on, so teams under five people (Jura
# here) are left out of every team view, and the leaderboard lists only who opts in.
DEMO_DA = DemoOrganization(
    slug="demo-da",
    name="Demo Virksomhed A/S",
    language="da",
    teams=[("Salg", None), ("Norden", "Salg"), ("Marketing", None), ("Udvikling", None), ("Jura", None)],
    people=[
        ("admin@da.demo.example", "Anne Administrator", [Role.ADMIN], []),
        ("komm@da.demo.example", "Karl Kommunikation", [Role.COMMS, Role.EMPLOYEE], ["Marketing"]),
        ("leder@da.demo.example", "Mette Leder", [Role.MANAGER, Role.EMPLOYEE], ["Salg"]),
        ("medarbejder@da.demo.example", "Emil Medarbejder", [Role.EMPLOYEE], ["Jura"]),
    ],
    disclosure="#ansat",
    team_names={"Sales": "Salg", "Nordics": "Norden", "Engineering": "Udvikling"},
    works_council=True,
)
DEMO_ORGANIZATIONS = [DEMO, DEMO_DA]
COUNCIL_MIN_TEAM_SIZE = 5


def demo_seed(demo: DemoOrganization) -> Organization:
    """One demo organization, its teams, people, posts and history; safe to run again."""
    organization, _ = Organization.objects.get_or_create(
        slug=demo.slug, defaults={"name": demo.name, "language": demo.language, "timezone": "Europe/Copenhagen"}
    )
    if demo.works_council:
        # On when the organization is made; an admin who turns it off keeps it off.
        AnalyticsSettings.objects.get_or_create(
            organization=organization,
            defaults={"works_council": True, "council_min_team_size": COUNCIL_MIN_TEAM_SIZE, "currency": "DKK"},
        )
    teams: dict[str, Team] = {}
    for name, parent in demo.teams:
        team, _ = Team.objects.get_or_create(organization=organization, name=name)
        team.parent = teams.get(parent) if parent else None
        team.save(update_fields=["parent"])
        teams[name] = team
    for email, name, roles, team_names in demo.people:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(email, DEMO_PASSWORD, name=name)
        EmailAddress.objects.update_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
        membership, _ = Membership.objects.get_or_create(user=user, organization=organization)
        membership.set_roles(roles)
        membership.is_active = True
        membership.save()
        membership.teams.set([teams[team_name] for team_name in team_names])

    author = next(email for email, _name, roles, _teams in demo.people if Role.COMMS in roles)
    seed_content(
        organization=organization,
        author=User.objects.get(email=author),
        suggester=User.objects.get(email=demo.people[-1][0]),
        disclosure=demo.disclosure,
    )
    seed_history(organization=organization, team_names=demo.team_names)
    return organization


class Command(BaseCommand):
    help = "Create the demo organizations, their teams and one user per role; safe to run again."

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        for demo in DEMO_ORGANIZATIONS:
            organization = demo_seed(demo)
            self.stdout.write(self.style.SUCCESS(f"Demo organization “{organization.name}” is ready. Log in with:"))
            for email, _name, roles, _teams in demo.people:
                self.stdout.write(f"  {', '.join(roles):<20} {email:<28} password: {DEMO_PASSWORD}")
