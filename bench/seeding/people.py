"""The organization, its teams, people, roles and connected profiles (COPY from Python)."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.contrib.auth.hashers import make_password
from django.db import connection
from psycopg.types.json import Jsonb

from bench.seeding import params as p
from bench.seeding.db import copy_rows
from bench.seeding.tables import T
from employees.models import new_version

FIRST = (  # noqa: SIM905 - names read better as text
    "Anna Bo Clara David Eva Frederik Greta Hans Ida Jonas Karen Lars Maja Niels Olivia Peter Rikke Søren "
    "Tine Ulla Viggo Wilma Yrsa Aksel Birgit Carsten Dorthe Emil Freja Gustav Hanne Ivan Julie Kasper "
    "Lone Mads Nanna Oskar Pia Rasmus Sofie Thomas Vibeke Amir Fatima Leila Omar Priya Ravi Chen Mei "
    "Lukas Sara"
).split()
LAST = (  # noqa: SIM905
    "Holm Jensen Nielsen Berg Lund Dahl Møller Krogh Skov Bech Friis Vinther Storm Kjær Brandt Lind "
    "Thorsen Vang Hald Winther Larsen Andersen Pedersen Hansen Christensen Poulsen Johansen Knudsen "
    "Mortensen Olsen Rasmussen Sørensen Madsen Kristensen Iversen Eriksen Nygaard Bjerre Lykke Steen "
    "Ahmed Khan Patel Wu Schmidt"
).split()
DIVISIONS = ("Sales", "Engineering", "Operations", "Marketing", "Customer Success", "Product", "Finance", "People")
REGIONS = ("Nordics", "DACH", "Benelux", "UK", "France", "Iberia", "Baltics", "Poland", "US East", "US West")

# Chance that an employee connected a profile on each network, median followers and spread.
EMPLOYEE_NETWORKS = {
    "linkedin": (0.62, 450, 1.0),
    "x": (0.28, 300, 1.4),
    "bluesky": (0.24, 150, 1.2),
    "mastodon": (0.09, 120, 1.1),
    "facebook": (0.06, 250, 0.8),
}
# LinkedIn gives post analytics only to partners' apps; most profiles are measured by clicks.
LINKEDIN_CLICKS_ONLY = 0.6
COMPANY_NETWORKS = {"linkedin": 120_000, "x": 45_000, "bluesky": 9_000, "mastodon": 3_500, "facebook": 60_000}
MASTODON_INSTANCE = "https://mastodon.scale.example"
ASCII = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa"})


@dataclass
class Profile:
    id: int
    network: str
    followers: int
    clicks_only: bool


@dataclass
class Member:
    id: int
    team_id: int
    profiles: list[Profile] = field(default_factory=list)


@dataclass
class People:
    organization_id: int
    admin_id: int
    comms_id: int
    manager_id: int
    members: list[Member]
    company_profiles: list[Profile]
    team_ids: list[int]
    department_ids: list[int]
    division_ids: list[int]


# What the levels between the departments and the teams people sit in are called.
MIDDLE_LEVELS = ("unit", "group", "section", "cell")


def team_level_sizes(params: p.SeedParams) -> list[int]:
    """How many teams each level of the tree holds, from the top (divisions) to the leaves.

    Three levels by default: divisions, their regional departments (a sixth of the leaves)
    and the leaves (one per 25 employees). With `teams` set, the leaves stay one per 25
    employees and the levels between the divisions and the leaves grow by one factor per
    level, so that the tree holds exactly `teams` teams in `team_depth` levels.
    """
    depth = params.team_depth
    if depth < 2:
        raise ValueError("The team tree needs at least two levels.")
    leaf_count = max(4, params.employees // 25)
    division_count = min(len(DIVISIONS), max(2, leaf_count // 25))
    if params.teams is None:
        if depth != 3:
            raise ValueError("A team depth other than 3 needs a team count.")
        return [division_count, max(division_count, leaf_count // 6), leaf_count]
    middle = depth - 2
    if params.teams < division_count + middle * division_count + 1:
        raise ValueError(f"{params.teams} teams are too few for {depth} levels.")
    leaf_count = min(leaf_count, params.teams - division_count - middle * division_count)
    rest = params.teams - division_count - leaf_count
    if middle == 0:
        return [division_count + rest, leaf_count]
    # The factor f with division_count * (f + f² + … + f^middle) = rest, by bisection.
    low, high = 1.0, float(rest)
    for _ in range(100):
        factor = (low + high) / 2
        if division_count * sum(factor**level for level in range(1, middle + 1)) < rest:
            low = factor
        else:
            high = factor
    sizes = [max(division_count, round(division_count * low**level)) for level in range(1, middle)]
    sizes.append(rest - sum(sizes))
    if sizes[-1] < sizes[-2 if middle > 1 else -1]:
        raise ValueError(f"{params.teams} teams do not make a tree of {depth} levels.")
    return [division_count, *sizes, leaf_count]


def _teams(params: p.SeedParams, org_id: int) -> tuple[list[tuple], list[int], list[int], list[int]]:
    """Divisions, their regional departments, the levels below them, and the teams people sit in.

    Each level's teams go round-robin under the level above, so every team of a level but
    the leaves has children. Returns the rows, the divisions (top level), the departments
    (second level) and the leaves.
    """
    sizes = team_level_sizes(params)
    division_count = sizes[0]
    rows: list[tuple] = []
    names: dict[int, str] = {}
    next_id = 1

    def add(name: str, parent: int | None) -> int:
        nonlocal next_id
        rows.append((next_id, org_id, name, parent))
        names[next_id] = name
        next_id += 1
        return next_id - 1

    divisions = level = [add(DIVISIONS[index], None) for index in range(division_count)]
    departments: list[int] = []
    if len(sizes) > 2:
        for index in range(sizes[1]):
            division = level[index % division_count]
            region = REGIONS[(index // division_count) % len(REGIONS)]
            round_ = index // (division_count * len(REGIONS))
            name = f"{names[division]} {region}" + (f" {round_ + 1}" if round_ else "")
            departments.append(add(name, division))
        level = departments
    else:
        departments = list(level)
    for depth, size in enumerate(sizes[2:], start=2):
        word = "team" if depth == len(sizes) - 1 else MIDDLE_LEVELS[(depth - 2) % len(MIDDLE_LEVELS)]
        level = [
            add(f"{names[level[index % len(level)]]} {word} {index // len(level) + 1}", level[index % len(level)])
            for index in range(size)
        ]
    return rows, divisions, departments, level


def seed_people(params: p.SeedParams, now: datetime, rng: random.Random) -> People:
    org_id = 1
    copy_rows(
        f"{T.organization}",
        [
            "id",
            "name",
            "slug",
            "language",
            "timezone",
            "require_mfa_for_admins",
            "company_needs_reconnect",
            "topics_version",
            "created_at",
        ],
        [
            (
                org_id,
                p.ORG_NAME,
                p.ORG_SLUG,
                "en",
                p.ORG_TIMEZONE,
                False,
                False,
                new_version(),
                now - timedelta(days=params.days + 30),
            )
        ],
    )
    copy_rows(
        f"{T.compliancesettings}",
        ["id", "organization_id", "disclosure_text", "disclosure_mode", "blocked_phrases", "alt_text_required"],
        [(1, org_id, "#employee", "append", "confidential\ninsider", True)],
    )
    team_rows, divisions, departments, leaves = _teams(params, org_id)
    copy_rows(f"{T.team}", ["id", "organization_id", "name", "parent_id"], team_rows)

    password = make_password(p.PASSWORD)
    users, emails, memberships, member_teams = [], [], [], []
    members: list[Member] = []
    manager_count = max(1, params.employees // 50)
    for member_id in range(1, params.employees + 1):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        email = f"{first}.{last}.{member_id}@{p.EMAIL_DOMAIN}".lower().translate(ASCII)
        joined = now - timedelta(days=rng.uniform(params.days, params.days + 900))
        users.append((member_id, password, None, False, email, f"{first} {last}", True, False, joined))
        emails.append((member_id, email, True, True, member_id))
        is_admin = member_id <= 3
        is_comms = 3 < member_id <= 13
        is_manager = 13 < member_id <= 13 + manager_count
        active = is_admin or is_comms or is_manager or rng.random() > 0.01
        memberships.append(
            (
                member_id,
                member_id,
                org_id,
                is_admin,
                is_comms,
                is_manager,
                True,
                active,
                None if active else now,
                False,
                joined,
            )
        )
        team = departments[(member_id - 14) % len(departments)] if is_manager else rng.choice(leaves)
        member_teams.append((member_id, member_id, team))
        members.append(Member(member_id, team))
    copy_rows(
        f"{T.user}",
        ["id", "password", "last_login", "is_superuser", "email", "name", "is_active", "is_staff", "date_joined"],
        users,
    )
    copy_rows(f"{T.emailaddress}", ["id", "email", "verified", "primary", "user_id"], emails)
    copy_rows(
        f"{T.membership}",
        [
            "id",
            "user_id",
            "organization_id",
            "is_admin",
            "is_comms",
            "is_manager",
            "is_employee",
            "is_active",
            "deactivated_at",
            "needs_reconnect",
            "created_at",
        ],
        memberships,
    )
    copy_rows(f"{T.membership_teams}", ["id", "membership_id", "team_id"], member_teams)
    company = _seed_profiles(members, org_id, now, rng)
    _reconnect_flags()
    return People(org_id, 1, 4, 14, members, company, leaves, departments, divisions)


def _followers(rng: random.Random, median: int, sigma: float) -> int:
    return max(0, int(median * math.exp(rng.gauss(0, sigma))))


def _seed_profiles(members: list[Member], org_id: int, now: datetime, rng: random.Random) -> list[Profile]:
    rows = []
    profile_id = 0

    def add(member_id: int | None, network: str, followers: int) -> Profile:
        nonlocal profile_id
        profile_id += 1
        clicks_only = network == "facebook" or (network == "linkedin" and rng.random() < LINKEDIN_CLICKS_ONLY)
        extra: dict = {}
        if network == "mastodon":
            extra = {"instance_url": MASTODON_INSTANCE}
        elif network == "bluesky":
            extra = {"did": f"did:plc:seed{profile_id}", "pds_url": "https://bsky.social"}
        state = "active" if member_id is None or rng.random() > 0.02 else "needs_reconnect"
        connected = now - timedelta(days=rng.uniform(30, 700))
        rows.append(
            (
                profile_id,
                org_id,
                member_id,
                network,
                f"seed-{network}-{profile_id}",
                f"person{profile_id}" if member_id else f"scalecorp-{network}",
                "",
                "",
                followers,
                now,
                state,
                clicks_only,
                "",
                "",
                "",
                Jsonb(extra),
                "",
                connected,
                connected,
                now,
            )
        )
        return Profile(profile_id, network, followers, clicks_only)

    company = [add(None, network, followers) for network, followers in COMPANY_NETWORKS.items()]
    for member in members:
        for network, (chance, median, sigma) in EMPLOYEE_NETWORKS.items():
            if rng.random() < chance:
                member.profiles.append(add(member.id, network, _followers(rng, median, sigma)))
    copy_rows(
        f"{T.socialprofile}",
        [
            "id",
            "organization_id",
            "owner_membership_id",
            "network",
            "remote_id",
            "handle",
            "display_name",
            "profile_url",
            "followers",
            "followers_at",
            "state",
            "clicks_only",
            "access_token",
            "refresh_token",
            "secret_extra",
            "extra",
            "last_error",
            "connected_at",
            "created_at",
            "updated_at",
        ],
        rows,
    )
    return company


def _reconnect_flags() -> None:
    """The flags the reconnect banner reads, as the platform keeps them (employees/signals.py)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {T.membership} SET needs_reconnect = TRUE WHERE id IN "
            f"(SELECT owner_membership_id FROM {T.socialprofile} WHERE state = 'needs_reconnect')"
        )
        cursor.execute(
            f"UPDATE {T.organization} SET company_needs_reconnect = EXISTS (SELECT 1 FROM {T.socialprofile} s "
            f"WHERE s.organization_id = {T.organization}.id AND s.owner_membership_id IS NULL "
            "AND s.state = 'needs_reconnect')"
        )
