"""Web push opt-in per device: the page's script posts the browser's subscription."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from employees.access import membership_required
from notifications.forms import PushSubscriptionForm
from notifications.services.push import push_subscription_delete, push_subscription_save


@membership_required()
@require_POST
def push_subscribe(request):
    form = PushSubscriptionForm(request.POST)
    if not form.is_valid():
        return JsonResponse({"error": _("The browser sent a subscription this platform cannot read.")}, status=400)
    try:
        subscription = push_subscription_save(membership=request.membership, **form.cleaned_data)
    except ValidationError as error:
        return JsonResponse({"error": " ".join(error.messages)}, status=400)
    return JsonResponse({"id": subscription.id}, status=201)


@membership_required()
@require_POST
def push_unsubscribe(request, subscription_id: int):
    if not push_subscription_delete(membership=request.membership, subscription_id=subscription_id):
        raise Http404
    messages.success(request, _("This device gets no more notifications."))
    return redirect("notifications:notification_preferences")
