"""Loopback servers and a DNS stand-in for the egress guard's tests.

The tests need "a public server" and "an internal one" on one machine: names are
answered by `fake_dns`, 127.0.0.1 plays the public internet (`public_is`), and every
other loopback address (127.0.0.2, ...) plays the server's own network, where a canary
server counts every connection that reaches it.
"""

from __future__ import annotations

import datetime
import ipaddress
import json
import select
import socket
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from networks import egress

PUBLIC = "127.0.0.1"
INTERNAL = "127.0.0.2"

Route = Callable[["_Handler"], tuple[int, dict[str, str], "bytes | Drip"]]


@dataclass
class Server:
    host: str
    port: int
    scheme: str
    connections: int = 0
    requests: list[tuple[str, str, dict[str, str], bytes]] = field(default_factory=list)
    routes: dict[str, Route] = field(default_factory=dict)
    # Paths whose client hung up before the answer was complete (slow and trickled routes).
    hung_up: list[str] = field(default_factory=list)

    def url(self, path: str = "/", *, host: str | None = None) -> str:
        return f"{self.scheme}://{host or self.host}:{self.port}{path}"

    @property
    def paths(self) -> list[str]:
        return [path for _method, path, _headers, _body in self.requests]


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    state: Server

    def verify_request(self, request, client_address) -> bool:
        # Every accepted TCP connection counts, even one that never sends a request.
        self.state.connections += 1
        return True


class _Handler(BaseHTTPRequestHandler):
    server: _HTTPServer

    def log_message(self, *args) -> None:
        pass

    def _answer(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length) if length else b""
        state = self.server.state
        path = self.path.split("?", 1)[0]
        state.requests.append((self.command, path, {k.lower(): v for k, v in self.headers.items()}, body))
        route = state.routes.get(path)
        if route is None:
            status, headers, content = 200, {"Content-Type": "text/plain"}, (self.headers.get("host") or "").encode()
        else:
            status, headers, content = route(self)
        if isinstance(content, Trickle):
            self._trickle(status, headers, content)
            return
        chunks = content if isinstance(content, Drip) else Drip([content], 0.0)
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        if chunks.declare:
            self.send_header("Content-Length", str(sum(len(chunk) for chunk in chunks.chunks)))
        self.end_headers()
        try:
            for chunk in chunks.chunks:
                self.wfile.write(chunk)
                self.wfile.flush()
                time.sleep(chunks.delay)
        except OSError:
            pass  # the client gave up, as it should

    def _trickle(self, status: int, headers: dict[str, str], content: Trickle) -> None:
        """The whole answer, status line and headers included, one byte at a time."""
        head = f"HTTP/1.1 {status} OK\r\n" + "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        head += f"Content-Length: {len(content.body)}\r\nConnection: close\r\n\r\n"
        try:
            for byte in head.encode() + content.body:
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
                if self.client_gone(content.delay):
                    self.server.state.hung_up.append(self.path)
                    break
        except OSError:
            self.server.state.hung_up.append(self.path)  # the client gave up, as it should
        self.close_connection = True

    def client_gone(self, seconds: float) -> bool:
        """Wait up to `seconds`; whether the client closed the connection meanwhile."""
        readable, _write, _error = select.select([self.connection], [], [], seconds)
        if not readable:
            return False
        try:
            return self.connection.recv(1, socket.MSG_PEEK) == b""
        except OSError:
            return True

    do_GET = do_POST = _answer


def start(host: str = PUBLIC, port: int = 0, *, context: ssl.SSLContext | None = None) -> tuple[_HTTPServer, Server]:
    httpd = _HTTPServer((host, port), _Handler)
    if context is not None:
        httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    httpd.state = Server(host=host, port=httpd.server_address[1], scheme="https" if context else "http")
    threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    return httpd, httpd.state


def stop(httpd: _HTTPServer) -> None:
    httpd.shutdown()
    httpd.server_close()


@dataclass
class Drip:
    """A body sent in chunks with a pause after each."""

    chunks: list[bytes]
    delay: float
    # Without a Content-Length the body runs until the connection closes (HTTP/1.0).
    declare: bool = True


@dataclass
class Trickle:
    """An answer sent a byte at a time, from the status line on, with a pause after each."""

    body: bytes
    delay: float


def trickle_route(body: bytes, delay: float, status: int = 200) -> Route:
    return lambda handler: (status, {"Content-Type": "application/json"}, Trickle(body, delay))


def slow_route(delay: float, payload: object, status: int = 200) -> Route:
    """Nothing at all for `delay` seconds, then the whole JSON answer at once.

    A client that hangs up before is noted in `hung_up`, and gets nothing.
    """

    def route(handler: _Handler) -> tuple[int, dict[str, str], bytes]:
        if handler.client_gone(delay):
            handler.server.state.hung_up.append(handler.path)
        return status, {"Content-Type": "application/json"}, json.dumps(payload).encode()

    return route


def drip_route(chunks: int, delay: float, *, declare: bool = True) -> Route:
    return lambda handler: (200, {"Content-Type": "text/plain"}, Drip([b"x"] * chunks, delay, declare))


def json_route(payload: object, status: int = 200) -> Route:
    return lambda handler: (status, {"Content-Type": "application/json"}, json.dumps(payload).encode())


def redirect_route(location: str) -> Route:
    return lambda handler: (302, {"Location": location}, b"")


def fake_dns(monkeypatch, answers: dict[str, list[str] | Callable[[], list[str]]]) -> list[str]:
    """Answer DNS for made-up names (a list, or a callable for answers that change).

    Returns the log of names asked for. Addresses and real names go to the system.
    """
    real = socket.getaddrinfo
    asked: list[str] = []

    def getaddrinfo(host, port, *args, **kwargs):
        if host in answers:
            asked.append(host)
            answer = answers[host]
            addresses = answer() if callable(answer) else answer
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port)) for address in addresses]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return asked


def public_is(monkeypatch, *addresses: str) -> None:
    """Judge only these addresses public: the test's stand-in for the internet."""
    public = {ipaddress.ip_address(address) for address in addresses}
    monkeypatch.setattr(egress, "is_public_address", lambda address: address in public)


def self_signed(directory, host_name: str) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """A server context with a certificate for `host_name`, and a client context trusting it."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host_name)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(host_name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    certificate_path, key_path = directory / "cert.pem", directory / "key.pem"
    certificate_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(certificate_path, key_path)
    return server, ssl.create_default_context(cafile=str(certificate_path))
