"""LinkedIn: a member's posts through the versioned REST API (Share on LinkedIn).

Metrics and followers need LinkedIn-approved scopes (r_member_postAnalytics,
r_member_profileAnalytics); without them the profile is measured by clicks only.
"""

from __future__ import annotations

import re
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
    PermanentError,
    PostMetrics,
    PublishResult,
    RetryLater,
    ScopeDenied,
    Unsupported,
    upload_each,
)
from networks.http import error_detail, json_or_empty, raise_for_status, send
from networks.linkedin_pages import (
    PAGE_SCOPES,
    PAGE_STATISTICS_SCOPE,
    page_check_access,
    page_followers,
    page_post_metrics,
)
from networks.quoting import QuotedPost, QuotedPostGone

if TYPE_CHECKING:
    from collections.abc import Sequence

    from networks.media import MediaImage

API = "https://api.linkedin.com"
# The sign-in pages and the token endpoint: `{OAUTH}/authorization`, `{OAUTH}/accessToken`.
OAUTH = "https://www.linkedin.com/oauth/v2"
OAUTH_ACCESS_URL = f"{OAUTH}/accessToken"

# LinkedIn retires API versions on a schedule. The Django side passes its setting
# as `api_version`; this default only serves callers that pass none.
DEFAULT_API_VERSION = "202510"
API_VERSION_SETTING = "LINKEDIN_API_VERSION"

POST_ANALYTICS_SCOPE = "r_member_postAnalytics"
FOLLOWERS_SCOPE = "r_member_profileAnalytics"

# memberCreatorPostAnalytics answers one post and one metric per request.
METRIC_QUERIES = {
    "REACTION": "likes",
    "COMMENT": "replies",
    "RESHARE": "reposts",
    "IMPRESSION": "impressions",
}

# Characters the `little` commentary format reserves; unescaped they are parsed
# as markup and the text can be cut short or rejected. `#` is left alone before
# a word so that hashtags stay hashtags.
_LITTLE_RESERVED = re.compile(r"([\\|{}@\[\]()<>*_~]|#(?!\w))")
# How LinkedIn says a LinkedIn-Version header is retired, unknown or missing.
_VERSION_CODES = {"NONEXISTENT_VERSION", "VERSION_MISSING", "INVALID_VERSION"}
_RETIRED_WORDS = ("not active", "nonexistent", "not supported", "missing")
_DUPLICATE_URN = re.compile(r"duplicate of (urn:li:(?:share|ugcPost):\d+)")


def reshare_body(*, author: str, commentary: str, parent: str) -> dict[str, Any]:
    """A post that reshares `parent` with the author's own words (`reshareContext.parent`)."""
    return {
        "author": author,
        "commentary": commentary,
        "visibility": "PUBLIC",
        "distribution": {"feedDistribution": "MAIN_FEED", "targetEntities": [], "thirdPartyDistributionChannels": []},
        "lifecycleState": "PUBLISHED",
        "isReshareDisabledByAuthor": False,
        "reshareContext": {"parent": parent},
    }


def _parent_gone(response: httpx.Response) -> bool:
    """LinkedIn refuses a reshare of a deleted post: 404, or a 4xx naming the missing parent."""
    if response.status_code == 404:
        return True
    if response.status_code not in (400, 422):
        return False
    message = str(json_or_empty(response).get("message", "")).lower()
    return ("parent" in message or "reshare" in message) and any(
        word in message for word in ("not found", "does not exist", "deleted", "not exist")
    )


def escape_little(text: str) -> str:
    return _LITTLE_RESERVED.sub(r"\\\1", text)


def post_url(urn: str) -> str:
    return f"https://www.linkedin.com/feed/update/{urn}/"


def scopes_of(credentials: Credentials) -> set[str]:
    scopes = credentials.extra.get("scopes") or []
    if isinstance(scopes, str):
        scopes = scopes.replace(",", " ").split()
    return set(scopes)


