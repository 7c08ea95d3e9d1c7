"""The dashboard's figures added up from one read per side equal those of grouped queries."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import timedelta

import pytest
from django.utils import timezone

from analytics.forms import Filters
from analytics.selectors import dashboard as figures
from analytics.selectors.daily import daily_read
from analytics.selectors.distribution import distribution_trail, trail_buckets
from analytics.selectors.scope import Scope
from analytics.services import rollups
from tests.factories import (
    ClickFactory,
    MembershipFactory,
    PostFactory,
    ShareFactory,
    SocialProfileFactory,
    TopicFactory,
    TrackedLinkFactory,
    company_profile,
)


@pytest.fixture
def history(cast):
    """Five weeks of shares and clicks on two networks, by people in two teams and the company."""
    rng = random.Random(11)
    topic = TopicFactory(organization=cast.org)
    posts = [PostFactory.published(organization=cast.org) for _ in range(3)]
    posts[0].topics.add(topic)
    people = [MembershipFactory(organization=cast.org, teams=[team]) for team in (cast.nordics, cast.marketing) * 2]
    profiles = [
        SocialProfileFactory(owner_membership=person, network=network, followers=rng.randint(10, 900))
        for person in people
        for network in ("bluesky", "mastodon")
    ]
    profiles.append(company_profile(cast.org, followers=5000))
    now = timezone.now()
    for _ in range(40):
        profile = rng.choice(profiles)
        share = ShareFactory(
            profile=profile,
            member=profile.owner_membership,
            post=rng.choice(posts),
            posted_at=now - timedelta(days=rng.randint(0, 34), hours=rng.randint(1, 20)),
        )
        link = TrackedLinkFactory(share=share)
        for _ in range(rng.randint(0, 2)):
            ClickFactory(link=link, at=share.posted_at + timedelta(minutes=5), visitor=rng.choice("abc"))
    rollups.rollups_update(now=now + timedelta(minutes=10), enrol_since=None)
    return topic


def _cases(cast, topic):
    today = timezone.localdate()
    base = Filters(start=today - timedelta(days=13), end=today, days=14, timezone="UTC")
    organization, team = Scope(cast.org.id, None), Scope(cast.org.id, frozenset({cast.nordics.id}))
    return [
        (organization, base),
        (organization, replace(base, network="mastodon", metric="engagements")),
        (organization, replace(base, topic_id=topic.id, metric="clicks")),
        (team, base),
        (team, replace(base, topic_id=topic.id)),
    ]


def test_totals_series_networks_and_emv_equal_the_grouped_queries(cast, history):
    for scope, filters in _cases(cast, history):
        previous_start, previous_end = filters.previous()
        daily = daily_read(scope, filters, start=previous_start, end=filters.end)
        sources = figures.sources_for(scope, filters)
        assert daily.reach(filters.start, filters.end) == figures.reach_totals(sources)
        before = figures.sources_for(scope, filters, start=previous_start, end=previous_end)
        assert daily.reach(previous_start, previous_end) == figures.reach_totals(before)
        assert daily.series(filters) == figures.reach_series(sources, filters)
        assert daily.networks(filters.start, filters.end) == figures.by_network(sources)
        assert daily.emv_counts(filters.start, filters.end) == figures.emv_counts(sources)
    assert any(point.total for point in daily.series(filters))


def test_the_trail_is_the_same_with_the_days_read_once(cast, history):
    for scope, filters in _cases(cast, history):
        daily = daily_read(scope, filters, start=trail_buckets(filters)[0][0], end=filters.end)
        assert distribution_trail(scope=scope, filters=filters, daily=daily) == distribution_trail(
            scope=scope, filters=filters
        )


def test_asking_for_days_that_were_not_read_is_an_error(cast, history):
    scope, filters = _cases(cast, history)[0]
    daily = daily_read(scope, filters, start=filters.start, end=filters.end)
    with pytest.raises(ValueError, match="outside"):
        daily.reach(filters.start - timedelta(days=1), filters.end)
