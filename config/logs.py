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
