"""`make run` for a newcomer: the port is one setting, and beat's every-minute lines stay quiet."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from config.celery import EVERY_MINUTE, app
from config.logs import RoutineTasksAtDebug

ROOT = Path(__file__).resolve().parents[2]


def _setting(name: str, **env: str) -> str:
    base = {key: value for key, value in os.environ.items() if key not in ("SITE_URL", "WEB_PORT")}
    code = f"import django; django.setup(); from django.conf import settings; print(settings.{name})"
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**base, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_site_url_follows_web_port_when_unset():
    assert _setting("SITE_URL", WEB_PORT="8123") == "http://127.0.0.1:8123"
    assert _setting("SITE_URL") == "http://127.0.0.1:8000"
    assert _setting("SITE_URL", WEB_PORT="8123", SITE_URL="https://advocacy.example.com/") == (
        "https://advocacy.example.com"
    )


def test_the_makefile_and_procfile_use_web_port():
    makefile = (ROOT / "Makefile").read_text()
    run = makefile[makefile.index("\nrun:") : makefile.index("honcho")]
    assert "8000" not in run.replace("WEB_PORT ?= 8000", "")
    assert "http://127.0.0.1:$(WEB_PORT)/" in run
    assert "${WEB_PORT:-8000}" in (ROOT / "Procfile.dev").read_text()


def _record(name: str, msg: str, args) -> logging.LogRecord:
    record = logging.LogRecord(name, logging.INFO, __file__, 1, msg, None, None)
    record.args = args  # as the loggers keep them: a dict for the worker's lines
    return record


def _beat_line(entry: str) -> logging.LogRecord:
    task = app.conf.beat_schedule[entry]["task"]
    return _record("celery.beat", "Scheduler: Sending due task %s (%s)", (entry, task))


@pytest.fixture
def celery_level():
    loggers = [logging.getLogger(name) for name in ("celery.beat", "celery.app.trace", "celery.worker.strategy")]
    levels = [logger.level for logger in loggers]

    def set_level(level: int) -> None:
        for logger in loggers:
            logger.setLevel(level)

    yield set_level
    for logger, level in zip(loggers, levels, strict=True):
        logger.setLevel(level)


def test_beat_sending_an_every_minute_task_is_a_debug_line(celery_level):
    celery_level(logging.INFO)
    routine = RoutineTasksAtDebug()
    line = _beat_line("publish-due-posts")
    assert routine.filter(line) is False  # at INFO it is left out
    assert line.levelname == "DEBUG"
    celery_level(logging.DEBUG)
    assert routine.filter(_beat_line("publish-due-posts")) is True  # and there at DEBUG


def test_other_tasks_keep_their_info_lines(celery_level):
    celery_level(logging.INFO)
    routine = RoutineTasksAtDebug()
    line = _beat_line("update-rollups")
    assert routine.filter(line) is True
    assert line.levelname == "INFO"


@pytest.mark.parametrize(
    ("logger", "message"),
    [
        ("celery.worker.strategy", "Task %(name)s[%(id)s] received"),
        ("celery.app.trace", "Task %(name)s[%(id)s] succeeded in %(runtime)ss: %(return_value)s"),
    ],
)
def test_the_worker_receiving_and_finishing_them_is_quiet_too(celery_level, logger, message):
    celery_level(logging.INFO)
    routine = RoutineTasksAtDebug()
    for task in EVERY_MINUTE.values():
        args = {"name": task, "id": "x", "runtime": 0.01, "return_value": 0}
        assert routine.filter(_record(logger, message, args)) is False
    other = {"name": "advocacy.tasks.share_push_task", "id": "x", "runtime": 0.01, "return_value": 0}
    assert routine.filter(_record(logger, message, other)) is True


def test_a_failing_routine_task_keeps_its_level():
    record = _record("celery.app.trace", "Task %(name)s[%(id)s] raised", {"name": EVERY_MINUTE["publish-due-posts"]})
    record.levelno, record.levelname = logging.ERROR, "ERROR"
    assert RoutineTasksAtDebug().filter(record) is True
    assert record.levelname == "ERROR"
