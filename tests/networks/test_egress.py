"""The egress guard: every address form it must refuse, DNS that changes its answer, redirects.

The clients that use it (previews and feeds, Mastodon, Bluesky, the worker) are
tested in test_egress_clients.py.
"""

from __future__ import annotations

import ipaddress

import httpx
import pytest

from networks import egress
from tests.networks.egress_servers import (
    INTERNAL,
    PUBLIC,
    drip_route,
    fake_dns,
    public_is,
    redirect_route,
    start,
    stop,
)

REFUSED = [
    # IPv4: loopback, private, link-local (cloud metadata), shared, unspecified, multicast,
    # reserved, broadcast, benchmarking, documentation.
    "https://127.0.0.1/",
    "https://127.8.9.10/",
    "https://10.0.0.8/",
    "https://172.16.5.4/",
    "https://192.168.1.1/",
    "https://169.254.169.254/latest/meta-data/",
    "https://100.64.0.1/",
    "https://0.0.0.0/",
    "https://224.0.0.1/",
    "https://240.0.0.1/",
    "https://255.255.255.255/",
    "https://198.18.0.1/",
    "https://192.0.2.1/",
    # Numeric spellings the system resolver reads as 127.0.0.1 (or 10.0.0.1).
    "https://2130706433/",
    "https://0x7f.1/",
    "https://0x7f000001/",
    "https://017700000001/",
    "https://0177.0.0.1/",
    "https://0177.0.0.01/",
    "https://127.1/",
    "https://127.0.1/",
    "https://167772161/",
    "https://0xa.0.0.1/",
    "https://127.0.0.1./",
    "https://0/",
    # A numeric spelling out of range: not an address any resolver agrees on.
    "https://1.2.3.256/",
    # IPv6: loopback, unspecified, link-local (with and without a zone), unique local,
    # site-local, multicast, documentation.
    "https://[::1]/",
    "https://[::]/",
    "https://[fe80::1]/",
    "https://[fe80::1%25eth0]/",
    "https://[fc00::1]/",
    "https://[fd12:3456::1]/",
    "https://[fec0::1]/",
    "https://[ff02::1]/",
    "https://[2001:db8::1]/",
    # IPv4 inside IPv6: mapped (two spellings), 6to4, NAT64 (well-known and local-use).
    "https://[::ffff:127.0.0.1]/",
    "https://[::ffff:a9fe:a9fe]/",
    "https://[2002:7f00:1::1]/",
    "https://[2002:a00:1::]/",
    "https://[64:ff9b::7f00:1]/",
    "https://[64:ff9b::a9fe:a9fe]/",
    "https://[64:ff9b:1::a00:1]/",
    # Names that mean this machine.
    "https://localhost/",
    "https://LOCALHOST./",
    "https://admin.localhost/",
]


def _httpx_parses(url: str) -> bool:
    try:
        httpx.URL(url)
    except httpx.InvalidURL:
        return False
    return True


@pytest.mark.parametrize("url", REFUSED)
def test_it_refuses_every_address_form_that_is_not_public(url):
    with pytest.raises(egress.Refused):
        egress.check_url(url)


# httpx itself refuses to parse a few of them ("0177.0.0.1"); check_url covers those.
@pytest.mark.parametrize("url", [url for url in REFUSED if _httpx_parses(url)])
def test_a_guarded_client_refuses_them_before_any_connection(url, monkeypatch):
    def no_lookup(*args, **kwargs):
        raise AssertionError("a refused address must not even be looked up")

    monkeypatch.setattr("socket.getaddrinfo", no_lookup)
    with egress.client() as client, pytest.raises(egress.Refused):
        client.get(url)


def test_every_refused_address_gets_the_same_message_but_for_the_host():
    messages = set()
    for url in REFUSED:
        with pytest.raises(egress.Refused) as caught:
            egress.check_url(url)
        messages.add(str(caught.value).replace(caught.value.host, "HOST"))
    assert messages == {"HOST is not a public internet address, so it is not contacted"}


