"""Unsubscribing from new-post or failed-share emails: a signed link, no login needed."""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from notifications.models import Channel, EmailFrequency, Event
from notifications.selectors import preferences_for
from notifications.services.email import unsubscribe_target
from notifications.services.preferences import preferences_unsubscribe_email, preferences_unsubscribe_event_email


# Exempt from CSRF on purpose, and only this view: a mail client's one-click
# unsubscribe (RFC 8058) posts here with no session and no CSRF token. The salted
# signature in the URL is the permission, and all a forged post could do is stop
# the emails of the person the link was sent to.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    membership, event = unsubscribe_target(token)
    if membership is None:
        return render(request, "notifications/unsubscribe.html", {"invalid": True}, status=404)
    if request.method == "POST":
        if event:
            preferences_unsubscribe_event_email(membership=membership, event=event)
        else:
            preferences_unsubscribe_email(membership=membership)
    wanted = preferences_for(membership=membership)
    context = {
        "membership": membership,
        "failed_shares": event == Event.SHARE_FAILED,
        "unsubscribed": not wanted.wants(event, Channel.EMAIL)
        if event
        else wanted.new_post_email == EmailFrequency.OFF,
    }
    return render(request, "notifications/unsubscribe.html", context)
