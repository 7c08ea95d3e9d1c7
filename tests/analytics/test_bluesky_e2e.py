"""Engagement end to end: a real share on the local Bluesky network, real likes and a
repost from other accounts, the pull through a real worker, and the manager's dashboard."""

from __future__ import annotations

import pytest
from atproto import models
from django.urls import reverse

from advocacy import services
from advocacy.models import Share
from analytics.models import EngagementSnapshot, ShareMetrics
from analytics.tasks import engagement_pull_due_task
from employees.profiles.services import profile_audience_refresh, profile_store
from networks.bluesky import BlueskyAdapter
from tests.bluesky.fixtures import bluesky_network  # noqa: F401
from tests.bluesky.network import unique_handle
from tests.factories import PostFactory
from tests.worker import running_worker, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _loopback_network_allowed(settings):
    # The local Bluesky network listens on loopback, which the egress guard refuses
    # unless private hosts are allowed; the worker is started with the same setting.
    settings.NETWORKS_ALLOW_PRIVATE_HOSTS = True


def _connect(network, membership, *, company=False, prefix="emp"):
    account = network.create_account(unique_handle(prefix))
    credentials = BlueskyAdapter.connect(account.handle, account.password, network.pds_url)
    profile = profile_store(
        membership=membership,
        network="bluesky",
        remote_id=credentials.extra["did"],
        credentials=credentials,
        handle=account.handle,
        followers=0,
        company=company,
    )
    return account, profile


def _post_of(client, uri: str):
    [post] = client.app.bsky.feed.get_posts(models.AppBskyFeedGetPosts.Params(uris=[uri])).posts
    return post


def test_likes_and_a_repost_on_bluesky_reach_the_managers_dashboard_through_the_worker(
    cast,
    bluesky_network,  # noqa: F811
    login,
):
    network = bluesky_network
    emma_account, emma_profile = _connect(network, cast.emma)
    company_account, company_profile = _connect(network, cast.carol, company=True, prefix="acme")
    fans = [network.create_account(unique_handle("fan")) for _ in range(2)]
    clients = [network.login(fan.handle, fan.password) for fan in fans]
    for client in clients:
        client.follow(emma_account.did)
    clients[0].follow(company_account.did)
    # The followers each profile has when it shares are its potential reach. The AppView
    # indexes follows in the background: read until it counts them all.
    expected = {emma_profile.id: 2, company_profile.id: 1}

    def audiences_indexed() -> bool:
        network.process_all()
        for profile in (emma_profile, company_profile):
            profile_audience_refresh(profile_id=profile.id)
            profile.refresh_from_db()
        return all(profile.followers == expected[profile.id] for profile in (emma_profile, company_profile))

    wait_for(audiences_indexed, timeout=60, interval=1.0)

    post = PostFactory.published(organization=cast.org, title="Our new office", link_url="https://example.com/office")
    with running_worker():
        services.shares_create(
            member=cast.emma, actor=cast.emma.user, post=post, profiles=[emma_profile], comment="Look at this!"
        )
        services.shares_create(
            member=None, actor=cast.carol.user, post=post, profiles=[company_profile], comment="Our new office."
        )
        wait_for(lambda: Share.objects.filter(status="posted").count() == 2, timeout=60)
        share = Share.objects.get(profile=emma_profile)
        assert share.followers_at_share == 2
        network.process_all()

        remote = _post_of(clients[0], share.remote_id)
        clients[0].like(remote.uri, remote.cid)
        clients[0].repost(remote.uri, remote.cid)
        clients[1].like(remote.uri, remote.cid)
        network.process_all()

        engagement_pull_due_task.delay()
        wait_for(lambda: ShareMetrics.objects.filter(pk=share.pk, peak_likes=2).exists(), timeout=60)

    metrics = ShareMetrics.objects.get(pk=share.pk)
    assert (metrics.likes, metrics.reposts, metrics.replies, metrics.quotes) == (2, 1, 0, 0)
    assert EngagementSnapshot.objects.filter(share=share).count() == 1
    company_metrics = ShareMetrics.objects.get(share__profile=company_profile)
    assert company_metrics.pulls == 1 and company_metrics.peak_likes == 0

    page = login(cast.mike).get(reverse("analytics:dashboard")).content.decode()
    overview = page.split('id="dashboard-body"')[1]
    assert "Combined reach" in overview
    assert '<span class="kpi-value">3</span>' in overview  # combined: emma 2 + company 1
    assert '<span class="kpi-value">2.0×</span>' in overview  # amplification: 2 ÷ 1
    assert '<th scope="row">Engagements</th><td>0</td><td>3</td><td>3</td>' in overview.replace("\n", "")
