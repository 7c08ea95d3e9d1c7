"""People with real accounts on the local Bluesky reference network, in a benchmark organization."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from advocacy.models import Share
from content.models import Post
from employees.models import Membership, Organization, SocialProfile, User
from employees.profiles.services import profile_store
from harness.bluesky import LocalBlueskyNetwork, unique_handle
from networks.base import Credentials
from networks.bluesky import BlueskyAdapter


@dataclass
class Sharer:
    membership: Membership
    profile: SocialProfile
    credentials: Credentials


def organization_fresh(slug: str, name: str) -> Organization:
    """An empty benchmark organization (a previous run's is removed, shares first)."""
    old = Organization.objects.filter(slug=slug).first()
    if old is not None:
        with transaction.atomic():
            Share.objects.filter(organization=old).delete()
            users = list(Membership.objects.filter(organization=old).values_list("user_id", flat=True))
            old.delete()
            User.objects.filter(pk__in=users, memberships__isnull=True).delete()
    return Organization.objects.create(slug=slug, name=name, timezone="UTC")


def member_create(organization: Organization, label: str) -> Membership:
    email = f"{label}-{secrets.token_hex(4)}@{organization.slug}.bench.example"
    user = User.objects.create_user(email, None, name=label)
    return Membership.objects.create(user=user, organization=organization, is_employee=True)


def sharers_connect(network: LocalBlueskyNetwork, organization: Organization, count: int, prefix: str) -> list[Sharer]:
    """New accounts on the network, connected the way an employee connects one (app password)."""
    sharers = []
    for index in range(count):
        account = network.create_account(unique_handle(prefix))
        credentials = BlueskyAdapter.connect(account.handle, account.password, network.pds_url)
        membership = member_create(organization, f"{prefix}{index}")
        profile = profile_store(
            membership=membership,
            network="bluesky",
            remote_id=credentials.extra["did"],
            credentials=credentials,
            handle=account.handle,
            followers=0,
        )
        sharers.append(Sharer(membership, profile, credentials))
    return sharers


def posts_create(organization: Organization, count: int, label: str) -> list[Post]:
    now = timezone.now()
    return [
        Post.objects.create(
            organization=organization,
            title=f"{label} {index}: our new office opens",
            body="A short story for the benchmark, with a link card.",
            link_url=f"https://www.scale.example/{label}/{index}",
            status=Post.Status.PUBLISHED,
            publish_at=now,
            published_at=now,
        )
        for index in range(count)
    ]
