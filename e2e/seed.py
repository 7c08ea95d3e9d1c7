"""The end-to-end run's own organization, on top of the demo one (``seed_demo``).

Nordlys A/S starts empty so that the journeys can assert exact figures: a comms
person, a manager of the Field sales team, two employees in that team and one in
Support, all with the password below. Run with the platform's environment:

    python e2e/seed.py
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from allauth.account.models import EmailAddress  # noqa: E402
from django.db import transaction  # noqa: E402

from content.models import ComplianceSettings  # noqa: E402
from employees.models import Membership, Organization, Role, Team, User  # noqa: E402

PASSWORD = "e2e-password-123"  # noqa: S105 - a throwaway database's test users
TEAMS = ["Field sales", "Support"]
PEOPLE = [
    ("clara@nordlys.test", "Clara Comms", [Role.COMMS], []),
    ("magnus@nordlys.test", "Magnus Manager", [Role.MANAGER], ["Field sales"]),
    ("emil@nordlys.test", "Emil Employee", [Role.EMPLOYEE], ["Field sales"]),
    ("dorthe@nordlys.test", "Dorthe Dansk", [Role.EMPLOYEE], ["Field sales"]),
    ("sam@nordlys.test", "Sam Support", [Role.EMPLOYEE], ["Support"]),
]


@transaction.atomic
def seed() -> None:
    organization = Organization.objects.create(
        name="Nordlys A/S", slug="nordlys", language="en", timezone="Europe/Copenhagen"
    )
    teams = {name: Team.objects.create(organization=organization, name=name) for name in TEAMS}
    ComplianceSettings.objects.create(organization=organization, disclosure_text="#ansat", disclosure_mode="append")
    for email, name, roles, team_names in PEOPLE:
        user = User.objects.create_user(email, PASSWORD, name=name)
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        membership = Membership(user=user, organization=organization)
        membership.set_roles(roles)
        membership.save()
        membership.teams.set([teams[team] for team in team_names])


if __name__ == "__main__":
    seed()
    print(f"e2e seed: {len(PEOPLE)} people in Nordlys A/S")
