"""Coverage forecast (analytics/forecast.py), expectations worked out by hand.

Fixture (tests/dashboard_fixture.py), Infrastructure as code: the 20 people of both waves go from
7 to 9 at level 3+ (p04, p05 reach 3), a cohort change of +0.10; all 25 of wave 2: 10 at 3+ = 0.40.
(All respondents moved only +0.05, 0.35 to 0.40: the joiners must not count as learning.)
Containers: the cohort stays at 10 of 20 (d02 reaches 3 in kubernetes but had docker 3): pace 0.
"""
from __future__ import annotations

import math

import pandas as pd
import pytest
from pipeline_fixtures import write_csv

from analytics.filters import Filters
from analytics.forecast import coverage_forecast
from analytics.settings import Settings

TARGETS = Settings(targets=(("infrastructure_as_code", 0.6), ("containers_microservices", 0.5),
                            ("managed_services", 0.3)))


def test_pace_comes_from_the_cohort(dashboard_db):
    got = coverage_forecast(dashboard_db, Filters(), TARGETS).set_index("area_id")
    iac = got.loc["infrastructure_as_code"]
    assert iac["coverage"] == pytest.approx(0.40) and iac["pace"] == pytest.approx(0.10) and iac["n_pairs"] == 1
    assert (iac["forecast_1"], iac["forecast_2"]) == (pytest.approx(0.50), pytest.approx(0.60))
    # 90% interval one wave ahead: se_now^2 = .4*.6/25, se_pace^2 = .45*.55/20 + .35*.65/20.
    half = 1.645 * math.sqrt(0.4 * 0.6 / 25 + 0.45 * 0.55 / 20 + 0.35 * 0.65 / 20)
    assert (iac["low_1"], iac["high_1"]) == (pytest.approx(0.5 - half), pytest.approx(0.5 + half))
    assert iac["outlook"] == "on_pace" and iac["waves_to_target"] == 2  # (0.6 - 0.4) / 0.1, not 3 by rounding
    assert iac["outlook_text"] == "Reaches the target in 2 wave(s) at the current pace."
    cont = got.loc["containers_microservices"]
    assert cont["pace"] == 0 and cont["outlook"] == "not_at_this_pace" and pd.isna(cont["waves_to_target"])
    assert got.loc["managed_services", "outlook"] == "reached"  # 6 of 15 = 0.40 >= 0.30


def test_first_wave_has_no_pace_but_shows_the_pipeline(dashboard_db):
    got = coverage_forecast(dashboard_db, Filters(wave_id=1), TARGETS).set_index("area_id")
    assert got["pace"].isna().all() and got["forecast_1"].isna().all()
    assert got.loc["infrastructure_as_code", "outlook"] == "no_pace"
    # Wave 1 wanting terraform below 3: d03, d04, m01 (p01, o02 are at 3+); kubernetes: p03, p04
    # (not rated) and d02 (2).
    assert got.loc["infrastructure_as_code", "pipeline"] == 3
    assert got.loc["containers_microservices", "pipeline"] == 3


def test_small_selection_is_hidden(dashboard_db):
    got = coverage_forecast(dashboard_db, Filters(roles=("Manager",)), TARGETS)
    assert got["coverage"].isna().all() and got["forecast_1"].isna().all() and (got["outlook"] == "hidden").all()


def test_three_waves_average_the_pace(env):
    levels = {"2025-H1": "311111", "2025-H2": "331111", "2026-H1": "333311"}  # Docker: 1, 2, 4 of 6 at 3+
    for wave, row in levels.items():
        rows = [["Email Address", "Docker"], *[[f"p{i}@example.com", lvl] for i, lvl in enumerate(row)]]
        assert env.ingest(write_csv(env.tmp / f"{wave}.csv", rows), wave=wave).status == "loaded"
    s = Settings(targets=(("containers_microservices", 0.9),))
    got = coverage_forecast(env.db, Filters(), s).set_index("area_id").loc["containers_microservices"]
    assert got["n_pairs"] == 2 and got["pace"] == pytest.approx((1 / 6 + 2 / 6) / 2)
    assert got["forecast_1"] == pytest.approx(4 / 6 + 0.25) and got["forecast_2"] == 1.0  # 1.17 clipped
    v = lambda p: p * (1 - p) / 6  # noqa: E731 - the variance of a share of 6 people
    se_pace = math.sqrt(v(2 / 6) + v(1 / 6) + v(4 / 6) + v(2 / 6)) / 2
    half = 1.645 * math.sqrt(v(4 / 6) + se_pace ** 2)
    assert got["low_1"] == pytest.approx(4 / 6 + 0.25 - half) and got["high_1"] == 1.0
    assert got["waves_to_target"] == 1  # (0.9 - 0.667) / 0.25 = 0.93 -> 1


def test_coverage_page_forecast(app_test):
    at = app_test().run()
    at.switch_page("pages/coverage.py").run()
    assert not at.exception and not at.error
    assert any("How it is computed" in c.value for c in at.caption)
    table = next(d.value for d in at.dataframe if "outlook_text" in d.value.columns).set_index("area_name")
    assert table.loc["Infrastructure as code", "pace"] == pytest.approx(0.10)
