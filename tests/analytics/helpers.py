"""Running the analytics jobs at a chosen moment, and reading rollup tables back."""

from __future__ import annotations

from analytics.models import ROLLUP_MODELS, ShareMetrics
from analytics.services import pull, rebuild, rollups


def pull_cycle(now):
    """What beat does: enrol new shares and ingest clicks, then run every pull job."""
    rollups.rollups_update(now=now)
    outcomes = []
    for job in pull.engagement_pull_plan(now=now):
        outcomes.append(
            pull.engagement_pull_job(
                organization_id=job.organization_id,
                network=job.network,
                scope=job.scope,
                share_ids=job.share_ids,
                claim=job.claim,
                now=now,
            )
        )
    return outcomes


def rollup_tables() -> dict[str, set[tuple]]:
    """Every rollup row as a tuple of its key and measures, without ids."""
    tables = {}
    for model in ROLLUP_MODELS:
        columns = [*model.KEY, *model.MEASURES]
        tables[model.__name__] = set(model.objects.values_list(*columns))
    return tables


def share_counters() -> set[tuple]:
    return set(ShareMetrics.objects.values_list(*["share_id", *rebuild.RESET_FIELDS]))
