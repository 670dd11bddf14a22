"""analytics.grain: which aggregate rows answer a query, and that the answer doesn't depend on it.

The rollup rows are sums of the fine team x role x location rows, so every dashboard metric must
come out the same whether it reads the rollup (the normal path) or the fine table (grain forced
to None). Filter values and selection sizes are from tests/dashboard_fixture.py, by hand:
wave 2 (latest) has 25 people - Platform p01-p12 (Tokyo, p08 Remote), Data d01-d06 and ML m01-m05
(Osaka), Ops o01-o02 (Tokyo); wave 1 has 20 (Platform p01-p07 only). Managers: p01, d01.
"""
from __future__ import annotations

import dataclasses
import functools

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

import analytics.db
import analytics.grain
from analytics import cloud, coverage, options, overview, reporting_groups, selection, trends, waves
from analytics.db import reading
from analytics.filters import Filters
from analytics.grain import grain, source
from analytics.settings import Settings, load

# --- grain(): the choice itself -----------------------------------------------------------------


@pytest.mark.parametrize(("f", "by", "expected"), [
    (Filters(), None, "total"),
    (Filters(wave_id=1, track="DevOps", areas=("infrastructure_as_code",)), None, "total"),  # not people filters
    (Filters(teams=("Data",)), None, "team"),
    (Filters(teams=("Data", "ML")), None, "team"),
    (Filters(roles=("Manager",)), None, "role"),
    (Filters(locations=("Tokyo",)), None, "location"),
    (Filters(teams=("Data",), roles=("Engineer",)), None, None),
    (Filters(roles=("Engineer",), locations=("Osaka",)), None, None),
    (Filters(teams=("Data",), roles=("Engineer",), locations=("Osaka",)), None, None),
    (Filters(), "team", "team"),
    (Filters(teams=("Data",)), "team", "team"),
    (Filters(roles=("Manager",)), "team", None),
    (Filters(locations=("Tokyo",)), "role", None),
])
def test_grain_picks_the_coarsest_rows_that_have_the_needed_columns(f, by, expected):
    assert grain(f, by) == expected


@pytest.mark.parametrize("by", ["wave", "all", "Team", ""])
def test_grain_refuses_an_unknown_breakdown(by):
    with pytest.raises(ValueError, match="by must be one of"):
        grain(Filters(), by)


def test_source_is_the_rollup_slice_or_the_fine_table():
    assert source("agg_cloud", Filters()) == "(SELECT * FROM agg_cloud_rollup WHERE grain = 'total')"
    assert source("agg_cloud", Filters(locations=("Tokyo",))) == \
        "(SELECT * FROM agg_cloud_rollup WHERE grain = 'location')"
    assert source("agg_cloud", Filters(roles=("Engineer",)), by="team") == "agg_cloud"


# --- helpers: forcing the fine rows, and seeing the SQL that ran ---------------------------------

# Every module holding its own `fetch` reference (from analytics.db import fetch), plus db itself.
FETCHING = [analytics.db, coverage, cloud, trends, overview, waves, options, reporting_groups]
ROLLUP_SOURCE = "(SELECT * FROM agg_"  # what source() writes for a rollup slice, and only then


def force_fine(monkeypatch) -> None:
    monkeypatch.setattr(analytics.grain, "grain", lambda f, by=None: None)


def capture_sql(monkeypatch) -> list[str]:
    seen: list[str] = []
    real = analytics.db.fetch

    def spy(con, sql, params=None):
        seen.append(sql)
        return real(con, sql, params)

    for module in FETCHING:
        monkeypatch.setattr(module, "fetch", spy)
    return seen


def test_forcing_grain_in_analytics_grain_reaches_every_module(monkeypatch, dashboard_db):
    """The metric modules read through reporting_groups.Served.source, which calls `source`, which
    looks `grain` up in analytics.grain when called, so replacing analytics.grain.grain is enough to
    send every query to the fine tables."""
    force_fine(monkeypatch)
    assert source("agg_skill_levels", Filters()) == "agg_skill_levels"
    assert reporting_groups.grain_source is analytics.grain.source
    seen = capture_sql(monkeypatch)
    results = run_all(dashboard_db, Filters(), Settings())
    assert len(results) == len(METRICS) and not results["skill_coverage", 5].empty
    assert seen and not [sql for sql in seen if ROLLUP_SOURCE in sql]


