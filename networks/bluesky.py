"""Bluesky (AT Protocol) through the `atproto` SDK, signed in with an app password.

Sign-in (`createSession`) is rate limited per account (30 per 5 minutes), so it
happens once in `connect`; afterwards the session is kept and refreshed. The
SDK may refresh on its own while a call runs: then `credentials_changed` is set
and the caller must persist `adapter.credentials`.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar
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
    upload_each,
)
from networks.bluesky_records import (
    POST_COLLECTION,
    build_embed,
    facet_model,
    images_embed,
    link_facets,
    post_url,
    quote_embed,
    tid_from_key,
)
from networks.http import TIMEOUT, redact, seconds_until_epoch, shared_transport
from networks.quoting import QuotedPost, QuotedPostGone

if TYPE_CHECKING:
    from collections.abc import Sequence

    from atproto import Client, Session

    from networks.media import MediaImage

DEFAULT_PDS = "https://bsky.social"
# Errors that mean "this session is not accepted": try one refresh, then give up.
SESSION_ERRORS = {"ExpiredToken", "InvalidToken", "AuthenticationRequired", "AuthMissing"}
# Errors that no refresh can cure.
ACCOUNT_ERRORS = {"AccountTakedown", "AccountDeactivated"}

T = TypeVar("T")

# -- tokens -----------------------------------------------------------------------


def jwt_expiry(token: str) -> datetime | None:
    """The `exp` of a JWT, read without verifying it (only to schedule the refresh)."""
    try:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        return datetime.fromtimestamp(int(claims["exp"]), tz=UTC)
    except (IndexError, ValueError, KeyError, TypeError):
        return None


def _credentials_from_session(session: Session, pds_url: str) -> Credentials:
    return Credentials(
        access_token=session.access_jwt,
        refresh_token=session.refresh_jwt,
        expires_at=jwt_expiry(session.access_jwt),
        extra={
            "did": session.did,
            "handle": session.handle,
            "pds_url": pds_url,
            "session": session.export(),
        },
    )


def _checked_pds(pds: str, *, entryway: str) -> str:
    """The PDS a DID document named, refused (egress.Refused) unless it is a public https server.

    The DID document comes from the network, not from us: an account can name any
    address there, and everything later (posts, metrics, refreshes, with the account's
    tokens) would go to it. A host other than the entryway's is resolved now, so a
    refused one is never stored.
    """
    try:
        url = egress.check_url(pds)
        if url.host != httpx.URL(entryway).host:
            egress.check_url(pds, resolve_host=True)
    except (egress.SchemeRefused, egress.InvalidAddress):
        raise egress.Refused(urlsplit(pds).hostname or pds) from None
    return pds


# -- errors -----------------------------------------------------------------------


class _SessionRejected(CredentialsDead):
    """The PDS refused the session; a refresh may still cure it."""


def _translate(exc: Exception, secrets: list[str]) -> NetworkError:
    from atproto import exceptions as at

    if isinstance(exc, at.LoginRequiredError):
        return CredentialsDead("Bluesky session missing; reconnect the profile")
    if isinstance(exc, at.InvokeTimeoutError):
        return RetryLater("timed out talking to Bluesky")
    response = getattr(exc, "response", None)
    if response is None:
        if isinstance(exc, at.NetworkError):
            return RetryLater("could not reach Bluesky")
        return PermanentError(redact(f"Bluesky: {exc}", secrets))
    status = response.status_code
    content = response.content
    error = getattr(content, "error", "") or ""
    message = redact(f"Bluesky answered {status}: {error} {getattr(content, 'message', '') or ''}", secrets)
    if isinstance(exc, at.RateLimitExceededError) or status == 429:
        wait = getattr(exc, "retry_after", None)
        if wait is None:
            wait = seconds_until_epoch((response.headers or {}).get("ratelimit-reset"))
        return RetryLater(message.strip(), retry_after=wait)
    if error in ACCOUNT_ERRORS:
        return CredentialsDead(message.strip())
    if error in SESSION_ERRORS or status == 401:
        return _SessionRejected(message.strip())
    if status >= 500 or status in (408, 409, 502):
        return RetryLater(message.strip())
    return PermanentError(message.strip())


@contextmanager
def _closing(sdk: Client, secrets: list[str] | None = None) -> Iterator[Client]:
    """Use an SDK client, translate its errors into ours, and close its connections."""
    from atproto import exceptions as at

    try:
        yield sdk
    except at.AtProtocolError as exc:
        raise _translate(exc, secrets or []) from exc
    except httpx.TransportError as exc:  # the SDK wraps only timeouts and network errors
        raise RetryLater(f"could not talk to Bluesky: {type(exc).__name__}") from exc
    finally:
        sdk.request.close()


class BlueskyAdapter(Adapter):
    name = "bluesky"
    label = "Bluesky"
    metrics_batch_size = 25
    # Access tokens live about two hours; the SDK itself refreshes 15 minutes ahead.
    refresh_margin = timedelta(minutes=20)
    connect_kind = ConnectKind.APP_PASSWORD
    default_server = DEFAULT_PDS
    server_example = "bsky.social"
    handle_example = "alice.bsky.social"
    # Posts are public on the AppView: any account reads anyone's counts.
    metrics_readers = MetricsReaders.NETWORK

    def __init__(
        self,
        credentials: Credentials,
        app: AppCredentials | None = None,
        client: httpx.Client | None = None,
        *,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        # The SDK brings its own httpx client; `client` is unused, `transport` is for tests.
        super().__init__(credentials, app, client)
        self._transport = transport

    @property
    def pds_url(self) -> str:
        return str(self.credentials.extra.get("pds_url") or DEFAULT_PDS)

    @property
    def did(self) -> str:
        return str(self.credentials.extra["did"])

    # -- SDK plumbing ------------------------------------------------------------

    @staticmethod
    def _sdk_client(pds_url: str, transport: httpx.BaseTransport | None) -> Client:
        from atproto import Client, Request

        # A client per call (it holds one account's session), all on the process's
        # connection pool: a client of its own would build a TLS context and open a
        # connection for every post.
        request = Request(timeout=TIMEOUT, transport=transport or shared_transport())
        return Client(base_url=pds_url, request=request)

    def _session_client(self) -> Client:
        from atproto import Session, SessionEvent

        extra = self.credentials.extra
        session = Session(
            handle=str(extra.get("handle", "")),
            did=self.did,
            access_jwt=self.credentials.access_token,
            refresh_jwt=self.credentials.refresh_token,
            pds_endpoint=self.pds_url,
        )
        sdk = self._sdk_client(self.pds_url, self._transport)
        sdk.login(session_string=session.export(), fetch_bsky_profile=False)

        def on_change(event: SessionEvent, new: Session) -> None:
            if event in (SessionEvent.CREATE, SessionEvent.REFRESH):
                self._replace_credentials(_credentials_from_session(new, self.pds_url))

        # Registered after the import, so only real refreshes are reported.
        sdk.on_session_change(on_change)
        return sdk

    def _call(self, operation: Callable[[Client], T]) -> T:
        """Run `operation`; on a refused session refresh once and run it again."""
        for attempt in (1, 2):
            try:
                with _closing(self._session_client(), self._secrets()) as sdk:
                    return operation(sdk)
            except _SessionRejected as error:
                if attempt == 2:
                    raise CredentialsDead(str(error)) from error
                self.refresh()
        raise AssertionError("unreachable")

    # -- connect and refresh -------------------------------------------------------

    @classmethod
    def connect(
        cls,
        handle: str,
        app_password: str,
        pds_url: str = DEFAULT_PDS,
        *,
        transport: httpx.BaseTransport | None = None,
    ) -> Credentials:
        """Sign in once with an app password and return the session to store."""
        from atproto import Session

        try:
            with _closing(cls._sdk_client(pds_url, transport), [app_password]) as sdk:
                sdk.login(handle, app_password, fetch_bsky_profile=False)
                session = Session.decode(sdk.export_session_string())
        except egress.Refused:
            raise
        except (CredentialsDead, PermanentError) as error:
            raise CredentialsDead("Bluesky refused the handle or app password") from error
        # The PDS may be a different host than the entryway we signed in at.
        pds = _checked_pds(str(session.pds_endpoint or pds_url).removesuffix("/xrpc"), entryway=pds_url)
        return _credentials_from_session(session, pds)

    @classmethod
    def server_of(cls, extra: Mapping[str, Any]) -> str:
        return str(extra.get("pds_url") or "")

    @classmethod
    def sign_in(cls, *, handle: str, app_password: str, server: str) -> ConnectedAccount:
        credentials = cls.connect(handle, app_password, server or DEFAULT_PDS)
        return ConnectedAccount(
            credentials=credentials,
            remote_id=str(credentials.extra["did"]),
            handle=str(credentials.extra.get("handle") or handle),
        )

    def refresh(self) -> Credentials:
        """New session tokens from the refresh token, without signing in again."""
        from atproto import Session

        if not self.credentials.refresh_token:
            raise CredentialsDead("Bluesky session has no refresh token; reconnect the profile")
        headers = {"Authorization": f"Bearer {self.credentials.refresh_token}"}
        try:
            # No session imported: the SDK must not try its own refresh first.
            with _closing(self._sdk_client(self.pds_url, self._transport), self._secrets()) as sdk:
                fresh = sdk.com.atproto.server.refresh_session(headers=headers)
        except (CredentialsDead, PermanentError) as error:
            raise CredentialsDead(f"Bluesky refused the session refresh: {error}") from error
        session = Session(
            handle=fresh.handle,
            did=fresh.did,
            access_jwt=fresh.access_jwt,
            refresh_jwt=fresh.refresh_jwt,
            pds_endpoint=self.pds_url,
        )
        return self._replace_credentials(_credentials_from_session(session, self.pds_url))

    # -- publish -------------------------------------------------------------------

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
        from atproto import models

        composed = text_rules.compose(self.name, text, link)
        rkey = tid_from_key(idempotency_key)

        if link:
            images = images[:1]  # the card shows one picture
        # Uploaded before the post: an image refused leaves nothing half-posted.
        blobs = upload_each(images, self._upload_blob)
        embed = build_embed(link, images, blobs, link_title, link_description)

        def create(sdk: Client) -> str:
            record = models.AppBskyFeedPost.Record(
                text=composed,
                created_at=sdk.get_current_time_iso(),
                facets=[facet_model(f) for f in link_facets(composed)] or None,
                embed=embed,
            )
            data = models.ComAtprotoRepoCreateRecord.Data(
                repo=self.did, collection=POST_COLLECTION, rkey=rkey, record=record
            )
            return sdk.com.atproto.repo.create_record(data).uri

        try:
            uri = self._call(create)
        except (RetryLater, PermanentError):
            # The record key comes from the idempotency key, so a retry of a create
            # that went through finds its key taken (the PDS answers 500 for that):
            # the post is there, and that is success.
            uri = self._created_before(rkey)
            if uri is None:
                raise
        except ValueError as exc:  # the SDK's models refuse malformed input (pydantic)
            raise PermanentError(f"Bluesky post is not valid: {type(exc).__name__}") from exc
        return PublishResult(uri, post_url(str(self.credentials.extra.get("handle", self.did)), uri))

    def publish_quote(
        self,
        *,
        text: str,
        quoted: QuotedPost,
        idempotency_key: str,
        images: Sequence[MediaImage] = (),
    ) -> PublishResult:
        """A quote post: `app.bsky.embed.record` (with images: `recordWithMedia`)."""
        from atproto import models

        rkey = tid_from_key(idempotency_key)
        # The strong reference needs the quoted record's current cid; reading it from
        # the author's repo also tells whether the post still exists.
        ref = self._record_ref(quoted.remote_id)
        if ref is None:
            uri = self._created_before(rkey)
            if uri is None:
                raise QuotedPostGone("Bluesky: the post to quote is deleted")
            return PublishResult(uri, post_url(str(self.credentials.extra.get("handle", self.did)), uri))

        # Uploaded before the post: an image refused leaves nothing half-posted.
        media = images_embed(images, upload_each(images, self._upload_blob)) if images else None

        def create(sdk: Client) -> str:
            record = models.AppBskyFeedPost.Record(
                text=text,
                created_at=sdk.get_current_time_iso(),
                facets=[facet_model(f) for f in link_facets(text)] or None,
                embed=quote_embed(ref[0], ref[1], media),
            )
            data = models.ComAtprotoRepoCreateRecord.Data(
                repo=self.did, collection=POST_COLLECTION, rkey=rkey, record=record
            )
            return sdk.com.atproto.repo.create_record(data).uri

        try:
            uri = self._call(create)
        except (RetryLater, PermanentError):
            uri = self._created_before(rkey)
            if uri is None:
                raise
        except ValueError as exc:
            raise PermanentError(f"Bluesky post is not valid: {type(exc).__name__}") from exc
        return PublishResult(uri, post_url(str(self.credentials.extra.get("handle", self.did)), uri))

    def _record_ref(self, uri: str) -> tuple[str, str] | None:
        """(uri, cid) of a post record, or None when its repo says it is not there."""
        from atproto import models

        parts = uri.removeprefix("at://").split("/")
        if len(parts) != 3:
            return None
        params = models.ComAtprotoRepoGetRecord.Params(repo=parts[0], collection=parts[1], rkey=parts[2])
        try:
            found = self._call(lambda sdk: sdk.com.atproto.repo.get_record(params))
        except PermanentError:  # RecordNotFound, or the repo is gone
            return None
        return (found.uri, found.cid) if found.cid else None

    def _upload_blob(self, image: MediaImage) -> Any:
        headers = {"Content-Type": image.mime}
        return self._call(lambda sdk: sdk.com.atproto.repo.upload_blob(image.data, headers=headers).blob)

    def _created_before(self, rkey: str) -> str | None:
        try:
            return self._record_uri(self.did, rkey)
        except NetworkError:
            return None  # cannot tell: the caller keeps the create's own error

    def _record_uri(self, repo: str, rkey: str) -> str | None:
        """The record's URI, or None when the repo says it is not there."""
        from atproto import models

        params = models.ComAtprotoRepoGetRecord.Params(repo=repo, collection=POST_COLLECTION, rkey=rkey)
        try:
            return self._call(lambda sdk: sdk.com.atproto.repo.get_record(params).uri)
        except PermanentError:  # RecordNotFound
            return None

    # -- metrics and audience ------------------------------------------------------

    def fetch_metrics(self, remote_ids: list[str]) -> list[PostMetrics]:
        from atproto import models

        self._check_batch(remote_ids)
        if not remote_ids:
            return []
        params = models.AppBskyFeedGetPosts.Params(uris=remote_ids)
        posts = {p.uri: p for p in self._call(lambda sdk: sdk.app.bsky.feed.get_posts(params).posts)}
        results = []
        for uri in remote_ids:
            post = posts.get(uri)
            if post is not None:
                results.append(
                    PostMetrics(
                        remote_id=uri,
                        likes=post.like_count or 0,
                        reposts=post.repost_count or 0,
                        replies=post.reply_count or 0,
                        quotes=post.quote_count or 0,
                    )
                )
            else:
                results.append(PostMetrics(remote_id=uri, deleted=self._is_deleted(uri)))
        return results

    def _is_deleted(self, uri: str) -> bool:
        # The AppView indexes a new post a little after it is written, so absence
        # there is not proof; the record missing from the author's repo is.
        parts = uri.removeprefix("at://").split("/")
        if len(parts) != 3:
            return True
        # Transient failures propagate: a post is never marked deleted on a guess.
        return self._record_uri(parts[0], parts[2]) is None

    def fetch_audience(self) -> Audience:
        from atproto import models

        params = models.AppBskyActorGetProfile.Params(actor=self.did)
        profile = self._call(lambda sdk: sdk.app.bsky.actor.get_profile(params))
        return Audience(followers=profile.followers_count or 0)