class LinkedInAdapter(Adapter):
    name = "linkedin"
    label = "LinkedIn"
    # One post per analytics call (and one call per metric, so 4 requests a post).
    metrics_batch_size = 1
    measured = False
    # 60-day tokens: refresh (approved partners only) a week ahead.
    refresh_margin = timedelta(days=7)
    app_settings = ("LINKEDIN_CLIENT_ID", "LINKEDIN_CLIENT_SECRET")
    # The bases are settings only so that the browser journeys can use a stand-in (e2e/standins/linkedin.py).
    settings_options = {
        "api_version": API_VERSION_SETTING,
        "api_base": "LINKEDIN_API_BASE",
        "oauth_base": "LINKEDIN_OAUTH_BASE",
    }
    # Post analytics and follower counts need scopes LinkedIn grants to approved apps:
    # asking for them without approval makes LinkedIn refuse the whole sign-in.
    connect_settings = {
        "api_version": API_VERSION_SETTING,
        "extra_scopes": "LINKEDIN_EXTRA_SCOPES",
        "api_base": "LINKEDIN_API_BASE",
        "oauth_base": "LINKEDIN_OAUTH_BASE",
    }
    reports_impressions = True
    metrics_need_approval = True
    company_page_choice = True

    def __init__(
        self,
        credentials: Credentials,
        app: AppCredentials | None = None,
        client: httpx.Client | None = None,
        *,
        api_version: str = DEFAULT_API_VERSION,
        api_base: str = API,
        oauth_base: str = OAUTH,
    ) -> None:
        super().__init__(credentials, app, client)
        self.api_version = api_version
        self.api_base = api_base.rstrip("/")
        self.oauth_base = oauth_base.rstrip("/")
        self.measured = POST_ANALYTICS_SCOPE in scopes_of(credentials) or self._page_measured()

    @property
    def is_page(self) -> bool:
        """A company page (posts as `urn:li:organization:{id}`), not a member."""
        return bool(self.credentials.extra.get("organization_urn"))

    def _page_measured(self) -> bool:
        return self.is_page and PAGE_STATISTICS_SCOPE in scopes_of(self.credentials)

    @property
    def author(self) -> str:
        urn = self.credentials.extra.get("organization_urn") or self.credentials.extra.get("person_urn")
        if not urn:
            sub = self.credentials.extra.get("sub")
            if not sub:
                raise PermanentError("LinkedIn profile has no person URN; reconnect it")
            urn = f"urn:li:person:{sub}"
        return urn

    def _headers(self) -> dict[str, str]:
        return {
            "Authorization": f"Bearer {self.credentials.access_token}",
            "LinkedIn-Version": self.api_version,
            "X-Restli-Protocol-Version": "2.0.0",
        }

    def _request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        response = send(self.client, method, url, headers=self._headers(), **kwargs)
        self._raise_for_version(response)
        return response

    def _raise_for_version(self, response: httpx.Response) -> None:
        if response.status_code < 400:
            return
        body = json_or_empty(response)
        code = str(body.get("code", ""))
        message = str(body.get("message", "")).lower()
        retired = "version" in message and any(w in message for w in _RETIRED_WORDS)
        if response.status_code == 426 or code in _VERSION_CODES or retired:
            raise PermanentError(
                f"LinkedIn API version {self.api_version} is not active "
                f"({response.status_code} {code}). Set {API_VERSION_SETTING} to a "
                "currently supported YYYYMM version."
            )

    def _raise(self, response: httpx.Response) -> None:
        raise_for_status(response, label=self.label, secrets=self._secrets())

    # -- publish ---------------------------------------------------------------

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
        # LinkedIn has no idempotency key; a retried create is caught by its
        # duplicate-content check instead (see below).
        body: dict[str, Any] = {
            "author": self.author,
            "commentary": escape_little(text_rules.compose(self.name, text, link)),
            "visibility": "PUBLIC",
            "distribution": {
                "feedDistribution": "MAIN_FEED",
                "targetEntities": [],
                "thirdPartyDistributionChannels": [],
            },
            "lifecycleState": "PUBLISHED",
            "isReshareDisabledByAuthor": False,
        }
        if link:
            images = images[:1]  # the card shows one picture
        # Uploaded before the post: an image refused leaves nothing half-posted.
        image_urns = upload_each(images, self._upload_image)
        content = _post_content(link, link_title, link_description, images, image_urns)
        if content:
            body["content"] = content

        response = self._request("POST", f"{self.api_base}/rest/posts", json=body)
        if self.is_page:
            page_check_access(self, response)
        if response.status_code == 422:
            # A retry of a post that went through: LinkedIn names the existing post.
            found = _DUPLICATE_URN.search(str(json_or_empty(response).get("message", "")))
            if found:
                return PublishResult(found.group(1), post_url(found.group(1)))
            if "duplicate" in response.text.lower():
                raise DuplicateContent(f"LinkedIn: {error_detail(response, self._secrets())}")
        self._raise(response)
        urn = response.headers.get("x-restli-id", "")
        if not urn:
            raise PermanentError("LinkedIn accepted the post but returned no post id")
        return PublishResult(urn, post_url(urn))

    def _upload_image(self, image: MediaImage) -> str:
        init = self._request(
            "POST",
            f"{self.api_base}/rest/images",
            params={"action": "initializeUpload"},
            json={"initializeUploadRequest": {"owner": self.author}},
        )
        self._raise(init)
        value = json_or_empty(init).get("value", {})
        upload_url, image_urn = value.get("uploadUrl"), value.get("image")
        if not upload_url or not image_urn:
            raise PermanentError("LinkedIn returned no image upload URL")
        headers = {"Authorization": f"Bearer {self.credentials.access_token}", "Content-Type": image.mime}
        uploaded = send(self.client, "PUT", upload_url, headers=headers, content=image.data)
        self._raise(uploaded)
        return str(image_urn)

    # -- quote (a reshare with commentary) ----------------------------------------

    def publish_quote(self, *, text: str, quoted: QuotedPost, idempotency_key: str) -> PublishResult:
        body = reshare_body(author=self.author, commentary=escape_little(text), parent=quoted.remote_id)
        response = self._request("POST", f"{self.api_base}/rest/posts", json=body)
        if response.status_code == 422:
            found = _DUPLICATE_URN.search(str(json_or_empty(response).get("message", "")))
            if found:
                return PublishResult(found.group(1), post_url(found.group(1)))
        if _parent_gone(response):
            raise QuotedPostGone(f"LinkedIn: the post to reshare is gone ({error_detail(response, self._secrets())})")
        self._raise(response)
        urn = response.headers.get("x-restli-id", "")
        if not urn:
            raise PermanentError("LinkedIn accepted the reshare but returned no post id")
        return PublishResult(urn, post_url(urn))

    # -- metrics ---------------------------------------------------------------

    def fetch_metrics(self, remote_ids: list[str]) -> list[PostMetrics]:
        self._check_batch(remote_ids)
        if self.is_page and self.measured:
            return page_post_metrics(self, remote_ids)
        if not self.measured:
            raise Unsupported(
                f"LinkedIn post metrics need the {POST_ANALYTICS_SCOPE} scope; "
                "this profile is measured by link clicks only"
            )
        return [self._metrics_of(urn) for urn in remote_ids]

    def _metrics_of(self, urn: str) -> PostMetrics:
        values: dict[str, int] = {}
        for query_type, field_name in METRIC_QUERIES.items():
            response = self._request("GET", self._analytics_url(urn, query_type))
            if response.status_code == 404:
                return PostMetrics(remote_id=urn, deleted=True)
            self._raise(response)
            elements = json_or_empty(response).get("elements") or []
            values[field_name] = sum(int(e.get("count") or 0) for e in elements)
        return PostMetrics(remote_id=urn, **values)

    def _analytics_url(self, urn: str, query_type: str) -> str:
        # Rest.li 2.0 wants the URN percent-encoded inside an unencoded `(share:…)`
        # tuple; httpx `params` would encode the parentheses too, so build it here.
        kind = "ugc" if ":ugcPost:" in urn else "share"
        entity = f"({kind}:{quote(urn, safe='')})"
        return (
            f"{self.api_base}/rest/memberCreatorPostAnalytics"
            f"?q=entity&entity={entity}&queryType={query_type}&aggregation=TOTAL"
        )

    # -- audience --------------------------------------------------------------

    def fetch_audience(self) -> Audience:
        if self._page_measured():
            return Audience(followers=page_followers(self))
        if FOLLOWERS_SCOPE not in scopes_of(self.credentials):
            raise Unsupported(
                f"LinkedIn follower counts need the {FOLLOWERS_SCOPE} scope, "
                "which LinkedIn grants to approved apps only"
            )
        response = self._request("GET", f"{self.api_base}/rest/memberFollowersCount", params={"q": "me"})
        self._raise(response)
        elements = json_or_empty(response).get("elements") or [{}]
        return Audience(followers=int(elements[0].get("memberFollowersCount") or 0))

    # -- tokens ----------------------------------------------------------------

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
        options = options or {}
        base = options.get("oauth_base") or OAUTH
        if options.get("company"):
            # The company's LinkedIn presence is its page: post and read statistics as the organization.
            return authorize_url(app, redirect_uri, state, list(PAGE_SCOPES), oauth_base=base)
        extra = str(options.get("extra_scopes") or "").replace(",", " ").split()
        scopes = list(dict.fromkeys([*CONNECT_SCOPES, *extra]))
        return authorize_url(app, redirect_uri, state, scopes, oauth_base=base)

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
        options = options or {}
        api_base = options.get("api_base") or API
        oauth_base = options.get("oauth_base") or OAUTH
        credentials = exchange_code(app, code, redirect_uri, client, oauth_base=oauth_base)
        if PUBLISH_SCOPE not in scopes_of(credentials):
            raise ScopeDenied("LinkedIn granted no posting")
        member = fetch_member(credentials, client, api_base=api_base)
        credentials.extra |= {"sub": member["sub"], "person_urn": f"urn:li:person:{member['sub']}"}
        adapter = cls(
            credentials,
            app,
            client,
            api_version=options.get("api_version") or DEFAULT_API_VERSION,
            api_base=api_base,
            oauth_base=oauth_base,
        )
        try:
            followers: int | None = adapter.fetch_audience().followers
        except (Unsupported, RetryLater):
            followers = None
        name = str(member.get("name") or "")
        return ConnectedAccount(
            credentials=credentials,
            remote_id=str(member["sub"]),
            handle=name,
            display_name=name,
            followers=followers,
            clicks_only=not adapter.measured,
        )

    def refresh(self) -> Credentials:
        if not self.credentials.refresh_token or self.app is None:
            # Refresh tokens go to approved partners only: everyone else reconnects.
            raise CredentialsDead("LinkedIn gave this app no refresh token; reconnect the profile")
        response = send(
            self.client,
            "POST",
            f"{self.oauth_base}/accessToken",
            data={
                "grant_type": "refresh_token",
                "refresh_token": self.credentials.refresh_token,
                "client_id": self.app.client_id,
                "client_secret": self.app.client_secret,
            },
        )
        if response.status_code in (400, 401):
            raise CredentialsDead(f"LinkedIn refused the refresh: {error_detail(response, self._secrets())}")
        self._raise(response)
        body = json_or_empty(response)
        expires_in = body.get("expires_in")
        return self._replace_credentials(
            self.credentials.with_tokens(
                access_token=body["access_token"],
                refresh_token=body.get("refresh_token") or self.credentials.refresh_token,
                expires_at=datetime.now(UTC) + timedelta(seconds=int(expires_in)) if expires_in else None,
            )
        )


