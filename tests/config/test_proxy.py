"""The compose file's proxy (deploy/Caddyfile, run by Debian's caddy) in front of gunicorn.

Media files are served by the proxy with DEBUG off; the liveness probe passes through;
and the login limit per address sees each visitor's own address (the proxy writes it),
whatever a client puts into X-Forwarded-For itself.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from django.urls import reverse

from tests.worker import _database_url

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
pytestmark = pytest.mark.skipif(not shutil.which("caddy"), reason="Debian's caddy is not installed (deploy/tools.sh)")


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, process: subprocess.Popen, log: Path) -> None:
    for _ in range(300):
        if process.poll() is not None:
            raise AssertionError(f"{url}: the server exited\n{log.read_text()}")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{url} did not answer\n{log.read_text()}")


@pytest.fixture
def proxied_site(tmp_path, transactional_db):
    media = tmp_path / "media"
    (media / "posts").mkdir(parents=True)
    (media / "posts" / "launch.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"0" * 64)
    (media / "posts" / "evil.html").write_text("<script>alert(1)</script>")
    web_port, proxy_port = free_port(), free_port()
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "VAR_DIR": str(tmp_path / "var"),
        "MEDIA_ROOT": str(media),
        "BEHIND_TLS_PROXY": "1",
        "TRUSTED_PROXY_COUNT": "1",
        "SECURE_COOKIES": "0",
        "DEBUG": "0",
    }
    web_log, proxy_log = tmp_path / "gunicorn.log", tmp_path / "caddy.log"
    processes = []
    with web_log.open("w") as output:
        processes.append(
            subprocess.Popen(  # noqa: S603
                [str(BIN / "gunicorn"), "config.wsgi:application", "--bind", f"127.0.0.1:{web_port}", "-w", "2"],
                cwd=ROOT,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        )
    proxy_env = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "XDG_DATA_HOME": str(tmp_path / "caddy-data"),
        "XDG_CONFIG_HOME": str(tmp_path / "caddy-config"),
        "SITE_ADDRESS": f":{proxy_port}",
        "UPSTREAM_HOST": "127.0.0.1",
        "UPSTREAM_PORT": str(web_port),
        "MEDIA_ROOT": str(media),
    }
    with proxy_log.open("w") as output:
        processes.append(
            subprocess.Popen(  # noqa: S603
                ["caddy", "run", "--config", str(ROOT / "deploy" / "Caddyfile"), "--adapter", "caddyfile"],  # noqa: S607
                env=proxy_env,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        )
    try:
        wait_for(f"http://127.0.0.1:{web_port}/healthz", processes[0], web_log)
        wait_for(f"http://127.0.0.1:{proxy_port}/healthz", processes[1], proxy_log)
        yield f"http://127.0.0.1:{proxy_port}"
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


def test_uploaded_files_are_served_by_the_proxy_as_inert_downloads(proxied_site):
    image = httpx.get(f"{proxied_site}/media/posts/launch.png", timeout=30)
    assert image.status_code == 200
    assert image.content.startswith(b"\x89PNG")
    assert image.headers["x-content-type-options"] == "nosniff"
    page = httpx.get(f"{proxied_site}/media/posts/evil.html", timeout=30)
    assert "sandbox" in page.headers["content-security-policy"]
    assert httpx.get(f"{proxied_site}/media/../config/settings.py", timeout=30).status_code == 404


def failed_login(client: httpx.Client, base: str, email: str, forwarded_for: str | None = None) -> httpx.Response:
    login = f"{base}{reverse('account_login')}"
    page = client.get(login)
    token = page.text.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    return client.post(login, data={"login": email, "password": "wrong", "csrfmiddlewaretoken": token}, headers=headers)


def test_a_visitor_cannot_dodge_the_login_limit_with_its_own_forwarded_for(proxied_site, cast):
    with httpx.Client(timeout=30) as client:
        for number in range(10):
            response = failed_login(client, proxied_site, f"guess{number}@acme.test", f"198.51.100.{number}")
            assert response.status_code == 200
            assert b"Too many failed login attempts" not in response.content
        blocked = failed_login(client, proxied_site, "another@acme.test", "203.0.113.99")
    assert b"Too many failed login attempts" in blocked.content


def test_another_visitor_behind_the_proxy_is_not_locked_out(proxied_site, cast):
    with httpx.Client(timeout=30) as client:
        for number in range(11):
            failed_login(client, proxied_site, f"guess{number}@acme.test")
    # A second visitor, from another address (127.0.0.2 is this machine too).
    with httpx.Client(timeout=30, transport=httpx.HTTPTransport(local_address="127.0.0.2")) as other:
        response = failed_login(other, proxied_site, "x@acme.test")
    assert response.status_code == 200
    assert b"Too many failed login attempts" not in response.content
