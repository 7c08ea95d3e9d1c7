"""Amplifying the company's post on the real local Bluesky network: the company's
profile posts, an employee quotes it (the record's embed points at the company's
post), a retried push adds nothing, and a quote of a deleted post fails with a
message the employee can act on."""

from __future__ import annotations

import pytest
from atproto import Client
from django.urls import reverse

from advocacy import services
from advocacy.models import Share
from content.models import ComplianceSettings
from employees.profiles.services import profile_store
from networks.bluesky import BlueskyAdapter
from tests.bluesky.fixtures import bluesky_network  # noqa: F401
from tests.bluesky.network import unique_handle
from tests.factories import MembershipFactory, PostFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _connect(network, membership, prefix, *, company=False):
    account = network.create_account(unique_handle(prefix))
    credentials = BlueskyAdapter.connect(account.handle, account.password, network.pds_url)
    profile = profile_store(
        membership=membership,
        company=company,
        network="bluesky",
        remote_id=credentials.extra["did"],
        credentials=credentials,
        handle=account.handle,
        followers=0,
    )
    return account, profile


def _records(network, account) -> list:
    client = Client(base_url=network.pds_url + "/xrpc")
    page = client.com.atproto.repo.list_records({"repo": account.did, "collection": "app.bsky.feed.post"})
    return page.records


def test_an_employee_quotes_the_companys_bluesky_post(cast, bluesky_network, login):  # noqa: F811
    ComplianceSettings.objects.create(organization=cast.org, disclosure_text="#ansat", disclosure_mode="append")
    post = PostFactory.published(organization=cast.org, link_url="https://example.com/office")
    company_account, company_profile = _connect(bluesky_network, cast.carol, "acme", company=True)
    (company,) = services.shares_create(
        member=None, actor=cast.carol.user, post=post, profiles=[company_profile], comment="Our new office is open"
    )
    company.refresh_from_db()
    assert company.status == "posted", company.last_error
    [company_record] = _records(bluesky_network, company_account)
    assert company_record.uri == company.remote_id

    account, profile = _connect(bluesky_network, cast.emma, "emp")
    response = login(cast.emma).post(
        reverse("advocacy:compose", args=[post.id]),
        {"profiles": [profile.id], "comment": "Proud of the people who built it", "when": "now", "quote_company": "on"},
    )
    assert response.status_code == 302
    share = Share.objects.get(member=cast.emma)
    assert share.status == "posted", share.last_error

    [record] = _records(bluesky_network, account)
    assert record.uri == share.remote_id
    assert record.value.text == "Proud of the people who built it #ansat"
    assert record.value.embed.py_type == "app.bsky.embed.record"
    assert record.value.embed.record.uri == company.remote_id
    assert record.value.embed.record.cid == company_record.cid

    # A worker that died after the post went out: the re-queued push finds it, posts nothing new.
    Share.objects.filter(pk=share.pk).update(status="queued")
    assert services.share_push(share_id=share.pk) == "posted"
    assert [r.uri for r in _records(bluesky_network, account)] == [share.remote_id]

    # The company deletes its post; a colleague's quote of it fails with a message, and posts nothing.
    company_client = Client(base_url=bluesky_network.pds_url + "/xrpc")
    company_client.login(company_account.handle, company_account.password)
    company_client.delete_post(company.remote_id)
    colleague = MembershipFactory(organization=cast.org)
    colleague_account, colleague_profile = _connect(bluesky_network, colleague, "col")
    (late,) = services.shares_create(
        member=colleague,
        actor=colleague.user,
        post=post,
        profiles=[colleague_profile],
        comment="Great news from the team",
        quote_company=True,
    )
    late.refresh_from_db()
    assert late.quoted_share_id == company.id
    assert late.status == "failed"
    assert late.last_error.startswith("The company's post was deleted on Bluesky")
    assert _records(bluesky_network, colleague_account) == []
