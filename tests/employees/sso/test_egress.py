"""Identity-provider requests go through the one egress guard, in every spelling of a private host."""

from __future__ import annotations

import pytest

from employees.sso.errors import SSORefused
from employees.sso.fetch import guarded_request, sso_fetch_text, sso_host_check

PRIVATE = [
    "http://127.0.0.1/.well-known/openid-configuration",
    "https://2130706433/token",  # 127.0.0.1 as one decimal number
    "https://0x7f.1/token",  # hexadecimal, short form
    "https://017700000001/token",  # octal
    "https://127.1/jwks",
    "https://[::ffff:10.0.0.1]/userinfo",  # IPv4-mapped IPv6
    "https://169.254.169.254/latest/meta-data/",  # the cloud metadata service
    "https://[::1]/token",
    "https://localhost/token",
]


@pytest.fixture
def no_private_hosts(settings):
    settings.NETWORKS_ALLOW_PRIVATE_HOSTS = False


@pytest.mark.parametrize("url", PRIVATE)
def test_every_spelling_of_a_private_host_is_refused_with_one_message(no_private_hosts, url):
    for call in (sso_host_check, sso_fetch_text, lambda u: guarded_request("GET", u, timeout=2)):
        with pytest.raises(SSORefused) as refused:
            call(url)
        assert refused.value.status == 400
        assert "is on a private network" in refused.value.message


def test_plain_http_to_a_public_address_is_refused(no_private_hosts):
    with pytest.raises(SSORefused) as refused:
        sso_host_check("http://93.184.215.14/.well-known/openid-configuration")
    assert "https only" in refused.value.message


def test_what_is_not_a_web_address_is_refused(no_private_hosts):
    for url in ("ftp://idp.example/metadata", "https://exa mple.com/", "https://[::1/"):
        with pytest.raises(SSORefused):
            sso_host_check(url)


def test_the_backends_make_every_call_through_the_guard(no_private_hosts):
    """Token, key and user-info endpoints come from the provider's discovery document."""
    from employees.sso.backends import OrganizationOIDC

    backend = OrganizationOIDC.__new__(OrganizationOIDC)
    backend.setting = lambda name, default=None: default
    with pytest.raises(SSORefused) as refused:
        backend.request("https://0x7f.1/token", method="POST", data={"grant_type": "authorization_code"})
    assert "is on a private network" in refused.value.message


def test_a_guarded_answer_reads_like_the_librarys_own(live_server_answering):
    response = guarded_request("GET", live_server_answering, timeout=5)
    assert response.status_code == 200
    assert response.json() == {"issuer": "https://idp.example"}
    assert response.headers["content-type"].startswith("application/json")


@pytest.fixture
def live_server_answering(settings):
    """A loopback server answering one JSON document (private hosts allowed, as for the local IdPs)."""
    import json
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    settings.NETWORKS_ALLOW_PRIVATE_HOSTS = True

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = json.dumps({"issuer": "https://idp.example"}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/.well-known/openid-configuration"
    server.shutdown()
    server.server_close()
