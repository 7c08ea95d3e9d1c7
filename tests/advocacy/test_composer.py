"""The share composer: every bad input gets a clear answer; no share is lost or doubled."""

from __future__ import annotations

import re
from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from advocacy.models import Share
from content.models import ComplianceSettings, Post
from tests.factories import PostFactory, SocialProfileFactory


def _share(client, post, profiles, comment="I walked past it this morning: it looks great.", **extra):
    data = {"profiles": [profile.id for profile in profiles], "comment": comment, "when": "now", **extra}
    return client.post(reverse("advocacy:compose", args=[post.id]), data)


def test_a_share_is_created_per_profile_with_its_own_tracked_link(cast, login, post, mastodon_profile):
    bluesky = SocialProfileFactory(owner_membership=cast.emma, network="bluesky", handle="emma.test", extra={})
    response = _share(login(cast.emma), post, [mastodon_profile, bluesky])
    assert response.status_code == 302
    shares = list(Share.objects.order_by("network"))
    assert [share.network for share in shares] == ["bluesky", "mastodon"]
    assert len({share.tracked_link.code for share in shares}) == 2
    for share in shares:
        assert share.member == cast.emma
        assert share.twist == "personal"
        assert f"/l/{share.tracked_link.code}" in share.final_text
        assert share.final_text.startswith("I walked past it this morning")


def test_the_disclosure_is_added_to_the_final_text(cast, login, post, mastodon_profile):
    ComplianceSettings.objects.create(organization=cast.org, disclosure_text="#ansat", disclosure_mode="append")
    _share(login(cast.emma), post, [mastodon_profile], comment="Flot!")
    assert Share.objects.get().final_text.startswith("Flot! #ansat\n\nhttp")


def test_a_comment_over_the_network_limit_is_refused(cast, login, post):
    bluesky = SocialProfileFactory(owner_membership=cast.emma, network="bluesky", extra={})
    response = _share(login(cast.emma), post, [bluesky], comment="ø" * 290)
    assert response.status_code == 400
    assert "Too long for Bluesky" in response.content.decode()
    assert not Share.objects.exists()


def test_a_blocked_word_is_refused_naming_the_word(cast, login, post, mastodon_profile):
    ComplianceSettings.objects.create(organization=cast.org, blocked_phrases="insider tip")
    response = _share(login(cast.emma), post, [mastodon_profile], comment="An Insider  tip for you")
    assert response.status_code == 400
    assert "“insider tip” is on your organization" in response.content.decode()
    assert not Share.objects.exists()
    assert cast.org.compliance_events.get().where == "comment"


def test_a_profile_of_someone_else_is_refused(cast, login, post):
    mikes = SocialProfileFactory(owner_membership=cast.mike, network="mastodon")
    response = _share(login(cast.emma), post, [mikes])
    assert response.status_code == 400
    assert not Share.objects.exists()


def test_an_expired_post_or_one_outside_the_audience_cannot_be_shared(cast, login, mastodon_profile):
    expired = PostFactory.published(organization=cast.org, expires_at=timezone.now() - timedelta(minutes=1))
    not_for_me = PostFactory.published(organization=cast.org, audience=[cast.marketing])
    client = login(cast.emma)
    assert _share(client, expired, [mastodon_profile]).status_code == 404
    assert _share(client, not_for_me, [mastodon_profile]).status_code == 404
    assert not Share.objects.exists()


