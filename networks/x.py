"""X: posts through API v2 with a user's OAuth 2.0 (PKCE) token.

Refresh tokens are single-use: `refresh()` returns the rotated pair, and the
caller must store both in one write, or the account is lost at the next refresh.
"""

from __future__ import annotations

import html
import unicodedata
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode

import httpx

from networks import text as text_rules
from networks.base import (
    Adapter,
    AppCredentials,
    Audience,
    ConnectedAccount,
    Credentials,
    CredentialsDead,
    DuplicateContent,
    MetricsReaders,
    PermanentError,
    PostMetrics,
    PublishResult,
    ScopeDenied,
    Unsupported,
    upload_each,
)
from networks.http import (
    error_detail,
    json_or_empty,
    raise_for_status,
    seconds_until_epoch,
    send,
)
from networks.quoting import QuotedPost, QuotedPostGone

if TYPE_CHECKING:
    from collections.abc import Sequence

    from networks.media import MediaImage

API = "https://api.x.com"
TOKEN_PATH = "/2/oauth2/token"  # noqa: S105 - an endpoint, not a secret
TOKEN_URL = f"{API}{TOKEN_PATH}"
# Images are uploaded with this scope; connections made before it was asked for lack it.
MEDIA_SCOPE = "media.write"
NOT_FOUND_PROBLEM = "https://api.twitter.com/2/problems/resource-not-found"


# How far back a retried post looks for its own tweet on the member's timeline.
RECOVERY_LOOKBACK = 20


def _expanded_text(tweet: dict[str, Any]) -> str:
    """A tweet's text as it was sent: X returns links as t.co and escapes &, < and >."""
    text = str(tweet.get("text") or "")
    urls = ((tweet.get("entities") or {}).get("urls")) or []
    for entity in urls:
        short, expanded = entity.get("url"), entity.get("expanded_url")
        if short and expanded:
            text = text.replace(str(short), str(expanded))
    return html.unescape(text)