def _post_content(
    link: str | None, title: str, description: str, images: Sequence[MediaImage], urns: list[str]
) -> dict[str, Any] | None:
    """The post's `content`: an article card (the first image as its thumbnail), one image, or several."""
    if link:
        # The Posts API does not scrape the page: the card shows what we send.
        article: dict[str, Any] = {"source": link, "title": title or link}
        if description:
            article["description"] = description
        if urns:
            article["thumbnail"] = urns[0]
        return {"article": article}
    if len(urns) == 1:
        return {"media": {"id": urns[0], "altText": images[0].alt}}
    if urns:
        return {
            "multiImage": {
                "images": [{"id": urn, "altText": image.alt} for urn, image in zip(urns, images, strict=True)]
            }
        }
    return None


# -- connecting a member (OpenID Connect sign-in + Share on LinkedIn) ----------------

AUTHORIZE_URL = f"{OAUTH}/authorization"
USERINFO_PATH = "/v2/userinfo"
# Sign-in (openid, profile) gives the member's id; w_member_social allows posting.
CONNECT_SCOPES = ("openid", "profile", "w_member_social")
PUBLISH_SCOPE = "w_member_social"


def authorize_url(
    app: AppCredentials, redirect_uri: str, state: str, scopes: list[str] | tuple[str, ...], *, oauth_base: str = OAUTH
) -> str:
    params = {
        "response_type": "code",
        "client_id": app.client_id,
        "redirect_uri": redirect_uri,
        "state": state,
        "scope": " ".join(scopes),
    }
    return f"{oauth_base.rstrip('/')}/authorization?{urlencode(params)}"


