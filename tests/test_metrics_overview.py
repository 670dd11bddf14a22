"""Headline figures and respondent counts (expectations by hand from conftest.py)."""
import pandas as pd
import pytest

from analytics.filters import Filters
from analytics.overview import overview_headline, respondent_trend
from analytics.selection import selection_status
from analytics.settings import Settings

HEADS = Settings(headcount=(("2024-H1", "", 25), ("2024-H2", "", 50), ("2024-H2", "Data", 6)))


def test_respondent_trend_and_response_rate(dashboard_db):
    got = respondent_trend(dashboard_db, Filters(), HEADS)
    assert list(got["n_respondents"]) == [20, 25]
    assert list(got["response_rate"]) == pytest.approx([20 / 25, 25 / 50])
    # Data counts its own reporting group: none in wave 1 (d02-d06 share a group with other teams), d02-d06
    # in wave 2, against a headcount of 6.
    data = respondent_trend(dashboard_db, Filters(teams=("Data",)), HEADS)
    assert list(data["n_respondents"]) == [0, 5]
    assert pd.isna(data["response_rate"].iloc[0]) and data["response_rate"].iloc[1] == pytest.approx(5 / 6)
    assert respondent_trend(dashboard_db, Filters(roles=("Engineer",)), HEADS)["response_rate"].isna().all()
    assert respondent_trend(dashboard_db, Filters(), Settings())["response_rate"].isna().all()


def test_respondent_trend_of_a_team_in_groups_spanning_teams(dashboard_db):
    # Ops (2 people) is counted with other teams in both waves, so a view of Ops alone counts nobody.
    got = respondent_trend(dashboard_db, Filters(teams=("Ops",)), HEADS)
    assert list(got["n_respondents"]) == [0, 0]


def test_headline_latest_wave(dashboard_db):
    row = overview_headline(dashboard_db, Filters(), HEADS).iloc[0]
    assert (row["wave_label"], row["prev_wave_label"], row["n_respondents"]) == ("2024-H2", "2024-H1", 25)
    # index = mean area coverage: wave 2 (0.4 + 0.4 + 0.4) / 3; wave 1 (0.4 + 0.35 + 0.5) / 3.
    assert row["coverage_index"] == pytest.approx(0.4)
    assert row["coverage_index_prev"] == pytest.approx(1.25 / 3)
    assert row["coverage_index_delta"] == pytest.approx(0.4 - 1.25 / 3)
    assert row["n_single_points"] == 1  # gke
    assert row["response_rate"] == pytest.approx(0.5)


def test_headline_first_wave_and_small_selection(dashboard_db):
    row = overview_headline(dashboard_db, Filters(wave_id=1), HEADS).iloc[0]
    assert pd.isna(row["prev_wave_label"]) and pd.isna(row["coverage_index_delta"])
    assert row["n_single_points"] == 2  # gke and kubernetes
    small = overview_headline(dashboard_db, Filters(roles=("Manager",)), HEADS).iloc[0]  # no whole group
    assert small["n_respondents"] == 0 and pd.isna(small["coverage_index"]) and pd.isna(small["n_single_points"])


def test_selection_status(dashboard_db):
    def status(f):
        return selection_status(dashboard_db, f, Settings()).iloc[0]["status"]

    assert status(Filters()) == "ok"
    assert status(Filters(roles=("Manager",))) == "empty"  # p01, d01: in groups that also hold Engineers
    assert status(Filters(teams=("Nobody",))) == "empty"
    assert status(Filters(wave_id=99)) == "no_wave"
