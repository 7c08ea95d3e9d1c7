"""A local S3 server for tests: moto in server mode, a real HTTP server on a loopback port.

Import ``s3_server`` into a test module to use it; ``s3_storage`` points the platform's
media storage at it through the same MEDIA_STORAGE_URL parsing production uses, and
sets the variables in the environment too, so a worker started by the test uses it.
"""

from __future__ import annotations

import socket
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

BUCKET = "chorus-media"
REGION = "us-east-1"
KEY = "local-test-key"
SECRET = "local-test-secret"


@dataclass
class S3Server:
    endpoint: str
    # Each test stores under a prefix of its own: the server lives for the whole session.
    prefix: str = "media"

    def client(self):
        import boto3

        return boto3.client(
            "s3", endpoint_url=self.endpoint, region_name=REGION, aws_access_key_id=KEY, aws_secret_access_key=SECRET
        )

    def object_keys(self) -> list[str]:
        """The keys stored under this test's prefix, without the prefix."""
        answer = self.client().list_objects_v2(Bucket=BUCKET, Prefix=f"{self.prefix}/")
        return sorted(item["Key"].removeprefix(f"{self.prefix}/") for item in answer.get("Contents", []))

    def read(self, key: str) -> bytes:
        return self.client().get_object(Bucket=BUCKET, Key=f"{self.prefix}/{key}")["Body"].read()

    def url(self, endpoint: str | None = None) -> str:
        return f"s3://{BUCKET}/{self.prefix}?endpoint_url={endpoint or self.endpoint}&region_name={REGION}"


@pytest.fixture(scope="session")
def s3_server() -> Iterator[S3Server]:
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    s3 = S3Server(endpoint=f"http://{host}:{port}")
    s3.client().create_bucket(Bucket=BUCKET)
    try:
        yield s3
    finally:
        server.stop()


def closed_port_endpoint() -> str:
    """An address where nothing listens: a store that is down."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def use_s3_storage(settings, monkeypatch, url: str) -> None:
    from config.storage import media_storage

    monkeypatch.setenv("MEDIA_STORAGE_URL", url)
    monkeypatch.setenv("MEDIA_STORAGE_ACCESS_KEY_ID", KEY)
    monkeypatch.setenv("MEDIA_STORAGE_SECRET_ACCESS_KEY", SECRET)
    storage, _origin = media_storage()
    settings.STORAGES = {**settings.STORAGES, "default": storage}


@pytest.fixture
def s3_storage(s3_server, settings, monkeypatch) -> S3Server:
    store = S3Server(endpoint=s3_server.endpoint, prefix=f"test-{uuid.uuid4().hex[:10]}")
    use_s3_storage(settings, monkeypatch, store.url())
    return store
