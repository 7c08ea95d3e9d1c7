"""The dashboard reads its organization's rollup version once per page."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from analytics.models import RollupVersion
from analytics.selectors.cached import rollups_read_cached, rollups_version_pinned
from analytics.services import rollups
from tests.factories import ShareFactory, SocialProfileFactory


def _version_reads(context) -> int:
    table = RollupVersion._meta.db_table
    return sum(
        1 for query in context.captured_queries if query["sql"].lstrip().startswith("SELECT") and table in query["sql"]
    )


def test_the_dashboard_page_reads_the_rollup_version_once(cast, login):
    ShareFactory(profile=SocialProfileFactory(owner_membership=cast.emma, network="bluesky"))
    rollups.rollups_update()
    client = login(cast.carol)
    with CaptureQueriesContext(connection) as context:
        assert client.get(reverse("analytics:dashboard")).status_code == 200
    assert _version_reads(context) == 1


def test_inside_a_pinned_block_a_write_does_not_mix_versions(cast):
    ShareFactory(profile=SocialProfileFactory(owner_membership=cast.emma, network="bluesky"))
    rollups.rollups_update()
    values = iter(range(100))
    with rollups_version_pinned():
        first = rollups_read_cached(organization_id=cast.org.id, name="t", parts=(), compute=lambda: next(values))
        rollups.rollups_version_bump(organization_ids=[cast.org.id])
        again = rollups_read_cached(organization_id=cast.org.id, name="t", parts=(), compute=lambda: next(values))
    assert again == first
    # Outside the block the write is seen at once.
    after = rollups_read_cached(organization_id=cast.org.id, name="t", parts=(), compute=lambda: next(values))
    assert after != first
