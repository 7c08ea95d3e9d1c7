"""The periodic task runs through a real worker process, as beat would send it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from config.celery import app as celery_app
from employees.models import Invitation
from tests.worker import running_worker, wait_for


def test_every_beat_entry_names_a_registered_task():
    celery_app.loader.import_default_modules()
    for name, entry in celery_app.conf.beat_schedule.items():
        assert entry["task"] in celery_app.tasks, name


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_invitation_expiry_task_runs_in_a_real_worker(cast):
    overdue = Invitation.objects.create(
        organization=cast.org,
        email="late@acme.test",
        token_hash="a" * 64,
        expires_at=timezone.now() - timedelta(hours=1),
    )
    fresh = Invitation.objects.create(
        organization=cast.org,
        email="fresh@acme.test",
        token_hash="b" * 64,
        expires_at=timezone.now() + timedelta(days=1),
    )
    with running_worker():
        entry = celery_app.conf.beat_schedule["expire-invitations"]
        celery_app.send_task(entry["task"])

        def expired():
            overdue.refresh_from_db()
            return overdue.status == Invitation.Status.EXPIRED

        wait_for(expired)
    fresh.refresh_from_db()
    assert fresh.status == Invitation.Status.PENDING