def exchange_code(
    app: AppCredentials, code: str, redirect_uri: str, client: httpx.Client, *, oauth_base: str = OAUTH
) -> Credentials:
    """The member's tokens for an authorization code (refresh token: approved partners only)."""
    secrets = [app.client_secret, code]
    response = send(
        client,
        "POST",
        f"{oauth_base.rstrip('/')}/accessToken",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "client_id": app.client_id,
            "client_secret": app.client_secret,
        },
    )
    if response.status_code in (400, 401):
        raise CredentialsDead(f"LinkedIn refused the authorization: {error_detail(response, secrets)}")
    raise_for_status(response, label="LinkedIn", secrets=secrets)
    body = json_or_empty(response)
    if not body.get("access_token"):
        raise PermanentError("LinkedIn returned no access token")
    expires_in = body.get("expires_in")
    scopes = str(body.get("scope", "")).replace(",", " ").split()
    return Credentials(
        access_token=str(body["access_token"]),
        refresh_token=str(body.get("refresh_token") or ""),
        expires_at=datetime.now(UTC) + timedelta(seconds=int(expires_in)) if expires_in else None,
        extra={"scopes": scopes},
    )


def fetch_member(credentials: Credentials, client: httpx.Client, *, api_base: str = API) -> dict[str, Any]:
    """The signed-in member (OpenID Connect userinfo): `sub`, `name`, `picture`."""
    url = f"{api_base.rstrip('/')}{USERINFO_PATH}"
    response = send(client, "GET", url, headers={"Authorization": f"Bearer {credentials.access_token}"})
    raise_for_status(response, label="LinkedIn", secrets=[credentials.access_token])
    body = json_or_empty(response)
    if not body.get("sub"):
        raise PermanentError("LinkedIn did not say who signed in")
    return body
