"""Errors every adapter raises; the Django side maps each to one behaviour."""

from __future__ import annotations


class NetworkError(Exception):
    """Base of every error an adapter raises. Messages never contain tokens."""


class RetryLater(NetworkError):
    """Transient: rate limited, server error, timeout, connection failure."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class CredentialsDead(NetworkError):
    """The token is expired beyond refresh, revoked or invalid: the profile must reconnect."""


class PermanentError(NetworkError):
    """The network refused this request for good; retrying the same call will not help."""


class DuplicateContent(PermanentError):
    """The network says this exact text is already posted (often: a retried post that got through)."""


class Unsupported(PermanentError):
    """This network, or this profile's granted scopes, does not offer the operation."""


class ScopeDenied(PermanentError):
    """The person connecting did not grant the permission to post: nothing may be stored."""
