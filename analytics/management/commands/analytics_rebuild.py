"""Rebuild the analytics rollups from raw snapshots, shares and clicks."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from analytics.services.rebuild import rollups_rebuild
from employees.models import Organization


class Command(BaseCommand):
    help = (
        "Recompute every analytics rollup from the raw data (shares, engagement snapshots, clicks). "
        "Gives the same rows as the incremental updates; safe to run while the platform runs."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--organization", help="Only this organization (its slug).")

    def handle(self, *args, organization: str | None = None, **options) -> None:
        organization_id = None
        if organization:
            organization_id = Organization.objects.filter(slug=organization).values_list("id", flat=True).first()
            if organization_id is None:
                raise CommandError(f"No organization with the slug {organization!r}.")
        result = rollups_rebuild(organization_id=organization_id)
        self.stdout.write(
            self.style.SUCCESS(
                f"Rebuilt the rollups of {result.organizations} organization(s) from {result.shares} shares, "
                f"{result.snapshots} snapshots and {result.clicks} clicks."
            )
        )
