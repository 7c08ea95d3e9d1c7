"""Feed sources: the comms team's list of feeds whose new items become posts."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from config.htmx import HtmxHttpRequest, vary_on_htmx
from content import feeds
from content.forms_sources import FeedSourceForm
from content.models import FeedSource
from employees.access import get_scoped_or_404, membership_required, scoped
from employees.models import Role


@membership_required(Role.COMMS)
def source_list(request):
    sources = scoped(FeedSource.objects.prefetch_related("topics"), request.membership).order_by("name")
    return render(request, "content/sources.html", {"sources": sources})


def _source_form(request, source: FeedSource | None):
    organization = request.membership.organization
    form = FeedSourceForm(request.POST or None, organization=organization, source=source)
    if request.method == "POST" and form.is_valid():
        try:
            saved = feeds.feed_source_save(organization=organization, source=source, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if source is None:
                messages.success(request, _("Source added. Checking the feed…"))
            else:
                messages.success(request, _("Source %(name)s saved.") % {"name": saved.name})
            return redirect("content:source_list")
    status = 400 if form.errors else 200
    return render(request, "content/source_form.html", {"form": form, "source": source}, status=status)


@membership_required(Role.COMMS)
@require_http_methods(["GET", "POST"])
def source_create(request):
    return _source_form(request, None)


@membership_required(Role.COMMS)
@require_http_methods(["GET", "POST"])
def source_edit(request, source_id: int):
    source = get_scoped_or_404(FeedSource.objects.all(), request.membership, pk=source_id)
    return _source_form(request, source)


@membership_required(Role.COMMS)
@require_POST
def source_delete(request, source_id: int):
    source = get_scoped_or_404(FeedSource.objects.all(), request.membership, pk=source_id)
    source.delete()
    messages.success(
        request, _("Source %(name)s deleted. Posts it created stay in the library.") % {"name": source.name}
    )
    return redirect("content:source_list")


@membership_required(Role.COMMS)
@require_POST
@vary_on_htmx
def source_poll(request: HtmxHttpRequest, source_id: int) -> HttpResponse:
    source = get_scoped_or_404(FeedSource.objects.prefetch_related("topics"), request.membership, pk=source_id)
    try:
        feeds.feed_source_poll_queue(source=source)
    except ValidationError as exc:
        notice, queued = " ".join(exc.messages), False
    else:
        notice, queued = _("Checking the feed…"), True
    if request.htmx:
        # Without a transaction around the request the poll may have run already.
        source.refresh_from_db()
        context = {"source": source, "notice": notice, "queued": queued}
        return render(request, "content/sources.html#source_row", context)
    if queued:
        messages.success(request, notice)
    else:
        messages.error(request, notice)
    return redirect("content:source_list")
