"""Topics and posts over the whole history, with audiences and suggested captions (COPY)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from bench.seeding import params as p
from bench.seeding.db import copy_rows
from bench.seeding.people import People
from bench.seeding.tables import T

TOPICS = (
    "Product",
    "Customers",
    "Hiring",
    "Culture",
    "Sustainability",
    "Events",
    "Engineering",
    "Partnerships",
    "Leadership",
    "Awards",
    "Research",
    "Security",
    "Community",
    "Diversity",
    "Webinars",
    "Case studies",
    "Press",
    "Open source",
    "Offices",
    "Graduates",
    "Design",
    "Data",
    "Support",
    "Investors",
)
HEADLINES = (
    "Customer story: how {x} cut delivery times in half",
    "We are hiring: {x} engineers in {y}",
    "Our {x} report for {y} is out",
    "Webinar: the future of {x}",
    "Product update: {x} is now faster",
    "Behind the scenes at our {y} office",
    "Five lessons from {x}",
    "New partnership with a leader in {x}",
    "{x}: what we learned this quarter",
    "Join us at the {y} summit on {x}",
)
WORDS = ("field service", "logistics", "offline mode", "data privacy", "AI planning", "green energy", "retail")
PLACES = ("Copenhagen", "Aarhus", "Berlin", "Amsterdam", "London", "Paris", "Madrid", "Warsaw", "Boston")


@dataclass(frozen=True)
class Content:
    posts: int
    shareable: int


def seed_content(params: p.SeedParams, people: People, now: datetime, rng: random.Random) -> Content:
    org = people.organization_id
    copy_rows(f"{T.topic}", ["id", "organization_id", "name"], [(i + 1, org, name) for i, name in enumerate(TOPICS)])
    drafts = []
    for _ in range(params.posts):
        drafts.append(_post(params, now, rng))
    drafts.sort(key=lambda post: post["created_at"])
    posts, topics, audiences, captions = [], [], [], []
    authors = range(4, 14)
    audience_teams = people.department_ids + people.division_ids
    for post_id, post in enumerate(drafts, start=1):
        title = rng.choice(HEADLINES).format(x=rng.choice(WORDS), y=rng.choice(PLACES))
        body = f"{title}. Read what the team has to say and pass it on with a word of your own."
        link = f"https://www.scale.example/news/{post_id}"
        posts.append(
            (
                post_id,
                org,
                title,
                body,
                link,
                "",
                post["status"],
                post["publish_at"],
                post["expires_at"],
                post["published_at"],
                post["source"],
                rng.choice(authors),
                post["created_at"],
                post["published_at"] or post["created_at"],
                "",
                "",
                "ok",
                title,
                body[:160],
                f"https://www.scale.example/images/{post_id}.jpg",
                "",
                post["created_at"],
            )
        )
        for topic in rng.sample(range(1, len(TOPICS) + 1), rng.choice((1, 1, 2, 2, 3))):
            topics.append((len(topics) + 1, post_id, topic))
        if rng.random() < 0.15:
            for team in rng.sample(audience_teams, rng.choice((1, 1, 2))):
                audiences.append((len(audiences) + 1, post_id, team))
        captions.append((len(captions) + 1, post_id, "", f"Proud of this: {title}", 0))
        if rng.random() < 0.5:
            captions.append((len(captions) + 1, post_id, "x", f"{title} #news", 1))
    copy_rows(
        f"{T.post}",
        [
            "id",
            "organization_id",
            "title",
            "body",
            "link_url",
            "internal_notes",
            "status",
            "publish_at",
            "expires_at",
            "published_at",
            "source",
            "created_by_id",
            "created_at",
            "updated_at",
            "suggestion_reason",
            "rejection_reason",
            "preview_status",
            "preview_title",
            "preview_description",
            "preview_image_url",
            "preview_error",
            "preview_fetched_at",
        ],
        posts,
    )
    copy_rows(f"{T.post_topics}", ["id", "post_id", "topic_id"], topics)
    copy_rows(f"{T.post_audience_teams}", ["id", "post_id", "team_id"], audiences)
    copy_rows(f"{T.captionsuggestion}", ["id", "post_id", "network", "text", "position"], captions)
    shareable = sum(1 for post in drafts if post["published_at"] is not None)
    return Content(posts=len(posts), shareable=shareable)


def _post(params: p.SeedParams, now: datetime, rng: random.Random) -> dict:
    """One post's lifecycle: most published at some point of the history, a few not (yet)."""
    roll = rng.random()
    created = now - timedelta(days=params.days * rng.random())
    post = {"status": "published", "publish_at": None, "expires_at": None, "published_at": None, "source": "comms"}
    if roll < 0.02:
        post["status"] = "draft"
    elif roll < 0.03:
        post.update(status="pending_approval", source="employee")
    elif roll < 0.035:
        post.update(status="rejected", source="employee")
    elif roll < 0.055:
        post.update(status="scheduled", publish_at=now + timedelta(days=rng.uniform(0.1, 14)))
    else:
        published = created + timedelta(hours=rng.uniform(0.5, 48))
        published = min(published, now - timedelta(hours=1))
        post.update(publish_at=published, published_at=published)
        kind = rng.random()
        if kind < 0.08:
            post["status"] = "archived"
        elif kind < 0.20:
            expires = published + timedelta(days=rng.uniform(3, 30))
            if expires < now:
                post.update(status="expired", expires_at=expires)
        elif kind < 0.35:
            post["expires_at"] = max(published + timedelta(days=rng.uniform(1, 60)), now + timedelta(hours=6))
    post["created_at"] = created if post["published_at"] is None else min(created, post["published_at"])
    return post
