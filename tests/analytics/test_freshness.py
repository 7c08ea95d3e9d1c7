"""Fresh figures: the pages say when they were updated and when the next update comes, a
share posted moments ago shows as "counting…", and a rollup run is queued right after a
pull, a posted share or a burst of clicks (once per window), not only on beat's clock."""

from __future__ import annotations

import re
import threading
from datetime import UTC, datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from advocacy import signals
from analytics import schedule
from analytics.services import freshness, rollups
from analytics.services.rollups import CLICK_LAG
from analytics.tasks import engagement_pull_job_task, rollups_update_task
from tests.factories import PostFactory, ShareFactory, SocialProfileFactory, TrackedLinkFactory


@pytest.fixture
def queued(monkeypatch):
    """The rollup runs queued (their countdowns), instead of running them."""
    countdowns: list[float] = []
    monkeypatch.setattr(
        rollups_update_task, "apply_async", lambda *args, countdown=None, **kw: countdowns.append(countdown)
    )
    monkeypatch.setattr(freshness, "_local", threading.local())
    return countdowns


def _fresh_share(membership, title: str):
    post = PostFactory.published(organization=membership.organization, title=title)
    return ShareFactory(profile=SocialProfileFactory(owner_membership=membership), post=post, posted_at=timezone.now())


# -- the schedule ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "every", "expected"),
    [
        ("2026-03-02 10:00:00", 5, "2026-03-02 10:05:00"),
        ("2026-03-02 10:03:59", 5, "2026-03-02 10:05:00"),
        ("2026-03-02 10:59:30", 5, "2026-03-02 11:00:00"),
        ("2026-03-02 23:55:01", 10, "2026-03-03 00:00:00"),
    ],
)
def test_the_next_run_is_the_next_tick_of_the_crontab(now, every, expected):
    moment = datetime.fromisoformat(now).replace(tzinfo=UTC)
    assert schedule.next_run(moment, every) == datetime.fromisoformat(expected).replace(tzinfo=UTC)


# -- what the pages say ----------------------------------------------------------------


def _next_update_minute(page: str) -> int:
    # English times leave the minutes off on the hour ("7 a.m.") and say "noon", "midnight".
    found = re.search(r"next update around (?:(\d{1,2})(?:[:.](\d{2}))?|noon|midnight)", page)
    assert found, "the page names the next update"
    return int(found.group(2) or 0)


def test_my_impact_shows_a_share_posted_moments_ago_as_counting(cast, login):
    _fresh_share(cast.emma, "Charging bay opens")
    page = login(cast.emma).get(reverse("analytics:my_impact")).content.decode()
    row = re.search(r'<tr class="counting">(.*?)</tr>', page, re.S)
    assert row, "the share is listed before it is counted"
    assert "Charging bay opens" in row.group(1)
    assert row.group(1).count("counting…") == 4
    assert "1 share posted in the last minutes is still being counted." in page
    assert "Nothing shared in this period" not in page

    rollups.rollups_update()
    page = login(cast.emma).get(reverse("analytics:my_impact")).content.decode()
    assert "counting…" not in page
    assert "still being counted" not in page
    assert "Charging bay opens" in page  # now among the counted shares
    assert "Figures updated" in page
    assert _next_update_minute(page) % schedule.ROLLUP_EVERY_MINUTES == 0


def test_my_impact_lists_only_my_own_uncounted_shares(cast, login):
    _fresh_share(cast.carol, "Carol's news")
    page = login(cast.emma).get(reverse("analytics:my_impact")).content.decode()
    assert "Carol's news" not in page
    assert "counting…" not in page


def test_the_dashboard_says_when_figures_were_updated_and_when_the_next_update_comes(cast, login):
    ShareFactory(profile=SocialProfileFactory(owner_membership=cast.emma))
    rollups.rollups_update()
    page = login(cast.mike).get(reverse("analytics:dashboard")).content.decode()
    assert "Figures updated" in page
    assert _next_update_minute(page) % schedule.ROLLUP_EVERY_MINUTES == 0


def test_before_anything_is_counted_the_dashboard_says_so(cast, login):
    page = login(cast.alice).get(reverse("analytics:dashboard")).content.decode()
    assert "Nothing counted yet · next update around" in page


