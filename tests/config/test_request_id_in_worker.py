"""The id of a request is in the log lines of the tasks it queued, on a real worker."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from tests.worker import new_queue_name, running_worker, wait_for

REQUEST_ID = "5eed1dfeed1dfeed1dfeed1dfeed1d00"


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_task_an_invitation_queues_logs_with_the_requests_id(cast, login, monkeypatch):
    monkeypatch.setenv("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
    queue = new_queue_name()
    with running_worker(queue=queue):
        (log,) = Path(settings.VAR_DIR).glob(f"worker-{queue}-*.log")
        response = login(cast.alice).post(
            reverse("employees:invite"),
            {"email": "newcomer@acme.test", "roles": ["employee"]},
            HTTP_X_REQUEST_ID=REQUEST_ID,
        )
        assert response.status_code == 302
        assert response["X-Request-ID"] == REQUEST_ID
        line = wait_for(
            lambda: next(
                (
                    line
                    for line in log.read_text().splitlines()
                    if "invitation_send_task" in line and "succeeded" in line
                ),
                None,
            ),
            timeout=60,
        )
    assert f"[{REQUEST_ID}]" in line
