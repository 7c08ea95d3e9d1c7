"""The benchmark seed's team tree: the size and depth each preset asks for."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bench.seeding.params import FULL, LARGE, SMALL
from bench.seeding.people import _teams, team_level_sizes


def _depths(rows: list[tuple]) -> dict[int, int]:
    parents = {row[0]: row[3] for row in rows}
    depths = {}
    for team in parents:
        depth, parent = 1, parents[team]
        while parent is not None:
            depth, parent = depth + 1, parents[parent]
        depths[team] = depth
    return depths


def test_large_preset_is_2400_teams_five_levels_deep():
    rows, divisions, departments, leaves = _teams(LARGE, org_id=1)
    depths = _depths(rows)
    assert len(rows) == 2400
    assert max(depths.values()) == 5
    # People sit in the leaves, all on the fifth level; every other team has children.
    assert {depths[team] for team in leaves} == {5}
    parents = {row[3] for row in rows}
    assert all(row[0] in parents for row in rows if depths[row[0]] < 5)
    assert {depths[team] for team in divisions} == {1}
    assert {depths[team] for team in departments} == {2}
    assert len({row[2].lower() for row in rows}) == len(rows)
    assert max(len(row[2]) for row in rows) <= 120


@pytest.mark.parametrize(("params", "sizes"), [(FULL, [8, 33, 200]), (SMALL, [2, 2, 8])])
def test_default_and_small_presets_keep_three_levels(params, sizes):
    rows, _divisions, _departments, _leaves = _teams(params, org_id=1)
    assert team_level_sizes(params) == sizes
    assert len(rows) == sum(sizes)
    assert max(_depths(rows).values()) == 3


def test_a_tree_that_cannot_be_built_is_refused():
    with pytest.raises(ValueError, match="too few"):
        team_level_sizes(replace(SMALL, teams=5, team_depth=5))
    with pytest.raises(ValueError, match="needs a team count"):
        team_level_sizes(replace(FULL, team_depth=4))
