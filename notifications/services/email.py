"""Email about a new post, in the person's language, with a one-click unsubscribe.

The unsubscribe link carries a signed token (salted for this purpose alone), so it
works without a login; mail clients post to it directly (RFC 8058).
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from employees.models import Membership

UNSUBSCRIBE_SALT = "notifications.email.unsubscribe"


# The emails a link can stop besides new posts (whose token is the bare membership id).
UNSUBSCRIBE_EVENTS = frozenset({"share_failed"})


def unsubscribe_token(membership_id: int, event: str = "") -> str:
    return signing.dumps([membership_id, event] if event else membership_id, salt=UNSUBSCRIBE_SALT)


def unsubscribe_target(token: str) -> tuple[Membership | None, str]:
    """The person and the event ("" for new posts) a signed unsubscribe link stops."""
    try:
        value = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None, ""
    event = ""
    if isinstance(value, list) and len(value) == 2 and value[1] in UNSUBSCRIBE_EVENTS:
        value, event = value
    if not isinstance(value, int) or isinstance(value, bool):
        return None, ""
    return Membership.objects.select_related("user", "organization").filter(pk=value).first(), event


def membership_from_token(token: str) -> Membership | None:
    return unsubscribe_target(token)[0]


def unsubscribe_url(membership_id: int, event: str = "") -> str:
    return settings.SITE_URL + reverse("notifications:unsubscribe", args=[unsubscribe_token(membership_id, event)])


def _links(membership: Membership, event: str = "") -> dict[str, str]:
    """The links every notification email carries: preferences and its one-click unsubscribe."""
    return {
        "preferences_url": settings.SITE_URL + reverse("notifications:notification_preferences"),
        "unsubscribe_url": unsubscribe_url(membership.id, event),
    }


def unsubscribe_headers(url: str) -> dict[str, str]:
    """RFC 8058: mail clients offer an unsubscribe button that posts to the link itself."""
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def _send(*, membership: Membership, template: str, subject: str, context: dict) -> None:
    """`notifications/email/<template>.txt` and `.html` to the person, with the unsubscribe headers."""
    message = EmailMultiAlternatives(
        subject,
        render_to_string(f"notifications/email/{template}.txt", context),
        None,
        [membership.user.email],
        headers=unsubscribe_headers(context["unsubscribe_url"]),
    )
    message.attach_alternative(render_to_string(f"notifications/email/{template}.html", context), "text/html")
    message.send()


def new_post_email_send(*, membership: Membership, post) -> None:
    """Send it now, in the language active at the call (the caller sets the person's)."""
    context = {
        "membership": membership,
        "organization": membership.organization,
        "post": post,
        "site_name": settings.SITE_NAME,
        "share_url": settings.SITE_URL + reverse("advocacy:compose", args=[post.id]),
        **_links(membership),
    }
    subject = _("New post to share: %(title)s") % {"title": post.title}
    _send(membership=membership, template="new_post", subject=subject, context=context)


def daily_email_send(*, membership: Membership, posts: list) -> None:
    """Today's new posts in one email, in the language active at the call."""
    context = {
        "membership": membership,
        "organization": membership.organization,
        "posts": [
            {"title": post.title, "url": settings.SITE_URL + reverse("advocacy:compose", args=[post.id])}
            for post in posts
        ],
        "site_name": settings.SITE_NAME,
        "feed_url": settings.SITE_URL + reverse("advocacy:feed"),
        **_links(membership),
    }
    subject = _("Today's new posts on %(site)s") % {"site": settings.SITE_NAME}
    _send(membership=membership, template="daily", subject=subject, context=context)


def share_failed_email_send(*, membership: Membership, share) -> None:
    """Your share to a network failed: why, and a link to My shares; in the language active at the call."""
    context = {
        "membership": membership,
        "organization": membership.organization,
        "share": share,
        "network": share.profile.network_adapter.label,
        "reason": share.last_error or _("The network gave no reason."),
        "site_name": settings.SITE_NAME,
        "shares_url": settings.SITE_URL + reverse("advocacy:my_shares"),
        **_links(membership, "share_failed"),
    }
    subject = _("Your share to %(network)s failed") % {"network": context["network"]}
    _send(membership=membership, template="share_failed", subject=subject, context=context)
