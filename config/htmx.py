"""Request typing and the response rule for views that answer htmx with a partial."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest
from django.views.decorators.vary import vary_on_headers

if TYPE_CHECKING:
    from django_htmx.middleware import HtmxDetails

    from employees.models import Membership


class HtmxHttpRequest(HttpRequest):
    """A request as the middleware leaves it: htmx details and the member's membership."""

    htmx: HtmxDetails
    membership: Membership | None


# A page and its partial share one URL: without this header a cache, or the browser's
# back button after `hx-push-url`, may show the bare partial as the page.
vary_on_htmx = vary_on_headers("HX-Request")
