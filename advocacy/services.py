"""Writes for sharing: creating shares, pushing them exactly once, releasing and sweeping."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from advocacy import amplify, authenticity, claiming, links, signals
from advocacy.models import Share
from config.egress import private_hosts_allowed
from content.compliance import text_violations, with_disclosure
from content.images import StorageUnavailable, images_for_network, problem_message
from content.models import ComplianceEvent, Post
from networks import errors as network_errors
from networks import text as network_text
from networks.links import web_url
from networks.media import ImageProblem
from networks.quoting import QuotedPostGone

if TYPE_CHECKING:
    from collections.abc import Iterable

    from employees.models import Membership, SocialProfile

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
BACKOFF_BASE_SECONDS = 30
# A post refused because its token had just been renewed by another worker goes again soon.
RENEWED_RETRY_SECONDS = 5
BACKOFF_MAX_SECONDS = 3600
# The longest wait a retry spends in the broker. A message the broker holds longer is a
# message a worker keeps in memory, and one that outlives the broker's visibility timeout
# is delivered twice; longer waits (an X rate-limit window, a daily limit) are kept in
# the database as next_attempt_at, and beat releases the share when it falls due.
BROKER_MAX_COUNTDOWN_SECONDS = 300
# Longer than a push task's hard time limit: a share still "posting" after this was
# left behind by a worker that died mid-post.
STUCK_AFTER = timedelta(minutes=3)
# How many colleagues' comments the authenticity guard compares a comment with.
COLLEAGUE_COMMENTS = 200


def share_body(*, post: Post, comment: str, company: bool = False) -> str:
    """The sharer's words as they go out: an employee's get the disclosure, the company's do not."""
    return comment.strip() if company else with_disclosure(post.organization, comment.strip())


def share_compose(*, post: Post, network: str, comment: str, link: str, company: bool = False) -> str:
    """The exact text a network receives: comment, disclosure, then the tracked link."""
    return network_text.compose(network, share_body(post=post, comment=comment, company=company), link)


def _problems_for(profile: SocialProfile, text: str) -> list[str]:
    messages = []
    max_chars = profile.network_adapter.profile_max_chars(profile.extra or {})
    for problem in network_text.validate(profile.network, text, max_chars=max_chars):
        if problem.code == "too_many_bytes":
            messages.append(
                _("Too long for %(network)s: %(count)s of %(limit)s bytes.")
                % {"network": profile.get_network_display(), "count": problem.count, "limit": problem.limit}
            )
        else:
            messages.append(
                _("Too long for %(network)s: %(count)s of %(limit)s characters, with the link and disclosure.")
                % {"network": profile.get_network_display(), "count": problem.count, "limit": problem.limit}
            )
    return messages


def _storable(text: str) -> bool:
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate
        return False
    return True


def comment_verdict(*, post: Post, comment: str) -> authenticity.Verdict:
    """How personal a comment is: what the share stores, and what the composer's nudge says."""
    # The most recently used distinct comments: grouped, since the model's default
    # ordering would make a plain DISTINCT keep every repeat.
    colleague_comments = list(
        Share.objects.filter(post=post)
        .exclude(comment="")
        .values("comment")
        .annotate(last_used=Max("created_at"))
        .order_by("-last_used")
        .values_list("comment", flat=True)[:COLLEAGUE_COMMENTS]
    )
    captions = list(post.captions.values_list("text", flat=True))
    return authenticity.judge(comment=comment, captions=captions, colleague_comments=colleague_comments)


