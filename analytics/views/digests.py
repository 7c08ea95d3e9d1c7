"""Unsubscribing from the weekly digests: a signed link, no login needed."""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from analytics.models import DigestOptOut
from analytics.services.digests import digests_resubscribe, digests_unsubscribe, membership_from_token


# The signed token is the permission; mail clients' one-click unsubscribe (RFC 8058)
# posts without a CSRF token, and the only thing it can do is stop an email.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    membership = membership_from_token(token)
    if membership is None:
        return render(request, "analytics/unsubscribe.html", {"invalid": True}, status=404)
    if request.method == "POST":
        if request.POST.get("action") == "resubscribe":
            digests_resubscribe(membership=membership)
        else:
            digests_unsubscribe(membership=membership)
    context = {
        "membership": membership,
        "token": token,
        "unsubscribed": DigestOptOut.objects.filter(membership=membership).exists(),
    }
    return render(request, "analytics/unsubscribe.html", context)
