"""Acme's rows for the security tests, and the URL patterns filled with them.

The isolation matrix, the anonymous sweep and the hostile-form crawl all walk the
resolver; this module says which patterns they skip and why, and how each path
parameter is filled with an object of Acme's. A view with a parameter name that is
not mapped here fails `test_every_path_parameter_has_a_value`, so a new view is
covered from the day it is added.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta

from django.apps import apps
from django.db import models
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from advocacy import links
from advocacy.models import Share
from content.models import CaptionSuggestion, ComplianceSettings, FeedSource, Post, Topic
from employees.models import AuditEvent, Invitation, Membership, NetworkApp, Organization, User
from employees.scim.tokens import scim_token_create
from notifications.models import PushSubscription
from tests.factories import MembershipFactory, PostFactory, SocialProfileFactory

INVITATION_TOKEN = "acme-invitation-token-known-to-the-test"

# Whole URL prefixes that are not the platform's own views.
SKIPPED_PREFIXES = {
    "admin/": "Django's admin: staff only, behind its own login; no member of an organization is staff.",
    "account/": "django-allauth: login, logout, password reset and two-factor set-up are public by design "
    "and act only on the visitor's own account.",
    "^scim/v2": "the SCIM API of identity providers: no session reaches it, a bearer token names the "
    "organization; its isolation, tokens and bad input are tested in tests/employees/scim and make scim-check.",
}

# Patterns that answer people outside the organization on purpose.
PUBLIC = {
    "manifest": "the installable app's manifest: names, icons and the start page, the same for everyone",
    "service_worker": "the installable app's service worker script, the same for everyone",
    "offline": "the page the service worker shows without a connection: no personal data",
    "healthz": "the load balancer's probe: answers 'ok' and nothing else",
    "favicon": "the site icon browsers fetch before anyone logs in: a static image",
    "advocacy:tracked_link": "the short link inside a shared post: anyone on the internet follows it; it redirects "
    "to its stored target only",
    "employees:invitation_accept": "the emailed invitation link: the token is the permission, for a person "
    "without an account",
    "set_language": "the language picker in the footer, for visitors who are not logged in too",
    "notifications:unsubscribe": "the unsubscribe link in a new-post email: its signed token is the permission, "
    "and mail clients post to it without a session (RFC 8058 one-click)",
    "notifications:slack_events": "Slack's servers post here without a session; Slack's request signature "
    "(signing secret, at most five minutes old) is the permission, and a request without it gets 401",
    "analytics:unsubscribe": "the link in a digest email: its signed token is the permission, so that anyone can "
    "stop an email without logging in",
    "sso:email": "the login page's first step: the work email's domain picks the identity provider",
    "sso:begin": "starting a company sign-in: anyone may go to an organization's identity provider, which decides",
    "sso:saml_metadata": "the SAML service provider metadata an organization gives its identity provider",
    "sso:complete": "the identity provider's answer: state, nonce and signatures are the permission",
}

# Path parameters that name a kind of thing rather than a row: a view taking only
# these acts on the requester's own organization, so outsiders may use it for theirs.
VOCABULARY = {
    "network": "a network's name (mastodon, x, …); the view acts on the requester's own organization",
    "table": "the name of an analytics table to export; the export covers the requester's own organization",
    "state": "a connection attempt's state, looked up in the requester's own session only; any other is 'expired'",
    "backend": "the sign-in protocol (oidc, saml); the organization comes from the sign-in under way",
}


@dataclass
class AcmeWorld:
    org: Organization
    ada: Membership  # every role in Acme: reaches every object below
    emma: Membership
    alice: Membership
    live_post: Post
    draft: Post
    scheduled: Post
    suggestion: Post
    own_post: Post  # ada's own post (the control dial lets employees write)
    colleague_post: Post  # emma's post, awaiting approval
    team: object
    topic: Topic
    invitation: Invitation
    source: FeedSource
    profile: object  # ada's own Mastodon profile
    company_profile: object
    share: Share  # ada's share, failed, so that "retry" has something to do
    link: object
    scim_token: object
    push_subscription: object


def build_acme(cast) -> AcmeWorld:
    org = cast.org
    now = timezone.now()
    ada = MembershipFactory(
        organization=org, user__email="ada@acme.test", is_admin=True, is_comms=True, is_manager=True, teams=[cast.sales]
    )
    topic = Topic.objects.create(organization=org, name="Launches")
    live_post = PostFactory.published(organization=org, title="Acme live post", created_by=cast.carol.user)
    live_post.topics.add(topic)
    CaptionSuggestion.objects.create(post=live_post, text="Acme caption")
    draft = PostFactory(organization=org, title="Acme draft", status="draft")
    scheduled = PostFactory(
        organization=org, title="Acme scheduled", status="scheduled", publish_at=now + timedelta(days=2)
    )
    suggestion = PostFactory(
        organization=org,
        title="Acme suggestion",
        status="pending_approval",
        source="employee",
        created_by=cast.emma.user,
        suggestion_reason="Worth it",
    )
    own_post = PostFactory.published(
        organization=org, title="Acme own post", source="colleague", created_by=ada.user, body="Mine"
    )
    colleague_post = PostFactory(
        organization=org,
        title="Acme colleague post",
        status="pending_approval",
        source="colleague",
        created_by=cast.emma.user,
    )
    invitation = Invitation.objects.create(
        organization=org,
        email="newcomer@acme.test",
        roles=["employee"],
        token_hash=hashlib.sha256(INVITATION_TOKEN.encode()).hexdigest(),
        invited_by=cast.alice.user,
        expires_at=now + timedelta(days=7),
    )
    source = FeedSource.objects.create(organization=org, name="Acme blog", url="https://acme.example/feed.xml")
    profile = SocialProfileFactory(owner_membership=ada, network="mastodon", handle="@ada@social.example")
    company_profile = SocialProfileFactory(
        owner_membership=None, organization=org, network="mastodon", handle="@acme@social.example"
    )
    SocialProfileFactory(owner_membership=cast.emma, network="mastodon", handle="@emma@social.example")
    share = Share.objects.create(
        organization=org,
        post=live_post,
        profile=profile,
        member=ada,
        network="mastodon",
        comment="Proud of this",
        final_text="Proud of this",
        status=Share.Status.FAILED,
        last_error="boom",
    )
    link = links.tracked_link_create(share=share)
    NetworkApp.objects.create(organization=org, network="x", client_id="acme-x-client", client_secret="acme-secret")
    ComplianceSettings.objects.create(organization=org, disclosure_text="#acme", blocked_phrases="forbidden")
    AuditEvent.objects.create(organization=org, actor=cast.alice.user, actor_label="Alice", action="settings.changed")
    scim_token, _plain = scim_token_create(organization=org, name="Acme IdP", actor=cast.alice.user)
    push_subscription = PushSubscription.objects.create(
        organization=org,
        membership=ada,
        endpoint="https://push.example.net/send/acme-device",
        p256dh="B" + "A" * 86,
        auth="A" * 22,
        device="Acme phone",
    )
    return AcmeWorld(
        org=org,
        ada=ada,
        emma=cast.emma,
        alice=cast.alice,
        live_post=live_post,
        draft=draft,
        scheduled=scheduled,
        suggestion=suggestion,
        own_post=own_post,
        colleague_post=colleague_post,
        team=cast.nordics,
        topic=topic,
        invitation=invitation,
        source=source,
        profile=profile,
        company_profile=company_profile,
        share=share,
        link=link,
        scim_token=scim_token,
        push_subscription=push_subscription,
    )


# Every value a parameter takes in the tests: several where one kind of object comes
# in states that different views act on (a draft is published, a suggestion approved).
PARAMETERS: dict[str, Callable[[AcmeWorld], list]] = {
    "post_id": lambda w: [
        w.live_post.id,
        w.draft.id,
        w.scheduled.id,
        w.suggestion.id,
        w.own_post.id,
        w.colleague_post.id,
    ],
    "membership_id": lambda w: [w.emma.id, w.alice.id],
    "invitation_id": lambda w: [w.invitation.id],
    "team_id": lambda w: [w.team.id],
    "source_id": lambda w: [w.source.id],
    "share_id": lambda w: [w.share.id],
    "profile_id": lambda w: [w.profile.id, w.company_profile.id],
    "code": lambda w: [w.link.code],
    "token": lambda w: [INVITATION_TOKEN],
    "network": lambda w: ["mastodon", "x"],
    "table": lambda w: _export_tables(),
    "state": lambda w: ["a-state-from-someone-elses-session"],
    "slug": lambda w: [w.org.slug],
    "backend": lambda w: ["oidc", "saml"],
    "token_id": lambda w: [w.scim_token.id],
    "subscription_id": lambda w: [w.push_subscription.id],
}
# What stands for "no such object": an outsider must not be able to tell it apart
# from Acme's real one.
MISSING = {
    "post_id": 987654,
    "membership_id": 987654,
    "invitation_id": 987654,
    "team_id": 987654,
    "source_id": 987654,
    "share_id": 987654,
    "profile_id": 987654,
    "code": "Missing0",
    "token": "no-such-invitation-token",
    "network": "nosuchnetwork",
    "table": "nosuchtable",
    "state": "no-such-state",
    "slug": "no-such-organization",
    "backend": "nosuchbackend",
    "token_id": 987654,
    "subscription_id": 987654,
}


def _export_tables() -> list[str]:
    from analytics.selectors.exports import TABLES

    return sorted(TABLES)


# The skipped patterns' own keys (allauth's, the SCIM API's), for the anonymous sweep only.
ALLAUTH_PARAMETERS = {"key": "not-a-real-key", "uidb36": "0", "path": "Users"}


@dataclass(frozen=True)
class Route:
    name: str
    route: str  # the pattern's text, prefixes included
    parameters: tuple[str, ...]

    @property
    def skipped_because(self) -> str:
        for prefix, reason in SKIPPED_PREFIXES.items():
            if self.route.startswith(prefix):
                return reason
        return ""

    @property
    def public_because(self) -> str:
        return PUBLIC.get(self.name, "")

    @property
    def names_a_row(self) -> bool:
        return any(name not in VOCABULARY for name in self.parameters)

    def urls(self, world: AcmeWorld) -> Iterator[tuple[dict, str]]:
        """Every combination of Acme's values for the parameters, as (kwargs, url)."""
        combos: list[dict] = [{}]
        for name in self.parameters:
            combos = [{**combo, name: value} for combo in combos for value in value_for(name, world)]
        for kwargs in combos:
            yield kwargs, reverse(self.name, kwargs=kwargs)

    def missing_url(self) -> str:
        return reverse(self.name, kwargs={name: MISSING[name] for name in self.parameters})


