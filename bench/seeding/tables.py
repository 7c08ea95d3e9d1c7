"""Table names and the rollup measures, read from the models (never copied)."""

from __future__ import annotations

from types import SimpleNamespace

from django.apps import apps

from analytics.models import Measures

MEASURES: tuple[str, ...] = tuple(Measures.MEASURES)

_MODELS = {
    "organization": "employees.Organization",
    "team": "employees.Team",
    "user": "employees.User",
    "membership": "employees.Membership",
    "socialprofile": "employees.SocialProfile",
    "compliancesettings": "content.ComplianceSettings",
    "topic": "content.Topic",
    "post": "content.Post",
    "captionsuggestion": "content.CaptionSuggestion",
    "share": "advocacy.Share",
    "trackedlink": "advocacy.TrackedLink",
    "click": "advocacy.Click",
    "engagementsnapshot": "analytics.EngagementSnapshot",
    "sharemetrics": "analytics.ShareMetrics",
    "postmemberday": "analytics.PostMemberDay",
    "organizationday": "analytics.OrganizationDay",
    "memberday": "analytics.MemberDay",
    "postday": "analytics.PostDay",
    "rollupcursor": "analytics.RollupCursor",
    "audiencesnapshot": "analytics.AudienceSnapshot",
    "audienceday": "analytics.AudienceDay",
}


def _tables() -> SimpleNamespace:
    names = {key: apps.get_model(label)._meta.db_table for key, label in _MODELS.items()}
    membership = apps.get_model("employees.Membership")
    post = apps.get_model("content.Post")
    names["membership_teams"] = membership._meta.get_field("teams").remote_field.through._meta.db_table
    names["post_topics"] = post._meta.get_field("topics").remote_field.through._meta.db_table
    names["post_audience_teams"] = post._meta.get_field("audience_teams").remote_field.through._meta.db_table
    names["emailaddress"] = apps.get_model("account.EmailAddress")._meta.db_table
    return SimpleNamespace(**names)


T = _tables()
