from __future__ import annotations

import re

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from content import selectors, services
from content.forms import RejectForm, SuggestionForm
from content.models import Post
from employees.access import get_scoped_or_404, membership_required
from employees.models import Role


@membership_required(Role.COMMS)
def queue(request):
    suggestions = selectors.suggestion_list_pending(organization=request.membership.organization)
    return render(request, "content/approval_queue.html", {"suggestions": suggestions, "reject_form": RejectForm()})


@membership_required(Role.COMMS)
@require_POST
def approve(request, post_id: int):
    post = get_scoped_or_404(Post.objects.all(), request.membership, pk=post_id)
    publish = request.POST.get("publish") == "1"
    try:
        services.suggestion_approve(post=post, reviewer=request.user, publish=publish)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("content:approval_queue")
    if publish:
        messages.success(request, _("Approved and published."))
        return redirect("content:approval_queue")
    messages.success(request, _("Approved as a draft: add captions and an audience, then publish."))
    return redirect("content:post_edit", post.id)


@membership_required(Role.COMMS)
@require_POST
def reject(request, post_id: int):
    post = get_scoped_or_404(Post.objects.all(), request.membership, pk=post_id)
    form = RejectForm(request.POST)
    if form.is_valid():
        try:
            services.suggestion_reject(post=post, reviewer=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Rejected; the colleague sees your reason."))
    else:
        messages.error(request, _("Give a reason for rejecting the suggestion."))
    return redirect("content:approval_queue")


@membership_required()
@require_http_methods(["GET", "POST"])
def suggest(request):
    if request.method == "POST":
        form = SuggestionForm(request.POST)
    else:
        form = SuggestionForm(initial=_shared_to_the_app(request.GET))
    if request.method == "POST" and form.is_valid():
        services.suggestion_create(membership=request.membership, **form.cleaned_data)
        messages.success(request, _("Thank you! The communications team will look at your suggestion."))
        return redirect("content:my_suggestions")
    return render(request, "content/suggest.html", {"form": form}, status=400 if form.errors else 200)


_URL_IN_TEXT = re.compile(r"https?://\S+")


def _shared_to_the_app(params) -> dict[str, str]:
    """What a phone's share sheet sends (the web app's share target): a link and a title.

    Some apps put the link in `text` rather than `url`; the form checks it as any other.
    """
    link = params.get("url", "")[:1000]
    if not link:
        found = _URL_IN_TEXT.search(params.get("text", "")[:2000])
        link = found.group(0)[:1000] if found else ""
    return {"link_url": link, "title": params.get("title", "")[:200]}


@membership_required()
def my_suggestions(request):
    suggestions = selectors.suggestion_list_for_member(membership=request.membership)
    return render(request, "content/my_suggestions.html", {"suggestions": suggestions})
