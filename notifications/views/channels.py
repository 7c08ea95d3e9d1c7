"""Admins connect Slack and say where each team's new posts go; Slack's own requests."""

from __future__ import annotations

import json
import logging

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from slack_sdk.signature import SignatureVerifier

from employees.access import membership_required
from employees.models import Role, Team
from notifications.models import SlackConnection, TeamChannel
from notifications.services import routes, slack

logger = logging.getLogger(__name__)
_STATE_KEY = "slack_oauth_state"


@membership_required(Role.ADMIN)
def team_channels(request):
    organization = request.membership.organization
    teams = list(Team.objects.filter(organization=organization).order_by("name"))
    existing = {route.team_id: route for route in TeamChannel.objects.filter(organization=organization)}
    errors: dict[str, str] = {}
    if request.method == "POST":
        wanted: dict[int, tuple[str, str | None]] = {}
        for team in teams:
            channel = request.POST.get(f"slack-{team.id}", "")[:100]
            webhook = request.POST.get(f"teams-{team.id}", "")[:1000]
            clear = request.POST.get(f"teams-clear-{team.id}") == "on"
            try:
                channel = routes.slack_channel_clean(channel)
            except ValidationError as error:
                errors[f"slack-{team.id}"] = " ".join(error.messages)
            try:
                webhook = routes.teams_webhook_clean(webhook) if webhook.strip() else ("" if clear else None)
            except ValidationError as error:
                errors[f"teams-{team.id}"] = " ".join(error.messages)
            wanted[team.id] = (channel, webhook)
        if not errors:
            routes.team_channels_save(organization=organization, routes=wanted, actor=request.user)
            messages.success(request, _("Team channels saved."))
            return redirect("notifications:team_channels")
    rows = [
        {
            "team": team,
            "route": existing.get(team.id),
            "slack_value": request.POST.get(f"slack-{team.id}", "")
            if request.method == "POST"
            else getattr(existing.get(team.id), "slack_channel", ""),
            "slack_error": errors.get(f"slack-{team.id}", ""),
            "teams_error": errors.get(f"teams-{team.id}", ""),
        }
        for team in teams
    ]
    context = {
        "rows": rows,
        "connection": SlackConnection.objects.filter(organization=organization).first(),
        "slack_configured": slack.slack_configured(),
    }
    return render(request, "notifications/team_channels.html", context, status=400 if errors else 200)


@membership_required(Role.ADMIN)
def slack_connect(request):
    if not slack.slack_configured():
        messages.error(request, _("Slack is not set up on this server (SLACK_CLIENT_ID and SLACK_CLIENT_SECRET)."))
        return redirect("notifications:team_channels")
    state = slack.new_state()
    request.session[_STATE_KEY] = state
    return HttpResponseRedirect(slack.slack_authorize_url(state=state))


@membership_required(Role.ADMIN)
def slack_callback(request):
    expected = request.session.pop(_STATE_KEY, None)
    if not expected or request.GET.get("state") != expected:
        messages.error(request, _("This Slack sign-in expired or was not started here. Nothing was connected."))
        return redirect("notifications:team_channels")
    if request.GET.get("error") or not request.GET.get("code"):
        messages.error(request, _("Slack was not connected: the permission was not given."))
        return redirect("notifications:team_channels")
    try:
        connection = slack.slack_connect(
            organization=request.membership.organization, code=request.GET["code"][:500], actor=request.user
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("notifications:team_channels")
    messages.success(request, _("Slack workspace %(name)s connected.") % {"name": connection.team_name})
    return redirect("notifications:team_channels")


@membership_required(Role.ADMIN)
@require_POST
def slack_disconnect(request):
    slack.slack_disconnect(organization=request.membership.organization, actor=request.user)
    messages.success(request, _("Slack disconnected."))
    return redirect("notifications:team_channels")


# Exempt from CSRF on purpose: Slack's servers post here with no session. Slack's
# request signature (HMAC with the signing secret over the timestamp and body, at
# most five minutes old) is the check instead, and nothing is done without it.
@csrf_exempt
@require_POST
def slack_events(request):
    verifier = SignatureVerifier(settings.SLACK_SIGNING_SECRET) if settings.SLACK_SIGNING_SECRET else None
    if verifier is None or not verifier.is_valid_request(request.body, dict(request.headers)):
        return HttpResponse(status=401)
    if request.content_type == "application/json":
        try:
            payload = json.loads(request.body)
        except ValueError:
            return HttpResponse(status=400)
        if isinstance(payload, dict) and payload.get("type") == "url_verification":
            return JsonResponse({"challenge": str(payload.get("challenge", ""))[:200]})
    # Button clicks open the composer in the browser; Slack only needs to hear "received".
    return HttpResponse(status=200)
