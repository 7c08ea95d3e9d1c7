"""Employees' own posts: the editor as the dial allows it, the approval queue, the takedown."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from content import authoring
from content.dial import dial_of
from content.forms import ImagesForm, PostForm, RejectForm
from content.models import Post
from content.views.editor import _attach_errors
from employees.access import get_scoped_or_404, membership_required
from employees.models import Role

# What an employee's post has of the comms team's editor.
AUTHOR_FIELDS = ("title", "body", "link_url", "topics", "audience_teams")


def _author_form(*args, membership, **kwargs) -> PostForm:
    form = PostForm(*args, organization=membership.organization, **kwargs)
    for name in list(form.fields):
        if name not in AUTHOR_FIELDS:
            del form.fields[name]
    form.fields["body"].label = _("What you want to say")
    form.fields["audience_teams"].queryset = authoring.author_teams(membership=membership)
    form.fields["audience_teams"].help_text = _("Leave empty for the whole organization, or choose your teams.")
    return form


def _author_editor(request, post: Post | None):
    membership = request.membership
    dial = dial_of(membership.organization)
    if not dial.employees_write:
        messages.info(request, _("Your communications team writes the posts for now; you can suggest a link."))
        return redirect("content:suggest")
    existing_images = list(post.images.all()) if post else []
    status = 200
    if request.method == "POST":
        form = _author_form(request.POST, request.FILES, instance=post, membership=membership)
        images = ImagesForm(request.POST, request.FILES, existing=existing_images)
        if form.is_valid() & images.is_valid():
            data = form.cleaned_data
            try:
                saved = authoring.employee_post_save(
                    membership=membership,
                    post=post,
                    title=data["title"],
                    body=data["body"],
                    link_url=data["link_url"],
                    images=images.slots(),
                    topics=data["topics"],
                    audience_teams=data["audience_teams"],
                )
            except ValidationError as exc:
                _attach_errors(exc, form, None, images)
            else:
                if saved.status == Post.Status.PUBLISHED:
                    messages.success(request, _("Published: your colleagues see it in their feed now."))
                else:
                    messages.success(request, _("Sent for approval: you see here when it is published."))
                return redirect("content:my_posts")
        status = 400
    else:
        form = _author_form(instance=post, membership=membership)
        images = ImagesForm(existing=existing_images)
    context = {"post": post, "form": form, "images": images, "author_mode": True, "dial": dial}
    return render(request, "content/editor.html", context, status=status)


@membership_required(Role.EMPLOYEE)
@require_http_methods(["GET", "POST"])
def write(request):
    return _author_editor(request, None)


@membership_required(Role.EMPLOYEE)
@require_http_methods(["GET", "POST"])
def write_edit(request, post_id: int):
    posts = authoring.member_posts(membership=request.membership).filter(status__in=authoring.EDITABLE)
    post = get_scoped_or_404(posts.prefetch_related("topics", "audience_teams"), request.membership, pk=post_id)
    return _author_editor(request, post)


@membership_required(Role.EMPLOYEE)
def my_posts(request):
    posts = authoring.member_posts(membership=request.membership)
    context = {"posts": posts, "dial": dial_of(request.membership.organization), "editable": authoring.EDITABLE}
    return render(request, "content/my_posts.html", context)


@membership_required(Role.COMMS, Role.MANAGER)
def post_queue(request):
    posts = authoring.reviewable_posts(membership=request.membership).prefetch_related("images")
    context = {"posts": posts, "reject_form": RejectForm(), "dial": dial_of(request.membership.organization)}
    return render(request, "content/post_queue.html", context)


def _reviewable_or_404(request, post_id: int) -> Post:
    return get_scoped_or_404(authoring.reviewable_posts(membership=request.membership), request.membership, pk=post_id)


@membership_required(Role.COMMS, Role.MANAGER)
@require_POST
def post_queue_approve(request, post_id: int):
    post = _reviewable_or_404(request, post_id)
    try:
        authoring.employee_post_approve(post=post, reviewer=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Approved and published to the author's audience."))
    return redirect("content:post_queue")


@membership_required(Role.COMMS, Role.MANAGER)
@require_POST
def post_queue_reject(request, post_id: int):
    post = _reviewable_or_404(request, post_id)
    form = RejectForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a reason, so the author can change the post."))
        return redirect("content:post_queue")
    try:
        authoring.employee_post_reject(post=post, reviewer=request.user, reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Sent back; the author sees your reason."))
    return redirect("content:post_queue")


@membership_required(Role.COMMS)
@require_POST
def post_takedown(request, post_id: int):
    post = get_scoped_or_404(Post.objects.select_related("created_by"), request.membership, pk=post_id)
    if post.source != Post.Source.COLLEAGUE:
        raise Http404
    try:
        kept = authoring.employee_post_take_down(post=post, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Taken down: the post no longer shows in anyone's feed."))
        if kept:
            messages.info(
                request,
                ngettext(
                    "%(count)s share by a colleague stays on its network: Chorus does not delete posts "
                    "from employees' own profiles. Ask them to remove it there if needed.",
                    "%(count)s shares by colleagues stay on their networks: Chorus does not delete posts "
                    "from employees' own profiles. Ask them to remove them there if needed.",
                    kept,
                )
                % {"count": kept},
            )
    if request.membership.has_role(Role.EMPLOYEE):
        return redirect("advocacy:feed")
    return redirect("content:post_detail", post.id)
