"""LinkedIn company pages (Community Management API): the pages a member administers,
posting as the organization, and the page's follower count and post statistics.

The scopes need LinkedIn's approval of the app. Every call goes through the
adapter's versioned request (LinkedIn-Version and Rest.li 2.0 headers).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import quote

from networks.errors import CredentialsDead, NetworkError
from networks.http import json_or_empty

if TYPE_CHECKING:
    import httpx

    from networks.base import PostMetrics
    from networks.linkedin import LinkedInAdapter

# Post as the page, read its posts, and read its statistics and followers.
PAGE_SCOPES = ("w_organization_social", "r_organization_social", "rw_organization_admin")
PAGE_PUBLISH_SCOPE = "w_organization_social"
PAGE_STATISTICS_SCOPE = "rw_organization_admin"
# Page roles that may publish organic posts as the organization.
POSTING_ROLES = frozenset({"ADMINISTRATOR", "CONTENT_ADMINISTRATOR"})
ORGANIZATION_PREFIX = "urn:li:organization:"


@dataclass(frozen=True)
class Page:
    id: str
    name: str

    @property
    def urn(self) -> str:
        return f"{ORGANIZATION_PREFIX}{self.id}"


class PageAccessLost(CredentialsDead):
    """The connected member no longer administers the page: someone who does must reconnect it."""


def organization_id(urn: str) -> str:
    return urn.removeprefix(ORGANIZATION_PREFIX)


def administered_pages(adapter: LinkedInAdapter) -> list[Page]:
    """The pages the member may post for, with their names (`organizationAcls?q=roleAssignee`)."""
    ids = _administered_page_ids(adapter)
    names = _organization_names(adapter, ids)
    return [Page(id=i, name=names.get(i) or f"LinkedIn page {i}") for i in ids]


def _administered_page_ids(adapter: LinkedInAdapter) -> list[str]:
    response = adapter._request(
        "GET", f"{adapter.api_base}/rest/organizationAcls", params={"q": "roleAssignee", "state": "APPROVED"}
    )
    adapter._raise(response)
    ids: list[str] = []
    for element in json_or_empty(response).get("elements") or []:
        urn = str(element.get("organization") or element.get("organizationTarget") or "")
        if element.get("role") in POSTING_ROLES and urn.startswith(ORGANIZATION_PREFIX):
            ids.append(organization_id(urn))
    return list(dict.fromkeys(ids))


def _organization_names(adapter: LinkedInAdapter, ids: list[str]) -> dict[str, str]:
    if not ids:
        return {}
    # A batch get: Rest.li 2.0 wants the List(...) unencoded, so it is not passed as params.
    response = adapter._request("GET", f"{adapter.api_base}/rest/organizations?ids=List({','.join(ids)})")
    if response.status_code >= 400:
        return {}  # names are a courtesy; the ids are what matter
    results = json_or_empty(response).get("results") or {}
    return {str(key): str((value or {}).get("localizedName") or "") for key, value in results.items()}


def page_check_access(adapter: LinkedInAdapter, response: httpx.Response) -> None:
    """After a 403 acting as the page: PageAccessLost when the member lost their page role."""
    if response.status_code != 403:
        return
    try:
        page_ids = _administered_page_ids(adapter)
    except CredentialsDead:
        raise
    except NetworkError:
        return  # cannot tell: the caller keeps the original refusal
    page_id = organization_id(adapter.author)
    if page_id not in page_ids:
        raise PageAccessLost(
            f"The connected LinkedIn account no longer administers the page {page_id}; "
            "a page administrator must reconnect it"
        )


def page_followers(adapter: LinkedInAdapter) -> int:
    """The page's follower count.

    Lifetime `organizationalEntityFollowerStatistics` lists followers per segment and,
    since the versioned API, no total any more; LinkedIn's documentation points to
    `networkSizes` for the page's total, which is what is read here.
    """
    urn = quote(adapter.author, safe="")
    response = adapter._request(
        "GET", f"{adapter.api_base}/rest/networkSizes/{urn}", params={"edgeType": "COMPANY_FOLLOWED_BY_MEMBER"}
    )
    page_check_access(adapter, response)
    adapter._raise(response)
    return int(json_or_empty(response).get("firstDegreeSize") or 0)


def page_post_metrics(adapter: LinkedInAdapter, urns: list[str]) -> list[PostMetrics]:
    """Lifetime statistics of the page's posts (`organizationalEntityShareStatistics`)."""
    from networks.base import PostMetrics

    if not urns:
        return []
    shares = ",".join(quote(u, safe="") for u in urns if ":ugcPost:" not in u)
    ugc_posts = ",".join(quote(u, safe="") for u in urns if ":ugcPost:" in u)
    url = (
        f"{adapter.api_base}/rest/organizationalEntityShareStatistics?q=organizationalEntity"
        f"&organizationalEntity={quote(adapter.author, safe='')}"
    )
    if shares:
        url += f"&shares=List({shares})"
    if ugc_posts:
        url += f"&ugcPosts=List({ugc_posts})"
    response = adapter._request("GET", url)
    page_check_access(adapter, response)
    adapter._raise(response)
    found = {}
    for element in json_or_empty(response).get("elements") or []:
        urn = str(element.get("share") or element.get("ugcPost") or "")
        found[urn] = element.get("totalShareStatistics") or {}
    results = []
    for urn in urns:
        if urn not in found:
            # Statistics cover a rolling twelve months; a post missing from the answer
            # is not proof of deletion, so it is left out and its last reading kept.
            continue
        stats = found[urn]
        results.append(
            PostMetrics(
                remote_id=urn,
                likes=int(stats.get("likeCount") or 0),
                reposts=int(stats.get("shareCount") or 0),
                replies=int(stats.get("commentCount") or 0),
                impressions=int(stats.get("impressionCount") or 0),
            )
        )
    return results
