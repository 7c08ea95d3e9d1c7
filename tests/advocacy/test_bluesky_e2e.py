"""The sharing pipeline end to end, against the real local Bluesky network and a real worker."""

from __future__ import annotations

import signal

import pytest
from atproto import Client
from django.urls import reverse
from django.utils import timezone

from advocacy import links, services
from advocacy.models import Share
from content.models import ComplianceSettings
from employees.profiles.services import profile_store
from networks.bluesky import BlueskyAdapter
from tests.bluesky.fixtures import bluesky_network  # noqa: F401
from tests.bluesky.network import unique_handle
from tests.factories import MembershipFactory, PostFactory
from tests.worker import new_queue_name, running_worker, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _loopback_network_allowed(settings):
    # The local Bluesky network listens on loopback, which the egress guard refuses
    # unless private hosts are allowed; the worker is started with the same setting.
    settings.NETWORKS_ALLOW_PRIVATE_HOSTS = True


def _connect(network, membership, prefix="emp"):
    account = network.create_account(unique_handle(prefix))
    credentials = BlueskyAdapter.connect(account.handle, account.password, network.pds_url)
    profile = profile_store(
        membership=membership,
        network="bluesky",
        remote_id=credentials.extra["did"],
        credentials=credentials,
        handle=account.handle,
        followers=0,
    )
    return account, profile


def _posts_on_pds(network, account) -> list[dict]:
    client = Client(base_url=network.pds_url + "/xrpc")
    records, cursor = [], None
    while True:
        page = client.com.atproto.repo.list_records(
            {"repo": account.did, "collection": "app.bsky.feed.post", "limit": 100, "cursor": cursor}
        )
        records += [{"uri": record.uri, "text": record.value.text} for record in page.records]
        cursor = page.cursor
        if not cursor or not page.records:
            return records


def test_a_share_reaches_the_pds_with_comment_tracked_link_and_disclosure(cast, bluesky_network, login):  # noqa: F811
    ComplianceSettings.objects.create(organization=cast.org, disclosure_text="#ansat", disclosure_mode="append")
    post = PostFactory.published(organization=cast.org, link_url="https://example.com/office")
    account, profile = _connect(bluesky_network, cast.emma)
    with running_worker():
        response = login(cast.emma).post(
            reverse("advocacy:compose", args=[post.id]),
            {"profiles": [profile.id], "comment": "Our new office is beautiful 🏢", "when": "now"},
        )
        assert response.status_code == 302
        share = Share.objects.get()
        wait_for(lambda: Share.objects.filter(pk=share.pk, status="posted").exists(), timeout=60)
    share.refresh_from_db()
    records = _posts_on_pds(bluesky_network, account)
    assert [record["uri"] for record in records] == [share.remote_id]
    text = records[0]["text"]
    assert text.startswith("Our new office is beautiful 🏢 #ansat")
    assert links.short_url(share.tracked_link.code) in text
    assert "example.com/office" not in text  # only the tracked link goes out


def test_a_worker_killed_mid_fan_out_loses_and_doubles_nothing(cast, bluesky_network):  # noqa: F811
    people = [cast.emma] + [MembershipFactory(organization=cast.org) for _ in range(9)]
    accounts = [_connect(bluesky_network, member, prefix="fan") for member in people]
    posts = [PostFactory.published(organization=cast.org) for _ in range(20)]
    queue = new_queue_name()
    with running_worker("--concurrency=4", queue=queue, pool="threads") as worker:
        for member, (_account, profile) in zip(people, accounts, strict=True):
            for post in posts:
                services.shares_create(
                    member=member,
                    actor=member.user,
                    post=post,
                    profiles=[profile],
                    comment=f"Worth reading ({post.id})",
                )
        total = Share.objects.count()
        assert total == 200
        wait_for(lambda: Share.objects.filter(status="posted").count() >= 40, timeout=120)
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
    posted_before_restart = Share.objects.filter(status="posted").count()
    assert posted_before_restart < total
    with running_worker("--concurrency=4", queue=queue, pool="threads"):
        # The sweeper's clock is moved past the stuck threshold instead of waiting for it.
        services.shares_requeue_stuck(now=timezone.now() + services.STUCK_AFTER * 2)
        wait_for(lambda: Share.objects.filter(status="posted").count() == total, timeout=240, interval=1)

    on_pds = [record["uri"] for account, _profile in accounts for record in _posts_on_pds(bluesky_network, account)]
    assert len(on_pds) == total
    assert len(set(on_pds)) == total
    assert set(on_pds) == set(Share.objects.values_list("remote_id", flat=True))