def test_a_schedule_time_in_the_past_is_refused(cast, login, post, mastodon_profile):
    past = (timezone.localtime() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    response = _share(login(cast.emma), post, [mastodon_profile], when="later", scheduled_for=past)
    assert response.status_code == 400
    assert "Choose a time in the future" in response.content.decode()
    assert not Share.objects.exists()


def test_a_scheduled_share_waits_for_its_time(cast, login, post, mastodon_profile):
    later = (timezone.localtime() + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    _share(login(cast.emma), post, [mastodon_profile], when="later", scheduled_for=later)
    share = Share.objects.get()
    assert share.status == "scheduled"


def test_double_clicking_share_posts_once(cast, login, post, mastodon_profile, django_capture_on_commit_callbacks):
    client = login(cast.emma)
    first = _share(client, post, [mastodon_profile])
    second = _share(client, post, [mastodon_profile])
    assert first.status_code == 302
    assert second.status_code == 400
    assert "already shared this post" in second.content.decode()
    assert Share.objects.count() == 1


def test_share_again_is_an_explicit_new_share(cast, login, post, mastodon_profile):
    client = login(cast.emma)
    _share(client, post, [mastodon_profile])
    _share(client, post, [mastodon_profile], again="True")
    assert sorted(Share.objects.values_list("sequence", flat=True)) == [1, 2]


def test_the_authenticity_guard_records_the_personal_twist(cast, login, post, mastodon_profile):
    mike_profile = SocialProfileFactory(owner_membership=cast.mike, network="mastodon")
    _share(login(cast.emma), post, [mastodon_profile], comment="Proud to open our new office in Aarhus today!!")
    assert Share.objects.get(member=cast.emma).twist == "caption"
    _share(login(cast.mike), post, [mike_profile], comment="")
    assert Share.objects.get(member=cast.mike).twist == "empty"
    carol_profile = SocialProfileFactory(owner_membership=cast.carol, network="mastodon")
    _share(login(cast.carol), post, [carol_profile], comment="Proud to open our new office in Aarhus today!! 🎉")
    assert Share.objects.get(member=cast.carol).twist in ("caption", "near_duplicate")


def test_the_preview_shows_the_final_text_counter_and_nudge(cast, login, post, mastodon_profile):
    response = login(cast.emma).post(
        reverse("advocacy:compose_preview", args=[post.id]), {"profiles": [mastodon_profile.id], "comment": ""}
    )
    page = response.content.decode()
    assert "Add a few words of your own" in page
    assert "/500" in page
    assert "https://example.com" not in page  # the tracked link, never the raw target
    assert "/l/" in page


def test_the_composer_page_offers_the_captions_and_starts_empty(cast, login, post, mastodon_profile):
    page = login(cast.emma).get(reverse("advocacy:compose", args=[post.id])).content.decode()
    assert 'data-text="Proud to open our new office in Aarhus today!"' in page
    assert '<textarea name="comment"' in page
    assert "Proud to open our new office in Aarhus today!</textarea>" not in page


def test_an_outsider_cannot_share_or_preview_another_organizations_post(cast, login, post):
    olga_profile = SocialProfileFactory(owner_membership=cast.olga, network="mastodon")
    client = login(cast.olga)
    assert _share(client, post, [olga_profile]).status_code == 404
    assert client.post(reverse("advocacy:compose_preview", args=[post.id]), {"comment": "x"}).status_code == 404
    assert not Share.objects.exists()


def test_comms_share_to_the_company_profiles(cast, login, post):
    company = SocialProfileFactory(organization=cast.org, owner_membership=None, network="mastodon")
    response = login(cast.carol).post(
        reverse("advocacy:compose", args=[post.id]) + "?company=1",
        {"profiles": [company.id], "comment": "News from all of us", "when": "now", "company": "1"},
    )
    assert response.status_code == 302
    share = Share.objects.get()
    assert (share.profile, share.member) == (company, None)


def test_employees_cannot_use_the_company_profiles(cast, login, post):
    company = SocialProfileFactory(organization=cast.org, owner_membership=None, network="mastodon")
    response = login(cast.emma).post(
        reverse("advocacy:compose", args=[post.id]),
        {"profiles": [company.id], "comment": "x", "when": "now", "company": "1"},
    )
    assert response.status_code == 404
    assert not Post.objects.filter(shares__isnull=False).exists()


def test_the_post_page_lists_its_shares(cast, login, post, mastodon_profile):
    _share(login(cast.emma), post, [mastodon_profile], comment="My own words")
    page = login(cast.carol).get(reverse("content:post_detail", args=[post.id])).content.decode()
    assert "My own words" in page
    assert cast.emma.user.get_full_name() in page
    assert "Share from the company" in page


def test_the_feed_opens_the_composer_as_a_panel(cast, login, post, mastodon_profile):
    response = login(cast.emma).get(reverse("advocacy:compose", args=[post.id]), headers={"HX-Request": "true"})
    page = response.content.decode()
    assert "<html" not in page
    assert 'id="share-form"' in page


def test_company_shares_carry_no_employee_disclosure(cast, login, post):
    ComplianceSettings.objects.create(organization=cast.org, disclosure_text="#ansat", disclosure_mode="require")
    company = SocialProfileFactory(organization=cast.org, owner_membership=None, network="mastodon")
    login(cast.carol).post(
        reverse("advocacy:compose", args=[post.id]) + "?company=1",
        {"profiles": [company.id], "comment": "News from all of us", "when": "now", "company": "1"},
    )
    share = Share.objects.get()
    assert share.body_text == "News from all of us"
    assert "#ansat" not in share.final_text


def test_the_text_sent_is_fixed_when_the_share_is_made(cast, login, post, mastodon_profile):
    rules = ComplianceSettings.objects.create(organization=cast.org, disclosure_text="#ansat", disclosure_mode="append")
    _share(login(cast.emma), post, [mastodon_profile], comment="Flot!")
    rules.disclosure_text = "#changed"
    rules.save()
    assert Share.objects.get().body_text == "Flot! #ansat"


def test_the_live_nudge_says_what_the_share_will_store(cast, login, post, mastodon_profile):
    # One colleague's comment that Emma is about to echo, then many identical newer ones:
    # reading the newest 200 rows without removing repeats never sees the first.
    mike_profile = SocialProfileFactory(owner_membership=cast.mike, network="mastodon")
    echoed = "Walked past the new place on my way in: the view over the harbour is something else."
    colleague = {"organization": cast.org, "post": post, "profile": mike_profile, "member": cast.mike}
    Share.objects.create(**colleague, network="mastodon", sequence=1, comment=echoed, status=Share.Status.POSTED)
    for sequence in range(2, 204):
        Share.objects.create(
            **colleague, network="mastodon", sequence=sequence, comment="Great news!", status=Share.Status.POSTED
        )
    client = login(cast.emma)

    preview = client.post(
        reverse("advocacy:compose_preview", args=[post.id]),
        {"profiles": [mastodon_profile.id], "comment": echoed + "!"},
    ).content.decode()
    _share(client, post, [mastodon_profile], comment=echoed + "!")

    assert "Colleagues have shared almost the same words." in preview
    assert Share.objects.get(member=cast.emma).twist == "near_duplicate"


def _ticked(page: str) -> list[str]:
    return re.findall(r'<input type="checkbox" name="profiles" value="(\d+)"[^>]*\bchecked\b', page)


def test_the_only_profile_starts_ticked(cast, login, post, mastodon_profile):
    page = login(cast.emma).get(reverse("advocacy:compose", args=[post.id])).content.decode()
    assert _ticked(page) == [str(mastodon_profile.id)]


def test_with_several_profiles_none_starts_ticked(cast, login, post, mastodon_profile):
    SocialProfileFactory(owner_membership=cast.emma, network="bluesky", handle="emma.test", extra={})
    page = login(cast.emma).get(reverse("advocacy:compose", args=[post.id])).content.decode()
    assert page.count('name="profiles"') == 2
    assert _ticked(page) == []


def test_the_only_company_profile_starts_ticked_for_a_company_share(cast, login, post, mastodon_profile):
    company = SocialProfileFactory(organization=cast.org, owner_membership=None, network="mastodon")
    page = login(cast.carol).get(reverse("advocacy:compose", args=[post.id]) + "?company=1").content.decode()
    assert _ticked(page) == [str(company.id)]


def test_a_refused_share_keeps_what_was_ticked(cast, login, post, mastodon_profile):
    response = _share(login(cast.emma), post, [], comment="x")
    assert response.status_code == 400
    assert _ticked(response.content.decode()) == []


def test_the_pre_tick_costs_no_extra_query(cast, login, post, mastodon_profile):
    client = login(cast.emma)
    url = reverse("advocacy:compose", args=[post.id])
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url, headers={"HX-Request": "true"})
    SocialProfileFactory(owner_membership=cast.emma, network="bluesky", handle="emma.test", extra={})
    with CaptureQueriesContext(connection) as two:
        client.get(url, headers={"HX-Request": "true"})
    assert len(one) == len(two)
