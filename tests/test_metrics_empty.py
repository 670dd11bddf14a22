"""Every metric copes with nothing to show: an empty database, a wave that is gone, nobody selected."""
import pandas as pd
import pytest

from analytics import cloud, coverage, overview, selection, trends
from analytics.filters import Filters
from analytics.settings import Settings
from pipelines import aggregates
from pipelines.db import writer

SNAPSHOTS = [coverage.skill_coverage, coverage.area_coverage, coverage.top_gaps, coverage.area_team_coverage,
             coverage.level_distribution, coverage.bench_depth, coverage.single_points_of_knowledge,
             coverage.upskilling_pipeline, cloud.cloud_parity_matrix, cloud.cloud_preferred_split,
             cloud.cloud_uses_share, trends.area_deltas, trends.movers, overview.overview_headline]
ACROSS_WAVES = [trends.area_coverage_trend, overview.respondent_trend]


@pytest.fixture(scope="module")
def empty_db(tmp_path_factory):
    path = str(tmp_path_factory.mktemp("empty") / "empty.duckdb")
    with writer(path) as con:
        aggregates.refresh(con)
    return path


@pytest.mark.parametrize("metric", SNAPSHOTS + ACROSS_WAVES, ids=lambda f: f.__name__)
def test_empty_database(empty_db, metric):
    assert metric(empty_db, Filters(), Settings()).empty


def test_empty_database_status(empty_db):
    assert selection.selection_status(empty_db, Filters(), Settings()).iloc[0]["status"] == "no_data"


@pytest.mark.parametrize("metric", SNAPSHOTS, ids=lambda f: f.__name__)
def test_wave_that_is_gone(dashboard_db, metric):
    assert metric(dashboard_db, Filters(wave_id=99), Settings()).empty


@pytest.mark.parametrize("metric", [cloud.cloud_preferred_split, cloud.cloud_uses_share, coverage.area_team_coverage,
                                    coverage.level_distribution, trends.movers], ids=lambda f: f.__name__)
def test_nobody_selected(dashboard_db, metric):
    assert metric(dashboard_db, Filters(teams=("Nobody",)), Settings()).empty


def test_nobody_selected_headline(dashboard_db):
    row = overview.overview_headline(dashboard_db, Filters(teams=("Nobody",)), Settings()).iloc[0]
    # With nobody selected every skill would have a bench of 0: no count rather than a misleading one.
    assert row["n_respondents"] == 0 and pd.isna(row["n_single_points"])
