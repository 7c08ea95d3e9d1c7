"""Microsoft Teams: a team's new posts as an Adaptive Card through an incoming webhook.

The webhook address is typed by an admin, so it is checked by the egress guard when
saved and every post to it goes through the guard's client. A 4xx answer means the
webhook was removed or changed: the route is marked broken for the admin to see.
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from config.egress import refused_message
from networks import egress

TIMEOUT = 10.0


def teams_webhook_check(url: str) -> str:
    try:
        return str(egress.check_url(url, https_only=True))
    except egress.Refused as refused:
        raise ValidationError(refused_message(refused.host)) from None
    except (egress.SchemeRefused, egress.InvalidAddress):
        raise ValidationError(_("Paste the https address of the channel's incoming webhook.")) from None


def adaptive_card(*, title: str, text: str, image_url: str, composer_url: str, image_alt: str = "") -> dict:
    """The message body incoming webhooks take: an Adaptive Card in an attachment."""
    body: list[dict] = [{"type": "TextBlock", "text": title, "weight": "Bolder", "size": "Medium", "wrap": True}]
    if text:
        body.append({"type": "TextBlock", "text": text, "wrap": True})
    if image_url:
        body.append({"type": "Image", "url": image_url, "altText": image_alt or title})
    return {
        "type": "message",
        "attachments": [
            {
                "contentType": "application/vnd.microsoft.card.adaptive",
                "contentUrl": None,
                "content": {
                    "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                    "type": "AdaptiveCard",
                    "version": "1.4",
                    "body": body,
                    "actions": [
                        {
                            "type": "Action.OpenUrl",
                            "title": _("Open in %(site)s") % {"site": settings.SITE_NAME},
                            "url": composer_url,
                        }
                    ],
                },
            }
        ],
    }


@dataclass(frozen=True)
class TeamsResult:
    sent: bool = False
    broken: bool = False
    retry_after: int | None = None
    error: str = ""


def teams_post(*, webhook: str, card: dict) -> TeamsResult:
    try:
        egress.check_url(webhook, https_only=True)
        with egress.client(timeout=httpx.Timeout(TIMEOUT)) as http:
            response = http.post(webhook, json=card)
    except (egress.Refused, egress.SchemeRefused, egress.InvalidAddress):
        return TeamsResult(broken=True, error="webhook address refused")
    except (httpx.HTTPError, egress.NetworkError, OSError) as exc:
        return TeamsResult(retry_after=60, error=type(exc).__name__)
    if response.status_code == 429:
        try:
            wait = max(1, min(int(response.headers.get("Retry-After", "30")), 3600))
        except ValueError:
            wait = 30
        return TeamsResult(retry_after=wait, error="rate limited")
    if 400 <= response.status_code < 500:
        return TeamsResult(broken=True, error=f"Teams answered {response.status_code}")
    if response.status_code >= 500:
        return TeamsResult(retry_after=60, error=f"Teams answered {response.status_code}")
    return TeamsResult(sent=True)
