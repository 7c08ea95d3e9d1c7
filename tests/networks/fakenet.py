"""A network that exists only in this test suite: one module, written as a new network would be.

It keeps its "server" in memory (`FakenetServer`) so that the test can see what the
platform asked of it; everything else is the Adapter interface and class metadata.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import ClassVar
from urllib.parse import urlencode

import httpx

from networks import text
from networks.base import (
    Adapter,
    AppCredentials,
    Audience,
    ConnectedAccount,
    ConnectKind,
    Credentials,
    MetricsReaders,
    PostMetrics,
    PublishResult,
)
from networks.media import MediaImage

AUTHORIZE_URL = "https://fakenet.example/oauth/authorize"


@dataclass
class FakenetServer:
    posts: dict[str, str] = field(default_factory=dict)
    likes: dict[str, int] = field(default_factory=dict)
    metric_calls: list[list[str]] = field(default_factory=list)
    codes: dict[str, str] = field(default_factory=dict)  # code -> the PKCE verifier it was issued for


class FakenetAdapter(Adapter):
    name = "fakenet"
    label = "Fakenet"
    metrics_batch_size = 3
    connect_kind = ConnectKind.OAUTH
    app_settings = ("FAKENET_CLIENT_ID", "FAKENET_CLIENT_SECRET")
    metrics_readers = MetricsReaders.NETWORK
    text_rule = text.TextRule("fakenet", 120, text.graphemes)

    server: ClassVar[FakenetServer] = FakenetServer()

    def publish(
        self,
        *,
        text: str,
        link: str | None,
        images: Sequence[MediaImage] = (),
        idempotency_key: str,
        link_title: str = "",
        link_description: str = "",
    ) -> PublishResult:
        remote_id = f"fn-{idempotency_key}"
        self.server.posts[remote_id] = compose(text, link)
        return PublishResult(remote_id, f"https://fakenet.example/p/{remote_id}")

    def fetch_metrics(self, remote_ids: list[str]) -> list[PostMetrics]:
        self._check_batch(remote_ids)
        self.server.metric_calls.append(list(remote_ids))
        return [PostMetrics(remote_id=rid, likes=self.server.likes.get(rid, 0)) for rid in remote_ids]

    def fetch_audience(self) -> Audience:
        return Audience(followers=77)

    def refresh(self) -> Credentials:
        return self.credentials

    @classmethod
    def authorize_url(
        cls,
        *,
        app: AppCredentials,
        redirect_uri: str,
        state: str,
        code_challenge: str,
        server: str = "",
        options: Mapping[str, str] | None = None,
    ) -> str:
        query = {"client_id": app.client_id, "redirect_uri": redirect_uri, "state": state, "challenge": code_challenge}
        return f"{AUTHORIZE_URL}?{urlencode(query)}"

    @classmethod
    def authorize_finish(
        cls,
        *,
        app: AppCredentials,
        code: str,
        redirect_uri: str,
        code_verifier: str,
        client: httpx.Client,
        server: str = "",
        options: Mapping[str, str] | None = None,
    ) -> ConnectedAccount:
        cls.server.codes[code] = code_verifier
        return ConnectedAccount(
            credentials=Credentials(access_token=f"fakenet-token-{code}"),
            remote_id="fn-user-1",
            handle="@emma_fn",
            followers=77,
        )


def compose(body: str, link: str | None) -> str:
    return text.compose(FakenetAdapter.name, body, link)
