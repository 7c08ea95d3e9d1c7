"""What every loopback stand-in shares: answering HTTP, and the OAuth 2.0 authorization-code dance.

Each network's stand-in keeps its own endpoints, checks and error shapes; the consent
page, the redirect back with a code, redeeming the code (redirect URI, grant type and,
for PKCE, the S256 challenge) and running on a port or in a test's thread are here.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import hashlib
import html
import json
import secrets
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode


def last_values(encoded: str) -> dict[str, str]:
    """A query string or form body as a dict, the last value of a repeated key winning."""
    return {key: values[-1] for key, values in parse_qs(encoded).items()}


def pkce_challenge(verifier: str) -> str:
    """RFC 7636 S256: the challenge a code verifier answers."""
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode("ascii")).digest()).rstrip(b"=").decode("ascii")


def basic_authorization(client_id: str, client_secret: str) -> str:
    """The `Authorization` header of a confidential client's HTTP Basic credentials."""
    return "Basic " + base64.b64encode(f"{client_id}:{client_secret}".encode()).decode()


def consent_page(
    *,
    title: str,
    heading: str,
    action: str,
    query: dict[str, str],
    name_label: str,
    name_field: str,
    allow: str,
    deny: str,
    asks: str = "",
) -> str:
    """The network's page where a person signs in and allows the app; the request rides along hidden."""
    hidden = "".join(
        f'<input type="hidden" name="{html.escape(key)}" value="{html.escape(value)}">' for key, value in query.items()
    )
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title></head><body>"
        f"<h1>{html.escape(heading)}</h1>"
        + (f"<p>{html.escape(asks)}</p>" if asks else "")
        + f"<form method='post' action='{html.escape(action)}'>"
        f"{hidden}<label>{html.escape(name_label)} <input name='{html.escape(name_field)}' autocomplete='off'></label>"
        f"<button type='submit' name='decision' value='allow'>{html.escape(allow)}</button>"
        f"<button type='submit' name='decision' value='deny'>{html.escape(deny)}</button></form></body></html>"
    )


def code_issue(codes: dict[str, dict], *, redirect_uri: str, **grant: object) -> str:
    """A new authorization code, kept with what the token call must match."""
    code = secrets.token_urlsafe(16)
    codes[code] = {"redirect_uri": redirect_uri, **grant}
    return code


def code_redeem(codes: dict[str, dict], form: dict[str, str], *, pkce: bool) -> dict | None:
    """The grant behind the token call's code, or None when it does not match.

    The code is used up either way, as a network does after any attempt.
    """
    grant = codes.pop(form.get("code", ""), None)
    if (
        grant is None
        or form.get("grant_type") != "authorization_code"
        or form.get("redirect_uri") != grant["redirect_uri"]
        or (pkce and pkce_challenge(form.get("code_verifier", "")) != grant["challenge"])
    ):
        return None
    return grant


class StandinHandler(BaseHTTPRequestHandler):
    """Answers in a stand-in's shapes; subclasses route the paths."""

    json_type = "application/json"

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _send(self, status: int, body: str, content_type: str, headers: dict[str, str] | None = None) -> None:
        data = body.encode()
        self.send_response(status)
        if data:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _json(self, status: int, body: object, headers: dict[str, str] | None = None) -> None:
        self._send(status, json.dumps(body), self.json_type, headers)

    def _html(self, status: int, body: str) -> None:
        self._send(status, body, "text/html; charset=utf-8")

    def _raw_body(self) -> str:
        return self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()

    def _bearer(self) -> str:
        return self.headers.get("Authorization", "").removeprefix("Bearer ")

    def _redirect_back(self, redirect_uri: str, query: dict[str, str]) -> None:
        """The browser back to the app, with a code or an error and the app's state."""
        self._send(302, "", "text/plain", {"Location": f"{redirect_uri}?{urlencode(query)}"})


@contextlib.contextmanager
def running(server: ThreadingHTTPServer) -> Iterator[str]:
    """Serve in a thread of this process for a test; its base URL."""
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def main(description: str, server: Callable[..., ThreadingHTTPServer], *, with_client: bool = True) -> None:
    """`python -m e2e.standins.<network> --port N [--client-id ID --client-secret SECRET]`."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--port", type=int, required=True)
    if with_client:
        parser.add_argument("--client-id", required=True)
        parser.add_argument("--client-secret", required=True)
    arguments = parser.parse_args()
    credentials = (arguments.client_id, arguments.client_secret) if with_client else ()
    server(arguments.port, *credentials).serve_forever()