def shares_create(
    *,
    member: Membership | None,
    actor,
    post: Post,
    profiles: Iterable[SocialProfile],
    comment: str,
    scheduled_for: datetime | None = None,
    again: bool = False,
    quote_company: bool = False,
) -> list[Share]:
    """Share a post to each profile: one Share per profile, pushed after commit.

    The caller has checked that the post may be shared and the profiles belong to the
    sharer. Every check here runs before any write, so a refusal saves nothing.
    """
    profiles = list(profiles)
    comment = comment.strip()
    now = timezone.now()
    if not profiles:
        raise ValidationError(_("Choose at least one profile to share to."))
    if scheduled_for is not None and scheduled_for <= now:
        raise ValidationError({"scheduled_for": _("Choose a time in the future, or share now.")})
    if not _storable(comment):
        # A NUL or half an emoji from a broken paste: no network and no database takes it.
        raise ValidationError(_("The comment contains characters that cannot be posted. Retype it and try again."))
    problems = text_violations(
        organization=post.organization,
        text=comment,
        where=ComplianceEvent.Where.COMMENT,
        post=post,
        actor=actor,
        require_disclosure=member is not None,
    )
    company = member is None
    # The company's own posts of this post, per network, for a sharer who quotes them.
    quoted = amplify.company_posts_by_network(post=post) if quote_company and not company else {}
    placeholder_link = links.sample_short_url(post)
    for profile in profiles:
        problems += _problems_for(
            profile,
            share_compose(post=post, network=profile.network, comment=comment, link=placeholder_link, company=company)
            if profile.network not in quoted
            else amplify.quote_text_for_limits(
                network=profile.network, body=share_body(post=post, comment=comment), quoted=quoted[profile.network]
            ),
        )
    if problems:
        raise ValidationError(problems)
    verdict = comment_verdict(post=post, comment=comment)

    shares = []
    try:
        with transaction.atomic():
            for profile in profiles:
                sequence = 1
                if again:
                    last = Share.objects.filter(post=post, profile=profile).aggregate(n=Max("sequence"))["n"]
                    sequence = (last or 0) + 1
                share = Share.objects.create(
                    organization=post.organization,
                    post=post,
                    profile=profile,
                    member=member,
                    network=profile.network,
                    sequence=sequence,
                    comment=comment,
                    final_text="",
                    twist=verdict.twist,
                    twist_similarity=verdict.similarity,
                    status=Share.Status.SCHEDULED if scheduled_for else Share.Status.QUEUED,
                    scheduled_for=scheduled_for,
                    followers_at_share=profile.followers,
                    quoted_share=quoted.get(profile.network),
                )
                link = links.tracked_link_create(share=share)
                short_link = links.short_url(link.code) if link else None
                share.body_text = share_body(post=post, comment=comment, company=company)
                share.final_text = share_compose(
                    post=post, network=profile.network, comment=comment, link=short_link, company=company
                )
                if share.quoted_share_id:
                    # A quote carries the company's post, not the link: the words are all it says.
                    share.final_text = share.body_text
                adapter = profile.network_adapter
                if not adapter.can_publish:
                    # No posting through the API (Facebook: Meta allows none to personal
                    # profiles): the sharer posts through the share dialog, which nothing
                    # confirms but a visit of the tracked link (advocacy.links.link_follow).
                    share.status, share.verified = Share.Status.HANDED_OFF, False
                    share.remote_url = adapter.share_dialog_url(short_link)
                share.save(update_fields=["body_text", "final_text", "status", "verified", "remote_url"])
                shares.append(share)
                if share.status == Share.Status.QUEUED:
                    _queue_push(share.id)
    except IntegrityError:
        raise ValidationError(
            _("You have already shared this post to one of these profiles. Use “Share again” to post it once more.")
        ) from None
    return shares


def shares_cancel_for_member(*, membership: Membership) -> int:
    """Stop the shares a departing person scheduled or queued; returns how many.

    Those already out stay as they are: they count in the statistics.
    """
    return Share.objects.filter(member=membership, status__in=[Share.Status.SCHEDULED, Share.Status.QUEUED]).update(
        status=Share.Status.FAILED,
        last_error=_("Not sent: the person who shared it has left the organization.")[:500],
        next_attempt_at=None,
        updated_at=timezone.now(),
    )


def _queue_push(share_id: int, *, countdown: float | None = None) -> None:
    from advocacy.tasks import share_push_task

    if countdown:
        transaction.on_commit(lambda: share_push_task.apply_async((share_id,), countdown=countdown))
    else:
        share_push_task.delay_on_commit(share_id)


