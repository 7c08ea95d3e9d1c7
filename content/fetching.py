"""The one way the platform fetches an address a user gave it: link previews and feeds.

Anything a comms person or an employee types in could point at the server's own
network (a metadata service, an admin port, the database), so every fetch resolves the
host, refuses private and reserved addresses, connects to the address it checked, and
does the same again for each redirect. Sizes and times are capped so a hostile or
broken server cannot hold a worker or fill its memory.
"""

from __future__ import annotations

import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass

import httpx
from django.conf import settings
from django.utils.translation import gettext as _

CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 10.0
# Reads are timed one by one, so a server dripping a byte at a time needs a deadline
# for the whole fetch as well.
TOTAL_TIMEOUT = 15.0
MAX_REDIRECTS = 5
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
# Tests swap this for an SSL context that trusts their own certificate.
VERIFY: bool | ssl.SSLContext = True

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class FetchError(Exception):
    """A fetch that failed, with a message fit to show the person who gave the address."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True)
class FetchResult:
    status: int
    headers: httpx.Headers
    content: bytes
    final_url: str


def user_agent() -> str:
    return f"{settings.SITE_NAME} (link previews and feeds; +{settings.SITE_URL})"


def fetch(url: str, *, headers: dict[str, str] | None = None, max_bytes: int | None = None) -> FetchResult:
    """GET a public http(s) address, following up to MAX_REDIRECTS redirects.

    A 304 is returned like any other answer (the caller asked for it with a
    conditional header); a status of 400 or more raises FetchError.
    """
    limit = settings.CONTENT_FETCH_MAX_BYTES if max_bytes is None else max_bytes
    deadline = time.monotonic() + TOTAL_TIMEOUT
    current = _parse_url(url)
    with httpx.Client(
        headers={"User-Agent": user_agent()},
        follow_redirects=False,
        verify=VERIFY,
        # Proxies from the environment would make the address checks meaningless.
        trust_env=False,
    ) as client:
        for _hop in range(MAX_REDIRECTS + 1):
            result = _fetch_once(client, current, headers=headers or {}, limit=limit, deadline=deadline)
            location = result.headers.get("location")
            if result.status not in REDIRECT_STATUSES or not location:
                break
            current = _parse_url(str(current.join(location)))
        else:
            raise FetchError(_("The address redirects too many times."))
    if result.status >= 400:
        raise FetchError(
            _("The server answered with an error (HTTP %(status)s).") % {"status": result.status},
            status=result.status,
        )
    return result


def _parse_url(url: str) -> httpx.URL:
    try:
        parsed = httpx.URL(url.strip())
    except (httpx.InvalidURL, TypeError, UnicodeError):
        raise FetchError(_("This is not a valid web address.")) from None
    if parsed.scheme not in ("http", "https"):
        raise FetchError(_("Only http and https addresses can be fetched."))
    if not parsed.host:
        raise FetchError(_("This is not a valid web address."))
    return parsed


def _is_public(address: IPAddress) -> bool:
    # An IPv4 address wrapped in IPv6 reaches the IPv4 host, so judge that instead.
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    # is_global also rules out the shared carrier range (100.64/10), which is neither
    # private nor public but can still reach infrastructure.
    return address.is_global and not (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_reserved
        or address.is_multicast
        or address.is_unspecified
    )


def resolve(url: httpx.URL) -> list[IPAddress]:
    """The addresses the host resolves to; all must be public unless private is allowed.

    Every address is checked, not just the first, because the connection may use any
    of them.
    """
    host = url.raw_host.decode("ascii")
    port = url.port or (443 if url.scheme == "https" else 80)
    try:
        # getaddrinfo has no timeout of its own; the system resolver's applies.
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, OSError):
        raise FetchError(_("The address %(host)s could not be found.") % {"host": url.host}) from None
    addresses: list[IPAddress] = []
    for _family, _type, _proto, _canonname, sockaddr in infos:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise FetchError(_("The address %(host)s could not be found.") % {"host": url.host})
    if not settings.CONTENT_FETCH_ALLOW_PRIVATE and not all(_is_public(address) for address in addresses):
        raise FetchError(
            _("%(host)s points to a private or reserved network address, which is not fetched for safety.")
            % {"host": url.host}
        )
    return addresses


def _fetch_once(
    client: httpx.Client, url: httpx.URL, *, headers: dict[str, str], limit: int, deadline: float
) -> FetchResult:
    addresses = resolve(url)
    last_error: FetchError | None = None
    for address in addresses:
        # Connect to the address that was checked, not to whatever the name resolves
        # to a moment later (DNS rebinding). The Host header and TLS server name keep
        # the real host name, so virtual hosts and certificates work as usual.
        pinned = url.copy_with(host=str(address))
        request_headers = {**headers, "Host": url.netloc.decode("ascii")}
        try:
            return _get(client, pinned, url, headers=request_headers, limit=limit, deadline=deadline)
        except _ConnectFailed as exc:
            last_error = exc.error
    raise last_error or FetchError(_("Could not connect to %(host)s.") % {"host": url.host})


class _ConnectFailed(Exception):
    """Connecting to one address failed; the next address may still work."""

    def __init__(self, error: FetchError) -> None:
        self.error = error


def _timeout(deadline: float) -> httpx.Timeout:
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise FetchError(_("The server took too long to answer."))
    return httpx.Timeout(
        connect=min(CONNECT_TIMEOUT, remaining),
        read=min(READ_TIMEOUT, remaining),
        write=min(READ_TIMEOUT, remaining),
        pool=min(CONNECT_TIMEOUT, remaining),
    )


def _get(
    client: httpx.Client,
    pinned: httpx.URL,
    url: httpx.URL,
    *,
    headers: dict[str, str],
    limit: int,
    deadline: float,
) -> FetchResult:
    extensions = {"sni_hostname": url.raw_host.decode("ascii")} if url.scheme == "https" else {}
    request = client.build_request("GET", pinned, headers=headers, timeout=_timeout(deadline), extensions=extensions)
    try:
        response = client.send(request, stream=True)
    except httpx.ConnectTimeout:
        raise _ConnectFailed(FetchError(_("The server took too long to answer."))) from None
    except httpx.ConnectError as exc:
        if _caused_by(exc, ssl.SSLCertVerificationError):
            message = _("The secure connection to %(host)s could not be verified.") % {"host": url.host}
        else:
            message = _("Could not connect to %(host)s.") % {"host": url.host}
        raise _ConnectFailed(FetchError(message)) from None
    except httpx.TimeoutException:
        raise FetchError(_("The server took too long to answer.")) from None
    except httpx.HTTPError:
        raise FetchError(_("The connection to %(host)s failed.") % {"host": url.host}) from None
    try:
        content = _read_capped(response, limit=limit, deadline=deadline)
    finally:
        response.close()
    return FetchResult(status=response.status_code, headers=response.headers, content=content, final_url=str(url))


def _caused_by(exc: BaseException, kind: type[BaseException]) -> bool:
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, kind):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _too_large(limit: int) -> FetchError:
    return FetchError(
        _("The page is larger than %(size)s MB, the most that is fetched.") % {"size": round(limit / 1_048_576, 1)}
    )


def _read_capped(response: httpx.Response, *, limit: int, deadline: float) -> bytes:
    declared = response.headers.get("content-length", "")
    if declared.isdecimal() and int(declared) > limit:
        raise _too_large(limit)
    chunks: list[bytes] = []
    size = 0
    try:
        # iter_bytes decompresses as it goes, so the cap also stops a compression bomb.
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > limit:
                raise _too_large(limit)
            if time.monotonic() > deadline:
                raise FetchError(_("The server took too long to answer."))
            chunks.append(chunk)
    except httpx.TimeoutException:
        raise FetchError(_("The server took too long to answer.")) from None
    except httpx.HTTPError:
        raise FetchError(_("The connection broke off before the page was complete.")) from None
    return b"".join(chunks)
