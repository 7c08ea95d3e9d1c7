"""The worker keeps its database connection between tasks, by Django's rules for requests."""

from __future__ import annotations

import time
from types import SimpleNamespace

import pytest
from celery.fixups.django import DjangoWorkerFixup
from django.db import connection

from advocacy.tasks import share_push_task
from config.celery import _close_old_connections, app

WORKER_TASK = SimpleNamespace(request=SimpleNamespace(is_eager=False))
EAGER_TASK = SimpleNamespace(request=SimpleNamespace(is_eager=True))


@pytest.mark.django_db(transaction=True)
def test_a_healthy_connection_is_kept_from_one_task_to_the_next():
    connection.ensure_connection()
    before = connection.connection
    _close_old_connections(sender=WORKER_TASK)
    assert connection.connection is before


@pytest.mark.django_db(transaction=True)
def test_a_connection_older_than_conn_max_age_is_closed():
    connection.ensure_connection()
    connection.close_at = time.monotonic() - 1
    _close_old_connections(sender=WORKER_TASK)
    assert connection.connection is None


@pytest.mark.django_db
def test_an_eager_task_leaves_the_callers_connection_alone():
    # Inside the test's transaction: closing here would end it.
    connection.ensure_connection()
    before = connection.connection
    _close_old_connections(sender=EAGER_TASK)
    assert connection.connection is before


def test_celerys_fixup_no_longer_closes_connections_after_every_task():
    assert DjangoWorkerFixup(app).db_reuse_max == 1000


def test_a_push_that_lost_its_database_connection_is_retried():
    from django.db import InterfaceError, OperationalError

    assert set(share_push_task.autoretry_for) == {InterfaceError, OperationalError}
    assert share_push_task.max_retries == 5