def share_retry(*, share: Share) -> Share:
    """The sharer's retry button: a failed share goes back in the queue."""
    updated = Share.objects.filter(pk=share.pk, status__in=[Share.Status.FAILED, Share.Status.NEEDS_RECONNECT]).update(
        status=Share.Status.QUEUED, attempts=0, last_error="", next_attempt_at=None
    )
    if not updated:
        raise ValidationError(_("Only failed shares can be retried."))
    _queue_push(share.pk)
    share.refresh_from_db()
    return share


def _backoff(attempts: int, retry_after: float | None) -> float:
    delay = min(BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0), BACKOFF_MAX_SECONDS)
    return max(delay, retry_after or 0)


def share_push(*, share_id: int) -> str:
    """Post a queued share once. Returns the share's resulting status.

    The row is claimed with a conditional update, so two workers never post the same
    share; the network call carries an idempotency key derived from the share, so a
    share re-queued after a worker died mid-post is not posted twice either.
    """
    from employees.profiles import services as profile_services

    now = timezone.now()
    # The claim and the read of everything the push needs are one statement.
    share = claiming.share_claim_for_push(share_id=share_id, now=now)
    if share is None:
        return "skipped"
    # A post without a link has nothing for a tracked link to lead to: its share goes
    # out without one, so its images go as images rather than as a link card's picture.
    link = links.share_short_url(share)
    try:
        # Read and fitted before the network is touched: a store that is down costs no token refresh.
        images = (
            images_for_network(post_id=share.post_id, network=share.profile.network, has_link=bool(link))
            if share.has_images
            else []
        )
    except StorageUnavailable as exc:
        return _retry_later(share, now, exc, delay=None)
    except ImageProblem as problem:
        return _finish(share, Share.Status.FAILED, _image_refused(problem))
    opened, opened_with = False, None
    try:
        profile, adapter = profile_services.profile_adapter_open(profile_id=share.profile_id, profile=share.profile)
        opened, opened_with = True, profile.credentials_refreshed_at
        try:
            result = amplify.publisher(adapter=adapter, share=share)(
                # Exactly what the sharer saw in the preview, whatever the rules say now.
                text=share.body_text,
                link=link,
                images=images,
                idempotency_key=str(share.idempotency_key),
                link_title=share.post.preview_title or share.post.title,
                link_description=share.post.preview_description or share.post.body[:300],
            )
        finally:
            profile_services.profile_save_credentials(profile=profile, adapter=adapter)
            adapter.close()
    except network_errors.CredentialsDead as exc:
        if opened and profile_services.profile_credentials_renewed_since(
            profile_id=share.profile_id, since=opened_with
        ):
            # Another worker renewed the tokens while this post was on its way with the
            # old ones, which the network had just retired: try again with the new pair.
            return _retry_later(share, now, exc, delay=RENEWED_RETRY_SECONDS)
        profile_services.profile_mark_needs_reconnect(profile_id=share.profile_id, reason=str(exc))
        return _finish(share, Share.Status.NEEDS_RECONNECT, _("Reconnect this profile, then retry."))
    except network_errors.RetryLater as exc:
        return _retry_later(share, now, exc, delay=None, retry_after=exc.retry_after)
    except QuotedPostGone:
        return _finish(share, Share.Status.FAILED, amplify.quote_gone_message(share=share))
    except network_errors.NetworkError as exc:
        return _finish(share, Share.Status.FAILED, str(exc))
    Share.objects.filter(pk=share.pk).update(
        status=Share.Status.POSTED,
        remote_id=result.remote_id,
        # The network's answer: kept only when it is a web address a link may point to.
        remote_url=web_url(result.url, allow_http=private_hosts_allowed()),
        posted_at=timezone.now(),
        last_error="",
        next_attempt_at=None,
    )
    signals.share_posted.send(sender=Share, share_id=share.pk)
    return Share.Status.POSTED


def _image_refused(problem: ImageProblem) -> str:
    return _("An image of this post cannot be sent: %(reason)s Ask the communications team to replace it.") % {
        "reason": problem_message(problem)
    }


