"""What to seed: sizes, the shape of the distributions, and the two presets."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace

ORG_SLUG = "scale"
ORG_NAME = "Scale Corp"
ORG_TIMEZONE = "Europe/Copenhagen"
EMAIL_DOMAIN = "scale.example"
# Every seeded person can log in with this (one hash, computed once).
PASSWORD = "bench-password-123"  # noqa: S105 - made-up people on a benchmark database


@dataclass(frozen=True)
class SeedParams:
    employees: int = 5_000
    posts: int = 10_000
    shares: int = 1_000_000
    snapshots: int = 10_000_000
    # Tracked-link visits; long-tailed per share.
    clicks: int = 2_000_000
    # How far back the history goes.
    days: int = 365
    # Daily follower counts kept per profile (the dashboard reads the last day in its period).
    audience_days: int = 100
    # Fixed, so two seedings with the same sizes give the same rows.
    seed: int = 20_261_101
    # The team tree: how many teams (None: from the headcount, about one team of 25 people
    # per 25 employees plus the divisions and departments above them) and how many levels.
    teams: int | None = None
    team_depth: int = 3

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, recorded: dict) -> SeedParams:
        """The parameters a seeding recorded; fields added since take their defaults."""
        known = {name: value for name, value in recorded.items() if name in cls.__dataclass_fields__}
        return cls(**known)

    def label(self) -> str:
        teams = f", {self.teams:,} teams" if self.teams else ""
        depth = f" at depth {self.team_depth}" if self.team_depth != SeedParams.team_depth or self.teams else ""
        return (
            f"{self.employees:,} employees{teams}{depth}, {self.posts:,} posts, {self.shares:,} shares, "
            f"{self.snapshots:,} engagement snapshots, {self.clicks:,} clicks, {self.days} days"
        )


FULL = SeedParams()
SMALL = replace(FULL, employees=200, posts=500, shares=20_000, snapshots=200_000, clicks=40_000, audience_days=100)
# Ten times the headcount: 50,000 people in 2,400 teams five levels deep (bench/seeding/people.py).
LARGE = replace(
    FULL,
    employees=50_000,
    posts=20_000,
    shares=2_000_000,
    snapshots=10_000_000,
    clicks=4_000_000,
    teams=2_400,
    team_depth=5,
)
