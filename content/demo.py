"""Demo content for `manage.py seed_demo`: topics and a dozen posts in every state."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from content.models import CaptionSuggestion, ComplianceSettings, Post, Topic

TOPICS = ["Hiring", "Product", "Culture", "Events", "Sustainability"]

# (title, body, link, topics, status, days relative to now for publish/expiry, captions)
POSTS = [
    (
        "We are hiring backend engineers in Copenhagen",
        "Know someone great? Share the opening with your network.",
        "https://example.com/jobs/backend",
        ["Hiring"],
        "published",
        -2,
        None,
        [
            ("", "My team is hiring! Come build with us."),
            (
                "linkedin",
                (
                    "We're growing the engineering team in Copenhagen. "
                    "If you love Python and care about reliable systems, this one is for you."
                ),
            ),
        ],
    ),
    (
        "Vi søger en ny projektleder",
        "Del gerne opslaget med dit netværk.",
        "https://example.com/job/projektleder",
        ["Hiring"],
        "published",
        -1,
        20,
        [("", "Kender du en dygtig projektleder? Vi søger!")],
    ),
    (
        "Our spring product release",
        "The biggest release this year: offline mode and a new dashboard.",
        "https://example.com/blog/spring-release",
        ["Product"],
        "published",
        -5,
        None,
        [("", "Offline mode is finally here."), ("x", "Offline mode is here, and it is fast.")],
    ),
    (
        "Ny version af vores app",
        "Nu med mørk tilstand og hurtigere synkronisering.",
        "https://example.com/blog/ny-version",
        ["Product"],
        "published",
        -3,
        None,
        [("", "Mørk tilstand er landet!")],
    ),
    (
        "Behind the scenes: our summer party",
        "Photos and a short video from this year's summer party.",
        "https://example.com/culture/summer",
        ["Culture"],
        "published",
        -12,
        30,
        [],
    ),
    (
        "We cut our office energy use by 30%",
        "How the facilities team did it, step by step.",
        "https://example.com/sustainability/energy",
        ["Sustainability"],
        "published",
        -8,
        None,
        [("", "Proud of what our facilities team achieved this year.")],
    ),
    (
        "Meet us at the Nordic Tech Summit",
        "We are on stage on day two. Come say hi at booth 14.",
        "https://example.com/events/nordic-summit",
        ["Events"],
        "scheduled",
        2,
        10,
        [("", "See you at Nordic Tech Summit!")],
    ),
    (
        "Åbent hus i Aarhus",
        "Kom forbi vores nye kontor i Aarhus og mød holdet.",
        "https://example.com/events/aabent-hus",
        ["Events", "Culture"],
        "scheduled",
        5,
        None,
        [],
    ),
    (
        "Quarterly results (draft)",
        "Waiting for final numbers from finance.",
        "https://example.com/investors/q3",
        ["Product"],
        "draft",
        None,
        None,
        [],
    ),
    (
        "Kundehistorie: Nordbanken",
        "Udkast – afventer godkendelse fra kunden.",
        "https://example.com/cases/nordbanken",
        ["Product"],
        "draft",
        None,
        None,
        [],
    ),
    (
        "Webinar: modern data pipelines",
        "The recording is no longer available.",
        "https://example.com/events/webinar-data",
        ["Events"],
        "expired",
        -40,
        -10,
        [],
    ),
    (
        "Winter campaign 2025",
        "Last year's campaign, kept for reference.",
        "https://example.com/campaigns/winter-2025",
        ["Culture"],
        "archived",
        -300,
        None,
        [],
    ),
]


SUGGESTIONS = [
    ("Great article about our team in Børsen", "https://example.com/press/boersen", "pending_approval", "", ""),
    ("Old blog post from 2019", "https://example.com/blog/2019", "rejected", "Too old to share today.", ""),
]


def seed_content(*, organization, author, suggester=None, disclosure: str = "#employee") -> None:
    """Idempotent: posts are matched by title within the organization."""
    topics = {}
    for name in TOPICS:
        topics[name], _ = Topic.objects.get_or_create(organization=organization, name=name)
    ComplianceSettings.objects.get_or_create(
        organization=organization,
        defaults={"disclosure_text": disclosure, "disclosure_mode": "append", "blocked_phrases": "guaranteed returns"},
    )
    now = timezone.now()
    for title, body, link, topic_names, status, publish_days, expire_days, captions in POSTS:
        if Post.objects.filter(organization=organization, title=title).exists():
            continue
        publish_at = now + timedelta(days=publish_days) if publish_days is not None else None
        post = Post.objects.create(
            organization=organization,
            title=title,
            body=body,
            link_url=link,
            status=status,
            publish_at=publish_at,
            published_at=publish_at if status in ("published", "expired", "archived") else None,
            expires_at=now + timedelta(days=expire_days) if expire_days is not None else None,
            created_by=author,
        )
        post.topics.set([topics[name] for name in topic_names])
        CaptionSuggestion.objects.bulk_create(
            CaptionSuggestion(post=post, network=network, text=text, position=position)
            for position, (network, text) in enumerate(captions)
        )
    for title, link, status, rejection, _note in SUGGESTIONS:
        if suggester is None or Post.objects.filter(organization=organization, title=title).exists():
            continue
        Post.objects.create(
            organization=organization,
            title=title,
            link_url=link,
            status=status,
            source=Post.Source.EMPLOYEE,
            created_by=suggester,
            suggestion_reason="Colleagues would love to see this.",
            rejection_reason=rejection,
            reviewed_by=author if status == "rejected" else None,
            reviewed_at=now if status == "rejected" else None,
        )