def _comparable(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def post_url(tweet_id: str, username: str | None = None) -> str:
    if username:
        return f"https://x.com/{username}/status/{tweet_id}"
    return f"https://x.com/i/web/status/{tweet_id}"


class XAdapter(Adapter):
    name = "x"
    label = "X"
    metrics_batch_size = 100
    # Access tokens live two hours.
    refresh_margin = timedelta(minutes=5)
    app_settings = ("X_CLIENT_ID", "X_CLIENT_SECRET")
    # X allows public clients (PKCE, no secret).
    app_secret_required = False
    settings_options = {"api_base": "X_API_BASE"}
    # Other values only for an X-compatible double (the browser journeys' stand-in).
    connect_settings = {"api_base": "X_API_BASE", "authorize_url": "X_AUTHORIZE_URL"}
    # Public posts: any account's token reads anyone's public metrics.
    metrics_readers = MetricsReaders.NETWORK
    reports_impressions = True

    def __init__(
        self,
        credentials: Credentials,
        app: AppCredentials | None = None,
        client: httpx.Client | None = None,
        *,
        api_base: str = API,
    ) -> None:
        super().__init__(credentials, app, client)
        # Another origin only for an X-compatible double (the fault scenarios); posts,
        # metrics and token refreshes all go to it.
        self.api_base = api_base.rstrip("/")

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.credentials.access_token}"}

    def _raise(self, response: httpx.Response) -> None:
        if response.status_code < 400:
            return
        detail = error_detail(response, self._secrets())
        if response.status_code == 403 and "duplicate" in detail.lower():
            # X has no idempotency key; this is what a retried post that got through looks like.
            raise DuplicateContent(f"X: {detail}")
        # Rate limits come as x-rate-limit-reset (epoch seconds), per endpoint and tier.
        wait = seconds_until_epoch(response.headers.get("x-rate-limit-reset"))
        raise_for_status(response, label=self.label, secrets=self._secrets(), retry_after=wait)

    def _request(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        response = send(self.client, method, f"{self.api_base}{path}", headers=self._headers(), **kwargs)
        self._raise(response)
        return json_or_empty(response)

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
        composed = text_rules.compose(self.name, text, link)
        body: dict[str, Any] = {"text": composed}
        if images:
            self._check_media_scope()
            # Uploaded before the post: an image refused leaves nothing half-posted.
            body["media"] = {"media_ids": upload_each(images, self._upload_media)}
        try:
            answer = self._request("POST", "/2/tweets", json=body)
        except DuplicateContent:
            try:
                recovered = self._recover_duplicate(composed)
            except PermanentError:
                recovered = None  # the lookup was refused: the refusal of the post stands
            if recovered is None:
                raise
            return recovered
        tweet_id = str((answer.get("data") or {}).get("id", ""))
        if not tweet_id:
            raise PermanentError("X accepted the post but returned no id")
        return PublishResult(tweet_id, post_url(tweet_id, self.credentials.extra.get("username")))

    def publish_quote(self, *, text: str, quoted: QuotedPost, idempotency_key: str) -> PublishResult:
        body = {"text": text, "quote_tweet_id": quoted.remote_id}
        response = send(self.client, "POST", f"{self.api_base}/2/tweets", headers=self._headers(), json=body)
        # X's refusal does not say reliably why; the quoted tweet's own lookup does.
        refused = response.status_code in (400, 403, 404) and "duplicate" not in response.text.lower()
        if refused and self._quoted_deleted(quoted.remote_id):
            raise QuotedPostGone(f"X: the tweet to quote ({quoted.remote_id}) is deleted")
        self._raise(response)
        tweet_id = str((json_or_empty(response).get("data") or {}).get("id", ""))
        if not tweet_id:
            raise PermanentError("X accepted the quote but returned no id")
        return PublishResult(tweet_id, post_url(tweet_id, self.credentials.extra.get("username")))

    def _quoted_deleted(self, tweet_id: str) -> bool:
        try:
            readings = self.fetch_metrics([tweet_id])
        except PermanentError:
            return False
        return any(reading.deleted for reading in readings)

    @classmethod
    def can_upload_images(cls, extra: Mapping[str, Any]) -> bool:
        # Connections made before images were asked for lack the scope to upload them.
        scopes = extra.get("scopes") or []
        return not scopes or MEDIA_SCOPE in scopes

    def _check_media_scope(self) -> None:
        scopes = self.credentials.extra.get("scopes") or []
        if scopes and MEDIA_SCOPE not in scopes:
            raise Unsupported(
                f"X did not allow this connection to upload images ({MEDIA_SCOPE}); reconnect the profile, then retry"
            )

    def _upload_media(self, image: MediaImage) -> str:
        extension = image.mime.removeprefix("image/").replace("jpeg", "jpg")
        answer = self._request(
            "POST",
            "/2/media/upload",
            files={"media": (f"image.{extension}", image.data, image.mime)},
            data={"media_category": "tweet_image", "media_type": image.mime},
        )
        media_id = str((answer.get("data") or {}).get("id", ""))
        if not media_id:
            raise PermanentError("X accepted the image but returned no media id")
        if image.alt:
            self._request(
                "POST", "/2/media/metadata", json={"id": media_id, "metadata": {"alt_text": {"text": image.alt}}}
            )
        return media_id

    def _recover_duplicate(self, composed: str) -> PublishResult | None:
        """The member's own recent tweet with exactly this text, if X already has it.

        X keeps no idempotency key. A worker that died after X accepted a post but
        before the id was stored leaves a share that, retried, is refused as duplicate
        content; the tweet is there, so find it on the member's timeline and carry on
        with its id (a share's text holds its own tracked link, so it names one share).
        """
        me = (self._request("GET", "/2/users/me").get("data") or {}).get("id")
        if not me:
            return None
        body = self._request(
            "GET",
            f"/2/users/{quote(str(me), safe='')}/tweets",
            params={"max_results": RECOVERY_LOOKBACK, "tweet.fields": "entities", "exclude": "retweets,replies"},
        )
        wanted = _comparable(composed)
        for tweet in body.get("data") or []:
            if tweet.get("id") and _comparable(_expanded_text(tweet)) == wanted:
                tweet_id = str(tweet["id"])
                return PublishResult(tweet_id, post_url(tweet_id, self.credentials.extra.get("username")))
        return None

    def fetch_metrics(self, remote_ids: list[str]) -> list[PostMetrics]:
        self._check_batch(remote_ids)
        if not remote_ids:
            return []
        body = self._request(
            "GET",
            "/2/tweets",
            params={"ids": ",".join(remote_ids), "tweet.fields": "public_metrics"},
        )
        found = {str(t["id"]): t.get("public_metrics") or {} for t in body.get("data") or []}
        missing = {
            str(e.get("resource_id") or e.get("value"))
            for e in body.get("errors") or []
            if e.get("type") == NOT_FOUND_PROBLEM or e.get("title") == "Not Found Error"
        }
        results = []
        for remote_id in remote_ids:
            if remote_id in found:
                m = found[remote_id]
                results.append(
                    PostMetrics(
                        remote_id=remote_id,
                        likes=int(m.get("like_count", 0)),
                        reposts=int(m.get("retweet_count", 0)),
                        replies=int(m.get("reply_count", 0)),
                        quotes=int(m.get("quote_count", 0)),
                        impressions=m.get("impression_count"),
                    )
                )
            elif remote_id in missing:
                results.append(PostMetrics(remote_id=remote_id, deleted=True))
            # Other errors (e.g. a suspended author) say nothing about the post: left out,
            # so the caller keeps its last snapshot.
        return results

    def fetch_audience(self) -> Audience:
        body = self._request("GET", "/2/users/me", params={"user.fields": "public_metrics"})
        metrics = (body.get("data") or {}).get("public_metrics") or {}
        return Audience(followers=int(metrics.get("followers_count", 0)))

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
        base = (options or {}).get("authorize_url") or AUTHORIZE_URL
        return authorize_url(app, redirect_uri, state, code_challenge, authorize_base=base)

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
        api_base = ((options or {}).get("api_base") or API).rstrip("/")
        credentials = exchange_code(app, code, redirect_uri, code_verifier, client, api_base=api_base)
        if not REQUIRED_SCOPES.issubset(credentials.extra.get("scopes") or []):
            raise ScopeDenied("X granted no posting or no offline access")
        account = fetch_account(credentials, client, api_base=api_base)
        username = str(account.get("username") or "")
        credentials.extra["username"] = username
        return ConnectedAccount(
            credentials=credentials,
            remote_id=str(account["id"]),
            handle=f"@{username}" if username else "",
            display_name=str(account.get("name") or ""),
            profile_url=profile_url(username) if username else "",
            followers=(account.get("public_metrics") or {}).get("followers_count"),
        )

    def refresh(self) -> Credentials:
        if not self.credentials.refresh_token:
            raise CredentialsDead("X gave no refresh token (offline.access not granted); reconnect")
        if self.app is None:
            raise PermanentError("X refresh needs the app's client id and secret")
        form = {
            "grant_type": "refresh_token",
            "refresh_token": self.credentials.refresh_token,
            "client_id": self.app.client_id,
        }
        # A confidential client authenticates with HTTP Basic; a public one sends only client_id.
        auth = (self.app.client_id, self.app.client_secret) if self.app.client_secret else None
        response = send(self.client, "POST", f"{self.api_base}{TOKEN_PATH}", data=form, auth=auth)
        if response.status_code == 400:
            # X answers invalid_request (not only invalid_grant) for a used or revoked token.
            raise CredentialsDead(f"X refused the refresh token: {error_detail(response, self._secrets())}")
        if response.status_code == 401:
            # The app's own keys were refused: a settings problem, not the employee's.
            raise PermanentError(f"X refused the app's client credentials: {error_detail(response, self._secrets())}")
        self._raise(response)
        body = json_or_empty(response)
        if not body.get("access_token"):
            raise PermanentError("X refresh returned no access token")
        extra = dict(self.credentials.extra)
        if body.get("scope"):
            extra["scopes"] = str(body["scope"]).split()
        expires_in = body.get("expires_in")
        return self._replace_credentials(
            Credentials(
                access_token=body["access_token"],
                # The old refresh token is spent now; never fall back to it.
                refresh_token=body.get("refresh_token", ""),
                expires_at=datetime.now(UTC) + timedelta(seconds=int(expires_in)) if expires_in else None,
                extra=extra,
            )
        )


# -- connecting an account (OAuth 2.0 authorization code with PKCE) ------------------

AUTHORIZE_URL = "https://x.com/i/oauth2/authorize"
# offline.access brings the refresh token; without it the profile dies in two hours.
CONNECT_SCOPES = ("tweet.read", "tweet.write", "users.read", "offline.access", MEDIA_SCOPE)
REQUIRED_SCOPES = frozenset({"tweet.write", "offline.access"})


def authorize_url(
    app: AppCredentials,
    redirect_uri: str,
    state: str,
    code_challenge: str,
    scopes: tuple[str, ...] = CONNECT_SCOPES,
    *,
    authorize_base: str = AUTHORIZE_URL,
) -> str:
    params = {
        "response_type": "code",
        "client_id": app.client_id,
        "redirect_uri": redirect_uri,
        "scope": " ".join(scopes),
        "state": state,
        "code_challenge": code_challenge,
        "code_challenge_method": "S256",
    }
    return f"{authorize_base}?{urlencode(params)}"


def exchange_code(
    app: AppCredentials, code: str, redirect_uri: str, code_verifier: str, client: httpx.Client, *, api_base: str = API
) -> Credentials:
    secrets = [app.client_secret, code, code_verifier]
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect_uri,
        "code_verifier": code_verifier,
        "client_id": app.client_id,
    }
    # A confidential client authenticates with HTTP Basic; a public one sends only client_id.
    auth = (app.client_id, app.client_secret) if app.client_secret else None
    response = send(client, "POST", f"{api_base}{TOKEN_PATH}", data=form, auth=auth)
    if response.status_code in (400, 401):
        raise CredentialsDead(f"X refused the authorization: {error_detail(response, secrets)}")
    raise_for_status(response, label="X", secrets=secrets)
    body = json_or_empty(response)
    if not body.get("access_token"):
        raise PermanentError("X returned no access token")
    expires_in = body.get("expires_in")
    return Credentials(
        access_token=str(body["access_token"]),
        refresh_token=str(body.get("refresh_token") or ""),
        expires_at=datetime.now(UTC) + timedelta(seconds=int(expires_in)) if expires_in else None,
        extra={"scopes": str(body.get("scope", "")).split()},
    )


def fetch_account(credentials: Credentials, client: httpx.Client, *, api_base: str = API) -> dict[str, Any]:
    """The signed-in user: `id`, `username`, `name`, `public_metrics.followers_count`."""
    response = send(
        client,
        "GET",
        f"{api_base}/2/users/me",
        params={"user.fields": "public_metrics"},
        headers={"Authorization": f"Bearer {credentials.access_token}"},
    )
    raise_for_status(response, label="X", secrets=[credentials.access_token])
    data = json_or_empty(response).get("data") or {}
    if not data.get("id"):
        raise PermanentError("X did not say who signed in")
    return data


def profile_url(username: str) -> str:
    return f"https://x.com/{username}"
