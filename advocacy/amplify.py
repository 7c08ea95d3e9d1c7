"""Amplifying the company's own post: an employee quotes the post the company's
profile published on a network, with their own words, instead of posting a link.

A quote share is an ordinary Share (same comment rules, authenticity guard,
disclosure, claim and idempotency key) that points at the company's share it quotes
(`quoted_share`); the push hands the network the company's post to quote instead of
the tracked link.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from advocacy.models import Share
from networks import get_adapter_class
from networks import text as network_text
from networks.quoting import QuotedPost

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from content.models import Post
    from employees.models import Membership
    from networks.base import Adapter, PublishResult

# A network that cannot quote (Facebook's share dialog) gets no quote share.
QUOTING_NETWORKS = frozenset({"bluesky", "mastodon", "linkedin", "x"})


def company_posts(*, post_ids: Iterable[int]) -> QuerySet[Share]:
    """The company's shares of these posts that are out on a network and can be quoted."""
    return Share.objects.filter(
        post_id__in=list(post_ids),
        member__isnull=True,
        status=Share.Status.POSTED,
        network__in=QUOTING_NETWORKS,
        metrics_deleted=False,
    ).exclude(remote_id="")


def company_posts_by_network(*, post: Post) -> dict[str, Share]:
    """network → the company's newest quotable share of `post` there."""
    found: dict[str, Share] = {}
    for share in company_posts(post_ids=[post.id]).select_related("profile").order_by("-posted_at", "-id"):
        found.setdefault(share.network, share)
    return found


def amplifiable_post_ids(*, post_ids: Iterable[int], networks: Iterable[str] | QuerySet) -> set[int]:
    """Posts the company published on one of `networks` (the member's): the feed offers to quote them."""
    return set(company_posts(post_ids=post_ids).filter(network__in=networks).values_list("post_id", flat=True))


def quotable_networks(*, post: Post, profiles: Iterable) -> list[str]:
    """Labels of the networks where the sharer has a profile and the company posted `post`."""
    have = {profile.network: profile.get_network_display() for profile in profiles}
    return [have[network] for network in sorted(company_posts_by_network(post=post)) if network in have]


def feed_amplifiable(*, posts: list[Post], membership: Membership) -> None:
    """Set ``post.amplifiable``: the company posted it where the member has a profile. One query."""
    from employees.models import SocialProfile

    networks = SocialProfile.objects.filter(owner_membership=membership, state=SocialProfile.State.ACTIVE).values(
        "network"
    )
    found = amplifiable_post_ids(post_ids=[post.id for post in posts], networks=networks) if posts else set()
    for post in posts:
        post.amplifiable = post.id in found


def quoted_post(share: Share) -> QuotedPost:
    """What a network needs to find the company's post again."""
    server = get_adapter_class(share.network).server_of(share.profile.extra or {})
    return QuotedPost(network=share.network, remote_id=share.remote_id, url=share.remote_url, server=server)


def quote_text_for_limits(*, network: str, body: str, quoted: Share) -> str:
    """The longest text that can go out: Mastodon servers without quotes get the post's address."""
    if get_adapter_class(network).quote_may_carry_link:
        return network_text.compose(network, body, quoted.remote_url or None)
    return body


def publisher(*, adapter: Adapter, share: Share) -> Callable[..., PublishResult]:
    """The adapter call that pushes `share`: its publish, or for a quote share its quote.

    A quote takes the share's own words and idempotency key and the company's post;
    what the push passes for a link post (link, card title) does not apply to it.
    """
    if not share.quoted_share_id:
        return adapter.publish

    def publish_quote(**_link_post_arguments: Any) -> PublishResult:
        return adapter.publish_quote(
            text=share.body_text,
            quoted=quoted_post(share.quoted_share),
            idempotency_key=str(share.idempotency_key),
        )

    return publish_quote


def quote_gone_message(*, share: Share) -> str:
    return _(
        "The company's post was deleted on %(network)s, so it cannot be quoted. Share the post with its link instead."
    ) % {"network": share.profile.get_network_display()}
