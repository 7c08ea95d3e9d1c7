"""Weekly digests: each employee gets the new posts for them and their impact; each
manager their teams' reach. Sent in the organization's language and time zone, HTML
and text, with a signed unsubscribe link that needs no login.

A digest is claimed before it is sent (a row unique per person and week), so a
repeated beat, a retried task or a second worker never sends it twice.
"""

from __future__ import annotations

import logging
import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from advocacy.selectors import post_list_for_feed
from analytics.forms import Filters
from analytics.models import AnalyticsSettings, DigestDelivery, DigestOptOut
from analytics.selectors import dashboard as figures
from analytics.selectors.impact import member_side
from analytics.selectors.scope import scope_for
from analytics.selectors.settings import analytics_settings_get
from employees.locale import override_for
from employees.models import Membership, Organization
from notifications.models import Channel, EmailFrequency, Event
from notifications.selectors import preferences_for

logger = logging.getLogger(__name__)

UNSUBSCRIBE_SALT = "analytics.digest.unsubscribe"
# A beat that was down at the digest hour still sends within this window.
CATCH_UP = timedelta(hours=24)


def unsubscribe_token(membership_id: int) -> str:
    return signing.dumps(membership_id, salt=UNSUBSCRIBE_SALT)


def membership_from_token(token: str) -> Membership | None:
    try:
        membership_id = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    return Membership.objects.select_related("user", "organization").filter(pk=membership_id).first()


def digests_unsubscribe(*, membership: Membership) -> None:
    DigestOptOut.objects.get_or_create(membership=membership)


def digests_resubscribe(*, membership: Membership) -> None:
    DigestOptOut.objects.filter(membership=membership).delete()


def _zone(organization: Organization) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(organization.timezone or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def scheduled_moment(*, organization: Organization, rules: AnalyticsSettings, now: datetime) -> datetime:
    """This week's digest moment in the organization's time zone (weeks start on Monday)."""
    local = now.astimezone(_zone(organization))
    monday = local.date() - timedelta(days=local.weekday())
    day = monday + timedelta(days=rules.digest_weekday)
    return datetime.combine(day, time(rules.digest_hour), tzinfo=local.tzinfo)


@dataclass(frozen=True)
class DueDigest:
    membership_id: int
    kind: str
    week: date


def digests_due(*, now: datetime | None = None) -> list[DueDigest]:
    """People whose digest is due now, per their organization's day, hour and time zone."""
    now = now or timezone.now()
    rules_by_org = {rules.organization_id: rules for rules in AnalyticsSettings.objects.all()}
    due = []
    for organization in Organization.objects.all():
        rules = rules_by_org.get(organization.id) or AnalyticsSettings(organization=organization)
        if not rules.digests_enabled:
            continue
        moment = scheduled_moment(organization=organization, rules=rules, now=now)
        if not moment <= now < moment + CATCH_UP:
            continue
        week = moment.date()
        delivered = DigestDelivery.objects.filter(membership=OuterRef("pk"), week=week)
        opted_out = DigestOptOut.objects.filter(membership=OuterRef("pk"))
        people = (
            Membership.objects.filter(organization=organization, is_active=True, user__is_active=True)
            .exclude(user__email="")
            .filter(~Exists(delivered), ~Exists(opted_out))
            .values_list("id", "is_manager", "is_employee")
        )
        for membership_id, is_manager, is_employee in people:
            if is_manager:
                due.append(DueDigest(membership_id, DigestDelivery.Kind.MANAGER, week))
            elif is_employee:
                due.append(DueDigest(membership_id, DigestDelivery.Kind.EMPLOYEE, week))
    return due


def digest_period(moment_day: date, organization: Organization) -> Filters:
    """The seven days before the digest's day."""
    return Filters(
        start=moment_day - timedelta(days=7), end=moment_day - timedelta(days=1), timezone=organization.timezone
    )


def digest_context(*, membership: Membership, kind: str, week: date) -> dict:
    organization = membership.organization
    period = digest_period(week, organization)
    start, _end = period.moments()
    context = {
        "membership": membership,
        "organization": organization,
        "period": period,
        "site_name": settings.SITE_NAME,
        "site_url": settings.SITE_URL,
        "unsubscribe_url": settings.SITE_URL
        + reverse("analytics:unsubscribe", args=[unsubscribe_token(membership.id)]),
        "kind": kind,
        "posts": [],
        "me": None,
        "team": None,
    }
    if membership.is_employee:
        context["posts"] = list(post_list_for_feed(membership=membership).filter(published_at__gte=start)[:5])
        context["me"] = member_side(membership=membership, filters=period)
        context["impact_url"] = settings.SITE_URL + reverse("analytics:my_impact")
        context["feed_url"] = settings.SITE_URL + reverse("advocacy:feed")
    if kind == DigestDelivery.Kind.MANAGER:
        scope = scope_for(membership)
        if figures.team_too_small(scope, period, analytics_settings_get(organization_id=membership.organization_id)):
            # Works-council mode: a manager of too few people gets no team figures.
            return context
        context["team"] = figures.reach_totals(figures.sources_for(scope, period))
        context["sharers"] = figures.sharers(scope, period, limit=3)
        context["adoption"] = figures.adoption(scope, period)
        context["dashboard_url"] = settings.SITE_URL + reverse("analytics:dashboard")
    return context


def _has_news(context: dict) -> bool:
    me, team = context["me"], context["team"]
    return bool(context["posts"] or (me and not me.is_empty) or (team and not team.is_empty))


def digest_send(*, membership_id: int, kind: str, week: date) -> bool:
    """Send one person's digest for one week; False when claimed before, gone or empty."""
    membership = (
        Membership.objects.select_related("user", "organization")
        .filter(pk=membership_id, is_active=True, user__is_active=True)
        .first()
    )
    if membership is None or DigestOptOut.objects.filter(membership=membership).exists():
        return False
    wanted = preferences_for(membership=membership)
    # The digest is the weekly impact note and the weekly email of new posts in one.
    if not (wanted.wants(Event.WEEKLY_IMPACT, Channel.EMAIL) or wanted.new_post_email == EmailFrequency.WEEKLY):
        return False
    try:
        with transaction.atomic():
            claim = DigestDelivery.objects.create(membership=membership, kind=kind, week=week)
    except IntegrityError:
        return False
    organization = membership.organization
    try:
        with override_for(organization, wanted.language), timezone.override(_zone(organization)):
            context = digest_context(membership=membership, kind=kind, week=week)
            if not _has_news(context):
                return False  # the claim stays: nothing to say this week
            subject = _("Your week on %(site)s") % {"site": settings.SITE_NAME}
            if kind == DigestDelivery.Kind.MANAGER:
                subject = _("Your teams' reach this week on %(site)s") % {"site": settings.SITE_NAME}
            text = render_to_string("analytics/email/digest.txt", context)
            html = render_to_string("analytics/email/digest.html", context)
        message = EmailMultiAlternatives(
            subject,
            text,
            None,
            [membership.user.email],
            headers={
                "List-Unsubscribe": f"<{context['unsubscribe_url']}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            },
        )
        message.attach_alternative(html, "text/html")
        message.send()
    except Exception:
        # Not sent: give the claim back so that the retried task sends it.
        DigestDelivery.objects.filter(pk=claim.pk).delete()
        raise
    DigestDelivery.objects.filter(pk=claim.pk).update(sent_at=timezone.now())
    return True
