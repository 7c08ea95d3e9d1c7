"""A small web server on 127.0.0.1 with canned feeds and pages, for fetching tests.

Real sockets rather than a mocked transport: the fetcher's address checks, pinning,
redirects, timeouts and size caps only mean something against a real connection.
"""

from __future__ import annotations

import gzip
import threading
import time
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

SLOW_SECONDS = 2.0
HUGE_BYTES = 3 * 1024 * 1024
ETAG = '"v1"'
LAST_MODIFIED = formatdate(1_700_000_000, usegmt=True)


SUMMARY = "&lt;p&gt;Summary of &lt;b&gt;{title}&lt;/b&gt;.&lt;/p&gt;&lt;script&gt;alert(1)&lt;/script&gt;"


def rss(base: str, items: list[tuple[str, str, str]], *, title: str = "Acme newsroom") -> str:
    """An RSS 2.0 document; items are (guid, title, link) with dates newest first."""
    rendered = "".join(
        f"""<item><guid isPermaLink="false">{guid}</guid><title>{item_title}</title><link>{link}</link>
        <description>{SUMMARY.format(title=item_title)}</description>
        <pubDate>{formatdate(1_700_000_000 - index * 3600, usegmt=True)}</pubDate></item>"""
        for index, (guid, item_title, link) in enumerate(items)
    )
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>{title}</title><link>{base}/</link>{rendered}</channel></rss>"""


def atom(base: str) -> str:
    return f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Acme engineering</title><id>urn:acme:eng</id>
<updated>2024-01-02T10:00:00Z</updated>
<entry><id>urn:acme:eng:2</id><title type="html">Scaling &lt;em&gt;everything&lt;/em&gt;</title>
<link href="{base}/articles/eng-2"/><updated>2024-01-02T10:00:00Z</updated>
<summary>How we scaled.</summary></entry>
<entry><id>urn:acme:eng:1</id><title>Hello, engineering</title>
<link href="/articles/eng-1"/><updated>2024-01-01T10:00:00Z</updated>
<content type="html">&lt;p&gt;First post.&lt;/p&gt;</content></entry>
</feed>"""


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE rss [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
  <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
  <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
  <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
  <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
  <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss version="2.0"><channel><title>&lol9;</title>
<item><title>&lol9;</title><link>https://news.example/laughs</link></item></channel></rss>"""

MALFORMED = b"<?xml version='1.0'?><rss version='2.0'><channel><<<>>> this is not a feed"

# An unescaped ampersand: not well-formed XML, but the kind of feed found in the wild.
SLOPPY = """<?xml version="1.0"?>
<rss version="2.0"><channel><title>Sales & marketing</title>
<item><title>Fish & chips day</title><link>{base}/articles/sloppy</link><guid>sloppy-1</guid></item>
</channel></rss>"""

OG_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8">
<title>Plain title</title>
<meta property="og:title" content="Acme wins &amp; celebrates">
<meta property="og:description" content="  The   whole story,
 in a sentence. ">
<meta property="og:image" content="../img/cover.png">
<meta name="description" content="Meta description">
</head><body><h1>Hello</h1></body></html>"""

TWITTER_PAGE = """<html><head><title>  Fallback
 title </title>
<meta name="twitter:image" content="https://cdn.example/card.jpg">
<meta name="description" content="Meta description wins over nothing">
</head><body></body></html>"""

NO_META_PAGE = "<html><head></head><body><p>Nothing to see.</p></body></html>"

JAVASCRIPT_IMAGE_PAGE = """<html><head><meta property="og:title" content="Sneaky">
<meta property="og:image" content="javascript:alert(1)"></head></html>"""

HTML_PAGE = "<!DOCTYPE html><html><head><title>Acme home</title></head><body><p>Welcome</p></body></html>"


def article(slug: str) -> str:
    return f"""<html><head><meta property="og:title" content="Article {slug}">
<meta property="og:description" content="About {slug}."></head><body></body></html>"""


@dataclass
class Recorded:
    path: str
    headers: dict[str, str]


@dataclass
class CannedServer:
    base_url: str
    requests: list[Recorded] = field(default_factory=list)

    def url(self, path: str) -> str:
        return self.base_url + path

    def headers_for(self, path: str) -> list[dict[str, str]]:
        return [request.headers for request in self.requests if request.path == path]


class _Handler(BaseHTTPRequestHandler):
    server_version = "ChorusTest/1.0"

    def log_message(self, format, *args) -> None:
        pass  # keep the test output clean

    @property
    def base(self) -> str:
        return self.server.state.base_url

    def _send(self, status: int, body: bytes | str, content_type: str, **headers: str) -> None:
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(data)

    def _redirect(self, location: str, status: int = 302) -> None:
        self.send_response(status)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        path, query = parts.path, parse_qs(parts.query)
        self.server.state.requests.append(Recorded(path=path, headers={k.lower(): v for k, v in self.headers.items()}))
        xml = "application/rss+xml; charset=utf-8"
        html = "text/html; charset=utf-8"
        if path == "/rss.xml":
            items = [
                ("news-3", "Third &amp; newest", f"{self.base}/articles/3"),
                ("news-2", "Second", f"{self.base}/articles/2"),
                ("news-1", "First", "/articles/1"),
            ]
            self._send(200, rss(self.base, items), xml)
        elif path == "/rss-copy.xml":
            # The same stories under other guids, as a second feed of one site would be.
            items = [
                ("copy-3", "Third again", f"{self.base}/articles/3"),
                ("copy-9", "Ninth", f"{self.base}/articles/9"),
            ]
            self._send(200, rss(self.base, items), xml)
        elif path == "/many.xml":
            count = int(query.get("n", ["60"])[0])
            items = [(f"many-{i}", f"Story {i}", f"{self.base}/articles/many-{i}") for i in range(count)]
            self._send(200, rss(self.base, items), xml)
        elif path == "/atom.xml":
            self._send(200, atom(self.base), "application/atom+xml")
        elif path == "/conditional.xml":
            if self.headers.get("If-None-Match") == ETAG:
                self.send_response(304)
                self.send_header("ETag", ETAG)
                self.end_headers()
                return
            items = [("cond-1", "Conditional", f"{self.base}/articles/cond-1")]
            self._send(200, rss(self.base, items), xml, ETag=ETAG, Last_Modified=LAST_MODIFIED)
        elif path == "/malformed.xml":
            self._send(200, MALFORMED, "application/xml")
        elif path == "/sloppy.xml":
            self._send(200, SLOPPY.format(base=self.base), xml)
        elif path == "/laughs.xml":
            self._send(200, BILLION_LAUGHS, xml)
        elif path == "/page.html":
            self._send(200, HTML_PAGE, html)
        elif path == "/nested/og.html":
            self._send(200, OG_PAGE, html)
        elif path == "/go-og":
            self._redirect("/nested/og.html")
        elif path == "/twitter.html":
            self._send(200, TWITTER_PAGE, html)
        elif path == "/no-meta.html":
            self._send(200, NO_META_PAGE, html)
        elif path == "/javascript-image.html":
            self._send(200, JAVASCRIPT_IMAGE_PAGE, html)
        elif path == "/latin1.html":
            body = '<html><head><title>Fødselsdag på kontoret</title><meta charset="iso-8859-1"></head></html>'
            self._send(200, body.encode("iso-8859-1"), "text/html")
        elif path == "/long-title.html":
            self._send(200, f"<title>{'Long words ' * 80}</title>", html)
        elif path.startswith("/articles/"):
            self._send(200, article(path.rsplit("/", 1)[1]), html)
        elif path == "/image.png":
            self._send(200, b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "image/png")
        elif path == "/echo-host":
            self._send(200, self.headers.get("Host", ""), "text/plain")
        elif path == "/slow":
            time.sleep(SLOW_SECONDS)
            self._send(200, HTML_PAGE, html)
        elif path == "/huge":
            self._send_huge(declare_length="declared" in query)
        elif path == "/gzip-bomb":
            self._send(200, gzip.compress(b"\0" * HUGE_BYTES), "text/html", Content_Encoding="gzip")
        elif path == "/redirect-private":
            self._redirect("http://169.254.169.254/latest/meta-data/")
        elif path == "/loop":
            self._redirect("/loop")
        elif path == "/error":
            self._send(500, "Oops", "text/plain")
        else:
            self._send(404, "Not found", "text/plain")

    def _send_huge(self, *, declare_length: bool) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        if declare_length:
            self.send_header("Content-Length", str(HUGE_BYTES))
        self.end_headers()
        chunk = b"x" * 65536
        try:
            for _ in range(HUGE_BYTES // len(chunk)):
                self.wfile.write(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client stopped reading, as it should


def start_server(*, ssl_context=None) -> tuple[ThreadingHTTPServer, CannedServer]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.daemon_threads = True
    if ssl_context is not None:
        httpd.socket = ssl_context.wrap_socket(httpd.socket, server_side=True)
    scheme = "https" if ssl_context is not None else "http"
    httpd.state = CannedServer(base_url=f"{scheme}://127.0.0.1:{httpd.server_address[1]}")
    threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    return httpd, httpd.state


@pytest.fixture(scope="session")
def _web_server():
    httpd, state = start_server()
    yield state
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def web(_web_server, settings):
    """The canned server. It listens on loopback, so private addresses are allowed;
    a test that proves they are refused turns that off again."""
    settings.NETWORKS_ALLOW_PRIVATE_HOSTS = True
    _web_server.requests.clear()
    return _web_server