def test_no_filter_reads_the_total_rollup(monkeypatch, dashboard_db):
    monkeypatch.setattr(reporting_groups, "_BUILT", {})  # the groups are kept per refresh: build them here
    seen = capture_sql(monkeypatch)
    coverage.skill_coverage(dashboard_db, Filters(), Settings())
    skill_sql = [sql for sql in seen if "agg_skill_levels" in sql]
    assert len(skill_sql) == 1
    # With no people filter the 'total' rows are the answer (one per skill asked), read directly.
    assert "FROM agg_skill_levels_rollup WHERE grain = 'total'" in skill_sql[0]
    assert "FROM agg_skill_levels g" not in skill_sql[0]
    # Selection sizes come from the reporting groups, built from the fine respondent counts.
    assert any("FROM agg_respondents WHERE population = 'all'" in sql for sql in seen)


def test_two_people_filters_read_the_fine_table(monkeypatch, dashboard_db):
    seen = capture_sql(monkeypatch)
    coverage.skill_coverage(dashboard_db, Filters(teams=("Platform",), roles=("Engineer",)), Settings())
    skill_sql = [sql for sql in seen if "agg_skill_levels" in sql]
    assert len(skill_sql) == 1
    assert "FROM agg_skill_levels g" in skill_sql[0]
    # The only rollup read left is the list of skills asked in the wave (always the 'total' rows).
    assert "(SELECT * FROM agg_skill_levels_rollup" not in skill_sql[0]


# Filters whose reporting groups lie wholly inside or outside them (nothing left out): ML at k = 5 is
# one group; at k = 1 every person's cell is a group, and only d01's (the smallest, which the empty
# combinations join) spans teams.
@pytest.mark.parametrize(("f", "k", "word"), [
    (Filters(teams=("ML",)), 5, "team"), (Filters(roles=("Engineer",)), 1, "role"),
    (Filters(locations=("Tokyo",)), 1, "location"),
])
def test_one_people_filter_reads_that_rollup_slice(monkeypatch, dashboard_db, f, k, word):
    seen = capture_sql(monkeypatch)
    coverage.skill_coverage(dashboard_db, f, Settings(k=k))
    assert any(f"(SELECT * FROM agg_skill_levels_rollup WHERE grain = '{word}')" in sql for sql in seen)


def test_a_filter_leaving_out_cells_reads_the_fine_rows(monkeypatch, dashboard_db):
    seen = capture_sql(monkeypatch)
    coverage.skill_coverage(dashboard_db, Filters(teams=("Data",)), Settings())  # d01's group spans teams
    skill_sql = [sql for sql in seen if "agg_skill_levels" in sql and "list_contains($excluded" in sql]
    assert len(skill_sql) == 1 and "FROM agg_skill_levels g" in skill_sql[0]


def test_team_heatmap_reads_the_team_rows_when_no_group_spans_teams(monkeypatch, dashboard_db):
    seen = capture_sql(monkeypatch)
    coverage.area_team_coverage(dashboard_db, Filters(teams=("ML",)), Settings())
    assert any("(SELECT * FROM agg_area_levels_rollup WHERE grain = 'team')" in sql for sql in seen)
    seen.clear()
    coverage.area_team_coverage(dashboard_db, Filters(), Settings())  # 'Other teams' needs the fine rows
    assert any("FROM agg_area_levels g" in sql and "Other teams" in sql for sql in seen)


def test_filter_options_come_from_the_rollup_and_list_every_value(monkeypatch, dashboard_db):
    seen = capture_sql(monkeypatch)
    got = options.filter_options(dashboard_db)
    assert (got.teams, got.roles, got.locations) == (("Data", "ML", "Ops", "Platform"), ("Engineer", "Manager"),
                                                     ("Osaka", "Remote", "Tokyo"))
    assert any("agg_respondents_rollup" in sql for sql in seen)


# --- the same answers whichever rows are read ---------------------------------------------------

METRICS = {
    "skill_coverage": coverage.skill_coverage,
    "area_coverage": coverage.area_coverage,
    "top_gaps": coverage.top_gaps,
    "area_team_coverage": coverage.area_team_coverage,
    "level_distribution": coverage.level_distribution,
    "bench_depth": coverage.bench_depth,
    "single_points_of_knowledge": coverage.single_points_of_knowledge,
    "upskilling_pipeline": coverage.upskilling_pipeline,
    "respondent_trend": overview.respondent_trend,
    "overview_headline": overview.overview_headline,
    "area_coverage_trend/all": lambda db, f, s: trends.area_coverage_trend(db, f, s, "all"),
    "area_coverage_trend/cohort": lambda db, f, s: trends.area_coverage_trend(db, f, s, "cohort"),
    "area_deltas/all": lambda db, f, s: trends.area_deltas(db, f, s, "all"),
    "area_deltas/cohort": lambda db, f, s: trends.area_deltas(db, f, s, "cohort"),
    "movers/all": lambda db, f, s: trends.movers(db, f, s, "all"),
    "movers/cohort": lambda db, f, s: trends.movers(db, f, s, "cohort"),
    **{f"cloud_preferred_split/{by}": functools.partial(cloud.cloud_preferred_split, by=by) for by in cloud.BREAKDOWNS},
    **{f"cloud_uses_share/{by}": functools.partial(cloud.cloud_uses_share, by=by) for by in cloud.BREAKDOWNS},
    "cloud_parity_matrix": cloud.cloud_parity_matrix,
    "selection_status": selection.selection_status,
}

