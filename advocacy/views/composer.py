from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from advocacy import amplify, links, selectors, services
from advocacy.echo import echo_risk, quieter_slot
from advocacy.forms import ShareForm
from config.htmx import HtmxHttpRequest, vary_on_htmx
from content.compliance import text_problems
from content.dial import dial_of
from content.images import media_summary
from content.models import Post
from content.selectors import post_list_visible_to
from employees.access import membership_required
from employees.models import Role, SocialProfile
from networks import text as network_text


def _share_target(request: HtmxHttpRequest, post_id: int, company: bool) -> tuple[Post, QuerySet[SocialProfile]]:
    """The post and the profiles this request may share it to; 404 for anything else."""
    membership = request.membership
    if company:
        if not membership.has_role(Role.COMMS):
            raise Http404
        posts = Post.objects.live().filter(organization_id=membership.organization_id)
        profiles = selectors.company_profiles(membership=membership)
    else:
        posts = post_list_visible_to(membership)
        profiles = selectors.member_profiles(membership=membership)
    post = get_object_or_404(posts.prefetch_related("captions"), pk=post_id)
    return post, profiles


def _nudge(post: Post, comment: str) -> str:
    verdict = services.comment_verdict(post=post, comment=comment)
    return {
        "empty": _("Add a few words of your own: posts with a personal comment get noticed far more."),
        "caption": _("This is the suggested caption almost word for word. Make it yours: why does it matter to you?"),
        "near_duplicate": _("Colleagues have shared almost the same words. A personal angle stands out."),
    }.get(verdict.twist, "")


@membership_required(Role.EMPLOYEE, Role.COMMS)
@require_http_methods(["GET", "POST"])
@vary_on_htmx
def compose(request: HtmxHttpRequest, post_id: int) -> HttpResponse:
    company = request.GET.get("company") == "1" or request.POST.get("company") == "1"
    post, profiles = _share_target(request, post_id, company)
    # Read once: the template, the quote offer and the pre-tick all use this list.
    choices = list(profiles)
    initial = {"again": request.GET.get("again") == "1", "quote_company": request.GET.get("quote") == "1"}
    if len(choices) == 1:
        # The only profile there is to share to starts ticked.
        initial["profiles"] = [choices[0].pk]
    form = ShareForm(request.POST or None, profiles=profiles, initial=initial)
    dial = dial_of(request.membership.organization)
    prompts = [caption.text for caption in post.captions.all()] if dial.prompts else []
    if prompts:
        # A prompt is a question to answer, shown where the words go, never filled in.
        form.fields["comment"].widget.attrs["placeholder"] = prompts[0]
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
                quote_company=form.cleaned_data["quote_company"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Shared! You can follow each share's progress here."))
            adapters = {share.profile.network_adapter for share in shares}
            for label in sorted(adapter.label for adapter in adapters if not adapter.can_publish):
                messages.info(
                    request,
                    _("Finish the %(network)s share in the dialog that opens from the list.") % {"network": label},
                )
            if company:
                return redirect("content:post_detail", post.id)
            return redirect("advocacy:my_shares")
    context = {
        "post": post,
        "first_image": post.images.first(),
        "form": form,
        "company": company,
        "profiles": choices,
        "nudge": _nudge(post, form["comment"].value() or ""),
        "dial": dial,
        "quotable": [] if company else amplify.quotable_networks(post=post, profiles=choices),
    }
    template = (
        "advocacy/composer.html#composer_panel"
        if request.htmx and request.method == "GET"
        else "advocacy/composer.html"
    )
    return render(request, template, context, status=400 if form.errors else 200)


def _can_upload_images(profile) -> bool:
    return profile.network_adapter.can_upload_images(profile.extra or {})


@membership_required(Role.EMPLOYEE, Role.COMMS)
@require_POST
def compose_preview(request: HtmxHttpRequest, post_id: int) -> HttpResponse:
    """Live preview: the final text per chosen profile, counted as its network counts."""
    company = request.POST.get("company") == "1"
    post, profiles = _share_target(request, post_id, company)
    comment = request.POST.get("comment", "")[:5000]
    chosen = [profile for profile in profiles if str(profile.id) in request.POST.getlist("profiles")] or list(profiles)
    sample_link = links.sample_short_url(post)
    quoted = amplify.company_posts_by_network(post=post) if request.POST.get("quote_company") and not company else {}
    image_count = post.images.count()
    previews = []
    for profile in chosen:
        final = services.share_compose(
            post=post, network=profile.network, comment=comment, link=sample_link, company=company
        )
        if profile.network in quoted:
            final = amplify.quote_text_for_limits(
                network=profile.network,
                body=services.share_body(post=post, comment=comment),
                quoted=quoted[profile.network],
            )
        limit = network_text.limit(
            profile.network, max_chars=profile.network_adapter.profile_max_chars(profile.extra or {})
        )
        count = network_text.count(profile.network, final)
        media_note = media_summary(
            network=profile.network,
            label=profile.get_network_display(),
            image_count=image_count,
            has_link=bool(post.link_url),
            can_upload=_can_upload_images(profile),
        )
        previews.append(
            {
                "profile": profile,
                "text": final,
                "link": sample_link,
                "count": count,
                "limit": limit,
                "over": bool(limit and count > limit),
                "media_note": media_note,
            }
        )
    # The pure check: a preview records nothing; the share itself records what fired.
    rules_broken = [
        problem.message
        for problem in text_problems(organization=post.organization, text=comment, require_disclosure=not company)
    ]
    context = {"previews": previews, "nudge": _nudge(post, comment), "rules_broken": rules_broken}
    if not company:
        context["echo"] = echo_risk(membership=request.membership, comment=comment)
        if context["echo"]:
            context["quieter"] = quieter_slot(membership=request.membership, post=post)
    return render(request, "advocacy/composer_preview.html", context)
