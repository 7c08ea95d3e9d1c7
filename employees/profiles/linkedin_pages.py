"""Connecting the organization's LinkedIn page: sign in as a page administrator,
list the pages that member administers, and store the one the person picks.

Between the callback and the choice the tokens wait in the session, encrypted with
the same keys as tokens at rest, for a few minutes at most; nothing is stored as a
profile until a page is picked.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from employees import crypto
from employees.profiles.connect import _app_for, _denied, _refused, _unreachable
from employees.profiles.services import ProfileConnectError, check_company_role, profile_store
from networks import linkedin
from networks import linkedin_pages as pages
from networks.base import Credentials, CredentialsDead, NetworkError, RetryLater, Unsupported
from networks.http import make_client

if TYPE_CHECKING:
    from django.contrib.sessions.backends.base import SessionBase

    from employees.models import Membership, SocialProfile
    from employees.profiles.oauth import PendingConnection

SESSION_KEY = "profiles_linkedin_pages"
CHOICE_SECONDS = 10 * 60


@dataclass(frozen=True)
class PageChoice:
    membership_id: int
    pages: list[dict[str, str]]
    sealed_credentials: str
    started_at: float

    def __repr__(self) -> str:
        return f"PageChoice(membership_id={self.membership_id}, pages={len(self.pages)})"


def _adapter(credentials: Credentials, app, client) -> linkedin.LinkedInAdapter:
    version = getattr(settings, "LINKEDIN_API_VERSION", "") or linkedin.DEFAULT_API_VERSION
    return linkedin.LinkedInAdapter(
        credentials,
        app,
        client,
        api_version=version,
        api_base=getattr(settings, "LINKEDIN_API_BASE", "") or linkedin.API,
        oauth_base=getattr(settings, "LINKEDIN_OAUTH_BASE", "") or linkedin.OAUTH,
    )


def _seal(credentials: Credentials) -> str:
    payload = {
        "access_token": credentials.access_token,
        "refresh_token": credentials.refresh_token,
        "expires_at": credentials.expires_at.isoformat() if credentials.expires_at else None,
        "extra": credentials.extra,
    }
    return crypto.encrypt(json.dumps(payload))


def _unseal(sealed: str) -> Credentials:
    payload = json.loads(crypto.decrypt(sealed))
    expires_at = datetime.fromisoformat(payload["expires_at"]) if payload["expires_at"] else None
    return Credentials(
        access_token=payload["access_token"],
        refresh_token=payload["refresh_token"],
        expires_at=expires_at,
        extra=payload["extra"],
    )


@sensitive_variables("code", "credentials", "app")
def linkedin_pages_finish(*, membership: Membership, pending: PendingConnection, code: str) -> PageChoice:
    """Exchange the code and list the pages this member may post for; nothing is stored yet."""
    check_company_role(membership=membership, company=True)
    app = _app_for(membership, linkedin.LinkedInAdapter)
    with make_client() as client:
        try:
            oauth_base = getattr(settings, "LINKEDIN_OAUTH_BASE", "") or linkedin.OAUTH
            credentials = linkedin.exchange_code(app, code, pending.redirect_uri, client, oauth_base=oauth_base)
            if pages.PAGE_PUBLISH_SCOPE not in linkedin.scopes_of(credentials):
                raise _denied("LinkedIn")
            found = pages.administered_pages(_adapter(credentials, app, client))
        except CredentialsDead:
            raise _refused("LinkedIn") from None
        except RetryLater:
            raise _unreachable("LinkedIn") from None
        except NetworkError:
            raise _refused("LinkedIn") from None
    if not found:
        raise ProfileConnectError(
            _(
                "This LinkedIn account administers no LinkedIn page. Sign in with an account that is an "
                "administrator or content administrator of your company's page."
            )
        )
    return PageChoice(
        membership_id=membership.id,
        pages=[{"id": page.id, "name": page.name} for page in found],
        sealed_credentials=_seal(credentials),
        started_at=time.time(),
    )


def page_choice_save(session: SessionBase, choice: PageChoice) -> None:
    session[SESSION_KEY] = asdict(choice)


def page_choice_get(session: SessionBase, *, membership_id: int) -> PageChoice | None:
    entry = session.get(SESSION_KEY)
    if not isinstance(entry, dict):
        return None
    try:
        choice = PageChoice(**entry)
    except TypeError:
        return None
    if choice.membership_id != membership_id or time.time() - choice.started_at >= CHOICE_SECONDS:
        return None
    return choice


def page_choice_clear(session: SessionBase) -> None:
    session.pop(SESSION_KEY, None)


@sensitive_variables("credentials", "app")
def linkedin_page_store(*, membership: Membership, choice: PageChoice, page_id: str) -> SocialProfile:
    """Store the picked page as a company profile that posts as the organization."""
    check_company_role(membership=membership, company=True)
    names = {page["id"]: page["name"] for page in choice.pages}
    if page_id not in names:
        raise ProfileConnectError(_("Choose one of the pages listed."))
    credentials = _unseal(choice.sealed_credentials)
    page = pages.Page(id=page_id, name=names[page_id])
    credentials.extra |= {"organization_urn": page.urn}
    app = _app_for(membership, linkedin.LinkedInAdapter)
    followers = None
    with make_client() as client:
        adapter = _adapter(credentials, app, client)
        try:
            followers = adapter.fetch_audience().followers
        except (Unsupported, RetryLater):
            pass
        except NetworkError:
            # The role may have gone in the minutes since the list was read.
            raise ProfileConnectError(
                _("LinkedIn refused access to the page %(page)s. Check that you still administer it.")
                % {"page": page.name}
            ) from None
    return profile_store(
        membership=membership,
        company=True,
        network=linkedin.LinkedInAdapter.name,
        remote_id=page.id,
        handle=page.name,
        display_name=page.name,
        profile_url=f"https://www.linkedin.com/company/{page.id}/",
        credentials=credentials,
        followers=followers,
        clicks_only=not adapter.measured,
    )
