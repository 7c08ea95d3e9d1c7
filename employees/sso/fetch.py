"""Every request to an identity provider goes through here.

The discovery and metadata addresses are typed by an organization's admin, so they
must not reach the server's own network: a host that resolves to a private,
loopback or reserved address is refused unless NETWORKS_ALLOW_PRIVATE_HOSTS is on
(an identity provider inside the company network, and the local test providers).
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

import httpx
from django.conf import settings
from django.utils.translation import gettext as _

from employees.sso.errors import SSORefused

MAX_METADATA_BYTES = 1024 * 1024


def _is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not (address.is_private or address.is_loopback or address.is_link_local)


def sso_host_check(url: str) -> None:
    """Refuse `url` unless it is http(s) and every address of its host is public (or allowed)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SSORefused(_("%(url)s is not a web address.") % {"url": url[:200]}, status=400)
    if settings.NETWORKS_ALLOW_PRIVATE_HOSTS:
        return
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or 443, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise SSORefused(_("The host %(host)s could not be found.") % {"host": parts.hostname}, status=502) from None
    addresses = {ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos}
    if not addresses or not all(_is_public(address) for address in addresses):
        raise SSORefused(
            _("%(host)s is on a private network; identity providers must be reachable on the internet.")
            % {"host": parts.hostname},
            status=400,
        )


def sso_fetch_text(url: str) -> str:
    """GET a metadata document from an identity provider: checked host, short timeouts, bounded size."""
    sso_host_check(url)
    timeout = httpx.Timeout(settings.SOCIAL_AUTH_REQUESTS_TIMEOUT)
    try:
        with (
            httpx.Client(timeout=timeout, follow_redirects=False) as client,
            client.stream("GET", url, headers={"Accept": "application/xml, application/json"}) as response,
        ):
            if response.status_code != 200:
                raise SSORefused(
                    _("%(url)s answered with HTTP %(status)s.") % {"url": url[:200], "status": response.status_code},
                    status=502,
                )
            body = b""
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > MAX_METADATA_BYTES:
                    raise SSORefused(_("The document at %(url)s is too large.") % {"url": url[:200]}, status=502)
    except httpx.TimeoutException:
        raise SSORefused(_("%(url)s did not answer in time.") % {"url": url[:200]}, status=502) from None
    except httpx.HTTPError:
        raise SSORefused(_("%(url)s could not be reached.") % {"url": url[:200]}, status=502) from None
    return body.decode("utf-8", errors="replace")