def value_for(name: str, world: AcmeWorld) -> list:
    if name not in PARAMETERS:
        raise AssertionError(
            f"The path parameter {name!r} has no value in tests/security/world.py PARAMETERS: add an Acme "
            "object for it, so that the isolation matrix covers the new view."
        )
    return PARAMETERS[name](world)


def _walk(resolver: URLResolver, prefix: str = "", namespace: str = "") -> Iterator[Route]:
    for pattern in resolver.url_patterns:
        text = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _walk(pattern, text, inner)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}{pattern.name}" if pattern.name else ""
            yield Route(name, text, tuple(pattern.pattern.regex.groupindex))


# Patterns no crawl here visits, and why.
NOT_CRAWLED = {
    "health": "django-health-check's page for monitors, public by design: it names each service and says OK or "
    "how it failed, and answers 503 while one is down, as it is in these tests (no worker answers its ping); "
    "tests/config/test_service_health.py covers it.",
}


def all_routes() -> list[Route]:
    return [route for route in _walk(get_resolver()) if route.name not in NOT_CRAWLED]


def platform_routes() -> list[Route]:
    """The platform's own patterns: everything but the skipped prefixes."""
    return [route for route in all_routes() if not route.skipped_because]


# -- what "Acme's data" is, for the before/after comparison -----------------------------

