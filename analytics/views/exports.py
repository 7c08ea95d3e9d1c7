"""CSV exports of the dashboard's tables, streamed, and recorded in the audit log."""

from __future__ import annotations

import csv

from django.http import Http404, HttpResponse, StreamingHttpResponse

from analytics.forms import filters_from, too_small_note
from analytics.selectors import dashboard as figures
from analytics.selectors.exports import TABLES, export_table
from analytics.selectors.scope import scope_for
from analytics.selectors.settings import analytics_settings_get
from config.params import id_param
from content.models import Post
from employees.access import get_scoped_or_404, membership_required
from employees.audit import audit_record
from employees.models import AuditEvent, Role

# A cell starting with one of these is a formula to a spreadsheet: names and titles
# come from people, so such cells get a leading apostrophe.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class _Echo:
    def write(self, value: str) -> str:
        return value


def _safe(value) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    if value is None:
        return ""
    return value


def _stream(table):
    writer = csv.writer(_Echo())
    yield "\ufeff"  # so that spreadsheet programs read the file as UTF-8
    yield writer.writerow(table.header)
    for row in table.rows:
        yield writer.writerow([_safe(value) for value in row])


@membership_required(Role.MANAGER, Role.COMMS, Role.ADMIN)
def export(request, table: str):
    if table not in TABLES:
        raise Http404
    membership = request.membership
    rules = analytics_settings_get(organization_id=membership.organization_id)
    if table == "leaderboard" and not rules.leaderboard_enabled:
        raise Http404
    post = None
    if table == "post_shares":
        post_id = id_param(request.GET.get("post"))
        if post_id is None:
            raise Http404
        post = get_scoped_or_404(Post.objects.all(), membership, pk=post_id)
    scope = scope_for(membership)
    filters, _form = filters_from(request.GET, scope=scope, organization=membership.organization)
    min_size = figures.team_too_small(scope, filters, rules)
    if min_size is not None:
        return HttpResponse(too_small_note(min_size), status=400, content_type="text/plain; charset=utf-8")
    audit_record(
        organization=membership.organization_id,
        actor=request.user,
        action=AuditEvent.Action.DATA_EXPORTED,
        target=f"analytics: {table}",
        detail={"table": table, **filters.query(), **({"post": post.id} if post else {})},
    )
    response = StreamingHttpResponse(
        _stream(export_table(table, scope=scope, filters=filters, post=post)), content_type="text/csv; charset=utf-8"
    )
    name = f"{table}-{filters.start.isoformat()}-{filters.end.isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response
