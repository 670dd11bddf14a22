"""analytics.reporting_groups on the fixture database (tests/dashboard_fixture.py), groups by hand.

Wave 2 cells: Platform Engineer Tokyo p02-p07 p09-p12 (10), Platform Manager Tokyo p01, Platform
Engineer Remote p08, Data Engineer Osaka d02-d06 (5), Data Manager Osaka d01, ML Engineer Osaka
m01-m05 (5), Ops Engineer Tokyo o01 o02. Wave 1: the same without p08-p12.
"""
from __future__ import annotations

import pandas as pd

from analytics import reporting_groups as rg
from analytics.db import reader
from analytics.filters import Filters


def sizes_by_label(db: str, wave: int, k: int = 5) -> dict[str, int]:
    with reader(db) as con:
        grid = rg.groups(con, k)
    rows = grid[grid["wave_id"] == wave]
    return rows.groupby("label")["n"].sum().to_dict()


def test_groups_of_the_fixture(dashboard_db):
    # Wave 2: no team x location remainder or team remainder reaches 5; the 5 left over are "Other".
    assert sizes_by_label(dashboard_db, 2) == {"Platform · Engineer · Tokyo": 10, "Data · Engineer · Osaka": 5,
                                               "ML · Engineer · Osaka": 5, rg.OTHER: 5}
    # Wave 1: the 4 left over (p01 d01 o01 o02) join the smallest group (Data's and ML's tie at 5: Data).
    assert sizes_by_label(dashboard_db, 1) == {"Platform · Engineer · Tokyo": 6, "Data · Engineer · Osaka": 9,
                                               "ML · Engineer · Osaka": 5}


def test_every_group_has_at_least_k_people(dashboard_db):
    for k in (1, 2, 3, 5, 8):
        with reader(dashboard_db) as con:
            grid = rg.groups(con, k)
        assert (grid.groupby(["wave_id", "group_id"])["n"].sum() >= k).all(), k


def test_a_selection_counts_the_groups_wholly_inside_it(dashboard_db):
    with reader(dashboard_db) as con:
        platform = rg.serve(con, Filters(teams=("Platform",)), 5)
        everyone = rg.serve(con, Filters(), 5)
        managers = rg.serve(con, Filters(roles=("Manager",)), 5)
    assert platform.sizes == {1: 6, 2: 10}
    # p01 (both waves) and p08 (wave 2) are left out, by cell.
    assert {key.split(rg.SEP)[0] + ":" + key.split(rg.SEP)[2] for key in platform.excluded} == {
        "1:Manager", "2:Manager", "2:Engineer"}
    assert everyone.sizes == {1: 20, 2: 25} and not everyone.excluded
    assert managers.sizes == {}


def test_a_narrower_selection_differs_by_whole_groups(dashboard_db):
    """Narrowing a selection drops 0 or at least k people (in each wave): the issue's complement."""
    values = {"teams": ["Platform", "Data", "ML", "Ops"], "roles": ["Engineer", "Manager"],
              "locations": ["Osaka", "Remote", "Tokyo"]}
    pairs = [(Filters(), Filters(**{dim: (v,)})) for dim, vals in values.items() for v in vals]
    pairs += [(Filters(teams=(t,)), Filters(teams=(t,), roles=(r,))) for t in values["teams"] for r in values["roles"]]
    pairs += [(Filters(teams=(t,)), Filters(teams=(t,), locations=(loc,)))
              for t in values["teams"] for loc in values["locations"]]
    with reader(dashboard_db) as con:
        for wide, narrow in pairs:
            a, b = rg.serve(con, wide, 5).sizes, rg.serve(con, narrow, 5).sizes
            for wave in (1, 2):
                gap = a.get(wave, 0) - b.get(wave, 0)
                assert gap == 0 or gap >= 5, (wide, narrow, wave, gap)


def types(rows: list[tuple[int, bool, bool, int]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["group_id", "c", "d", "m"]).assign(wave_id=1)


def test_the_cohort_check_finds_a_small_set_of_joiners():
    # Group 0: 6 in the cohort and 2 joiners; group 1: 5 in the cohort. Group 0 minus the cohort's
    # part of it... is not published, but (group 0 + group 1) - cohort = the 2 joiners.
    few = types([(0, True, False, 6), (0, False, False, 2), (1, True, False, 5)])
    assert rg._isolates_fewer_than(few, 1, {1}, {}, 5)
    enough = types([(0, True, False, 6), (0, False, False, 5), (1, True, False, 5)])
    assert not rg._isolates_fewer_than(enough, 1, {1}, {}, 5)
    # Without the cohort published for this wave nothing beyond the groups is known.
    assert not rg._isolates_fewer_than(few, 1, set(), {}, 5)


def test_the_cohort_check_combines_both_cohorts_of_a_wave():
    # Every group mixes C (answered the wave before) and D (answered the wave after): C alone and D
    # alone split each group into parts of >= 5, but C + D - group isolates those in both minus
    # those in neither; with nobody in neither, that is the 3 people in both (C and D).
    rows = types([(0, True, False, 6), (0, False, True, 6), (0, True, True, 3), (1, True, False, 5),
                  (1, False, True, 5)])
    assert not rg._isolates_fewer_than(rows, 1, {1}, {}, 5)  # C only
    assert rg._isolates_fewer_than(rows, 1, {1, 2}, {1: 2}, 5)  # C and the next wave's D


def test_the_fixture_cohort_is_allowed(dashboard_db):
    # Wave 2's joiners p08-p12 are 5; everyone of wave 1 answered wave 2.
    with reader(dashboard_db) as con:
        assert rg.cohort_waves(con, 5) == (2,)
        assert rg.cohort_waves(con, 6) == ()


def test_groups_are_built_once_per_refresh(monkeypatch, dashboard_db):
    built = []
    real = rg._build
    monkeypatch.setattr(rg, "_BUILT", {})
    monkeypatch.setattr(rg, "_build", lambda con, k: built.append(k) or real(con, k))
    for _ in range(3):
        with reader(dashboard_db) as con:
            rg.serve(con, Filters(teams=("Data",)), 5)
    assert built == [5]
