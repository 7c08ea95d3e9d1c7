"""Offboarding anonymises the person in the audit log too: the events stay, the name goes."""

from __future__ import annotations

from django.urls import reverse

from employees.audit import audit_record
from employees.models import AuditEvent
from tests.factories import SocialProfileFactory

Action = AuditEvent.Action


def _log_as_text() -> str:
    return "\n".join(
        f"{event.actor_label} | {event.target} | {event.detail}" for event in AuditEvent.objects.order_by("id")
    )


def test_offboarding_removes_the_persons_name_email_and_handles_from_earlier_events(cast, login):
    cast.emma.user.name = "Emma Employee"
    cast.emma.user.save(update_fields=["name"])
    profile = SocialProfileFactory(
        owner_membership=cast.emma,
        network="mastodon",
        handle="@emma_e@social.example",
        display_name="Emma E.",
        profile_url="https://social.example/@emma_e",
    )
    audit_record(
        organization=cast.org,
        actor=cast.alice.user,
        action=Action.MEMBER_INVITED,
        target="emma@acme.test",
        detail={"invitation_id": 1, "email": "emma@acme.test"},
    )
    audit_record(
        organization=cast.org,
        actor=cast.emma.user,
        action=Action.PROFILE_CONNECTED,
        target=str(profile),
        detail={"profile_id": profile.id, "network": "mastodon"},
    )
    audit_record(
        organization=cast.org,
        actor=cast.alice.user,
        action=Action.ROLE_CHANGED,
        target=str(cast.emma.user),
        detail={"membership_id": cast.emma.id, "roles": ["employee"]},
    )
    audit_record(organization=cast.org, actor=cast.emma.user, action=Action.DATA_EXPORTED, target="Emma Employee")
    # Someone else's event mentioning nothing of Emma's stays exactly as it was.
    untouched = audit_record(organization=cast.org, actor=cast.carol.user, action=Action.POST_PUBLISHED, target="News")
    before = list(AuditEvent.objects.order_by("id").values_list("id", "action", "at"))
    assert "Emma Employee" in _log_as_text()

    response = login(cast.alice).post(
        reverse("employees:member_offboard", args=[cast.emma.id]), {"confirm_email": "emma@acme.test"}
    )
    assert response.status_code == 302

    log = _log_as_text()
    for identifier in ("Emma Employee", "emma@acme.test", "emma_e", "Emma E.", "social.example/@emma_e"):
        assert identifier.lower() not in log.lower(), identifier
    cast.emma.user.refresh_from_db()
    anonymous = str(cast.emma.user)
    assert anonymous.startswith("Former employee")
    # Every earlier event is still there, same action, same time; one more says she left.
    after = list(AuditEvent.objects.order_by("id").values_list("id", "action", "at"))
    assert after[: len(before)] == before
    assert after[-1][1] == Action.MEMBER_OFFBOARDED
    assert AuditEvent.objects.filter(actor=cast.emma.user, action=Action.DATA_EXPORTED).get().actor_label == anonymous
    assert AuditEvent.objects.get(action=Action.ROLE_CHANGED).target == anonymous
    kept = AuditEvent.objects.get(pk=untouched.pk)
    assert (kept.actor_label, kept.target) == (untouched.actor_label, "News")


def test_a_person_still_active_elsewhere_keeps_their_name_in_the_log(cast, login):
    from tests.factories import MembershipFactory

    MembershipFactory(organization=cast.other_org, user=cast.emma.user)
    audit_record(organization=cast.org, actor=cast.emma.user, action=Action.DATA_EXPORTED, target="x")
    login(cast.alice).post(
        reverse("employees:member_offboard", args=[cast.emma.id]), {"confirm_email": "emma@acme.test"}
    )
    assert "emma@acme.test" in AuditEvent.objects.get(action=Action.DATA_EXPORTED).actor_label
