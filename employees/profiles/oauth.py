"""The browser half of an OAuth connection: state, PKCE, and the pending attempt.

A connection attempt lives in the session between the redirect to the network and
the callback. The callback accepts only a state this session started, once, within
a few minutes; anything else is refused before a code is ever exchanged.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.contrib.sessions.backends.base import SessionBase

SESSION_KEY = "profiles_oauth_pending"
PENDING_SECONDS = 15 * 60
# Several tabs may each start a connection; more than this is not a person.
MAX_PENDING = 5


@dataclass(frozen=True)
class PendingConnection:
    network: str
    state: str
    redirect_uri: str
    membership_id: int
    company: bool = False
    instance_url: str = ""
    code_verifier: str = ""
    started_at: float = field(default_factory=time.time)
    # Where our page between the connect form and the network sends the browser.
    authorize_url: str = ""

    @property
    def code_challenge(self) -> str:
        return pkce_challenge(self.code_verifier)

    def __repr__(self) -> str:
        return f"PendingConnection(network={self.network!r}, company={self.company!r}, state='***')"


def pkce_challenge(verifier: str) -> str:
    """The S256 code challenge for a PKCE verifier (RFC 7636)."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def pending_new(
    *, network: str, membership_id: int, redirect_uri: str, company: bool = False, instance_url: str = ""
) -> PendingConnection:
    return PendingConnection(
        network=network,
        state=secrets.token_urlsafe(32),
        redirect_uri=redirect_uri,
        membership_id=membership_id,
        company=company,
        instance_url=instance_url,
        code_verifier=secrets.token_urlsafe(64),
    )


def _fresh(entries: dict[str, Any], now: float) -> dict[str, Any]:
    return {
        state: entry
        for state, entry in entries.items()
        if isinstance(entry, dict) and now - float(entry.get("started_at", 0)) < PENDING_SECONDS
    }


def pending_save(session: SessionBase, pending: PendingConnection) -> None:
    entries = _fresh(session.get(SESSION_KEY) or {}, time.time())
    entries[pending.state] = asdict(pending)
    newest = sorted(entries.items(), key=lambda item: item[1]["started_at"])[-MAX_PENDING:]
    session[SESSION_KEY] = dict(newest)


def pending_get(session: SessionBase, state: str) -> PendingConnection | None:
    """The live attempt `state` belongs to, left in place for the callback."""
    entry = _fresh(session.get(SESSION_KEY) or {}, time.time()).get(state) if state else None
    if entry is None:
        return None
    try:
        return PendingConnection(**entry)
    except TypeError:  # an entry from an older version of this code
        return None


def pending_pop(session: SessionBase, state: str) -> PendingConnection | None:
    """The attempt `state` belongs to, removed so that it cannot be used twice."""
    stored = session.get(SESSION_KEY) or {}
    entry = stored.pop(state, None) if state else None
    session[SESSION_KEY] = _fresh(stored, time.time())
    if entry is None or time.time() - float(entry.get("started_at", 0)) >= PENDING_SECONDS:
        return None
    try:
        return PendingConnection(**entry)
    except TypeError:  # an entry from an older version of this code
        return None