# Models that hold no organization's data.
NOT_TENANT_DATA = {
    "sessions.session": "login sessions; a session is the visitor's own",
    "contenttypes.contenttype": "Django's catalogue of models",
    "auth.permission": "Django's catalogue of permissions",
    "auth.group": "unused permission groups",
    "auth.group_permissions": "unused permission groups",
    "social_django.nonce": "OpenID nonces, not tied to a person",
    "social_django.association": "OpenID associations with providers",
    "social_django.code": "email validation codes, not used",
    "social_django.partial": "half-finished pipeline state, not used",
    "analytics.rollupcursor": "how far a background job has read (the last click id, say), for every organization",
}


def _lookup_to_organization(model: type[models.Model], depth: int = 0) -> str | None:
    if model is Organization:
        return "pk"
    if model is User:
        return "memberships__organization"
    if depth > 3:
        return None
    for model_field in model._meta.concrete_fields:
        if not model_field.is_relation or not model_field.related_model:
            continue
        if model_field.related_model is Organization:
            return model_field.name
    for model_field in model._meta.concrete_fields:
        if not model_field.is_relation or not model_field.related_model or model_field.related_model is model:
            continue
        rest = _lookup_to_organization(model_field.related_model, depth + 1)
        if rest is not None:
            return f"{model_field.name}__{rest}" if rest != "pk" else model_field.name
    return None


