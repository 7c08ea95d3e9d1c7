from __future__ import annotations

import pytest
from django.urls import reverse

from content.models import CaptionSuggestion, Post
from employees.models import AuditEvent, Organization
from tests.factories import PostFactory, SocialProfileFactory

pytestmark = pytest.mark.usefixtures("media_root")


def _turn(client, position):
    return client.post(reverse("content:control_dial"), {"control": position}, follow=True)


def test_an_organization_starts_centralized(cast):
    assert cast.org.control == Organization.Control.CENTRALIZED


def test_the_settings_page_shows_the_dial_beside_the_distribution_index(cast, login):
    page = login(cast.alice).get(reverse("employees:organization_settings")).content.decode()
    assert 'id="control-dial"' in page
    assert 'value="centralized" checked' in page
    for position in ("decentralized", "distributed"):
        assert f'value="{position}"' in page
    assert 'id="distribution"' in page
    assert "Distribution index" in page


def test_an_admin_turns_the_dial_and_the_audit_log_says_so(cast, login):
    response = _turn(login(cast.alice), "distributed")
    assert "The control dial is now at Distributed." in response.content.decode()
    cast.org.refresh_from_db()
    assert cast.org.control == "distributed"
    event = AuditEvent.objects.get(organization=cast.org, action=AuditEvent.Action.SETTINGS_CHANGED)
    assert event.detail["settings"] == "control"
    assert event.detail["before"] == "centralized"


@pytest.mark.parametrize("person", ["carol", "mike", "emma"])
def test_only_an_admin_turns_the_dial(cast, login, person):
    response = login(getattr(cast, person)).post(reverse("content:control_dial"), {"control": "distributed"})
    assert response.status_code == 403
    cast.org.refresh_from_db()
    assert cast.org.control == "centralized"


def test_a_position_that_does_not_exist_is_refused_with_a_message(cast, login):
    response = _turn(login(cast.alice), "anarchy")
    assert "Choose centralized, decentralized or distributed." in response.content.decode()
    cast.org.refresh_from_db()
    assert cast.org.control == "centralized"


def test_turning_the_dial_in_one_organization_leaves_the_other_alone(cast, login):
    _turn(login(cast.olga), "distributed")
    cast.org.refresh_from_db()
    cast.other_org.refresh_from_db()
    assert (cast.org.control, cast.other_org.control) == ("centralized", "distributed")


def test_posts_awaiting_approval_stay_when_the_dial_turns_and_the_page_says_so(cast, login):
    cast.org.control = "decentralized"
    cast.org.save()
    waiting = PostFactory(
        organization=cast.org,
        source=Post.Source.COLLEAGUE,
        status=Post.Status.PENDING_APPROVAL,
        created_by=cast.emma.user,
    )
    client = login(cast.alice)
    page = client.get(reverse("employees:organization_settings")).content.decode()
    assert "1 employee post awaits approval now. Turning the dial keeps it in the approval queue." in page
    response = _turn(client, "distributed")
    assert "none is published without that" in response.content.decode()
    waiting.refresh_from_db()
    assert waiting.status == Post.Status.PENDING_APPROVAL
    queue = login(cast.carol).get(reverse("content:post_queue")).content.decode()
    assert waiting.title in queue


def _captioned_post(cast):
    post = PostFactory.published(organization=cast.org)
    CaptionSuggestion.objects.create(post=post, text="What changed for your team?")
    return post


def test_centralized_captions_are_ready_text_to_start_from(cast, login):
    post = _captioned_post(cast)
    SocialProfileFactory(owner_membership=cast.emma)
    page = login(cast.emma).get(reverse("advocacy:compose", args=[post.id])).content.decode()
    assert 'data-fill="#id_comment" data-text="What changed for your team?"' in page
    assert 'id="prompts"' not in page


def test_decentralized_captions_are_prompts_in_the_comment_never_filled_in(cast, login):
    cast.org.control = "decentralized"
    cast.org.save()
    post = _captioned_post(cast)
    SocialProfileFactory(owner_membership=cast.emma)
    page = login(cast.emma).get(reverse("advocacy:compose", args=[post.id])).content.decode()
    assert 'placeholder="What changed for your team?"' in page
    assert 'id="prompts"' in page
    assert "data-fill" not in page


def test_distributed_offers_no_ready_captions(cast, login):
    cast.org.control = "distributed"
    cast.org.save()
    post = _captioned_post(cast)
    SocialProfileFactory(owner_membership=cast.emma)
    page = login(cast.emma).get(reverse("advocacy:compose", args=[post.id])).content.decode()
    assert "What changed for your team?" not in page
    assert "data-fill" not in page


def test_the_editor_names_captions_prompts_when_decentralized(cast, login):
    cast.org.control = "decentralized"
    cast.org.save()
    page = login(cast.carol).get(reverse("content:post_create")).content.decode()
    assert "<h2>Prompts</h2>" in page
    assert "What changed for your team?" in page  # the example question


def test_the_distributed_editor_offers_no_captions_and_keeps_the_ones_a_post_has(cast, login):
    cast.org.control = "distributed"
    cast.org.save()
    post = _captioned_post(cast)
    client = login(cast.carol)
    page = client.get(reverse("content:post_edit", args=[post.id])).content.decode()
    assert 'id="no-captions"' in page
    assert "captions-TOTAL_FORMS" not in page
    data = {"title": "A new title", "body": "", "link_url": post.link_url, "action": "save"}
    response = client.post(reverse("content:post_edit", args=[post.id]), data)
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.title == "A new title"
    assert list(post.captions.values_list("text", flat=True)) == ["What changed for your team?"]


def test_nothing_already_shared_changes_when_the_dial_turns(cast, login):
    from advocacy.models import Share

    post = _captioned_post(cast)
    profile = SocialProfileFactory(owner_membership=cast.emma)
    share = Share.objects.create(
        organization=cast.org, post=post, profile=profile, member=cast.emma, network="mastodon", final_text="Mine"
    )
    _turn(login(cast.alice), "distributed")
    share.refresh_from_db()
    post.refresh_from_db()
    assert (share.final_text, share.status, post.status) == ("Mine", Share.Status.QUEUED, Post.Status.PUBLISHED)
