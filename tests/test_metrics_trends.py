"""Trends: per-area coverage over waves, deltas, cohort view and movers (expectations by hand).
Movers that pass the noise rule are tested on larger waves in tests/test_comparisons.py."""
import math

import pytest

from analytics.filters import Filters
from analytics.settings import Settings
from analytics.trends import area_coverage_trend, area_deltas, movers

S = Settings()


def cell(frame, wave, area):
    return frame[(frame["wave_label"] == wave) & (frame["area_id"] == area)].iloc[0]


def test_trend_all_respondents(dashboard_db):
    got = area_coverage_trend(dashboard_db, Filters(), S)
    # IaC 7/20 -> 10/25; containers 10/20 -> 10/25; managed services 6/15 both waves.
    iac = cell(got, "2024-H2", "infrastructure_as_code")
    assert (iac["coverage"], iac["prev_coverage"], iac["delta"]) == pytest.approx((0.4, 0.35, 0.05))
    assert cell(got, "2024-H2", "containers_microservices")["delta"] == pytest.approx(-0.1)
    assert cell(got, "2024-H2", "managed_services")["delta"] == pytest.approx(0.0)
    first = cell(got, "2024-H1", "infrastructure_as_code")
    assert first["coverage"] == pytest.approx(0.35) and first["delta"] != first["delta"]  # NaN: no earlier wave
    assert set(got["population"]) == {"all"}


def test_trend_cohort_compares_the_same_people(dashboard_db):
    got = area_coverage_trend(dashboard_db, Filters(), S, population="cohort")
    # The 20 people of wave 1 are all back; p04 and p05 reached 3 in terraform: 9/20 against 7/20.
    iac = cell(got, "2024-H2", "infrastructure_as_code")
    assert (iac["n_answered"], iac["coverage"], iac["prev_coverage"]) == (20, pytest.approx(0.45), pytest.approx(0.35))
    assert iac["delta"] == pytest.approx(0.1)
    assert list(got["wave_label"].unique()) == ["2024-H2"]  # wave 1 has no previous wave


def test_cohort_is_for_the_whole_organisation_only(dashboard_db):
    # With a filter, all minus cohort would give a group's joiners (Tokyo: p09-p12): not offered.
    assert area_coverage_trend(dashboard_db, Filters(locations=("Tokyo",)), S, population="cohort").empty
    assert movers(dashboard_db, Filters(locations=("Tokyo",)), S, population="cohort").empty
    # Whole organisation, wave 2: the cohort is wave 1's 20, all answered IaC; at 3+ now p01-p05 p07 m03
    # o01 o02 (9), in wave 1 7. The 5 joiners p08-p12 are k people, so it is shown.
    iac = cell(area_coverage_trend(dashboard_db, Filters(), S, population="cohort"), "2024-H2",
               "infrastructure_as_code")
    assert (iac["n_answered"], iac["coverage"], iac["prev_coverage"]) == (20, pytest.approx(0.45), pytest.approx(0.35))


def test_trend_hidden_for_a_small_selection(dashboard_db):
    got = area_coverage_trend(dashboard_db, Filters(teams=("Ops",)), S)
    assert got["suppressed"].all() and got["coverage"].isna().all() and got["delta"].isna().all()


def test_area_deltas_for_the_selected_wave(dashboard_db):
    got = area_deltas(dashboard_db, Filters(), S)
    assert list(got["area_id"]) == ["infrastructure_as_code", "managed_services", "containers_microservices"]
    assert area_deltas(dashboard_db, Filters(wave_id=1), S).empty  # nothing before wave 1
    assert area_deltas(dashboard_db, Filters(teams=("Ops",)), S).empty  # hidden: a team of 2


def _wilson(k: int, n: int) -> tuple[float, float]:
    z = 1.959963984540054
    p, denom = k / n, 1 + z * z / n
    centre, half = (p + z * z / (2 * n)) / denom, z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return centre - half, centre + half


def test_movers_all_respondents_leave_out_changes_inside_the_noise(dashboard_db):
    # kubernetes 1/6 -> 2/6, terraform 7/20 -> 10/25 rose; docker 10/20 -> 10/25 fell: each more than
    # 2 pp, but each pair of 95% intervals overlaps, so none is a mover.
    for before, after in (((1, 6), (2, 6)), ((7, 20), (10, 25)), ((10, 20), (10, 25))):
        (lo1, hi1), (lo2, hi2) = _wilson(*before), _wilson(*after)
        assert lo2 <= hi1 and lo1 <= hi2
    assert movers(dashboard_db, Filters(), S).empty


def test_movers_cohort_leave_out_changes_inside_the_noise(dashboard_db):
    # terraform for the returning 20: 7 -> 9 at 3+ (+10 pp), intervals 0.18-0.57 and 0.26-0.66.
    (lo1, hi1), (lo2, hi2) = _wilson(7, 20), _wilson(9, 20)
    assert lo2 <= hi1 and lo1 <= hi2
    assert movers(dashboard_db, Filters(), S, population="cohort").empty


def test_no_movers_without_a_previous_wave(dashboard_db):
    assert movers(dashboard_db, Filters(wave_id=1), S).empty


def test_population_is_checked(dashboard_db):
    with pytest.raises(ValueError):
        area_coverage_trend(dashboard_db, Filters(), S, population="leavers")
