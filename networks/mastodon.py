"""Mastodon: every instance is its own server, with its own app registration.

The instance URL comes from the employee, so it is validated before any request
(`normalize_instance_url`) and every call goes to that one origin.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from contextlib import suppress
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import httpx

from networks import egress
from networks import text as text_rules
from networks.base import (
    Adapter,
    AppCredentials,
    Audience,
    ConnectedAccount,
    ConnectKind,
    Credentials,
    CredentialsDead,
    MetricsReaders,
    NetworkError,
    PermanentError,
    PostMetrics,
    PublishResult,
    RetryLater,
    ScopeDenied,
    upload_each,
)
from networks.http import json_or_empty, send
from networks.mastodon_instance import (
    SCOPES,
    InstanceInfo,
    InvalidInstanceURL,
    authorize_url,
    exchange_code,
    fetch_instance_info,
    normalize_instance_url,
    raise_mastodon_error,
    register_app,
    verify_credentials,
)
from networks.quoting import QuotedPost, QuotedPostGone

if TYPE_CHECKING:
    from collections.abc import Sequence

    from networks.media import MediaImage

__all__ = [
    "SCOPES",
    "InstanceInfo",
    "InvalidInstanceURL",
    "MastodonAdapter",
    "authorize_url",
    "exchange_code",
    "fetch_instance_info",
    "normalize_instance_url",
    "register_app",
]

# GET /api/v1/statuses?id[]= refuses more than DEFAULT_STATUSES_LIMIT (20) ids.
BATCH_SIZE = 20
# The API version (`api_versions.mastodon` in /api/v2/instance) that brought quote posts (4.5).
QUOTES_API_VERSION = 7
# Image processing on the instance is usually immediate; wait a little if not.
MEDIA_POLLS = 5


class MastodonAdapter(Adapter):
    name = "mastodon"
    label = "Mastodon"
    metrics_batch_size = BATCH_SIZE
    connect_kind = ConnectKind.OAUTH_PER_INSTANCE
    server_example = "mastodon.social"
    # Any account on an instance reads that instance's public statuses.
    metrics_readers = MetricsReaders.SERVER
    quote_may_carry_link = True

    def __init__(
        self,
        credentials: Credentials,
        app: AppCredentials | None = None,
        client: httpx.Client | None = None,
        *,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        super().__init__(credentials, app, client)
        self.instance_url = str(credentials.extra.get("instance_url", "")).rstrip("/")
        if not self.instance_url:
            raise PermanentError("Mastodon profile has no instance URL; reconnect it")
        self._sleep = sleep
        # Pre-4.3 instances have no batch endpoint; remember that for this adapter's life.
        self.batch_supported = True

    @property
    def client(self) -> httpx.Client:
        # The instance is whichever server the employee typed: guarded like any host
        # from outside, on every call the worker makes later too.
        if self._client is None:
            self._client = egress.client()
        return self._client

    def _request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.credentials.access_token}"}
        headers |= kwargs.pop("headers", {})
        return send(self.client, method, f"{self.instance_url}{path}", headers=headers, **kwargs)

    def _raise(self, response: httpx.Response) -> None:
        raise_mastodon_error(response, self._secrets())

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
        body: dict[str, Any] = {
            "status": text_rules.compose(self.name, text, link),
            "visibility": "public",
        }
        if images:
            # Uploaded before the status: an image refused leaves nothing half-posted.
            body["media_ids"] = upload_each(images, self._upload_media)
        # The instance keeps the key for an hour: a retry within it returns the same status.
        response = self._request("POST", "/api/v1/statuses", json=body, headers={"Idempotency-Key": idempotency_key})
        self._raise(response)
        status = json_or_empty(response)
        if not status.get("id"):
            raise PermanentError("Mastodon accepted the post but returned no status id")
        return PublishResult(str(status["id"]), str(status.get("url") or status.get("uri") or ""))

    def _upload_media(self, image: MediaImage) -> str:
        extension = image.mime.removeprefix("image/").replace("jpeg", "jpg")
        response = self._request(
            "POST",
            "/api/v2/media",
            files={"file": (f"image.{extension}", image.data, image.mime)},
            data={"description": image.alt} if image.alt else None,
        )
        self._raise(response)
        media_id = str(json_or_empty(response).get("id") or "")
        if not media_id:
            raise PermanentError("Mastodon accepted the image but returned no media id")
        if response.status_code == 202:
            # Still processing: a status cannot attach it yet. The media endpoint
            # answers 206 until processing is done, then 200.
            for _ in range(MEDIA_POLLS):
                self._sleep(1.0)
                check = self._request("GET", f"/api/v1/media/{media_id}")
                if check.status_code == 200:
                    return media_id
                if check.status_code != 206:
                    self._raise(check)
            raise RetryLater("Mastodon is still processing the image", retry_after=30.0)
        return media_id

    # -- quotes ---------------------------------------------------------------------

    def publish_quote(self, *, text: str, quoted: QuotedPost, idempotency_key: str) -> PublishResult:
        """A quote where the server has them (Mastodon 4.5), else a post with the status address."""
        self._check_quoted_exists(quoted)
        local_id = self._local_status_id(quoted) if self._quotes_supported() else None
        headers = {"Idempotency-Key": idempotency_key}
        if local_id:
            body = {"status": text, "visibility": "public", "quoted_status_id": local_id}
            response = self._request("POST", "/api/v1/statuses", json=body, headers=headers)
            if response.status_code == 404:
                raise QuotedPostGone("Mastodon: the status to quote is gone")
            # 422: the quoted author's quote policy refuses it; the address still shares it.
            if response.status_code != 422:
                return self._published(response)
        body = {"status": text_rules.compose(self.name, text, quoted.url), "visibility": "public"}
        return self._published(self._request("POST", "/api/v1/statuses", json=body, headers=headers))

    def _published(self, response: httpx.Response) -> PublishResult:
        self._raise(response)
        status = json_or_empty(response)
        if not status.get("id"):
            raise PermanentError("Mastodon accepted the post but returned no status id")
        return PublishResult(str(status["id"]), str(status.get("url") or status.get("uri") or ""))

    def _check_quoted_exists(self, quoted: QuotedPost) -> None:
        """QuotedPostGone when the quoted status's own server says it is gone."""
        server = quoted.server.rstrip("/")
        path = f"/api/v1/statuses/{quoted.remote_id}"
        if not server:
            return  # no server to ask: the post itself will tell
        if server == self.instance_url:
            response = self._request("GET", path)
        else:
            # A public status reads without a token on its own server.
            response = send(self.client, "GET", f"{server}{path}")
        if response.status_code in (404, 410):
            raise QuotedPostGone("Mastodon: the status to quote is deleted")

    def _quotes_supported(self) -> bool:
        response = self._request("GET", "/api/v2/instance")
        if response.status_code >= 400:
            return False
        versions = json_or_empty(response).get("api_versions") or {}
        try:
            return int(versions.get("mastodon") or 0) >= QUOTES_API_VERSION
        except (TypeError, ValueError):
            return False

    def _local_status_id(self, quoted: QuotedPost) -> str | None:
        """The quoted status's id on this server: the same one, or found by its address."""
        if quoted.server.rstrip("/") == self.instance_url:
            return quoted.remote_id
        params = {"q": quoted.url, "type": "statuses", "resolve": "true", "limit": "1"}
        response = self._request("GET", "/api/v2/search", params=params)
        if response.status_code >= 400:
            return None  # e.g. a token without read:search: the address is shared instead
        statuses = json_or_empty(response).get("statuses") or []
        return str(statuses[0]["id"]) if statuses and statuses[0].get("id") else None

    def fetch_metrics(self, remote_ids: list[str]) -> list[PostMetrics]:
        self._check_batch(remote_ids)
        if not remote_ids:
            return []
        if self.batch_supported:
            response = self._request("GET", "/api/v1/statuses", params=[("id[]", i) for i in remote_ids])
            if response.status_code not in (404, 405):
                self._raise(response)
                found = {str(s["id"]): s for s in _json_list(response) if isinstance(s, dict)}
                # Missing from the answer: deleted (our own posts are always visible to us).
                return [_metrics(i, found.get(i)) for i in remote_ids]
            self.batch_supported = False
        return [self._metrics_one(i) for i in remote_ids]

    def _metrics_one(self, remote_id: str) -> PostMetrics:
        response = self._request("GET", f"/api/v1/statuses/{remote_id}")
        if response.status_code == 404:
            return _metrics(remote_id, None)
        self._raise(response)
        return _metrics(remote_id, json_or_empty(response))

    def fetch_audience(self) -> Audience:
        response = self._request("GET", "/api/v1/accounts/verify_credentials")
        self._raise(response)
        return Audience(followers=int(json_or_empty(response).get("followers_count", 0)))

    @classmethod
    def server_of(cls, extra: Mapping[str, Any]) -> str:
        return str(extra.get("instance_url", "")).rstrip("/").lower()

    @classmethod
    def profile_max_chars(cls, extra: Mapping[str, Any]) -> int | None:
        # Each instance sets its own limit; it is read when the profile connects.
        value = extra.get("max_characters")
        return value if isinstance(value, int) and value > 0 else None

    @classmethod
    def register_app(cls, *, server: str, redirect_uri: str, client: httpx.Client, client_name: str) -> AppCredentials:
        fetch_instance_info(server, client)  # refuses a server that is not Mastodon before registering
        return register_app(server, redirect_uri, client, client_name=client_name)

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
        return authorize_url(server, app, redirect_uri, state, code_challenge=code_challenge)

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
        credentials = exchange_code(server, app, code, redirect_uri, client, code_verifier=code_verifier)
        if not set(credentials.extra.get("scopes") or []) & {"write", "write:statuses"}:
            raise ScopeDenied("Mastodon granted no posting")
        account = verify_credentials(server, credentials.access_token, client)
        # Without it the network's default limit applies until the next connection.
        with suppress(NetworkError):
            credentials.extra["max_characters"] = fetch_instance_info(server, client).max_characters
        host = urlsplit(server).netloc
        username = str(account.get("username") or account.get("acct") or account["id"])
        return ConnectedAccount(
            credentials=credentials,
            # Account ids are per instance.
            remote_id=f"{account['id']}@{host}",
            handle=f"@{username}@{host}",
            display_name=str(account.get("display_name") or ""),
            profile_url=str(account.get("url") or ""),
            followers=account.get("followers_count"),
        )

    def refresh(self) -> Credentials:
        # Nothing to refresh: a Mastodon token is valid until revoked, and a revoked
        # one can only be replaced by connecting again.
        raise CredentialsDead("Mastodon tokens cannot be refreshed; reconnect the profile")


def _json_list(response: httpx.Response) -> list[Any]:
    try:
        body = response.json()
    except ValueError:
        # A 200 that is not JSON is a proxy or maintenance page, not an answer.
        raise RetryLater("Mastodon answered with something other than JSON") from None
    return body if isinstance(body, list) else []


def _metrics(remote_id: str, status: dict[str, Any] | None) -> PostMetrics:
    if status is None:
        return PostMetrics(remote_id=remote_id, deleted=True)
    return PostMetrics(
        remote_id=remote_id,
        likes=int(status.get("favourites_count") or 0),
        reposts=int(status.get("reblogs_count") or 0),
        replies=int(status.get("replies_count") or 0),
        quotes=int(status.get("quotes_count") or 0),
    )
