"""The worker's and beat's container healthchecks, run against real processes."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from config.heartbeat import HeartbeatScheduler
from tests.worker import running_worker

ROOT = Path(__file__).resolve().parents[2]


def worker_healthcheck(hostname: str) -> subprocess.CompletedProcess:
    test = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]["worker"]["healthcheck"]["test"]
    assert test[0] == "CMD-SHELL"
    command = test[1].replace("$$", "$")  # compose's own escape, undone as compose does
    return subprocess.run(  # noqa: S603
        ["/bin/sh", "-c", command],
        cwd=ROOT,
        env={**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}", "HOSTNAME": hostname},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_worker_healthcheck_pings_its_own_node():
    with running_worker():
        result = worker_healthcheck(socket.gethostname())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "pong" in result.stdout


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_worker_healthcheck_fails_for_a_node_that_is_not_running():
    with running_worker():
        result = worker_healthcheck("no-such-container")
    assert result.returncode != 0


def test_beat_touches_its_heartbeat_on_every_tick(settings, tmp_path):
    settings.BEAT_HEARTBEAT_FILE = tmp_path / "heartbeat"
    from config.celery import app

    scheduler = HeartbeatScheduler(app=app, schedule_filename=str(tmp_path / "schedule"), lazy=True)
    scheduler.setup_schedule()
    scheduler.tick()
    assert settings.BEAT_HEARTBEAT_FILE.exists()
    old = time.time() - 600
    os.utime(settings.BEAT_HEARTBEAT_FILE, (old, old))
    scheduler.tick()
    assert time.time() - settings.BEAT_HEARTBEAT_FILE.stat().st_mtime < 60


@pytest.mark.parametrize(("age", "healthy"), [(5, True), (600, False), (None, False)])
def test_the_beat_healthcheck_judges_the_heartbeats_age(tmp_path, age, healthy):
    heartbeat = tmp_path / "heartbeat"
    if age is not None:
        heartbeat.touch()
        os.utime(heartbeat, (time.time() - age, time.time() - age))
    test = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]["beat"]["healthcheck"]["test"]
    result = subprocess.run(  # noqa: S603
        [sys.executable, *test[2:]],
        cwd=ROOT,
        env={"PATH": os.environ["PATH"], "BEAT_HEARTBEAT_FILE": str(heartbeat)},
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert (result.returncode == 0) is healthy, result.stderr
