"""Fill a dedicated PostgreSQL database with a company at scale, for the benchmarks in bench/."""

from __future__ import annotations

from dataclasses import replace

from django.core.management.base import BaseCommand, CommandError

from bench.seeding import SeedFailed, SeedRefused, recorded, seed
from bench.seeding.params import FULL, LARGE, SMALL, SeedParams
from bench.seeding.people import team_level_sizes


class Command(BaseCommand):
    help = (
        "Seed a company at scale (people, profiles, posts, shares, links, clicks, engagement snapshots, rollups) "
        "into a dedicated PostgreSQL database. Overwrites only an empty database or one it seeded before."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--small", action="store_true", help="A quick preset: " + SMALL.label())
        parser.add_argument("--large", action="store_true", help="Ten times the headcount: " + LARGE.label())
        parser.add_argument("--employees", type=int)
        parser.add_argument("--posts", type=int)
        parser.add_argument("--shares", type=int)
        parser.add_argument("--snapshots", type=int)
        parser.add_argument("--clicks", type=int, help="Tracked-link visits (default: two per share).")
        parser.add_argument("--days", type=int, help="Days of history (default 365).")
        parser.add_argument("--teams", type=int, help="Teams in the tree (default: from the headcount).")
        parser.add_argument("--team-depth", type=int, help="Levels of the team tree (default 3; needs --teams).")
        parser.add_argument(
            "--verify-rollups",
            action="store_true",
            help="Afterwards, compare the seeded rollups with the platform's own rebuild (slow at full scale).",
        )
        parser.add_argument(
            "--reuse", action="store_true", help="Do nothing when the database already holds exactly this seeding."
        )

    def handle(
        self,
        *args,
        small: bool = False,
        large: bool = False,
        reuse: bool = False,
        verify_rollups: bool = False,
        **options,
    ) -> None:
        if small and large:
            raise CommandError("Choose one preset: --small or --large.")
        params = SMALL if small else LARGE if large else FULL
        sizes = {
            name: options[name]
            for name in ("employees", "posts", "shares", "snapshots", "clicks", "days", "teams", "team_depth")
        }
        sizes = {name: value for name, value in sizes.items() if value is not None}
        if "shares" in sizes and "clicks" not in sizes:
            sizes["clicks"] = 2 * sizes["shares"]
        if any(value < 1 for value in sizes.values()):
            raise CommandError("Sizes must be positive numbers.")
        params = replace(params, **sizes)
        try:
            team_level_sizes(params)
        except ValueError as error:
            raise CommandError(str(error)) from None
        previous = recorded()
        if reuse and previous and SeedParams.from_dict(previous["params"]) == params:
            self.stdout.write(f"Already seeded with {params.label()} on {previous['seeded_at']:%Y-%m-%d %H:%M}.")
            return
        self.stdout.write(f"Seeding {params.label()} …")
        try:
            result = seed(params, log=lambda line: self.stdout.write(f"  {line}"))
        except (SeedRefused, SeedFailed) as error:
            raise CommandError(str(error)) from None
        counts = ", ".join(f"{name} {value:,}" for name, value in result.counts.items())
        self.stdout.write(self.style.SUCCESS(f"Seeded in {result.seconds:.0f}s: {counts}"))
        if verify_rollups:
            from bench.seeding.verify import rollups_differences

            differences = rollups_differences()
            if any(differences.values()):
                raise CommandError(f"Seeded rollups differ from the platform's rebuild: {differences}")
            self.stdout.write(self.style.SUCCESS("Seeded rollups equal the platform's own rebuild, row for row."))
