"""CSV exports: every dashboard table, streamed, audited, scoped, and sane when empty."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from analytics.selectors.exports import TABLES
from analytics.services import rollups
from employees.models import AuditEvent
from tests.factories import (
    ClickFactory,
    MembershipFactory,
    PostFactory,
    ShareFactory,
    SocialProfileFactory,
    TrackedLinkFactory,
    company_profile,
)


def _csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


@pytest.fixture
def shared(cast):
    post = PostFactory.published(organization=cast.org, title='=HYPERLINK("http://evil")')
    mia = MembershipFactory(organization=cast.org, teams=[cast.marketing], user__name="Mia Marketing")
    share = ShareFactory(profile=SocialProfileFactory(owner_membership=cast.emma, followers=300), post=post)
    ClickFactory(link=TrackedLinkFactory(share=share))
    ShareFactory(profile=SocialProfileFactory(owner_membership=mia, followers=4000), post=post)
    ShareFactory(profile=company_profile(cast.org), member=None, post=post)
    rollups.rollups_update()
    return post


@pytest.mark.parametrize("table", sorted(set(TABLES) - {"post_shares"}))
def test_every_dashboard_table_exports_as_a_streamed_and_audited_csv(cast, login, shared, table):
    response = login(cast.carol).get(reverse("analytics:export", args=[table]), {"days": 30})
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = _csv(response)
    assert rows[0] and len(rows) >= 2
    event = AuditEvent.objects.get()
    assert (event.action, event.detail["table"], event.actor) == ("data.exported", table, cast.carol.user)


def test_the_post_shares_export_lists_the_posts_shares(cast, login, shared):
    response = login(cast.alice).get(reverse("analytics:export", args=["post_shares"]), {"post": shared.id})
    rows = _csv(response)
    assert len(rows) == 4
    assert AuditEvent.objects.get().detail["post"] == shared.id


def test_an_export_of_a_range_without_data_has_its_header_and_no_rows(cast, login, shared):
    long_ago = (timezone.localdate() - timedelta(days=300)).isoformat()
    response = login(cast.carol).get(
        reverse("analytics:export", args=["sharers"]), {"start": long_ago, "end": long_ago}
    )
    rows = _csv(response)
    assert rows == [rows[0]]
    assert rows[0][:2] == ["member_id", "name"]


def test_a_managers_export_holds_only_their_teams_people(cast, login, shared):
    rows = _csv(login(cast.mike).get(reverse("analytics:export", args=["sharers"])))
    names = [row[1] for row in rows[1:]]
    assert "Mia Marketing" not in names
    assert len(names) == 1


def test_cells_that_a_spreadsheet_would_run_as_formulas_are_defused(cast, login, shared):
    rows = _csv(login(cast.carol).get(reverse("analytics:export", args=["posts"])))
    assert rows[1][1].startswith("'=HYPERLINK")


def test_an_unknown_table_is_not_found(cast, login):
    assert login(cast.carol).get(reverse("analytics:export", args=["passwords"])).status_code == 404


def test_an_employee_cannot_export(cast, login):
    assert login(cast.emma).get(reverse("analytics:export", args=["sharers"])).status_code == 403


def test_an_outsider_gets_404_for_another_organizations_post_export(cast, login, shared):
    response = login(cast.olga).get(reverse("analytics:export", args=["post_shares"]), {"post": shared.id})
    assert response.status_code == 404
    assert not AuditEvent.objects.exists()


def test_no_leaderboard_export_when_the_organization_turned_the_leaderboard_off(cast, login):
    from analytics.models import AnalyticsSettings

    AnalyticsSettings.objects.create(organization=cast.org, leaderboard_enabled=False)
    assert login(cast.carol).get(reverse("analytics:export", args=["leaderboard"])).status_code == 404
