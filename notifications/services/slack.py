"""Slack: connecting a workspace (OAuth v2), team channels, and personal messages.

Every call goes through the official SDK's WebClient against `SLACK_API_URL` (Slack's
own fixed address; tests point it at a loopback stand-in). A revoked or invalid bot
token marks the connection broken for the admin to see; a 429 says how long to wait.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from employees.audit import audit_record
from employees.models import AuditEvent, Organization, User
from notifications.models import SlackConnection

logger = logging.getLogger(__name__)

AUTHORIZE_URL = "https://slack.com/oauth/v2/authorize"
BOT_SCOPES = ("chat:write", "chat:write.public", "im:write", "users:read", "users:read.email")
# Answers that mean the token no longer works: the admin must connect again.
DEAD_TOKEN_ERRORS = frozenset({"invalid_auth", "token_revoked", "account_inactive", "not_authed", "token_expired"})
TIMEOUT = 10


def slack_configured() -> bool:
    return bool(settings.SLACK_CLIENT_ID and settings.SLACK_CLIENT_SECRET)


def _client(token: str | None = None) -> WebClient:
    return WebClient(token=token, base_url=settings.SLACK_API_URL, timeout=TIMEOUT)


def redirect_uri() -> str:
    return settings.SITE_URL + reverse("notifications:slack_callback")


def slack_authorize_url(*, state: str) -> str:
    query = {
        "client_id": settings.SLACK_CLIENT_ID,
        "scope": ",".join(BOT_SCOPES),
        "redirect_uri": redirect_uri(),
        "state": state,
    }
    return f"{settings.SLACK_AUTHORIZE_URL}?{urlencode(query)}"


def new_state() -> str:
    return secrets.token_urlsafe(24)


def slack_connect(*, organization: Organization, code: str, actor: User) -> SlackConnection:
    """Exchange the authorization code (oauth.v2.access) and keep the bot token, encrypted."""
    try:
        answer = _client().oauth_v2_access(
            client_id=settings.SLACK_CLIENT_ID,
            client_secret=settings.SLACK_CLIENT_SECRET,
            code=code,
            redirect_uri=redirect_uri(),
        )
    except SlackApiError as exc:
        error = exc.response.get("error", "") if exc.response is not None else ""
        raise ValidationError(_("Slack refused the connection (%(error)s). Try again.") % {"error": error}) from None
    except SlackClientError:
        raise ValidationError(_("Slack could not be reached. Try again in a few minutes.")) from None
    token = answer.get("access_token") or ""
    if answer.get("token_type") != "bot" or not token:
        raise ValidationError(_("Slack did not give this app a bot token. Try again."))
    team = answer.get("team") or {}
    connection, _created = SlackConnection.objects.update_or_create(
        organization=organization,
        defaults={
            "team_id": str(team.get("id", ""))[:32],
            "team_name": str(team.get("name", ""))[:200],
            "bot_user_id": str(answer.get("bot_user_id", ""))[:32],
            "bot_token": token,
            "state": SlackConnection.State.ACTIVE,
            "problem": "",
            "connected_by": actor,
            "connected_at": timezone.now(),
        },
    )
    audit_record(organization=organization, actor=actor, action=AuditEvent.Action.SETTINGS_CHANGED, target="slack")
    return connection


def slack_disconnect(*, organization: Organization, actor: User) -> None:
    SlackConnection.objects.filter(organization=organization).delete()
    audit_record(organization=organization, actor=actor, action=AuditEvent.Action.SETTINGS_CHANGED, target="slack")


@dataclass(frozen=True)
class SlackResult:
    sent: bool = False
    retry_after: int | None = None
    error: str = ""


def _call(connection: SlackConnection, method: str, **kwargs) -> tuple[dict | None, SlackResult]:
    try:
        answer = getattr(_client(str(connection.bot_token)), method)(**kwargs)
    except SlackApiError as exc:
        response = exc.response
        if response is not None and response.status_code == 429:
            wait = response.headers.get("Retry-After") or response.headers.get("retry-after") or "30"
            try:
                seconds = max(1, min(int(wait), 3600))
            except ValueError:
                seconds = 30
            return None, SlackResult(retry_after=seconds, error="rate limited")
        error = str(response.get("error", "")) if response is not None else "failed"
        if error in DEAD_TOKEN_ERRORS:
            SlackConnection.objects.filter(pk=connection.pk).update(
                state=SlackConnection.State.BROKEN,
                problem=_("Slack no longer accepts this connection (%(error)s). Connect Slack again.")
                % {"error": error},
            )
        return None, SlackResult(error=error or "failed")
    except SlackClientError as exc:
        return None, SlackResult(retry_after=60, error=type(exc).__name__)
    except OSError as exc:
        return None, SlackResult(retry_after=60, error=type(exc).__name__)
    return answer.data if hasattr(answer, "data") else dict(answer), SlackResult(sent=True)


def post_blocks(*, title: str, text: str, image_url: str, composer_url: str, image_alt: str = "") -> list[dict]:
    """The message: the title, the picture, and a button to the composer (never a one-click share)."""
    blocks: list[dict] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": f"*{_escape(title)}*\n{_escape(text)}"}}
    ]
    if image_url:
        blocks.append({"type": "image", "image_url": image_url, "alt_text": (image_alt or title)[:2000] or "image"})
    blocks.append(
        {
            "type": "actions",
            "elements": [
                {
                    "type": "button",
                    "text": {"type": "plain_text", "text": _("Share in my own words")},
                    "url": composer_url,
                    "action_id": "open_composer",
                    "style": "primary",
                }
            ],
        }
    )
    return blocks


def _escape(text: str) -> str:
    # Slack's mrkdwn reads these three as control characters.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_post_to_channel(*, connection: SlackConnection, channel: str, title: str, blocks: list[dict]) -> SlackResult:
    if connection.state != SlackConnection.State.ACTIVE:
        return SlackResult(error="connection broken")
    _answer, result = _call(connection, "chat_postMessage", channel=channel, text=title, blocks=blocks)
    return result


def slack_user_id(*, connection: SlackConnection, email: str) -> tuple[str | None, SlackResult]:
    """The Slack user with this email (users.lookupByEmail), or the reason there is none."""
    if connection.state != SlackConnection.State.ACTIVE:
        return None, SlackResult(error="connection broken")
    answer, result = _call(connection, "users_lookupByEmail", email=email)
    if answer is None:
        return None, result
    user_id = (answer.get("user") or {}).get("id")
    if not user_id:
        return None, SlackResult(error="users_not_found")
    return user_id, result


def slack_direct_message(
    *, connection: SlackConnection, email: str, text: str, url: str, button: str = "", blocks: list[dict] | None = None
) -> SlackResult:
    """A personal message to the Slack user with this email (users.lookupByEmail, then chat.postMessage).

    Without `blocks`, the text and one button to `url` (labelled `button`, "Open my shares"
    unless told otherwise).
    """
    user_id, result = slack_user_id(connection=connection, email=email)
    if user_id is None:
        return result
    if blocks is None:
        blocks = [
            {"type": "section", "text": {"type": "mrkdwn", "text": _escape(text)}},
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "text": {"type": "plain_text", "text": button or _("Open my shares")},
                        "url": url,
                    }
                ],
            },
        ]
    _answer, result = _call(connection, "chat_postMessage", channel=user_id, text=text, blocks=blocks)
    return result
