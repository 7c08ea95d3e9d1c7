from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from advocacy import authenticity, links, selectors, services
from advocacy.forms import ShareForm
from advocacy.models import Share
from content.compliance import text_problems
from content.models import Post
from content.selectors import posts_visible_to
from employees.access import membership_required
from employees.models import Role
from networks import text as network_text


def _share_target(request, post_id: int, company: bool):
    """The post and the profiles this request may share it to; 404 for anything else."""
    membership = request.membership
    if company:
        if not membership.has_role(Role.COMMS):
            raise Http404
        posts = Post.objects.live().filter(organization_id=membership.organization_id)
        profiles = selectors.company_profiles(membership=membership)
    else:
        posts = posts_visible_to(membership)
        profiles = selectors.member_profiles(membership=membership)
    post = get_object_or_404(posts.prefetch_related("captions"), pk=post_id)
    return post, profiles


def _nudge(post: Post, comment: str) -> str:
    captions = [caption.text for caption in post.captions.all()]
    colleagues = list(Share.objects.filter(post=post).exclude(comment="").values_list("comment", flat=True)[:200])
    verdict = authenticity.judge(comment=comment, captions=captions, colleague_comments=colleagues)
    return {
        "empty": _("Add a few words of your own: posts with a personal comment get noticed far more."),
        "caption": _("This is the suggested caption almost word for word. Make it yours: why does it matter to you?"),
        "near_duplicate": _("Colleagues have shared almost the same words. A personal angle stands out."),
    }.get(verdict.twist, "")


@membership_required(Role.EMPLOYEE, Role.COMMS)
@require_http_methods(["GET", "POST"])
def compose(request, post_id: int):
    company = request.GET.get("company") == "1" or request.POST.get("company") == "1"
    post, profiles = _share_target(request, post_id, company)
    form = ShareForm(request.POST or None, profiles=profiles, initial={"again": request.GET.get("again") == "1"})
    if request.method == "POST" and form.is_valid():
        try:
            shares = services.shares_create(
                member=None if company else request.membership,
                actor=request.user,
                post=post,
                profiles=form.cleaned_data["profiles"],
                comment=form.cleaned_data["comment"],
                scheduled_for=form.cleaned_data["scheduled_for"],
                again=form.cleaned_data["again"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            dialogs = [share for share in shares if share.network == "facebook"]
            messages.success(request, _("Shared! You can follow each share's progress here."))
            if dialogs:
                messages.info(request, _("Finish the Facebook share in the dialog that opens from the list."))
            if company:
                return redirect("post_detail", post.id)
            return redirect("my_shares")
    context = {
        "post": post,
        "form": form,
        "company": company,
        "profiles": profiles,
        "nudge": _nudge(post, form["comment"].value() or ""),
    }
    template = (
        "advocacy/composer.html#composer_panel"
        if request.htmx and request.method == "GET"
        else "advocacy/composer.html"
    )
    return render(request, template, context, status=400 if form.errors else 200)


@membership_required(Role.EMPLOYEE, Role.COMMS)
@require_POST
def compose_preview(request, post_id: int):
    """Live preview: the final text per chosen profile, counted as its network counts."""
    company = request.POST.get("company") == "1"
    post, profiles = _share_target(request, post_id, company)
    comment = request.POST.get("comment", "")[:5000]
    chosen = [profile for profile in profiles if str(profile.id) in request.POST.getlist("profiles")] or list(profiles)
    sample_link = links.sample_short_url(post)
    previews = []
    for profile in chosen:
        final = services.share_compose(
            post=post, network=profile.network, comment=comment, link=sample_link, company=company
        )
        limit = network_text.limit(profile.network, max_chars=(profile.extra or {}).get("max_characters"))
        count = network_text.count(profile.network, final)
        previews.append(
            {
                "profile": profile,
                "text": final,
                "link": sample_link,
                "count": count,
                "limit": limit,
                "over": bool(limit and count > limit),
            }
        )
    # The pure check: a preview records nothing; the share itself records what fired.
    rules_broken = [
        problem.message
        for problem in text_problems(organization=post.organization, text=comment, require_disclosure=not company)
    ]
    context = {"previews": previews, "nudge": _nudge(post, comment), "rules_broken": rules_broken}
    return render(request, "advocacy/composer_preview.html", context)
