"""The distribution index: employees' share of reach times its evenness, and the Baran picture."""

from __future__ import annotations

import pytest
from django.urls import reverse

from analytics.distribution import Distribution, gini, normalized_entropy
from analytics.services import rollups
from tests.factories import MembershipFactory, ShareFactory, SocialProfileFactory, company_profile


def test_gini_is_zero_for_equal_values_and_one_when_one_holds_everything_whatever_the_count():
    assert gini([5, 5, 5, 5]) == 0
    assert gini([0, 0, 0, 100]) == pytest.approx(1)
    assert gini([0, 100]) == pytest.approx(1)
    assert gini([0] * 99 + [1]) == pytest.approx(1)
    assert gini([1, 2, 3, 4]) == pytest.approx(0.25 * 4 / 3)
    assert gini([7]) == 0
    assert gini([0, 0]) is None
    assert gini([]) is None


def test_normalized_entropy_is_one_when_even_and_zero_when_one_holds_everything():
    assert normalized_entropy([3, 3, 3]) == pytest.approx(1)
    assert normalized_entropy([0, 0, 9]) == pytest.approx(0)


def test_only_the_company_reaching_anyone_is_centralized():
    d = Distribution.of(10_000, (0, 0, 0))
    assert (d.employee_share, d.index, d.stage) == (0, 0, "centralized")


def test_a_few_employees_carrying_most_of_the_reach_is_decentralized():
    d = Distribution.of(1_000, (6_000, 3_000, 0, 0, 0, 0, 0, 0, 0, 0))
    assert d.employee_share == pytest.approx(0.9)
    assert d.evenness == pytest.approx(1 - (2 * 87_000 / 90_000 - 1.1) * 10 / 9)
    assert d.index == pytest.approx(0.9 * d.evenness)
    assert d.stage == "decentralized"
    assert d.top_share == pytest.approx(2 / 3)  # the top 3% of ten people is one person


def test_many_employees_reaching_alike_is_distributed():
    d = Distribution.of(1_000, (900, 1_100, 1_000, 1_000, 0))
    assert d.stage == "distributed"
    assert 0.5 < d.index < 1


def test_no_reach_at_all_has_no_index():
    d = Distribution.of(0, (0, 0))
    assert (d.employee_share, d.index, d.stage) == (None, None, None)


def test_the_dashboard_draws_where_the_organization_stands(cast, login):
    ShareFactory(profile=company_profile(cast.org, followers=10_000), member=None)
    ShareFactory(profile=SocialProfileFactory(owner_membership=cast.emma, followers=100))
    rollups.rollups_update()
    page = login(cast.carol).get(reverse("analytics:dashboard")).content.decode()
    section = page.split('id="distribution"')[1].split("</section>")[0]
    assert "Distribution index" in page
    assert '<g class="stage current">' in section
    assert section.index('<g class="stage current">') < section.index("Decentralized")  # centralized is current
    assert 'class="point now"' in section
    assert section.count('class="point"') == 1  # of the six slices only the latest had reach


def test_a_managers_index_counts_only_their_teams_people(cast, login):
    for _ in range(3):
        person = MembershipFactory(organization=cast.org, teams=[cast.marketing])
        ShareFactory(profile=SocialProfileFactory(owner_membership=person, followers=5_000))
    ShareFactory(profile=SocialProfileFactory(owner_membership=cast.emma, followers=100))
    ShareFactory(profile=company_profile(cast.org, followers=100), member=None)
    rollups.rollups_update()
    page = login(cast.mike).get(reverse("analytics:dashboard")).content.decode()
    section = page.split('id="distribution"')[1].split("</section>")[0]
    assert "50.0 %" in section  # emma 100 vs company 100, marketing's 15,000 left out
    assert "1 / 2" in section  # emma reached someone; mike, the other employee in Sales, did not
