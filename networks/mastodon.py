"""Mastodon: every instance is its own server, with its own app registration.

The instance URL comes from the employee, so it is validated before any request
(`normalize_instance_url`) and every call goes to that one origin.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import httpx

from networks import text as text_rules
from networks.base import (
    Adapter,
    AppCredentials,
    Audience,
    Credentials,
    CredentialsDead,
    PermanentError,
    PostMetrics,
    PublishResult,
    RetryLater,
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
)

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
# Image processing on the instance is usually immediate; wait a little if not.
MEDIA_POLLS = 5


class MastodonAdapter(Adapter):
    name = "mastodon"
    label = "Mastodon"
    metrics_batch_size = BATCH_SIZE

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
