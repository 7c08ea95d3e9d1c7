from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from advocacy import selectors, services
from advocacy.models import Share
from config.htmx import HtmxHttpRequest, vary_on_htmx
from employees.access import get_scoped_or_404, membership_required

SHARES_PER_PAGE = 25


@membership_required()
@require_GET
@vary_on_htmx
def my_shares(request: HtmxHttpRequest) -> HttpResponse:
    page = Paginator(selectors.share_list_for_member(membership=request.membership), SHARES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    pending = any(not share.is_final for share in page.object_list)
    context = {"page": page, "pending": pending}
    if request.htmx and request.htmx.target == "share-list":
        return render(request, "advocacy/my_shares.html#share_list", context)
    return render(request, "advocacy/my_shares.html", context)


@membership_required()
@require_POST
def share_retry(request, share_id: int):
    share = get_scoped_or_404(Share.objects.filter(member=request.membership), request.membership, pk=share_id)
    try:
        services.share_retry(share=share)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Trying again."))
    return redirect("advocacy:my_shares")
