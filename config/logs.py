"""Log records carry the id of the request (or task) they belong to."""

from __future__ import annotations

import logging

from django_guid.log_filters import CorrelationId


class RequestIdFilter(CorrelationId):
    """`request_id` on every record: the request's or task's id, "-" outside both."""

    def __init__(self) -> None:
        super().__init__(correlation_id_field="request_id")

    def filter(self, record: logging.LogRecord) -> bool:
        super().filter(record)
        if record.request_id is None:
            record.request_id = "-"
        return True


class WithoutTraceback(logging.Filter):
    """A request refused for the client's own error (a forged Host header) is one line.

    Scanners send such requests all day; a stack trace for each would bury the
    platform's real errors in its log.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        record.exc_info = None
        record.exc_text = None
        return True


# Celery's routine lines, and the loggers that write them.
_BEAT_SENDING = "Scheduler: Sending due task"
ROUTINE_LOGGERS = ("celery.beat", "celery.worker.strategy", "celery.app.trace")


class RoutineTasksAtDebug(logging.Filter):
    """Beat's every-minute tasks (config.celery.EVERY_MINUTE) logged at DEBUG, not INFO.

    Beat sending them and the worker receiving and finishing them would otherwise fill a
    terminal with a dozen lines a minute. Their failures keep their level; with the
    log level at DEBUG the lines are all there.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno != logging.INFO or not _is_routine(record):
            return True
        record.levelno, record.levelname = logging.DEBUG, "DEBUG"
        return logging.getLogger(record.name).isEnabledFor(logging.DEBUG)


def _is_routine(record: logging.LogRecord) -> bool:
    from config.celery import EVERY_MINUTE

    tasks = set(EVERY_MINUTE.values())
    args = record.args
    if isinstance(args, dict):  # the worker's "received" and "succeeded" lines
        return args.get("name") in tasks
    if isinstance(args, tuple) and str(record.msg).startswith(_BEAT_SENDING):
        return len(args) > 1 and args[1] in tasks
    return False
