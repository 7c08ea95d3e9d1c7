"""Running the analytics jobs at a chosen moment, reading rollup tables back, and a fake network
that counts the pull's calls."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace

from analytics.models import ROLLUP_MODELS, ShareMetrics
from analytics.services import pull, rebuild, rollups
from networks.base import PostMetrics


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


@dataclass
class FakeNetwork:
    """Stands in for every network adapter: counts calls, answers from `counts`.

    `counts[remote_id]` is a PostMetrics or an exception to raise for the batch that
    holds it; a remote id missing from `counts` is left out of the answer.
    """

    counts: dict = field(default_factory=dict)
    calls: list = field(default_factory=list)
    readers: list = field(default_factory=list)
    dead_readers: set = field(default_factory=set)

    def set(self, share, **values) -> None:
        self.counts[share.remote_id] = PostMetrics(remote_id=share.remote_id, **values)

    def adapter_open(self, *, profile_id: int):
        from employees.models import SocialProfile
        from employees.profiles.services import ProfileUnavailable
        from networks import get_adapter_class

        profile = SocialProfile.objects.get(pk=profile_id)
        if profile.state != "active":
            raise ProfileUnavailable(f"profile {profile_id} is {profile.state}")
        self.readers.append(profile_id)
        return profile, FakeAdapter(self, profile, get_adapter_class(profile.network).metrics_batch_size)


class FakeAdapter:
    credentials_changed = False

    def __init__(self, network: FakeNetwork, profile, batch_size: int) -> None:
        self.network, self.profile, self.metrics_batch_size = network, profile, batch_size

    def fetch_metrics(self, remote_ids):
        from networks.errors import CredentialsDead

        assert 0 < len(remote_ids) <= self.metrics_batch_size
        self.network.calls.append((self.profile.network, self.profile.pk, list(remote_ids)))
        if self.profile.pk in self.network.dead_readers:
            raise CredentialsDead("token revoked")
        answers = []
        for remote_id in remote_ids:
            answer = self.network.counts.get(remote_id)
            if isinstance(answer, Exception):
                raise answer
            if answer is not None:
                answers.append(answer)
        return answers

    def close(self) -> None:
        pass


def organization_totals(organization) -> SimpleNamespace:
    """The organization's day rows, summed per measure.

    A share posted an hour ago and the engagement or click seen now fall on two days
    when a test runs in the first hour of the organization's day.
    """
    from analytics.models import OrganizationDay

    rows = list(OrganizationDay.objects.filter(organization=organization))
    assert len({row.is_company for row in rows}) == 1, "company and people rows mixed"
    measures = [field.name for field in OrganizationDay._meta.fields if "IntegerField" in field.get_internal_type()]
    totals = {name: sum(getattr(row, name) or 0 for row in rows) for name in measures}
    return SimpleNamespace(**totals, is_company=rows[0].is_company)
