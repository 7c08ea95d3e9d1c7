"""The one egress guard: how the platform talks to a host a user typed or a remote document named.

Link previews, feeds, Mastodon instances, a Bluesky PDS (the one typed and the one a
DID document names) and sign-in endpoints read from discovery documents all come from
outside. Each could point at the server's own network (a metadata service, an admin
port, the database), so every connection made through this module:

- refuses loopback, private, link-local, multicast, reserved and unspecified
  addresses, IPv4 or IPv6, including IPv4 inside IPv6 (mapped, 6to4, NAT64) and
  numeric spellings such as ``2130706433``, ``0x7f.1``, ``017700000001``, ``127.1``;
- resolves the name itself, checks every address, and connects to an address it
  checked (no second lookup a rebinding DNS server could answer differently); the
  Host header and the TLS server name keep the real host name;
- checks again for each redirect, since each one is a new request;
- allows only https for network servers, unless private hosts are allowed (tests,
  a network run inside the company), which also allows plain http.

Every refused address raises `Refused` with the same message whatever the reason, so
the answer cannot be used to map the server's network.

The API, for any client whose host comes from outside:

    url = egress.check_url(url)               # scheme and address spelling; resolve=True asks DNS too
    with egress.client() as http: ...         # an httpx.Client whose every connection is guarded
    egress.GuardedTransport()                 # the same, for an SDK that builds its own client
    egress.timed_transport()                  # no address checks, the same deadline (fixed API hosts)
    egress.fetch(url, max_bytes=...)          # GET with redirects followed and re-checked, size and time capped
    egress.configure(allow_private=callable)  # whether private hosts are allowed (read at each check)

Pure Python, no Django: the Django side calls `configure` once at start-up.
"""

from __future__ import annotations

import contextlib
import contextvars
import ipaddress
import re
import socket
import ssl
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpcore
import httpx

from networks.errors import NetworkError, PermanentError
from networks.http import TIMEOUT, USER_AGENT, ssl_context

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
# What one API answer may hold and take, whatever the server; fetch() caps pages lower.
MAX_RESPONSE_BYTES = 16 * 1024 * 1024
# The longest one request may take from the first connection attempt to the last byte
# of its answer, however the server spaces its bytes out. Well inside the push task's
# soft time limit (advocacy/tasks.py, 45 s): a slow network costs the share one attempt,
# retried later, never the worker a killed task.
TOTAL_TIMEOUT = 30.0

# IPv6 prefixes that carry an IPv4 address in their last 32 bits (RFC 6052, RFC 8215):
# a NAT64 gateway forwards them to that IPv4 address.
_NAT64 = (ipaddress.IPv6Network("64:ff9b::/96"), ipaddress.IPv6Network("64:ff9b:1::/48"))
# One part of an IPv4 address as inet_aton reads it: hex, octal or decimal.
_NUMERIC_PART = re.compile(r"0[xX][0-9a-fA-F]*|0[0-7]*|[1-9][0-9]*")


# -- errors -------------------------------------------------------------------------


class Refused(PermanentError):
    """An address the guard does not connect to. One message for every reason."""

    def __init__(self, host: str) -> None:
        super().__init__(f"{host} is not a public internet address, so it is not contacted")
        self.host = host


class SchemeRefused(PermanentError):
    """A scheme other than https (or http where allowed)."""

    def __init__(self, scheme: str) -> None:
        super().__init__(f"{scheme or 'an address without a scheme'}: only https addresses are contacted")
        self.scheme = scheme


class InvalidAddress(PermanentError):
    """Not a web address at all."""

    def __init__(self) -> None:
        super().__init__("this is not a valid web address")


class ResponseTooLarge(PermanentError):
    """An answer larger than the guarded client accepts."""

    def __init__(self, host: str, limit: int) -> None:
        super().__init__(f"{host} answered with more than {limit} bytes")
        self.host = host
        self.limit = limit


class NameNotFound(httpcore.ConnectError):
    """DNS had no answer. A connection error, as a lookup may work again later;
    httpx reports it as ``httpx.ConnectError`` caused by this."""