@pytest.mark.parametrize(
    "url",
    ["https://93.184.215.14/", "https://[2606:4700:4700::1111]/", "https://mastodon.social/", "https://8.8.8.8:8443/x"],
)
def test_public_addresses_and_names_pass_the_check(url):
    assert egress.check_url(url) == httpx.URL(url)


@pytest.mark.parametrize("url", ["http://mastodon.social/", "ftp://mastodon.social/", "javascript:alert(1)", "//x.y/"])
def test_network_servers_must_use_https(url):
    with pytest.raises(egress.SchemeRefused):
        egress.check_url(url)


def test_plain_http_is_allowed_where_the_caller_allows_it():
    assert egress.check_url("http://example.com/feed.xml", https_only=False).scheme == "http"
    with pytest.raises(egress.SchemeRefused):
        egress.check_url("file:///etc/passwd", https_only=False)


def test_allowing_private_hosts_allows_them_and_plain_http_for_test_networks(settings):
    assert egress.check_url("http://localhost:2583", allow_private=True).host == "localhost"
    settings.NETWORKS_ALLOW_PRIVATE_HOSTS = True  # read by the rule the Django side configured
    assert egress.check_url("http://127.0.0.1:3000").port == 3000
    settings.NETWORKS_ALLOW_PRIVATE_HOSTS = False
    with pytest.raises(egress.Refused):
        egress.check_url("https://127.0.0.1:3000")


@pytest.mark.parametrize("url", ["https://", "https://exa mple.com/", "https://example.com:99999/", "https:///x"])
def test_a_malformed_address_is_invalid_not_an_exception_of_httpx(url):
    with pytest.raises(egress.InvalidAddress):
        egress.check_url(url)


# -- names ----------------------------------------------------------------------------


def test_a_name_resolving_to_a_private_address_is_refused_when_resolved(monkeypatch):
    fake_dns(monkeypatch, {"intranet.acme.test": ["10.1.2.3"]})
    assert egress.check_url("https://intranet.acme.test/").host == "intranet.acme.test"  # spelling alone is fine
    with pytest.raises(egress.Refused):
        egress.check_url("https://intranet.acme.test/", resolve_host=True)


def test_a_name_is_refused_when_any_of_its_addresses_is_private(monkeypatch):
    fake_dns(monkeypatch, {"mixed.acme.test": ["93.184.215.14", "169.254.169.254"]})
    with pytest.raises(egress.Refused):
        egress.resolve("mixed.acme.test", 443)


def test_an_unknown_name_is_not_found_when_connecting_and_refused_when_checked(monkeypatch):
    def unknown(*args, **kwargs):
        raise OSError("Name or service not known")

    monkeypatch.setattr("socket.getaddrinfo", unknown)
    with pytest.raises(egress.NameNotFound):
        egress.resolve("nowhere.invalid", 443)
    with pytest.raises(egress.Refused):
        egress.check_url("https://nowhere.invalid/", resolve_host=True)


def test_a_guarded_client_never_connects_to_a_name_that_resolves_privately(monkeypatch):
    httpd, canary = start(INTERNAL)
    try:
        fake_dns(monkeypatch, {"metadata.acme.test": [INTERNAL]})
        with egress.client(https_only=False) as client, pytest.raises(egress.Refused):
            client.get(canary.url("/", host="metadata.acme.test"))
    finally:
        stop(httpd)
    assert canary.connections == 0


# -- DNS rebinding ----------------------------------------------------------------------


@pytest.fixture
def twins():
    """A "public" server on 127.0.0.1 and an internal canary on 127.0.0.2, same port."""
    public_httpd, public = start(PUBLIC)
    internal_httpd, internal = start(INTERNAL, public.port)
    yield public, internal
    stop(public_httpd)
    stop(internal_httpd)


def _public_first_then_internal():
    answers = iter([[PUBLIC]])
    return lambda: next(answers, [INTERNAL])


