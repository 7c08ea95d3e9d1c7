from __future__ import annotations

from datetime import timedelta

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone

from employees.models import Membership, Organization, Team, User

PASSWORD = "correct-horse-battery-staple"


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Organization {n}")
    slug = factory.Sequence(lambda n: f"org-{n}")


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Team {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified_email(self, create, extracted, **kwargs):
        if create:
            self.save()
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)
    is_employee = True

    @factory.post_generation
    def teams(self, create, extracted, **kwargs):
        if create and extracted:
            self.teams.set(extracted)


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "content.Topic"

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Topic {n}")


class PostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "content.Post"
        skip_postgeneration_save = True

    organization = factory.SubFactory(OrganizationFactory)
    title = factory.Sequence(lambda n: f"Post {n}")
    body = "Context for colleagues."
    link_url = factory.Sequence(lambda n: f"https://example.com/news/{n}")

    @factory.post_generation
    def audience(self, create, extracted, **kwargs):
        if create and extracted:
            self.audience_teams.set(extracted)

    @classmethod
    def published(cls, **kwargs):
        import datetime

        from django.utils import timezone

        since = timezone.now() - datetime.timedelta(days=1)
        return cls(status="published", publish_at=since, published_at=since, **kwargs)


class SocialProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "employees.SocialProfile"

    organization = factory.LazyAttribute(lambda o: o.owner_membership.organization if o.owner_membership else None)
    owner_membership = None
    network = "mastodon"
    remote_id = factory.Sequence(lambda n: f"{n}@social.example")
    handle = factory.Sequence(lambda n: f"@person{n}@social.example")
    followers = 100
    access_token = factory.Sequence(lambda n: f"token-{n}")
    extra = factory.LazyAttribute(
        lambda o: {"instance_url": "https://social.example"} if o.network == "mastodon" else {}
    )


class ShareFactory(factory.django.DjangoModelFactory):
    """A share already posted, by default from a new employee's Bluesky profile."""

    class Meta:
        model = "advocacy.Share"

    profile = factory.SubFactory(SocialProfileFactory, network="bluesky")
    organization = factory.LazyAttribute(lambda o: o.profile.organization)
    post = factory.LazyAttribute(lambda o: PostFactory.published(organization=o.organization))
    member = factory.LazyAttribute(lambda o: o.profile.owner_membership)
    network = factory.LazyAttribute(lambda o: o.profile.network)
    sequence = factory.Sequence(lambda n: n % 30000 + 1)
    comment = "A few words of my own."
    final_text = factory.LazyAttribute(lambda o: o.comment)
    twist = "personal"
    status = "posted"
    posted_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=1))
    remote_id = factory.Sequence(lambda n: f"at://did:plc:test/app.bsky.feed.post/{n:013d}")
    followers_at_share = factory.LazyAttribute(lambda o: o.profile.followers)


class TrackedLinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "advocacy.TrackedLink"

    share = factory.SubFactory(ShareFactory)
    organization = factory.LazyAttribute(lambda o: o.share.organization)
    code = factory.Sequence(lambda n: f"c{n:07d}")
    target_url = "https://example.com/landing"


class ClickFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "advocacy.Click"

    link = factory.SubFactory(TrackedLinkFactory)
    at = factory.LazyFunction(lambda: timezone.now() - timedelta(minutes=30))
    is_bot = False
    visitor = factory.Sequence(lambda n: f"visitor{n:08d}")


def company_profile(organization, **fields):
    fields.setdefault("network", "bluesky")
    fields.setdefault("followers", 5000)
    return SocialProfileFactory(organization=organization, owner_membership=None, **fields)
