"""Aggregate refresh (incremental equals full, joins the caller's transaction), the data version
and the read-only connection's errors."""
import datetime as dt
import shutil

import duckdb
import pandas as pd
import pytest

from analytics import db as read_db
from analytics.coverage import skill_coverage
from analytics.filters import Filters
from analytics.settings import Settings
from pipelines import aggregates
from pipelines.db import writer

TABLES = ["agg_wave_order", "agg_respondents", "agg_skill_levels", "agg_area_levels", "agg_category_levels",
          "agg_interest_levels", "agg_cloud", "agg_cloud_base"]


@pytest.fixture
def db_copy(dashboard_db, tmp_path):
    path = str(tmp_path / "copy.duckdb")
    shutil.copy(dashboard_db, path)
    return path


def snapshot(con) -> dict[str, list]:
    return {t: sorted(con.execute(f"SELECT * FROM {t}").fetchall(), key=repr) for t in TABLES}


def test_incremental_refresh_matches_a_full_rebuild(db_copy):
    with writer(db_copy) as con:
        before = snapshot(con)
        # p12 now rates EC2 at 4, and an earlier wave is loaded late, becoming wave 1's predecessor.
        con.execute("INSERT INTO answers VALUES (2, 'p12', 'aws_ec2', 4, 2)")
        con.execute("INSERT INTO waves VALUES (3, '2023-H2', ?)", [dt.date(2023, 9, 1)])
        con.execute("INSERT INTO respondents VALUES (3, 'p01', 3, 'Platform', 'Manager', 'Tokyo', NULL)")
        con.execute("INSERT INTO answers VALUES (3, 'p01', 'terraform', 1, 3)")
        aggregates.refresh(con, wave_ids=[2, 3])
        partial = snapshot(con)
        aggregates.refresh(con)
        full = snapshot(con)
    assert partial == full
    assert partial["agg_skill_levels"] != before["agg_skill_levels"]
    order = dict((w, (seq, prev)) for w, seq, prev in full["agg_wave_order"])
    assert order == {3: (1, None), 1: (2, 3), 2: (3, 1)}
    # wave 1 now has a cohort (p01, back from 2023-H2): its rows were rebuilt although not named.
    cohort = [r for r in full["agg_respondents"] if r[0] == "cohort" and r[1] == 1]
    assert [r[-1] for r in cohort] == [1]


def test_deleting_a_wave_clears_its_rows(db_copy):
    with writer(db_copy) as con:
        for table in ("answers", "respondents", "cloud_preferences", "learning_interests", "ingestions"):
            con.execute(f"DELETE FROM {table} WHERE wave_id = 2")
        con.execute("DELETE FROM waves WHERE wave_id = 2")
        aggregates.refresh(con, wave_ids=[2])
        assert con.execute("SELECT count(*) FROM agg_skill_levels WHERE wave_id = 2").fetchone()[0] == 0
        assert con.execute("SELECT count(*) FROM agg_wave_order").fetchone()[0] == 1


def test_refresh_joins_the_callers_transaction(db_copy):
    token = read_db.data_version(db_copy).token
    with writer(db_copy) as con:
        con.execute("BEGIN TRANSACTION")
        aggregates.refresh(con, [2])
        con.execute("ROLLBACK")
    assert read_db.data_version(db_copy).token == token
    with writer(db_copy) as con:  # and leaves it usable: the caller's COMMIT goes through
        con.execute("BEGIN TRANSACTION")
        aggregates.refresh(con, [2])
        con.execute("INSERT INTO ingestions VALUES (9, 2, 'x.csv', 'x', now()::TIMESTAMP, 0, 0, 0, 'loaded', "
                    "'test', 'pytest')")
        con.execute("COMMIT")
    after = read_db.data_version(db_copy)
    assert after.token != token and after.stale  # the ingestion came after the refresh


def test_refresh_in_its_own_transaction(db_copy):
    token = read_db.data_version(db_copy).token
    with writer(db_copy) as con:
        aggregates.refresh(con, own_transaction=True)
    assert read_db.data_version(db_copy).token != token


def test_data_version_changes_and_stale_aggregates_are_noticed(db_copy):
    first = read_db.data_version(db_copy)
    assert not first.stale
    with writer(db_copy) as con:  # a load that forgot the refresh
        con.execute("INSERT INTO ingestions VALUES (9, 2, 'late.csv', 'x', now()::TIMESTAMP, 1, 1, 0, 'loaded', "
                    "'test', 'pytest')")
    assert read_db.data_version(db_copy).stale
    assert aggregates.ensure_ready(db_copy) is True
    after = read_db.data_version(db_copy)
    assert not after.stale and after.token != first.token
    assert aggregates.ensure_ready(db_copy) is False


def test_missing_database_is_a_clear_error(tmp_path):
    with pytest.raises(read_db.DatabaseMissing, match="no database at"):
        read_db.data_version(str(tmp_path / "nothing.duckdb"))


def test_database_without_aggregates_until_the_write_path_migrates_it(tmp_path):
    bare = str(tmp_path / "bare.duckdb")
    duckdb.connect(bare).close()
    with pytest.raises(read_db.AggregatesMissing):
        skill_coverage(bare, Filters(), Settings())
    with pytest.raises(read_db.AggregatesMissing):
        read_db.data_version(bare)
    with writer(bare):  # any write migrates, and a migration brings the aggregates up to date
        pass
    version = read_db.data_version(bare)
    assert version.token and not version.stale
    assert aggregates.ensure_ready(bare) is False  # nothing was left to do


def test_busy_database_is_reported_not_raised_raw(dashboard_db, monkeypatch):
    def locked(*args, **kwargs):
        raise duckdb.IOException("Could not set lock on file: Conflicting lock is held")

    monkeypatch.setattr(read_db, "connect", locked)
    with pytest.raises(read_db.DatabaseBusy, match="busy"):
        read_db.query(dashboard_db, "SELECT 1")


def test_reader_is_read_only(dashboard_db):
    with read_db.reader(dashboard_db) as con, pytest.raises(duckdb.Error):
        con.execute("DELETE FROM agg_meta")


def test_fetch_binds_only_the_names_used(dashboard_db):
    frame = read_db.query(dashboard_db, "SELECT $a AS a", {"a": "x'; DROP TABLE waves; --", "unused": 1})
    assert frame["a"].iloc[0] == "x'; DROP TABLE waves; --"
    assert isinstance(read_db.query(dashboard_db, "SELECT count(*) AS n FROM waves"), pd.DataFrame)
