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


def new_post_email_send(*, membership: Membership, post) -> None:
    """Send it now, in the language active at the call (the caller sets the person's)."""
    context = {
        "membership": membership,
        "organization": membership.organization,
        "post": post,
        "site_name": settings.SITE_NAME,
        "share_url": settings.SITE_URL + reverse("advocacy:compose", args=[post.id]),
        "preferences_url": settings.SITE_URL + reverse("notifications:notification_preferences"),
        "unsubscribe_url": unsubscribe_url(membership.id),
    }
    subject = _("New post to share: %(title)s") % {"title": post.title}
    message = EmailMultiAlternatives(
        subject,
        render_to_string("notifications/email/new_post.txt", context),
        None,
        [membership.user.email],
        headers={
            "List-Unsubscribe": f"<{context['unsubscribe_url']}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(render_to_string("notifications/email/new_post.html", context), "text/html")
    message.send()


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
        "preferences_url": settings.SITE_URL + reverse("notifications:notification_preferences"),
        "unsubscribe_url": unsubscribe_url(membership.id),
    }
    subject = _("Today's new posts on %(site)s") % {"site": settings.SITE_NAME}
    message = EmailMultiAlternatives(
        subject,
        render_to_string("notifications/email/daily.txt", context),
        None,
        [membership.user.email],
        headers={
            "List-Unsubscribe": f"<{context['unsubscribe_url']}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(render_to_string("notifications/email/daily.html", context), "text/html")
    message.send()


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
        "preferences_url": settings.SITE_URL + reverse("notifications:notification_preferences"),
        "unsubscribe_url": unsubscribe_url(membership.id, "share_failed"),
    }
    subject = _("Your share to %(network)s failed") % {"network": context["network"]}
    message = EmailMultiAlternatives(
        subject,
        render_to_string("notifications/email/share_failed.txt", context),
        None,
        [membership.user.email],
        headers={
            "List-Unsubscribe": f"<{context['unsubscribe_url']}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(render_to_string("notifications/email/share_failed.html", context), "text/html")
    message.send()
