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

    def as_dict(self) -> dict:
        return asdict(self)

    def label(self) -> str:
        return (
            f"{self.employees:,} employees, {self.posts:,} posts, {self.shares:,} shares, "
            f"{self.snapshots:,} engagement snapshots, {self.clicks:,} clicks, {self.days} days"
        )


FULL = SeedParams()
SMALL = replace(FULL, employees=200, posts=500, shares=20_000, snapshots=200_000, clicks=40_000, audience_days=100)
# Ten times the headcount: 50,000 people in about 2,400 teams (bench/seeding/people.py).
LARGE = replace(FULL, employees=50_000, posts=20_000, shares=2_000_000, snapshots=10_000_000, clicks=4_000_000)