def test_the_connection_goes_to_the_address_that_was_checked(twins, monkeypatch):
    public, internal = twins
    public_is(monkeypatch, PUBLIC)
    asked = fake_dns(monkeypatch, {"news.acme.test": _public_first_then_internal()})

    with egress.client(https_only=False) as client:
        response = client.get(public.url("/", host="news.acme.test"))

    # One lookup, checked and used: a second one (by the connection itself) would
    # have gone to the internal address.
    assert asked == ["news.acme.test"]
    assert response.text == f"news.acme.test:{public.port}"  # the Host header keeps the name
    assert len(public.requests) == 1
    assert internal.connections == 0


def test_a_name_that_rebinds_after_the_check_is_refused_at_connection(twins, monkeypatch):
    public, internal = twins
    public_is(monkeypatch, PUBLIC)
    fake_dns(monkeypatch, {"news.acme.test": _public_first_then_internal()})
    url = public.url("/", host="news.acme.test")

    egress.check_url(url, https_only=False, resolve_host=True)  # answered with the public address
    with egress.client(https_only=False) as client, pytest.raises(egress.Refused):
        client.get(url)  # answered with the internal one: checked again, refused

    assert internal.connections == 0
    assert public.requests == []


# -- redirects --------------------------------------------------------------------------


@pytest.mark.parametrize("target", ["http://169.254.169.254/latest/meta-data/", "http://0x7f.1/", "name"])
def test_a_redirect_to_a_private_address_is_refused(twins, monkeypatch, target):
    public, internal = twins
    public_is(monkeypatch, PUBLIC)
    fake_dns(monkeypatch, {"inside.acme.test": [INTERNAL]})
    location = internal.url("/", host="inside.acme.test") if target == "name" else target
    public.routes["/go"] = redirect_route(location)

    with egress.client(https_only=False, follow_redirects=True) as client, pytest.raises(egress.Refused):
        client.get(public.url("/go"))
    with pytest.raises(egress.Refused):
        egress.fetch(public.url("/go"), max_bytes=1024)

    assert public.paths == ["/go", "/go"]
    assert internal.connections == 0


def test_a_redirect_to_a_public_address_is_followed(twins, monkeypatch):
    public, _internal = twins
    public_is(monkeypatch, PUBLIC)
    public.routes["/go"] = redirect_route("/landed")
    result = egress.fetch(public.url("/go"), max_bytes=1024)
    assert (result.status, result.final_url) == (200, public.url("/landed"))


def test_the_public_test_stand_in_is_not_public_by_default():
    # The tests above treat 127.0.0.1 as public; the real rule never does.
    assert egress.is_public_address(ipaddress.ip_address(PUBLIC)) is False
    assert egress.is_public_address(ipaddress.ip_address("93.184.215.14")) is True


# -- size and time ----------------------------------------------------------------------


def test_a_guarded_client_stops_reading_an_answer_over_its_size_limit(twins, monkeypatch):
    public, _internal = twins
    public_is(monkeypatch, PUBLIC)
    public.routes["/big"] = lambda handler: (200, {}, b"x" * 4096)
    public.routes["/undeclared-big"] = drip_route(4096, 0.0, declare=False)
    transport = egress.GuardedTransport(https_only=False, max_bytes=1024)
    with httpx.Client(transport=transport) as client:
        for path in ("/big", "/undeclared-big"):
            with pytest.raises(egress.ResponseTooLarge):
                client.get(public.url(path))


def test_a_guarded_client_gives_a_dripping_server_a_deadline_for_the_whole_answer(twins, monkeypatch):
    public, _internal = twins
    public_is(monkeypatch, PUBLIC)
    public.routes["/drip"] = drip_route(50, 0.05)  # each read is quick, the whole is not
    transport = egress.GuardedTransport(https_only=False, total_timeout=0.5)
    with httpx.Client(transport=transport, timeout=5) as client, pytest.raises(httpx.ReadTimeout):
        client.get(public.url("/drip"))
