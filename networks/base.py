"""The one interface every network adapter implements.

Pure Python: nothing here imports Django. The Django side stores credentials
(encrypted), builds an adapter per call and persists whatever credentials the
adapter hands back.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

import httpx

from networks.errors import (
    CredentialsDead,
    DuplicateContent,
    NetworkError,
    PermanentError,
    RetryLater,
    Unsupported,
)
from networks.http import make_client

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from networks.media import MediaImage

__all__ = [
    "Adapter",
    "AppCredentials",
    "Audience",
    "Credentials",
    "CredentialsDead",
    "DuplicateContent",
    "NetworkError",
    "PermanentError",
    "PostMetrics",
    "PublishResult",
    "RetryLater",
    "Unsupported",
    "upload_each",
]

T = TypeVar("T")


def upload_each(images: Sequence[MediaImage], upload: Callable[[MediaImage], T]) -> list[T]:
    """Upload every image, in order; a refusal names the image ("image 2 of 4: ...").

    Adapters upload all images before creating the post, so an image the network
    refuses stops the post: nothing goes out half.
    """
    uploaded = []
    for number, image in enumerate(images, start=1):
        try:
            uploaded.append(upload(image))
        except NetworkError as exc:
            exc.args = (f"image {number} of {len(images)}: {exc}",)
            raise
    return uploaded


@dataclass
class Credentials:
    """A connected profile's tokens.

    `extra` holds what a network needs beyond tokens: Bluesky did, handle,
    pds_url and session; Mastodon instance_url; LinkedIn person_urn and scopes;
    X username.
    """

    access_token: str
    refresh_token: str = ""
    expires_at: datetime | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def __repr__(self) -> str:
        # Credentials end up in tracebacks and logs; tokens must not.
        return (
            f"Credentials(access_token='***', refresh_token={'***' if self.refresh_token else ''!r}, "
            f"expires_at={self.expires_at!r}, extra_keys={sorted(self.extra)!r})"
        )

    def with_tokens(self, **changes: Any) -> Credentials:
        return replace(self, extra=dict(self.extra), **changes)


@dataclass(frozen=True)
class AppCredentials:
    """A network app's own keys (LinkedIn and X from settings; Mastodon per instance)."""

    client_id: str
    client_secret: str

    def __repr__(self) -> str:
        return f"AppCredentials(client_id={self.client_id!r}, client_secret='***')"


@dataclass(frozen=True)
class PublishResult:
    remote_id: str
    url: str


@dataclass(frozen=True)
class PostMetrics:
    remote_id: str
    likes: int = 0
    reposts: int = 0
    replies: int = 0
    quotes: int = 0
    # None where the network does not tell (Mastodon, Bluesky).
    impressions: int | None = None
    deleted: bool = False


@dataclass(frozen=True)
class Audience:
    followers: int


class Adapter(ABC):
    """One network's publishing, metrics, audience and token refresh."""

    name: ClassVar[str]
    label: ClassVar[str]
    metrics_batch_size: ClassVar[int]
    can_publish: ClassVar[bool] = True
    # False: the network gives no post metrics; reports count tracked-link clicks only.
    # LinkedIn sets it per instance, from the profile's granted scopes.
    measured: bool = True
    # Refresh this long before expiry, so a post never races the expiry.
    refresh_margin: ClassVar[timedelta] = timedelta(minutes=5)

    def __init__(
        self,
        credentials: Credentials,
        app: AppCredentials | None = None,
        client: httpx.Client | None = None,
    ) -> None:
        self.credentials = credentials
        self.app = app
        self._owns_client = client is None
        # Made on first use: an adapter whose SDK brings its own (Bluesky) never needs one.
        self._client = client
        # Set whenever the adapter replaced its credentials (refresh, including one the
        # SDK did on its own): the caller must then persist `self.credentials`.
        self.credentials_changed = False

    # -- lifecycle -------------------------------------------------------------

    @property
    def client(self) -> httpx.Client:
        if self._client is None:
            self._client = make_client()
        return self._client

    def close(self) -> None:
        if self._owns_client and self._client is not None:
            self._client.close()

    def __enter__(self) -> Adapter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- the operations --------------------------------------------------------

    @abstractmethod
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
        """Post `text` with `link` (composed per `text.compose`) and `images`. Retry-safe per network.

        `images` are already fitted to the network (`networks.media.prepare`). With
        a link, networks that show one picture use the first as the link card's.
        """

    @abstractmethod
    def fetch_metrics(self, remote_ids: list[str]) -> list[PostMetrics]:
        """Metrics for at most `metrics_batch_size` posts; larger batches raise ValueError."""

    @abstractmethod
    def fetch_audience(self) -> Audience:
        """The profile's follower count."""

    @abstractmethod
    def refresh(self) -> Credentials:
        """New credentials; the caller must persist all of them at once (tokens rotate)."""

    def needs_refresh(self, now: datetime) -> bool:
        expires_at = self.credentials.expires_at
        if expires_at is None or not self.credentials.refresh_token:
            return False
        return now >= expires_at - self.refresh_margin

    # -- helpers for subclasses ------------------------------------------------

    def _check_batch(self, remote_ids: list[str]) -> None:
        if len(remote_ids) > self.metrics_batch_size:
            raise ValueError(
                f"{self.label} reads at most {self.metrics_batch_size} posts per call, "
                f"got {len(remote_ids)}; chunk the ids"
            )

    def _replace_credentials(self, credentials: Credentials) -> Credentials:
        self.credentials = credentials
        self.credentials_changed = True
        return credentials

    def _secrets(self) -> list[str]:
        secrets = [self.credentials.access_token, self.credentials.refresh_token]
        if self.app is not None:
            secrets.append(self.app.client_secret)
        return [s for s in secrets if s]
