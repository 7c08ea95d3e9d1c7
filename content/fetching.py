"""The one way the platform fetches an address a user gave it: link previews and feeds.

Anything a comms person or an employee types in, and any address a feed or a redirect
names, could point at the server's own network, so every fetch goes through the
egress guard (`networks.egress`): it resolves the host, refuses private and reserved
addresses, connects to the address it checked, and does the same again for each
redirect. Sizes and times are capped so a hostile or broken server cannot hold a
worker or fill its memory. This module only turns the guard's failures into messages.
"""

from __future__ import annotations

import ssl

from django.conf import settings
from django.utils.translation import gettext as _

from config.egress import refused_message
from networks import egress

CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 10.0
TOTAL_TIMEOUT = 15.0
MAX_REDIRECTS = 5
# Tests swap this for an SSL context that trusts their own certificate.
VERIFY: ssl.SSLContext | None = None

FetchResult = egress.Fetched


class FetchError(Exception):
    """A fetch that failed, with a message fit to show the person who gave the address."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def user_agent() -> str:
    return f"{settings.SITE_NAME} (link previews and feeds; +{settings.SITE_URL})"


def fetch(url: str, *, headers: dict[str, str] | None = None, max_bytes: int | None = None) -> FetchResult:
    """GET a public http(s) address, following up to MAX_REDIRECTS redirects.

    A 304 is returned like any other answer (the caller asked for it with a
    conditional header); a status of 400 or more raises FetchError.
    """
    limit = settings.CONTENT_FETCH_MAX_BYTES if max_bytes is None else max_bytes
    try:
        result = egress.fetch(
            url,
            max_bytes=limit,
            headers=headers,
            https_only=False,
            user_agent=user_agent(),
            verify=VERIFY,
            max_redirects=MAX_REDIRECTS,
            connect_timeout=CONNECT_TIMEOUT,
            read_timeout=READ_TIMEOUT,
            total_timeout=TOTAL_TIMEOUT,
        )
    except egress.InvalidAddress:
        raise FetchError(_("This is not a valid web address.")) from None
    except egress.SchemeRefused:
        raise FetchError(_("Only http and https addresses can be fetched.")) from None
    except egress.Refused as error:
        raise FetchError(refused_message(error.host)) from None
    except egress.FetchFailed as error:
        raise FetchError(_failure_message(error)) from None
    if result.status >= 400:
        raise FetchError(
            _("The server answered with an error (HTTP %(status)s).") % {"status": result.status},
            status=result.status,
        )
    return result


def _failure_message(error: egress.FetchFailed) -> str:
    host = {"host": error.host}
    if error.reason == "redirects":
        return _("The address redirects too many times.")
    if error.reason == "not_found":
        return _("The address %(host)s could not be found.") % host
    if error.reason == "unverified":
        return _("The secure connection to %(host)s could not be verified.") % host
    if error.reason == "unreachable":
        return _("Could not connect to %(host)s.") % host
    if error.reason == "failed":
        return _("The connection to %(host)s failed.") % host
    if error.reason == "broken":
        return _("The connection broke off before the page was complete.")
    if error.reason == "too_large":
        return _("The page is larger than %(size)s MB, the most that is fetched.") % {
            "size": round(error.limit / 1_048_576, 1)
        }
    return _("The server took too long to answer.")