# name -> (filters, grain the normal path picks, {k: people counted in the filtered wave}), by hand.
# Reporting groups (analytics/reporting_groups.py), k = 5: wave 2 - Platform Engineers in Tokyo
# p02-p07 p09-p12 (10), Data Engineers d02-d06 (5), ML (5), and p01 p08 d01 o01 o02 "Other" (5, spanning
# teams); wave 1 - Platform Engineers in Tokyo p02-p07 (6), ML (5), and Data Engineers d02-d06 joined by
# the 4 left over (p01 d01 o01 o02; 9, spanning teams). k = 2, wave 2: "Platform · other" p01 p08 (2) is a
# group, and d01 joins the smallest group, Ops' Engineers in Tokyo, which then spans teams; wave 1: the
# Ops Engineers (2) are a group and p01 d01 are "Other".
CASES = {
    "none": (Filters(), "total", {2: 25, 5: 25}),
    "one team": (Filters(teams=("Data",)), "team", {2: 5, 5: 5}),
    "two teams": (Filters(teams=("Platform", "ML")), "team", {2: 17, 5: 15}),
    "one role (2 people)": (Filters(roles=("Manager",)), "role", {2: 0, 5: 0}),
    "one location": (Filters(locations=("Osaka",)), "location", {2: 10, 5: 10}),
    "team + role": (Filters(teams=("Platform",), roles=("Engineer",)), None, {2: 10, 5: 10}),
    "teams + location + track": (Filters(teams=("Platform", "Ops"), locations=("Tokyo",), track="DevOps"), None,
                                 {2: 10, 5: 10}),
    "team + locations + areas": (Filters(teams=("Platform",), locations=("Tokyo", "Remote"),
                                         areas=("infrastructure_as_code", "containers_microservices")), None,
                                 {2: 10, 5: 10}),
    "older wave, one team": (Filters(wave_id=1, teams=("Platform",)), "team", {2: 6, 5: 6}),
    "older wave, role + location": (Filters(wave_id=1, roles=("Engineer",), locations=("Tokyo",)), None,
                                    {2: 8, 5: 6}),
}
K_SMALL = 2


def run_all(db: str, f: Filters, *settings: Settings) -> dict[tuple[str, int], pd.DataFrame]:
    """Every metric for each settings, keyed (name, k), in one page-render-like block (a fresh
    block: nothing is carried over from another call)."""
    with reading(db):
        return {(name, s.k): fn(db, f, s) for s in settings for name, fn in METRICS.items()}


@pytest.fixture(scope="module")
def default_settings() -> Settings:
    s = load()
    assert s.k > K_SMALL  # the two k values really differ
    return s


@pytest.mark.parametrize("case", list(CASES))
def test_rollup_and_fine_rows_give_the_same_metrics(monkeypatch, dashboard_db, default_settings, case):
    f, expected_grain, people = CASES[case]
    assert grain(f) == expected_grain
    settings = (dataclasses.replace(default_settings, k=K_SMALL), default_settings)
    normal = run_all(dashboard_db, f, *settings)
    with monkeypatch.context() as m:
        force_fine(m)
        fine = run_all(dashboard_db, f, *settings)
    assert normal.keys() == fine.keys() and len(normal) == 2 * len(METRICS)
    for (name, k), frame in normal.items():
        assert_frame_equal(frame, fine[name, k], obj=f"{name} [{case}, k={k}]")
    for s in settings:
        shown_people({name: normal[name, s.k] for name in METRICS}, people[s.k])


def shown_people(results: dict[str, pd.DataFrame], people: int) -> None:
    """The filters counted who they should, and (when that's anyone) something is shown."""
    status = results["selection_status"].iloc[0]
    if people == 0:
        assert status["status"] == "empty" and status["n_respondents"] == 0
        assert (results["skill_coverage"]["n_answered"] == 0).all()
        return
    assert (status["status"], status["n_respondents"]) == ("ok", people)
    skills = results["skill_coverage"]
    assert (~skills["suppressed"] & (skills["n_answered"].fillna(0) > 0)).any()
    assert not results["area_coverage"].empty
    assert results["overview_headline"].iloc[0]["n_respondents"] == people
