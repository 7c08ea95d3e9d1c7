from __future__ import annotations

from django.urls import reverse

from content.models import Post


def _suggest(client):
    return client.post(
        reverse("content:suggest"),
        {"link_url": "https://example.com/award", "reason": "We won an award!", "title": "Award"},
    )


def test_an_employee_suggestion_lands_in_the_approval_queue(cast, login):
    assert _suggest(login(cast.emma)).status_code == 302
    post = Post.objects.get()
    assert (post.status, post.source, post.created_by) == ("pending_approval", "employee", cast.emma.user)
    assert "We won an award!" in login(cast.carol).get(reverse("content:approval_queue")).content.decode()


def test_approving_as_draft_opens_the_editor(cast, login):
    _suggest(login(cast.emma))
    post = Post.objects.get()
    response = login(cast.carol).post(reverse("content:suggestion_approve", args=[post.id]))
    assert response.url == reverse("content:post_edit", args=[post.id])
    post.refresh_from_db()
    assert (post.status, post.reviewed_by) == ("draft", cast.carol.user)


def test_approving_and_publishing_puts_it_in_the_feed(cast, login):
    _suggest(login(cast.emma))
    post = Post.objects.get()
    login(cast.carol).post(reverse("content:suggestion_approve", args=[post.id]), {"publish": "1"})
    post.refresh_from_db()
    assert post.status == "published"
    assert "Award" in login(cast.emma).get(reverse("advocacy:feed")).content.decode()


def test_a_rejection_needs_a_reason_that_the_employee_sees(cast, login):
    _suggest(login(cast.emma))
    post = Post.objects.get()
    login(cast.carol).post(reverse("content:suggestion_reject", args=[post.id]), {"reason": ""})
    post.refresh_from_db()
    assert post.status == "pending_approval"
    login(cast.carol).post(reverse("content:suggestion_reject", args=[post.id]), {"reason": "Old news, sorry."})
    post.refresh_from_db()
    assert post.status == "rejected"
    assert "Old news, sorry." in login(cast.emma).get(reverse("content:my_suggestions")).content.decode()


def test_a_suggestion_is_handled_once(cast, login):
    _suggest(login(cast.emma))
    post = Post.objects.get()
    client = login(cast.carol)
    client.post(reverse("content:suggestion_reject", args=[post.id]), {"reason": "No."})
    response = client.post(reverse("content:suggestion_approve", args=[post.id]), {"publish": "1"}, follow=True)
    assert "handled already" in response.content.decode()
    post.refresh_from_db()
    assert post.status == "rejected"


def test_employees_cannot_approve_and_outsiders_get_404(cast, login):
    _suggest(login(cast.emma))
    post = Post.objects.get()
    assert login(cast.emma).post(reverse("content:suggestion_approve", args=[post.id])).status_code == 403
    assert login(cast.olga).post(reverse("content:suggestion_approve", args=[post.id])).status_code == 404
    assert (
        login(cast.olga).post(reverse("content:suggestion_reject", args=[post.id]), {"reason": "x"}).status_code == 404
    )
    post.refresh_from_db()
    assert post.status == "pending_approval"


def test_a_suggestion_without_a_valid_link_is_explained(cast, login):
    response = login(cast.emma).post(reverse("content:suggest"), {"link_url": "ftp://x", "reason": "r"})
    assert response.status_code == 400
    assert not Post.objects.exists()