def test_the_freshness_line_is_in_danish_for_a_danish_organization(cast, login):
    cast.org.language = "da"
    cast.org.save(update_fields=["language"])
    _fresh_share(cast.emma, "Ladestander")
    page = login(cast.emma).get(reverse("analytics:my_impact"), HTTP_ACCEPT_LANGUAGE="da").content.decode()
    assert "tælles" in page


# -- runs queued right after the events ----------------------------------------------------


def test_a_pull_that_read_something_queues_one_rollup_run(cast, fake_network, queued, monkeypatch):
    share = ShareFactory(profile=SocialProfileFactory(owner_membership=cast.emma))
    fake_network.set(share, likes=2)
    rollups.rollups_update()
    outcomes = iter([type("Outcome", (), {"read": 1})(), type("Outcome", (), {"read": 1})()])
    monkeypatch.setattr("analytics.services.pull.engagement_pull_job", lambda **kwargs: next(outcomes))

    engagement_pull_job_task(cast.org.id, "bluesky", "", [share.id], "claim")
    engagement_pull_job_task(cast.org.id, "bluesky", "", [share.id], "claim")

    assert queued == [freshness.DELAYS["pull"]], "one run for the two pulls in one window"


def test_a_pull_that_read_nothing_queues_no_run(cast, queued, monkeypatch):
    monkeypatch.setattr("analytics.services.pull.engagement_pull_job", lambda **kwargs: type("O", (), {"read": 0})())
    engagement_pull_job_task(cast.org.id, "bluesky", "", [1], "claim")
    assert queued == []


def test_a_burst_of_clicks_queues_one_run_once_they_are_old_enough(
    cast, client, queued, django_capture_on_commit_callbacks
):
    link = TrackedLinkFactory(share=ShareFactory(profile=SocialProfileFactory(owner_membership=cast.emma)))
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(5):
            response = client.get(
                reverse("advocacy:tracked_link", args=[link.code]), HTTP_USER_AGENT="Mozilla/5.0 Firefox/130"
            )
            assert response.status_code == 302
    assert queued == [int(CLICK_LAG.total_seconds()) + 5]
    assert queued[0] > CLICK_LAG.total_seconds(), "clicks younger than the lag would be left out"


def test_a_crawler_queues_no_run(cast, client, queued, django_capture_on_commit_callbacks):
    link = TrackedLinkFactory(share=ShareFactory(profile=SocialProfileFactory(owner_membership=cast.emma)))
    with django_capture_on_commit_callbacks(execute=True):
        client.get(reverse("advocacy:tracked_link", args=[link.code]), HTTP_USER_AGENT="Googlebot/2.1")
    assert queued == []


def test_a_posted_share_queues_a_run_after_its_transaction(cast, queued, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        signals.share_posted.send(sender=None, share_id=1)
        signals.share_posted.send(sender=None, share_id=2)
    assert queued == []  # nothing before the commit
    for callback in callbacks:
        callback()
    assert queued == [freshness.DELAYS["share"]]


def test_a_broker_that_is_away_leaves_it_to_beat(cast, monkeypatch, caplog):
    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("broker away")

    monkeypatch.setattr(rollups_update_task, "apply_async", refuse)
    assert freshness.rollup_soon(reason="pull") is False
    assert "Could not queue a rollup run" in caplog.text
    # The window is given back: the next event tries again.
    calls = []
    monkeypatch.setattr(rollups_update_task, "apply_async", lambda *a, **kw: calls.append(kw))
    assert freshness.rollup_soon(reason="pull") is True
    assert len(calls) == 1


def test_the_queued_run_counts_the_new_share(cast, login, django_capture_on_commit_callbacks):
    # Unpatched: the tests run tasks eagerly, so the queued run happens at once.
    share = _fresh_share(cast.emma, "Counted soon")
    with django_capture_on_commit_callbacks(execute=True):
        signals.share_posted.send(sender=None, share_id=share.id)
    share.refresh_from_db()
    assert hasattr(share, "metrics"), "enrolled by the run the posted share queued"
    assert share.metrics.posted_at == share.posted_at
