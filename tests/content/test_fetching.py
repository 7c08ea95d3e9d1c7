from __future__ import annotations

import datetime
import ipaddress
import re
import socket
import ssl

import pytest

from content import fetching
from content.fetching import FetchError, fetch
from networks import egress
from tests.content.http_server import start_server


def _resolve_to(monkeypatch, mapping: dict[str, list[str]]) -> None:
    """Answer DNS for made-up host names; everything else resolves as usual."""
    real = socket.getaddrinfo

    def fake(host, port, *args, **kwargs):
        if host in mapping:
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port)) for address in mapping[host]]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", fake)


def test_it_fetches_a_page_and_names_the_product_in_the_user_agent(web, settings):
    settings.SITE_NAME = "Chorus Test"
    result = fetch(web.url("/page.html"))
    assert (result.status, result.final_url) == (200, web.url("/page.html"))
    assert b"Acme home" in result.content
    assert web.headers_for("/page.html")[0]["user-agent"].startswith("Chorus Test")


@pytest.mark.parametrize("url", ["ftp://example.com/feed", "file:///etc/passwd", "javascript:alert(1)", "gopher://x"])
def test_it_refuses_addresses_that_are_not_http(url):
    with pytest.raises(FetchError, match="Only http and https"):
        fetch(url)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://[::1]/",
        "http://10.0.0.8/",
        "http://192.168.1.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://100.64.0.1/",
        "http://0.0.0.0/",
        "http://[::ffff:127.0.0.1]/",
        "http://224.0.0.1/",
    ],
)
def test_it_refuses_private_loopback_link_local_and_reserved_addresses(settings, url):
    settings.NETWORKS_ALLOW_PRIVATE_HOSTS = False
    with pytest.raises(FetchError, match="is not a public internet address"):
        fetch(url)


def test_the_local_server_is_refused_unless_private_addresses_are_allowed(web, settings):
    settings.NETWORKS_ALLOW_PRIVATE_HOSTS = False
    with pytest.raises(FetchError, match="is not a public internet address"):
        fetch(web.url("/page.html"))
    assert web.requests == []


def test_a_name_is_refused_when_any_of_its_addresses_is_private(settings, monkeypatch):
    settings.NETWORKS_ALLOW_PRIVATE_HOSTS = False
    _resolve_to(monkeypatch, {"mixed.test": ["93.184.216.34", "10.1.2.3"]})
    with pytest.raises(FetchError, match=re.escape("mixed.test is not a public internet address")):
        fetch("http://mixed.test/")


def test_a_redirect_to_a_private_address_is_refused(web, settings, monkeypatch):
    # Pretend the test server's own address is public, so only the redirect is judged.
    settings.NETWORKS_ALLOW_PRIVATE_HOSTS = False
    monkeypatch.setattr(egress, "is_public_address", lambda address: address == ipaddress.ip_address("127.0.0.1"))
    with pytest.raises(FetchError, match=re.escape("169.254.169.254 is not a public internet address")):
        fetch(web.url("/redirect-private"))


def test_it_follows_redirects_and_reports_the_final_address(web):
    result = fetch(web.url("/go-og"))
    assert result.final_url == web.url("/nested/og.html")
    assert b"og:title" in result.content


def test_it_gives_up_after_five_redirects(web):
    with pytest.raises(FetchError, match="redirects too many times"):
        fetch(web.url("/loop"))
    assert len(web.headers_for("/loop")) == fetching.MAX_REDIRECTS + 1


def test_it_connects_to_the_address_it_checked_and_keeps_the_host_name(web, monkeypatch):
    # DNS rebinding: the name answers with an allowed address for the check and with
    # another one afterwards. The fetch must use the address that was checked.
    port = web.base_url.rsplit(":", 1)[1]
    answers = iter([["127.0.0.1"]])
    real = socket.getaddrinfo

    def rebinding(host, port, *args, **kwargs):
        if host == "news.acme.test":
            address = next(answers, ["192.0.2.1"])[0]
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    monkeypatch.setattr(fetching, "CONNECT_TIMEOUT", 0.5)
    result = fetch(f"http://news.acme.test:{port}/echo-host")
    assert result.content.decode() == f"news.acme.test:{port}"


def test_it_verifies_tls_for_the_host_name_while_connecting_to_the_checked_address(settings, monkeypatch, tmp_path):
    settings.NETWORKS_ALLOW_PRIVATE_HOSTS = True
    certificate, key = _self_signed(tmp_path, "feeds.acme.test")
    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_context.load_cert_chain(certificate, key)
    httpd, state = start_server(ssl_context=server_context)
    try:
        port = state.base_url.rsplit(":", 1)[1]
        _resolve_to(monkeypatch, {"feeds.acme.test": ["127.0.0.1"], "other.acme.test": ["127.0.0.1"]})
        monkeypatch.setattr(fetching, "VERIFY", ssl.create_default_context(cafile=str(certificate)))
        assert fetch(f"https://feeds.acme.test:{port}/echo-host").content.decode() == f"feeds.acme.test:{port}"
        # The certificate is for another name: the pinned connection must not accept it.
        with pytest.raises(FetchError, match=re.escape("other.acme.test could not be verified")):
            fetch(f"https://other.acme.test:{port}/echo-host")
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_it_times_out_on_a_server_that_does_not_answer(web, monkeypatch):
    monkeypatch.setattr(fetching, "READ_TIMEOUT", 0.3)
    with pytest.raises(FetchError, match="took too long"):
        fetch(web.url("/slow"))


def test_the_whole_fetch_has_a_deadline(web, monkeypatch):
    monkeypatch.setattr(fetching, "TOTAL_TIMEOUT", 0.3)
    with pytest.raises(FetchError, match="took too long"):
        fetch(web.url("/slow"))


@pytest.mark.parametrize("path", ["/huge", "/huge?declared=1", "/gzip-bomb"])
def test_it_stops_reading_a_body_over_the_size_limit(web, path):
    with pytest.raises(FetchError, match=re.escape("larger than 1.0 MB")):
        fetch(web.url(path), max_bytes=1024 * 1024)


def test_an_error_status_is_reported_with_its_number(web):
    with pytest.raises(FetchError, match=r"HTTP 404") as caught:
        fetch(web.url("/nowhere"))
    assert caught.value.status == 404
    with pytest.raises(FetchError, match=r"HTTP 500"):
        fetch(web.url("/error"))


def test_a_closed_port_is_a_connection_error(settings):
    settings.NETWORKS_ALLOW_PRIVATE_HOSTS = True
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(FetchError, match=re.escape("Could not connect to 127.0.0.1")):
        fetch(f"http://127.0.0.1:{port}/")


def test_an_unknown_host_is_reported_as_not_found(monkeypatch):
    def fail(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", fail)
    with pytest.raises(FetchError, match="could not be found"):
        fetch("https://no-such-host.invalid/")


def test_a_not_modified_answer_is_returned_not_raised(web):
    result = fetch(web.url("/conditional.xml"), headers={"If-None-Match": '"v1"'})
    assert (result.status, result.content) == (304, b"")


def _self_signed(directory, host_name: str):
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
    return certificate_path, key_path
