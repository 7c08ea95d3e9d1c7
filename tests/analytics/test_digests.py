"""Weekly digests: due in each organization's time zone, once a week, HTML and text,
with an unsubscribe link that needs no login."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import formats, translation

from analytics.models import AnalyticsSettings, DigestDelivery, DigestOptOut
from analytics.services import digests, rollups
from employees.locale import Formats
from tests.factories import MembershipFactory, PostFactory, ShareFactory, SocialProfileFactory, company_profile

MONDAY = date(2025, 1, 6)
# 08:05 in Copenhagen (UTC+1 in winter), the default digest hour.
SEND_AT = datetime(2025, 1, 6, 7, 5, tzinfo=UTC)


@pytest.fixture
def week_of_activity(cast):
    cast.org.timezone = "Europe/Copenhagen"
    cast.org.save()
    last_week = datetime(2025, 1, 2, 10, 0, tzinfo=UTC)
    mia = MembershipFactory(organization=cast.org, teams=[cast.marketing], user__name="Mia Marketing")
    ShareFactory(profile=SocialProfileFactory(owner_membership=cast.emma, followers=300), posted_at=last_week)
    ShareFactory(profile=SocialProfileFactory(owner_membership=mia, followers=4444), posted_at=last_week)
    ShareFactory(profile=company_profile(cast.org, followers=1000), member=None, posted_at=last_week)
    PostFactory(
        organization=cast.org,
        title="Spring release",
        status="published",
        publish_at=last_week,
        published_at=last_week,
    )
    rollups.rollups_update(enrol_since=None)
    return mia


def _send_all(now):
    sent = 0
    for item in digests.digests_due(now=now):
        sent += digests.digest_send(membership_id=item.membership_id, kind=item.kind, week=item.week)
    return sent


def _mail_to(membership):
    return next(message for message in mail.outbox if message.to == [membership.user.email])


def test_digests_are_due_at_the_organizations_local_day_and_hour(cast, week_of_activity):
    assert digests.digests_due(now=SEND_AT - timedelta(minutes=10)) == []
    due = digests.digests_due(now=SEND_AT)
    assert {item.membership_id for item in due} >= {cast.emma.id, cast.mike.id}
    assert {item.week for item in due} == {MONDAY}
    assert digests.digests_due(now=SEND_AT + timedelta(days=1, hours=1)) == []  # the catch-up window is over


def test_each_person_gets_one_digest_a_week_however_often_beat_runs(cast, week_of_activity):
    first = _send_all(SEND_AT)
    assert first == len(mail.outbox) > 0
    assert _send_all(SEND_AT + timedelta(hours=1)) == 0
    assert digests.digest_send(membership_id=cast.emma.id, kind="employee", week=MONDAY) is False
    assert len(mail.outbox) == first


def test_the_employee_digest_has_new_posts_and_their_impact_in_html_and_text(cast, week_of_activity):
    _send_all(SEND_AT)
    message = _mail_to(cast.emma)
    html = message.alternatives[0][0]
    for body in (message.body, html):
        assert "Spring release" in body
        assert "300" in body
        assert reverse("analytics:unsubscribe", args=[digests.unsubscribe_token(cast.emma.id)]) in body
    assert message.alternatives[0][1] == "text/html"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_the_manager_digest_has_their_teams_reach_and_no_other_teams_people(cast, week_of_activity):
    _send_all(SEND_AT)
    message = _mail_to(cast.mike)
    assert "Your teams' reach" in message.subject
    assert "1,300" in message.body  # company 1000 + emma 300
    assert "4,444" not in message.body and "Mia Marketing" not in message.body
    assert DigestDelivery.objects.get(membership=cast.mike).kind == "manager"


def test_the_digest_speaks_the_organizations_language(cast, week_of_activity):
    cast.org.language = "da"
    cast.org.save()
    _send_all(SEND_AT)
    assert "januar 2025" in _mail_to(cast.emma).body


def test_the_digest_day_and_hour_follow_the_organizations_settings(cast, week_of_activity):
    AnalyticsSettings.objects.create(organization=cast.org, digest_weekday=4, digest_hour=15)
    assert digests.digests_due(now=SEND_AT) == []
    friday_afternoon = datetime(2025, 1, 10, 14, 30, tzinfo=UTC)  # 15:30 in Copenhagen
    assert digests.digests_due(now=friday_afternoon)


def test_an_organization_can_turn_digests_off(cast, week_of_activity):
    AnalyticsSettings.objects.create(organization=cast.org, digests_enabled=False)
    assert digests.digests_due(now=SEND_AT) == []


def test_a_week_with_nothing_to_say_sends_nothing(cast):
    assert _send_all(datetime(2025, 1, 6, 8, 5, tzinfo=UTC)) == 0
    assert mail.outbox == []


def test_a_failed_send_gives_the_claim_back_for_the_retry(cast, week_of_activity, monkeypatch):
    def fail(*args, **kwargs):
        raise ConnectionError("smtp down")

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", fail)
    with pytest.raises(ConnectionError):
        digests.digest_send(membership_id=cast.emma.id, kind="employee", week=MONDAY)
    assert not DigestDelivery.objects.exists()


def test_the_unsubscribe_link_works_without_logging_in_and_stops_the_next_digest(cast, week_of_activity):
    url = reverse("analytics:unsubscribe", args=[digests.unsubscribe_token(cast.emma.id)])
    anonymous = Client()
    page = anonymous.get(url)
    assert page.status_code == 200 and "Stop the weekly digest" in page.content.decode()
    assert not DigestOptOut.objects.exists()
    done = anonymous.post(url, {"action": "unsubscribe"})
    assert "You are unsubscribed" in done.content.decode()
    _send_all(SEND_AT)
    assert cast.emma.user.email not in [address for message in mail.outbox for address in message.to]
    anonymous.post(url, {"action": "resubscribe"})
    assert not DigestOptOut.objects.exists()


def test_mail_clients_one_click_unsubscribe_needs_no_csrf_token(cast):
    url = reverse("analytics:unsubscribe", args=[digests.unsubscribe_token(cast.emma.id)])
    response = Client(enforce_csrf_checks=True).post(url, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert DigestOptOut.objects.filter(membership=cast.emma).exists()


def test_a_tampered_unsubscribe_link_is_refused(cast):
    token = digests.unsubscribe_token(cast.emma.id)
    response = Client().post(reverse("analytics:unsubscribe", args=[token[:-2] + "xx"]))
    assert response.status_code == 404
    assert not DigestOptOut.objects.exists()


def test_the_beat_task_queues_and_sends_the_due_digests(cast, week_of_activity, monkeypatch):
    from analytics import tasks

    monkeypatch.setattr("analytics.services.digests.timezone.now", lambda: SEND_AT)
    assert tasks.digests_send_due_task.delay().get() >= 2
    assert len(mail.outbox) >= 2


def _written(day, language):
    with translation.override(language):
        return formats.date_format(day, "DATE_FORMAT")


def test_the_digest_writes_dates_the_organizations_way(cast, week_of_activity):
    cast.org.formats = Formats.GB
    cast.org.save()
    _send_all(SEND_AT)
    body = _mail_to(cast.emma).body
    start = MONDAY - timedelta(days=7)
    uk, us = _written(start, "en-gb"), _written(start, "en")
    assert uk != us
    assert uk in body
    assert us not in body


def test_the_digest_in_danish_stays_danish_whatever_the_english_formats(cast, week_of_activity):
    cast.org.language = "da"
    cast.org.formats = Formats.GB
    cast.org.save()
    _send_all(SEND_AT)
    assert _written(MONDAY - timedelta(days=7), "da") in _mail_to(cast.emma).body