def tenant_lookups() -> dict[str, tuple[type[models.Model], str]]:
    """For every model holding tenant data: the lookup from its rows to their organization."""
    found = {}
    for model in apps.get_models(include_auto_created=True):
        label = model._meta.label_lower
        if label in NOT_TENANT_DATA:
            continue
        lookup = _lookup_to_organization(model)
        if lookup is None:
            raise AssertionError(
                f"{label} has no path to an organization. Say in tests/security/world.py NOT_TENANT_DATA "
                "why it holds no tenant's data, or give it one."
            )
        found[label] = (model, lookup)
    return found


def snapshot(organization: Organization) -> dict[str, list[dict]]:
    """Every row of the organization's, in every model, as plain values."""
    rows = {}
    for label, (model, lookup) in tenant_lookups().items():
        queryset = model._default_manager.filter(**{lookup: organization.pk}).distinct().order_by("pk")
        rows[label] = list(queryset.values())
    return rows


def changes(before: dict[str, list[dict]], after: dict[str, list[dict]]) -> dict[str, object]:
    """What differs, model by model, in a form that reads well in an assertion message."""
    found = {}
    for label in before.keys() | after.keys():
        old, new = before.get(label, []), after.get(label, [])
        if old != new:
            old_by_pk = {row.get("id", repr(row)): row for row in old}
            new_by_pk = {row.get("id", repr(row)): row for row in new}
            found[label] = {
                "added": [new_by_pk[key] for key in new_by_pk.keys() - old_by_pk.keys()],
                "removed": [old_by_pk[key] for key in old_by_pk.keys() - new_by_pk.keys()],
                "changed": [
                    {
                        name: (old_by_pk[key][name], value)
                        for name, value in new_by_pk[key].items()
                        if old_by_pk[key].get(name) != value
                    }
                    for key in old_by_pk.keys() & new_by_pk.keys()
                    if old_by_pk[key] != new_by_pk[key]
                ],
            }
    return found


# Strings only Acme's rows hold: an outsider's page must show none of them.
ACME_MARKERS = [
    "Acme live post",
    "Acme draft",
    "Acme scheduled",
    "Acme suggestion",
    "Acme caption",
    "Acme blog",
    "ada@acme.test",
    "alice@acme.test",
    "@ada@social.example",
    "@acme@social.example",
    "acme-x-client",
    "Proud of this",
    "Acme phone",
]


def acme_query(world: AcmeWorld) -> dict:
    """Query parameters naming Acme's rows, for the pages that take ids in the query."""
    return {"post": world.live_post.id, "team": world.team.id, "topic": world.topic.id, "profile": world.profile.id}


def acme_post_body(world: AcmeWorld) -> dict:
    """A POST body that would make each view do its work on Acme's rows if it let an
    outsider in: every field name a form here takes, filled with Acme's ids."""
    return {
        "post": [world.live_post.id, world.draft.id, world.scheduled.id],
        "profiles": [world.profile.id, world.company_profile.id],
        "teams": [world.team.id],
        "audience_teams": [world.team.id],
        "topics": [world.topic.id],
        "parent": world.team.id,
        "roles": ["admin", "employee"],
        "action": "archive",
        "publish": "1",
        "company": "1",
        "again": "1",
        "when": "now",
        "comment": "An outsider's words",
        "reason": "Rejected by an outsider",
        "confirm_email": world.emma.user.email,
        "name": "Outsider name",
        "email": "someone@elsewhere.test",
        "title": "Outsider title",
        "url": "https://elsewhere.example/feed.xml",
        "creates": "draft",
        "is_active": "on",
        "link_url": "https://elsewhere.example/",
        "client_id": "outsider-client",
        "client_secret": "outsider-secret",
        "password1": "a-long-enough-password-1",
        "password2": "a-long-enough-password-1",
        "disclosure_text": "#outsider",
        "disclosure_mode": "off",
        "captions-TOTAL_FORMS": "0",
        "captions-INITIAL_FORMS": "0",
    }
