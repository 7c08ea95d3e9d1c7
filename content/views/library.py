from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from advocacy import selectors as share_selectors
from advocacy.echo import posts_echo
from config.htmx import HtmxHttpRequest, vary_on_htmx
from config.params import id_param, id_params
from content import selectors, services
from content.models import Post
from employees.access import get_scoped_or_404, membership_required, scoped
from employees.models import Role, Team

POSTS_PER_PAGE = 25


def _int_or_none(value: str | None) -> int | None:
    return id_param(value)


@membership_required(Role.COMMS)
@require_GET
@vary_on_htmx
def library(request: HtmxHttpRequest) -> HttpResponse:
    organization = request.membership.organization
    filters = {
        "query": request.GET.get("q", "").replace("\x00", "").strip()[:100],
        "status": request.GET.get("status", "") if request.GET.get("status") in Post.Status.values else "",
        "source": request.GET.get("source", "") if request.GET.get("source") in Post.Source.values else "",
        "topic_id": _int_or_none(request.GET.get("topic")),
        "team_id": _int_or_none(request.GET.get("team")),
    }
    posts = selectors.post_list_for_library(organization=organization, **filters)
    page = Paginator(posts, POSTS_PER_PAGE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    echoes = posts_echo(organization_id=organization.id, post_ids=[post.id for post in page.object_list])
    for post in page.object_list:
        post.echo = echoes.get(post.id)
    context = {
        "page": page,
        "filters": filters,
        "statuses": [choice for choice in Post.Status.choices if choice[0] not in ("pending_approval", "rejected")],
        "sources": Post.Source.choices,
        "topics": selectors.topic_list(organization=organization),
        "teams": Team.objects.filter(organization=organization).order_by("name"),
        "counts": selectors.status_counts(organization=organization),
    }
    is_table_refresh = request.htmx and request.htmx.target == "post-table"
    return render(request, "content/library.html#post_table" if is_table_refresh else "content/library.html", context)


@membership_required(Role.COMMS)
@require_POST
def bulk_action(request):
    ids = id_params(request.POST.getlist("post"))
    posts = scoped(Post.objects.filter(pk__in=ids), request.membership)
    if request.POST.get("action") == "archive" and ids:
        count = services.posts_archive(posts=posts, actor=request.user)
        messages.success(
            request, ngettext("%(count)d post archived.", "%(count)d posts archived.", count) % {"count": count}
        )
    else:
        messages.error(request, _("Select posts and an action first."))
    return redirect("content:library")


@membership_required(Role.COMMS)
def post_detail(request, post_id: int):
    post = get_scoped_or_404(
        selectors.post_get_with_captions(Post.objects.select_related("created_by")), request.membership, pk=post_id
    )
    shares = Paginator(share_selectors.share_list_for_post(post=post), 50).get_page(request.GET.get("page"))
    echo = posts_echo(organization_id=post.organization_id, post_ids=[post.id]).get(post.id)
    return render(request, "content/post_detail.html", {"post": post, "page": shares, "echo": echo})
