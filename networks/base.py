"""The one interface every network adapter implements.

Pure Python: nothing here imports Django. The Django side stores credentials
(encrypted), builds an adapter per call and persists whatever credentials the
adapter hands back.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

import httpx

from networks.errors import (
    CredentialsDead,
    DuplicateContent,
    NetworkError,
    PermanentError,
    RetryLater,
    ScopeDenied,
    Unsupported,
)
from networks.http import make_client
from networks.quoting import QuotedPost
from networks.text import TextRule

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from networks.media import MediaImage

__all__ = [
    "Adapter",
    "AppCredentials",
    "Audience",
    "ConnectKind",
    "ConnectedAccount",
    "Credentials",
    "CredentialsDead",
    "DuplicateContent",
    "NetworkError",
    "PermanentError",
    "PostMetrics",
    "PublishResult",
    "RetryLater",
    "ScopeDenied",
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


class ConnectKind(StrEnum):
    """How a person connects a profile; the pages and the connect flow follow it."""

    # Handle and an app password, signed in to once (the server address may be asked for).
    APP_PASSWORD = "app_password"  # noqa: S105 - a kind, not a password
    # OAuth with the network's app, registered by the installation or the organization.
    OAUTH = "oauth"
    # OAuth on a server the person names, where the app is registered on first use.
    OAUTH_PER_INSTANCE = "instance"
    # Nothing to sign in to: sharing opens the network's own share dialog.
    SHARE_DIALOG = "share_dialog"


class MetricsReaders(StrEnum):
    """Whose credentials can read a post's metrics."""

    NETWORK = "network"  # any profile's on the network: posts are public
    SERVER = "server"  # any profile's on the same server
    OWN = "own"  # only the author's


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


@dataclass(frozen=True)
class ConnectedAccount:
    """What a finished connection hands to the Django side to store."""

    credentials: Credentials
    remote_id: str
    handle: str = ""
    display_name: str = ""
    profile_url: str = ""
    followers: int | None = None
    # The grant allows posting but not reading post metrics: measured by clicks.
    clicks_only: bool = False


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

    # -- what the Django side reads instead of a network's name -------------------
    connect_kind: ClassVar[ConnectKind] = ConnectKind.OAUTH
    # The settings holding the client id and secret of an app that is ours to register
    # (OAuth); an organization's own app row overrides them.
    app_settings: ClassVar[tuple[str, str] | None] = None
    # A public client (PKCE, no secret) is enough for some networks' code exchange.
    app_secret_required: ClassVar[bool] = True
    # Constructor keyword -> the setting that gives its value; an empty setting keeps
    # the constructor's default.
    settings_options: ClassVar[Mapping[str, str]] = {}
    # Option -> setting, handed to `authorize_url` and `authorize_finish` as `options`.
    connect_settings: ClassVar[Mapping[str, str]] = {}
    # For connect kinds that ask for a server or handle: the default server, and
    # examples shown to the person connecting.
    default_server: ClassVar[str] = ""
    server_example: ClassVar[str] = ""
    handle_example: ClassVar[str] = ""
    metrics_readers: ClassVar[MetricsReaders] = MetricsReaders.OWN
    # Whether post metrics carry impressions (PostMetrics.impressions is not None).
    reports_impressions: ClassVar[bool] = False
    reports_followers: ClassVar[bool] = True
    # Post metrics need a scope the network grants approved apps only, so many
    # profiles are measured by clicks.
    metrics_need_approval: ClassVar[bool] = False
    # A company connection ends with the person picking which of the account's pages
    # to connect (LinkedIn: the organizations the member administers).
    company_page_choice: ClassVar[bool] = False
    # A quote on a server without quote posts goes out as a post with the quoted
    # post's address, which counts towards the text limit (Mastodon before 4.5).
    quote_may_carry_link: ClassVar[bool] = False
    # The text rule of a network that is not in `networks.text.RULES`.
    text_rule: ClassVar[TextRule | None] = None
    # Django templates would call the class to make an adapter.
    do_not_call_in_templates: ClassVar[bool] = True

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

    def publish_quote(self, *, text: str, quoted: QuotedPost, idempotency_key: str) -> PublishResult:
        """Post `text` quoting `quoted` (see networks.quoting); QuotedPostGone when it was deleted."""
        raise Unsupported(f"{self.label} cannot quote posts")

    def needs_refresh(self, now: datetime) -> bool:
        expires_at = self.credentials.expires_at
        if expires_at is None or not self.credentials.refresh_token:
            return False
        return now >= expires_at - self.refresh_margin

    # -- connecting and per-profile rules (class level: no profile yet) ------------

    @classmethod
    def can_upload_images(cls, extra: Mapping[str, Any]) -> bool:
        """Whether a profile's connection may upload images (a scope asked for later may be missing)."""
        return True

    @classmethod
    def server_of(cls, extra: Mapping[str, Any]) -> str:
        """The server a profile lives on ("" where it does not matter).

        Offered again when the profile is reconnected, and the scope of metrics readers
        for MetricsReaders.SERVER.
        """
        return ""

    @classmethod
    def profile_max_chars(cls, extra: Mapping[str, Any]) -> int | None:
        """The profile's own character limit where its server sets one (None: the network's)."""
        return None

    @staticmethod
    def share_dialog_url(link: str | None) -> str:
        raise Unsupported("this network posts through its API, not a share dialog")

    @classmethod
    def sign_in(cls, *, handle: str, app_password: str, server: str) -> ConnectedAccount:
        """Connect with an app password (ConnectKind.APP_PASSWORD)."""
        raise Unsupported(f"{cls.label} does not connect with an app password")

    @classmethod
    def register_app(cls, *, server: str, redirect_uri: str, client: httpx.Client, client_name: str) -> AppCredentials:
        """Register the app on a server the person named (ConnectKind.OAUTH_PER_INSTANCE)."""
        raise Unsupported(f"{cls.label} registers no app per server")

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
        """Where the person is sent to allow posting (OAuth kinds)."""
        raise Unsupported(f"{cls.label} does not connect through OAuth")

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
        """Exchange the callback's code and read the account; ScopeDenied without posting rights."""
        raise Unsupported(f"{cls.label} does not connect through OAuth")

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
