from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from content import selectors, services
from content.compliance import compliance_for
from content.dial import dial_of
from content.forms import CaptionFormSet, ComplianceForm, ImagesForm, PostForm, ScheduleForm, TopicForm
from content.models import ComplianceEvent, Post
from employees.access import get_scoped_or_404, membership_required, scoped
from employees.models import Role
from networks import NETWORK_CHOICES, text


def caption_lengths(caption: str, link: str) -> list[dict]:
    """The caption as each network counts it, with the link it will carry."""
    rows = []
    for network, label in NETWORK_CHOICES:
        composed = text.compose(network, caption, link or None)
        limit = text.limit(network)
        count = text.count(network, composed)
        over = bool(limit and count > limit)
        rows.append({"network": network, "label": label, "count": count, "limit": limit, "over": over})
    return rows


def _attach_errors(exc: ValidationError, form, schedule, images) -> None:
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for field, errors in exc.error_dict.items():
        if field == "images":
            images.add_error(None, errors)
        elif field in form.fields:
            form.add_error(field, errors)
        elif schedule is not None and field in schedule.fields:
            schedule.add_error(field, errors)
        else:
            form.add_error(None, errors)


_DONE_MESSAGES = {
    "schedule": gettext_lazy("Scheduled."),
    "publish": gettext_lazy("Published: employees in the audience see it in their feed now."),
    "save": gettext_lazy("Saved."),
}


def _editor(request, post: Post | None):
    organization = request.membership.organization
    dial = dial_of(organization)
    action = request.POST.get("action", "save")
    existing_images = list(post.images.all()) if post else []
    if request.method == "POST":
        form = PostForm(request.POST, request.FILES, instance=post, organization=organization)
        images = ImagesForm(request.POST, request.FILES, existing=existing_images)
        # With the dial at distributed the editor offers no captions: those a post has are kept.
        captions = CaptionFormSet(request.POST, prefix="captions") if dial.captions_offered else None
        schedule = ScheduleForm(request.POST) if action == "schedule" else ScheduleForm()
        valid = form.is_valid() & images.is_valid() & (captions is None or captions.is_valid())
        valid &= action != "schedule" or schedule.is_valid()
        if valid:
            data = form.cleaned_data
            if captions is None:
                rows = [(caption.network, caption.text) for caption in post.captions.all()] if post else []
            else:
                rows = [(row["network"], row["text"]) for row in captions.cleaned_data if row]
            try:
                saved = services.post_save(
                    organization=organization,
                    actor=request.user,
                    post=post,
                    title=data["title"],
                    body=data["body"],
                    link_url=data["link_url"],
                    # A form without the image places (an older page) leaves the images alone.
                    images=images.slots() if "image_places" in request.POST else None,
                    internal_notes=data["internal_notes"],
                    topics=data["topics"],
                    audience_teams=data["audience_teams"],
                    captions=rows,
                    expires_at=data["expires_at"],
                    action=action if action in _DONE_MESSAGES else "save",
                    publish_at=schedule.cleaned_data.get("publish_at") if action == "schedule" else None,
                )
            except ValidationError as exc:
                _attach_errors(exc, form, schedule, images)
            else:
                messages.success(request, _DONE_MESSAGES.get(action, _DONE_MESSAGES["save"]))
                return redirect("content:post_edit", saved.id)
        status = 400
    else:
        form = PostForm(instance=post, organization=organization)
        images = ImagesForm(existing=existing_images)
        initial = [{"network": c.network, "text": c.text} for c in post.captions.all()] if post else []
        captions = CaptionFormSet(prefix="captions", initial=initial) if dial.captions_offered else None
        schedule = ScheduleForm(initial={"publish_at": post.publish_at} if post else None)
        status = 200
    context = {
        "post": post,
        "form": form,
        "images": images,
        "captions": captions,
        "schedule": schedule,
        "networks": NETWORK_CHOICES,
        "dial": dial,
    }
    return render(request, "content/editor.html", context, status=status)


@membership_required(Role.COMMS)
@require_http_methods(["GET", "POST"])
def post_create(request):
    return _editor(request, None)


@membership_required(Role.COMMS)
@require_http_methods(["GET", "POST"])
def post_edit(request, post_id: int):
    queryset = selectors.post_get_with_captions(Post.objects.exclude(status__in=["pending_approval", "rejected"]))
    post = get_scoped_or_404(queryset, request.membership, pk=post_id)
    return _editor(request, post)


def _transition(request, post_id: int, change, success: str):
    post = get_scoped_or_404(Post.objects.all(), request.membership, pk=post_id)
    try:
        change(post=post)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, success)
    return redirect("content:post_edit", post.id)


@membership_required(Role.COMMS)
@require_POST
def post_publish(request, post_id: int):
    return _transition(request, post_id, partial(services.post_publish_now, actor=request.user), _("Published."))


@membership_required(Role.COMMS)
@require_POST
def post_unschedule(request, post_id: int):
    return _transition(request, post_id, services.post_unschedule, _("Moved back to drafts."))


@membership_required(Role.COMMS)
@require_POST
def post_archive(request, post_id: int):
    post = get_scoped_or_404(Post.objects.all(), request.membership, pk=post_id)
    services.posts_archive(posts=Post.objects.filter(pk=post.pk), actor=request.user)
    messages.success(request, _("Archived. Employees no longer see it in their feed."))
    return redirect("content:library")


@membership_required(Role.COMMS)
def post_preview(request, post_id: int):
    """The link preview card; the editor polls it while the preview is being fetched."""
    post = get_scoped_or_404(Post.objects.all(), request.membership, pk=post_id)
    return render(request, "content/editor.html#link_preview", {"post": post})


@membership_required(Role.COMMS, Role.EMPLOYEE)
@require_POST
def caption_count(request):
    """Live length counters: the server's count is the one that decides."""
    field = request.POST.get("caption_field", "caption")
    caption = request.POST.get(field, "")[:20000]
    link = request.POST.get("link_url", "")[:1000]
    return render(request, "content/caption_count.html", {"lengths": caption_lengths(caption, link)})


@membership_required(Role.COMMS)
@require_http_methods(["GET", "POST"])
def topics(request):
    organization = request.membership.organization
    form = TopicForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.topic_create(organization=organization, name=form.cleaned_data["name"])
        except ValidationError as exc:
            form.add_error("name", exc)
        else:
            messages.success(request, _("Topic added."))
            return redirect("content:topics")
    return render(
        request, "content/topics.html", {"topics": selectors.topic_list(organization=organization), "form": form}
    )


@membership_required(Role.COMMS, Role.ADMIN)
@require_http_methods(["GET", "POST"])
def compliance(request):
    rules = compliance_for(request.membership.organization)
    form = ComplianceForm(request.POST or None, instance=rules)
    if request.method == "POST" and form.is_valid():
        services.compliance_settings_save(rules=form.instance, actor=request.user, changed=form.changed_data)
        messages.success(request, _("Compliance rules saved."))
        return redirect("content:compliance")
    events = scoped(ComplianceEvent.objects.select_related("actor", "post"), request.membership)[:50]
    return render(request, "content/compliance.html", {"form": form, "events": events})