def _retry_later(
    share: Share, now: datetime, error: Exception, *, delay: float | None, retry_after: float | None = None
) -> str:
    """Back to the queue for another attempt, or failed once the attempts are spent."""
    share.refresh_from_db(fields=["attempts"])
    if share.attempts >= MAX_ATTEMPTS:
        return _finish(
            share,
            Share.Status.FAILED,
            _("Gave up after %(n)s attempts: %(error)s") % {"n": share.attempts, "error": error},
        )
    if delay is None:
        delay = _backoff(share.attempts, retry_after)
    Share.objects.filter(pk=share.pk, status=Share.Status.POSTING).update(
        status=Share.Status.QUEUED, last_error=str(error)[:500], next_attempt_at=now + timedelta(seconds=delay)
    )
    if delay <= BROKER_MAX_COUNTDOWN_SECONDS:
        _queue_push(share.pk, countdown=delay)
    # else: parked in the database; shares_release_due queues it when it falls due.
    return Share.Status.QUEUED


def _finish(share: Share, status: str, message: str) -> str:
    Share.objects.filter(pk=share.pk).update(status=status, last_error=message[:500], next_attempt_at=None)
    if status in (Share.Status.FAILED, Share.Status.NEEDS_RECONNECT):
        from notifications.tasks import share_failed_notify_task

        # The person hears of it on the channels they chose (after the commit).
        share_failed_notify_task.delay_on_commit(share.pk)
    return status


def shares_release_due(*, now: datetime | None = None) -> int:
    """Queue scheduled shares, and retries parked in the database, whose time has come.

    Beat runs this every minute. A retry is released by clearing its next_attempt_at
    under the value read, so two beats release it once; a retry whose short countdown
    message is also on its way is harmless, since only one push can claim the row.
    """
    now = now or timezone.now()
    due = list(
        Share.objects.filter(status=Share.Status.SCHEDULED, scheduled_for__lte=now).values_list("id", flat=True)[:5000]
    )
    released = 0
    for share_id in due:
        with transaction.atomic():
            if Share.objects.filter(pk=share_id, status=Share.Status.SCHEDULED).update(status=Share.Status.QUEUED):
                released += 1
                _queue_push(share_id)
    parked = list(
        Share.objects.filter(status=Share.Status.QUEUED, next_attempt_at__lte=now).values_list("id", "next_attempt_at")[
            :5000
        ]
    )
    for share_id, due_at in parked:
        with transaction.atomic():
            if Share.objects.filter(pk=share_id, status=Share.Status.QUEUED, next_attempt_at=due_at).update(
                next_attempt_at=None, updated_at=now
            ):
                released += 1
                _queue_push(share_id)
    return released


def shares_requeue_stuck(*, now: datetime | None = None) -> int:
    """Give shares left in "posting" by a dead worker back to the queue.

    Safe because publishing is idempotent per share: the network recognises the
    retried post by its idempotency key.
    """
    now = now or timezone.now()
    stuck = list(
        Share.objects.filter(status=Share.Status.POSTING, posting_started_at__lt=now - STUCK_AFTER).values_list(
            "id", flat=True
        )[:5000]
    )
    requeued = 0
    for share_id in stuck:
        with transaction.atomic():
            if Share.objects.filter(pk=share_id, status=Share.Status.POSTING).update(
                status=Share.Status.QUEUED, updated_at=now
            ):
                requeued += 1
                _queue_push(share_id)
    # Queued shares whose message was lost with the broker: queue them again. A
    # duplicate message is harmless, since only one push can claim the row.
    forgotten = Share.objects.filter(status=Share.Status.QUEUED, updated_at__lt=now - STUCK_AFTER).filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lt=now - STUCK_AFTER)
    )
    for share_id in forgotten.values_list("id", flat=True)[:5000]:
        Share.objects.filter(pk=share_id).update(updated_at=now)
        _queue_push(share_id)
        requeued += 1
    return requeued
