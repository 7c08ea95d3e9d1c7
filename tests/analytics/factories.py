"""Factories for analytics tests: posted shares, tracked links, clicks, and a fake network."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from types import SimpleNamespace

import factory
from django.utils import timezone

from networks.base import PostMetrics
from tests.factories import PostFactory, SocialProfileFactory


class ShareFactory(factory.django.DjangoModelFactory):
    """A share already posted, by default from a new employee's Bluesky profile."""

    class Meta:
        model = "advocacy.Share"

    profile = factory.SubFactory(SocialProfileFactory, network="bluesky")
    organization = factory.LazyAttribute(lambda o: o.profile.organization)
    post = factory.LazyAttribute(lambda o: PostFactory.published(organization=o.organization))
    member = factory.LazyAttribute(lambda o: o.profile.owner_membership)
    network = factory.LazyAttribute(lambda o: o.profile.network)
    sequence = factory.Sequence(lambda n: n % 30000 + 1)
    comment = "A few words of my own."
    final_text = factory.LazyAttribute(lambda o: o.comment)
    twist = "personal"
    status = "posted"
    posted_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=1))
    remote_id = factory.Sequence(lambda n: f"at://did:plc:test/app.bsky.feed.post/{n:013d}")
    followers_at_share = factory.LazyAttribute(lambda o: o.profile.followers)


class TrackedLinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "advocacy.TrackedLink"

    share = factory.SubFactory(ShareFactory)
    organization = factory.LazyAttribute(lambda o: o.share.organization)
    code = factory.Sequence(lambda n: f"c{n:07d}")
    target_url = "https://example.com/landing"


class ClickFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "advocacy.Click"

    link = factory.SubFactory(TrackedLinkFactory)
    at = factory.LazyFunction(lambda: timezone.now() - timedelta(minutes=30))
    is_bot = False
    visitor = factory.Sequence(lambda n: f"visitor{n:08d}")


def company_profile(organization, **fields):
    fields.setdefault("network", "bluesky")
    fields.setdefault("followers", 5000)
    return SocialProfileFactory(organization=organization, owner_membership=None, **fields)


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
