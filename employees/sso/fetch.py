"""Every request to an identity provider goes through here, and through the egress guard.

The discovery and metadata addresses are typed by an organization's admin, and the
token, key and user-info endpoints come from the provider's discovery document, so
none of them may reach the server's own network. `networks.egress` resolves each
host, refuses private, loopback and reserved addresses in every spelling, and
connects to the address it checked; a provider inside the company network (and the
local test providers) needs NETWORKS_ALLOW_PRIVATE_HOSTS, which also allows http.

python-social-auth makes its calls with `requests`; `guarded_request` makes the same
call through the guard's httpx client and hands back a `requests.Response`, so the
library's own answer handling (status codes, JSON, provider errors) is unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx
import requests
from django.conf import settings
from django.utils.translation import gettext as _
from requests.structures import CaseInsensitiveDict

from employees.sso.errors import SSORefused
from networks import egress

MAX_METADATA_BYTES = 1024 * 1024
# What an answer of a provider's API (tokens, keys, user info) may hold.
MAX_ANSWER_BYTES = 1024 * 1024


def _refused(url: str) -> SSORefused:
    host = (httpx.URL(url).host if _parses(url) else "") or url[:200]
    return SSORefused(
        _("%(host)s is on a private network; identity providers must be reachable on the internet.") % {"host": host},
        status=400,
    )


def _parses(url: str) -> bool:
    try:
        httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError):
        return False
    return True


def sso_host_check(url: str) -> None:
    """Refuse `url` unless its host is public and it is https (http where private hosts are allowed)."""
    try:
        # The address first: a private host is refused as such, whatever its scheme.
        egress.check_url(url, https_only=False, resolve_host=True)
        egress.check_url(url, https_only=True)
    except egress.SchemeRefused:
        raise SSORefused(
            _("%(url)s is not an https address; identity providers are reached over https only.") % {"url": url[:200]},
            status=400,
        ) from None
    except egress.InvalidAddress:
        raise SSORefused(_("%(url)s is not a web address.") % {"url": url[:200]}, status=400) from None
    except egress.Refused:
        raise _refused(url) from None


def sso_fetch_text(url: str) -> str:
    """GET a metadata document from an identity provider: guarded host, short timeouts, bounded size."""
    sso_host_check(url)
    timeout = float(settings.SOCIAL_AUTH_REQUESTS_TIMEOUT)
    try:
        fetched = egress.fetch(
            url,
            max_bytes=MAX_METADATA_BYTES,
            headers={"Accept": "application/xml, application/json"},
            https_only=True,
            connect_timeout=timeout,
            read_timeout=timeout,
            total_timeout=timeout * 2,
        )
    except egress.Refused:
        raise _refused(url) from None
    except (egress.SchemeRefused, egress.InvalidAddress):
        raise SSORefused(_("%(url)s is not a web address.") % {"url": url[:200]}, status=400) from None
    except egress.FetchFailed as failure:
        if failure.reason == "too_large":
            raise SSORefused(_("The document at %(url)s is too large.") % {"url": url[:200]}, status=502) from None
        if failure.reason == "slow":
            raise SSORefused(_("%(url)s did not answer in time.") % {"url": url[:200]}, status=502) from None
        raise SSORefused(_("%(url)s could not be reached.") % {"url": url[:200]}, status=502) from None
    if fetched.status != 200:
        raise SSORefused(
            _("%(url)s answered with HTTP %(status)s.") % {"url": url[:200], "status": fetched.status},
            status=502,
        )
    return fetched.content.decode("utf-8", errors="replace")


def guarded_request(
    method: str,
    url: str,
    *,
    headers: Mapping[str, Any] | None = None,
    data: Any = None,
    json: Any = None,
    auth: Any = None,
    params: Mapping[str, Any] | None = None,
    timeout: float,
) -> requests.Response:
    """python-social-auth's request, made through the egress guard; raises `requests` exceptions.

    Refused addresses raise SSORefused. Redirects are not followed (token and key
    endpoints answer directly), and the answer is capped at MAX_ANSWER_BYTES.
    """
    if auth is not None and not isinstance(auth, tuple):
        # The backends here send client credentials as a (key, secret) pair only.
        raise requests.exceptions.InvalidURL("only HTTP Basic credentials are supported")
    sso_host_check(url)
    try:
        with (
            egress.client(https_only=True, timeout=httpx.Timeout(timeout)) as http,
            http.stream(
                method,
                url,
                headers={key: value for key, value in (headers or {}).items()},
                data=data,
                json=json,
                auth=auth,
                params=params,
            ) as answer,
        ):
            body = b"".join(_capped(answer.iter_bytes(), url))
    except egress.Refused:
        raise _refused(url) from None
    except (egress.SchemeRefused, egress.InvalidAddress, httpx.InvalidURL) as error:
        raise requests.exceptions.InvalidURL(str(error)) from None
    except httpx.TimeoutException as error:
        raise requests.Timeout(str(error)) from None
    except (httpx.TransportError, egress.ResponseTooLarge) as error:
        raise requests.ConnectionError(str(error)) from None
    response = requests.Response()
    response.status_code = answer.status_code
    response.headers = CaseInsensitiveDict(answer.headers.items())
    response._content = body
    response.url = str(answer.url)
    response.encoding = answer.encoding
    response.reason = answer.reason_phrase
    return response


def _capped(chunks, url: str):
    total = 0
    for chunk in chunks:
        total += len(chunk)
        if total > MAX_ANSWER_BYTES:
            raise egress.ResponseTooLarge(httpx.URL(url).host, MAX_ANSWER_BYTES)
        yield chunk