class FetchFailed(NetworkError):
    """`fetch` could not get the page; `reason` says why, for the caller's message.

    Reasons: ``redirects``, ``slow``, ``not_found``, ``unreachable``, ``unverified``,
    ``failed``, ``broken``, ``too_large`` (with `limit`).
    """

    def __init__(self, reason: str, *, host: str = "", limit: int = 0) -> None:
        super().__init__(f"fetching from {host or 'the address'} failed: {reason}")
        self.reason = reason
        self.host = host
        self.limit = limit


# -- the rule for private hosts -------------------------------------------------------


def _never() -> bool:
    return False


_allow_private_rule: Callable[[], bool] = _never


def configure(*, allow_private: Callable[[], bool]) -> None:
    """Set where the guard reads whether private hosts are allowed (default: never).

    A callable rather than a value, so a changed setting applies at the next check.
    """
    global _allow_private_rule
    _allow_private_rule = allow_private


def private_allowed() -> bool:
    return bool(_allow_private_rule())


# -- addresses ------------------------------------------------------------------------


def _embedded_ipv4(address: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    found = [v4 for v4 in (address.sixtofour, *(address.teredo or ())) if v4 is not None]
    if any(address in network for network in _NAT64):
        found.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    return found


def is_public_address(address: IPAddress) -> bool:
    """Whether connecting to `address` reaches the public internet and nothing else."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            # The connection goes to the IPv4 host, so that is what is judged.
            return is_public_address(address.ipv4_mapped)
        if not all(is_public_address(v4) for v4 in _embedded_ipv4(address)):
            return False
        if address.is_site_local:
            return False
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


def _numeric_ipv4(host: str) -> ipaddress.IPv4Address | None:
    """The address a numeric host spelling means to inet_aton ("127.1", "0x7f.1", "2130706433").

    None for a name. A spelling that is numeric but out of range raises Refused: the
    system resolver might read it some other way.
    """
    parts = host.split(".")
    if not 1 <= len(parts) <= 4 or not all(_NUMERIC_PART.fullmatch(part) for part in parts):
        return None
    values = []
    for part in parts:
        if part[:2].lower() == "0x":
            values.append(int(part[2:] or "0", 16))
        elif len(part) > 1 and part.startswith("0"):
            values.append(int(part, 8))
        else:
            values.append(int(part))
    # Leading parts are one byte each; the last part fills the bytes that are left.
    last_bits = 8 * (5 - len(values))
    if any(value > 255 for value in values[:-1]) or values[-1] >= 1 << last_bits:
        raise Refused(host)
    number = values[-1]
    for index, value in enumerate(values[:-1]):
        number |= value << (24 - 8 * index)
    return ipaddress.IPv4Address(number)


def check_host(host: str, *, allow_private: bool | None = None) -> None:
    """Refuse a host whose spelling alone shows it is not public (no DNS is asked)."""
    name = host.strip().rstrip(".").lower()
    if name.startswith("[") and name.endswith("]"):
        name = name[1:-1]
    if not name:
        raise InvalidAddress()
    if private_allowed() if allow_private is None else allow_private:
        return
    if name == "localhost" or name.endswith(".localhost"):
        raise Refused(host)
    numeric = _numeric_ipv4(name)
    if numeric is not None:
        # Only the plain dotted form is accepted: other spellings have no honest use.
        if name != str(numeric) or not is_public_address(numeric):
            raise Refused(host)
        return
    try:
        address = ipaddress.ip_address(name.split("%", 1)[0])
    except ValueError:
        return  # a name: its addresses are checked when it is resolved
    if "%" in name or not is_public_address(address):
        raise Refused(host)


def resolve(host: str, port: int, *, allow_private: bool | None = None) -> list[IPAddress]:
    """The addresses `host` resolves to, every one of them checked.

    All must be public, not just the first: a connection may use any of them.
    """
    try:
        # getaddrinfo has no timeout of its own; the system resolver's applies.
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise NameNotFound(f"{host} could not be found") from None
    addresses: list[IPAddress] = []
    for _family, _type, _proto, _canonname, sockaddr in infos:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise NameNotFound(f"{host} could not be found")
    allowed = private_allowed() if allow_private is None else allow_private
    if not allowed and not all(is_public_address(address) for address in addresses):
        raise Refused(host)
    return addresses


def _check_scheme(scheme: str, *, https_only: bool, allow_private: bool | None) -> None:
    plain_http_allowed = not https_only or (private_allowed() if allow_private is None else allow_private)
    if scheme != "https" and not (scheme == "http" and plain_http_allowed):
        raise SchemeRefused(scheme)


def check_url(
    url: str | httpx.URL,
    *,
    https_only: bool = True,
    allow_private: bool | None = None,
    resolve_host: bool = False,
) -> httpx.URL:
    """The parsed URL, or Refused / SchemeRefused / InvalidAddress.

    Without `resolve_host` only what the URL itself shows is checked; connections made
    through `client` or `GuardedTransport` check the resolved addresses anyway. With
    it, the name is resolved now too, and an unknown name is refused like a private
    one (for addresses read from a remote document, to refuse them before storing).
    """
    text = str(url).strip()
    # urlsplit and httpx read spaces and control characters differently; neither
    # belongs in an address.
    if any(ord(char) <= 0x20 or ord(char) == 0x7F for char in text):
        raise InvalidAddress()
    try:
        parts = urlsplit(text)
        host = parts.hostname or ""
        parts.port  # noqa: B018 - raises ValueError for a malformed port
    except ValueError:
        raise InvalidAddress() from None
    _check_scheme(parts.scheme.lower(), https_only=https_only, allow_private=allow_private)
    # Before httpx parses it: httpx refuses some numeric spellings ("0177.0.0.1") with
    # an error of its own, and every refused address must get the same answer.
    check_host(host, allow_private=allow_private)
    try:
        parsed = httpx.URL(text)
    except (httpx.InvalidURL, TypeError, UnicodeError, ValueError):
        raise InvalidAddress() from None
    if not parsed.host:
        raise InvalidAddress()
    raw_host = parsed.raw_host.decode("ascii")
    check_host(raw_host, allow_private=allow_private)
    if resolve_host:
        try:
            resolve(raw_host, parsed.port or (443 if parsed.scheme == "https" else 80), allow_private=allow_private)
        except NameNotFound:
            raise Refused(parsed.host) from None
    return parsed


# -- connections ----------------------------------------------------------------------

# The moment the request under way on this thread must be done by (time.monotonic()),
# or None. Every connect, TLS handshake, read and write of a guarded connection waits at
# most until then, so a server sending its headers or body a byte at a time, each byte
# inside the read timeout, is still cut off at the deadline.
_deadline: contextvars.ContextVar[float | None] = contextvars.ContextVar("egress_deadline", default=None)


@contextlib.contextmanager
def _until(deadline: float) -> Iterator[None]:
    """Make `deadline` (or an earlier one already set) the limit of what runs inside."""
    outer = _deadline.get()
    token = _deadline.set(deadline if outer is None else min(outer, deadline))
    try:
        yield
    finally:
        _deadline.reset(token)


def _bounded(timeout: float | None, error: type[Exception]) -> float | None:
    """`timeout` cut to what is left before the deadline; `error` once nothing is left."""
    deadline = _deadline.get()
    if deadline is None:
        return timeout
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise error("the answer took longer than the time allowed for it")
    return remaining if timeout is None else min(timeout, remaining)


class _DeadlineStream(httpcore.NetworkStream):
    """A connection whose every wait ends at the deadline of the request using it."""

    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, timeout=_bounded(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, timeout=_bounded(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        return _DeadlineStream(
            self._stream.start_tls(
                ssl_context, server_hostname=server_hostname, timeout=_bounded(timeout, httpcore.ConnectTimeout)
            )
        )

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _GuardedBackend(httpcore.NetworkBackend):
    """Opens TCP connections only to addresses it resolved and checked itself."""

    def __init__(self, allow_private: Callable[[], bool]) -> None:
        self._inner = httpcore.SyncBackend()
        self._allow_private = allow_private

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> httpcore.NetworkStream:
        addresses = resolve(host, port, allow_private=self._allow_private())
        error: Exception | None = None
        for address in addresses:
            try:
                # The address, not the name: resolving again could give another answer.
                # TLS still verifies the certificate for the name the URL holds.
                stream = self._inner.connect_tcp(
                    str(address),
                    port,
                    timeout=_bounded(timeout, httpcore.ConnectTimeout),
                    local_address=local_address,
                    socket_options=socket_options,
                )
                return _DeadlineStream(stream)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                error = exc
        assert error is not None
        raise error

    def connect_unix_socket(self, path: str, timeout: float | None = None, socket_options: Any = None) -> Any:
        raise Refused("a local socket")

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class _CappedStream(httpx.SyncByteStream):
    """A response body cut off past a size or a deadline.

    Reads are timed one by one, so a server dripping a byte at a time needs a
    deadline for the whole answer as well: each read waits at most until it
    (`_DeadlineStream`). It is reported as a read timeout, which callers already treat
    as "try again later".
    """

    def __init__(self, stream: httpx.SyncByteStream, *, host: str, limit: int, deadline: float) -> None:
        self._stream = stream
        self._host = host
        self._limit = limit
        self._deadline = deadline

    def __iter__(self) -> Iterator[bytes]:
        size = 0
        chunks = iter(self._stream)
        while True:
            # Set around each read only: between reads the caller's code runs.
            with _until(self._deadline):
                chunk = next(chunks, None)
            if chunk is None:
                return
            size += len(chunk)
            if size > self._limit:
                raise ResponseTooLarge(self._host, self._limit)
            if time.monotonic() > self._deadline:
                raise httpx.ReadTimeout(f"{self._host} took too long to answer")
            yield chunk

    def close(self) -> None:
        self._stream.close()


class GuardedTransport(httpx.BaseTransport):
    """An httpx transport that checks every request's URL and every connection's address.

    `allow_private=None` reads the configured rule at each check. Each answer is
    capped at `max_bytes` (as sent, before decompression) and `total_timeout` seconds,
    from the first connection attempt to the last byte, whatever the per-read timeouts.
    """

    def __init__(
        self,
        *,
        https_only: bool = True,
        allow_private: bool | None = None,
        verify: ssl.SSLContext | None = None,
        max_bytes: int = MAX_RESPONSE_BYTES,
        total_timeout: float | None = None,
    ) -> None:
        self._https_only = https_only
        self._allow_private = allow_private
        self._max_bytes = max_bytes
        self._total_timeout = TOTAL_TIMEOUT if total_timeout is None else total_timeout
        context = verify or ssl_context()
        self._transport = httpx.HTTPTransport(verify=context)
        limits = httpx.Limits()
        # httpx offers no way to give its pool a network backend: swap in a pool built
        # the way it builds its own, with the guarded backend.
        self._transport._pool = httpcore.ConnectionPool(
            ssl_context=context,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=_GuardedBackend(self._private_allowed),
        )

    def _private_allowed(self) -> bool:
        return private_allowed() if self._allow_private is None else self._allow_private

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        _check_scheme(request.url.scheme, https_only=self._https_only, allow_private=self._private_allowed())
        host = request.url.raw_host.decode("ascii")
        check_host(host, allow_private=self._private_allowed())
        deadline = time.monotonic() + self._total_timeout
        with _until(deadline):
            response = self._transport.handle_request(request)
        declared = response.headers.get("content-length", "")
        if declared.isdecimal() and int(declared) > self._max_bytes:
            response.close()
            raise ResponseTooLarge(host, self._max_bytes)
        assert isinstance(response.stream, httpx.SyncByteStream)
        return httpx.Response(
            status_code=response.status_code,
            headers=response.headers,
            stream=_CappedStream(response.stream, host=host, limit=self._max_bytes, deadline=deadline),
            extensions=response.extensions,
        )

    def close(self) -> None:
        self._transport.close()


def timed_transport() -> GuardedTransport:
    """For a network's own API host, named in the settings rather than typed by a user:
    any address and plain http are allowed, but each call keeps the deadline and size cap."""
    return GuardedTransport(https_only=False, allow_private=True)


def client(
    *,
    https_only: bool = True,
    allow_private: bool | None = None,
    timeout: httpx.Timeout = TIMEOUT,
    headers: Mapping[str, str] | None = None,
    follow_redirects: bool = False,
    max_redirects: int = 5,
    verify: ssl.SSLContext | None = None,
) -> httpx.Client:
    """An httpx.Client for hosts from outside: every request and redirect goes through the guard.

    Redirects are off by default: an API answering with one usually means a wrong
    address, and following it could carry credentials elsewhere.
    """
    return httpx.Client(
        transport=GuardedTransport(https_only=https_only, allow_private=allow_private, verify=verify),
        timeout=timeout,
        headers=dict(headers or {"User-Agent": USER_AGENT}),
        follow_redirects=follow_redirects,
        max_redirects=max_redirects,
        # Proxies from the environment would make the address checks meaningless.
        trust_env=False,
    )


# -- fetching a page ------------------------------------------------------------------


@dataclass(frozen=True)
class Fetched:
    status: int
    headers: httpx.Headers
    content: bytes
    final_url: str


def fetch(
    url: str,
    *,
    max_bytes: int,
    headers: Mapping[str, str] | None = None,
    https_only: bool = False,
    user_agent: str = USER_AGENT,
    verify: ssl.SSLContext | None = None,
    max_redirects: int = 5,
    connect_timeout: float = 5.0,
    read_timeout: float = 10.0,
    total_timeout: float = 15.0,
) -> Fetched:
    """GET `url`, following up to `max_redirects` redirects, each checked again.

    Any status comes back as it is (a 304 was asked for by a conditional header);
    Refused, SchemeRefused, InvalidAddress or FetchFailed are raised.
    """
    # Reads are timed one by one, so a server dripping a byte at a time needs a
    # deadline for the whole fetch as well.
    deadline = time.monotonic() + total_timeout
    current = check_url(url, https_only=https_only)
    with client(https_only=https_only, headers={"User-Agent": user_agent}, verify=verify) as http, _until(deadline):
        for _hop in range(max_redirects + 1):
            timeout = _timeout(deadline, connect_timeout, read_timeout)
            result = _get(http, current, headers=headers or {}, limit=max_bytes, deadline=deadline, timeout=timeout)
            location = result.headers.get("location")
            if result.status not in REDIRECT_STATUSES or not location:
                return result
            current = check_url(str(current.join(location)), https_only=https_only)
    raise FetchFailed("redirects", host=current.host)


def _timeout(deadline: float, connect: float, read: float) -> httpx.Timeout:
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise FetchFailed("slow")
    return httpx.Timeout(
        connect=min(connect, remaining),
        read=min(read, remaining),
        write=min(read, remaining),
        pool=min(connect, remaining),
    )


def _get(
    http: httpx.Client,
    url: httpx.URL,
    *,
    headers: Mapping[str, str],
    limit: int,
    deadline: float,
    timeout: httpx.Timeout,
) -> Fetched:
    host = url.host
    request = http.build_request("GET", url, headers=headers, timeout=timeout)
    try:
        response = http.send(request, stream=True)
    except httpx.ConnectTimeout:
        raise FetchFailed("slow", host=host) from None
    except httpx.ConnectError as exc:
        if _caused_by(exc, NameNotFound):
            raise FetchFailed("not_found", host=host) from None
        if _caused_by(exc, ssl.SSLCertVerificationError):
            raise FetchFailed("unverified", host=host) from None
        raise FetchFailed("unreachable", host=host) from None
    except httpx.TimeoutException:
        raise FetchFailed("slow", host=host) from None
    except httpx.HTTPError:
        raise FetchFailed("failed", host=host) from None
    try:
        content = _read_capped(response, limit=limit, deadline=deadline, host=host)
    finally:
        response.close()
    return Fetched(status=response.status_code, headers=response.headers, content=content, final_url=str(url))


def _caused_by(exc: BaseException, kind: type[BaseException]) -> bool:
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, kind):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _read_capped(response: httpx.Response, *, limit: int, deadline: float, host: str) -> bytes:
    declared = response.headers.get("content-length", "")
    if declared.isdecimal() and int(declared) > limit:
        raise FetchFailed("too_large", host=host, limit=limit)
    chunks: list[bytes] = []
    size = 0
    try:
        # iter_bytes decompresses as it goes, so the cap also stops a compression bomb.
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > limit:
                raise FetchFailed("too_large", host=host, limit=limit)
            if time.monotonic() > deadline:
                raise FetchFailed("slow", host=host)
            chunks.append(chunk)
    except httpx.TimeoutException:
        raise FetchFailed("slow", host=host) from None
    except httpx.HTTPError:
        raise FetchFailed("broken", host=host) from None
    return b"".join(chunks)
