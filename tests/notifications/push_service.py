"""A local push service: what a browser vendor's push endpoint checks and does.

A loopback HTTP server that, for each message, verifies the VAPID authorization
(RFC 8292: `vapid t=<JWT>, k=<public key>`, an ES256 signature by that key, `aud`
the endpoint's origin, `exp` in the future, a `sub`) and decrypts the aes128gcm body
(RFC 8291) with the subscription's own private key and authentication secret, the
way a push service and the receiving browser between them would. The answers can
be scripted (410, 429 with Retry-After, …) to test the sender's handling.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from e2e.standins.base import running


def b64url_decode(value: str) -> bytes:
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


@dataclass
class Device:
    """A browser's side of a subscription: the keys it keeps and the ones it shares."""

    endpoint: str
    private_key: ec.EllipticCurvePrivateKey
    auth_secret: bytes

    @property
    def p256dh(self) -> str:
        point = self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return b64url(point)

    @property
    def auth(self) -> str:
        return b64url(self.auth_secret)


@dataclass
class Received:
    path: str
    headers: dict
    claims: dict
    vapid_key: str
    message: dict


@dataclass
class PushService:
    base_url: str = ""
    received: list[Received] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # why a request was refused
    answers: list[tuple[int, dict]] = field(default_factory=list)  # scripted, used first
    devices: dict[str, Device] = field(default_factory=dict)

    def device(self, name: str) -> Device:
        path = f"/push/{name}-{os.urandom(6).hex()}"
        device = Device(self.base_url + path, ec.generate_private_key(ec.SECP256R1()), os.urandom(16))
        self.devices[path] = device
        return device

    def verify_and_decrypt(self, path: str, headers: dict, body: bytes) -> tuple[int, Received | str]:
        device = self.devices.get(path)
        if device is None:
            return 404, "no such subscription"
        scheme, _, credentials = headers.get("authorization", "").partition(" ")
        if scheme.lower() != "vapid":
            return 401, "no VAPID authorization"
        params = dict(part.strip().split("=", 1) for part in credentials.split(","))
        token, key = params.get("t", ""), params.get("k", "")
        try:
            header_b64, claims_b64, signature_b64 = token.split(".")
            header = json.loads(b64url_decode(header_b64))
            claims = json.loads(b64url_decode(claims_b64))
            public_key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b64url_decode(key))
            raw = b64url_decode(signature_b64)
            signature = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
            public_key.verify(signature, f"{header_b64}.{claims_b64}".encode(), ec.ECDSA(hashes.SHA256()))
        except (ValueError, KeyError, InvalidSignature):
            return 401, "VAPID signature does not verify"
        if header.get("alg") != "ES256":
            return 401, "VAPID token is not ES256"
        if claims.get("aud") != self.base_url:
            return 401, f"aud {claims.get('aud')!r} is not {self.base_url!r}"
        if not isinstance(claims.get("exp"), int) or claims["exp"] <= time.time():
            return 401, "VAPID token expired"
        if claims["exp"] > time.time() + 24 * 3600:
            return 401, "VAPID token valid for more than 24 hours"
        if not str(claims.get("sub", "")).startswith(("mailto:", "https:")):
            return 401, "no VAPID subject"
        if headers.get("content-encoding") != "aes128gcm":
            return 400, "not aes128gcm"
        if "ttl" not in headers:
            return 400, "no TTL"
        plain = http_ece.decrypt(
            body, private_key=device.private_key, auth_secret=device.auth_secret, version="aes128gcm"
        )
        return 201, Received(path, headers, claims, key, json.loads(plain))


def _handler(service: PushService):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            headers = {name.lower(): value for name, value in self.headers.items()}
            if service.answers:
                status, extra = service.answers.pop(0)
                self.send_response(status)
                for name, value in extra.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            status, outcome = service.verify_and_decrypt(self.path, headers, body)
            if isinstance(outcome, Received):
                service.received.append(outcome)
            else:
                service.refused.append(outcome)
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    return Handler


@contextlib.contextmanager
def running_push_service() -> Iterator[PushService]:
    service = PushService()
    with running(ThreadingHTTPServer(("127.0.0.1", 0), _handler(service))) as base_url:
        service.base_url = base_url
        yield service
