"""`manage.py seed_demo`: the English demo organization and the Danish one, which runs in
works-council mode, so its small team never shows on its own."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from analytics.models import AnalyticsSettings
from employees.models import Membership, Organization, Team

SMALL = "Jura"


@pytest.fixture
def seeded(db):
    call_command("seed_demo", stdout=io.StringIO())
    return Organization.objects.get(slug="demo-da")


def _login(client, email):
    membership = Membership.objects.get(user__email=email)
    client.force_login(membership.user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def _csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


def test_the_danish_demo_is_danish_and_in_works_council_mode_with_k_five(seeded):
    assert (seeded.language, seeded.timezone) == ("da", "Europe/Copenhagen")
    rules = AnalyticsSettings.objects.get(organization=seeded)
    assert (rules.works_council, rules.council_min_team_size) == (True, 5)
    english = Organization.objects.get(slug="demo")
    assert not AnalyticsSettings.objects.filter(organization=english, works_council=True).exists()
    # The small team is really small, and the others are not.
    jura = Team.objects.get(organization=seeded, name=SMALL)
    assert 0 < jura.memberships.count() < 5
    assert seeded.shares.exists()


def test_running_the_seed_again_adds_nothing_and_keeps_an_admins_choice(seeded):
    AnalyticsSettings.objects.filter(organization=seeded).update(works_council=False)
    shares = seeded.shares.count()
    call_command("seed_demo", stdout=io.StringIO())
    assert seeded.shares.count() == shares
    assert Organization.objects.filter(slug__startswith="demo").count() == 2
    assert AnalyticsSettings.objects.get(organization=seeded).works_council is False


@pytest.mark.parametrize("email", ["admin@da.demo.example", "leder@da.demo.example"])
def test_the_danish_demos_team_views_hide_the_small_team(seeded, client, email):
    client = _login(client, email)
    jura = Team.objects.get(organization=seeded, name=SMALL)
    page = client.get(reverse("analytics:dashboard"), {"days": 90}).content.decode()
    page = re.sub(rf'<option value="{jura.id}"[^>]*>[^<]*</option>', "", page)
    assert SMALL not in page
    assert "Marketing" in page or email.startswith("leder")
    teams = [row[1] for row in _csv(client.get(reverse("analytics:export", args=["teams"]), {"days": 90}))[1:]]
    assert SMALL not in teams
    assert teams  # the bigger teams are there
