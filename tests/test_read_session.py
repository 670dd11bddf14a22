"""analytics.db read sessions: reading(db) shares one read-only connection (a cursor of the
process's shared instance) and the per_read results for one page render, release() gives the file
back before an in-process write, and the dashboards step aside for a writer after a render.
Expected figures are from tests/dashboard_fixture.py.
"""
from __future__ import annotations

import hashlib
import shutil
import threading
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

import analytics.db
import common.duck
import pipelines.db
from analytics import cloud, coverage, overview, read_instance, selection, trends
from analytics.db import per_read, reader, reading, release
from analytics.filters import Filters
from analytics.settings import Settings
from analytics.waves import resolve
from pipelines import migrate
from pipelines.db import writer

S = Settings()
QUICK_LOCK_WAIT = 0.3  # seconds a writer retries here, so a connection left open fails fast


@pytest.fixture
def db_copy(dashboard_db, tmp_path) -> str:
    """A private copy of the fixture database, for tests that write or lock it."""
    path = str(tmp_path / "copy.duckdb")
    shutil.copy(dashboard_db, path)
    return path


@pytest.fixture
def opens(monkeypatch) -> list[str]:
    """The db of every connection of its own that analytics.db opens (not the shared instance's)."""
    seen: list[str] = []
    real = analytics.db._open

    def counting(db, wait_seconds):
        seen.append(db)
        return real(db, wait_seconds)

    monkeypatch.setattr(analytics.db, "_open", counting)
    return seen


@pytest.fixture
def quick_writer(monkeypatch) -> None:
    monkeypatch.setattr(pipelines.db, "LOCK_WAIT_SECONDS", QUICK_LOCK_WAIT)


def closed(con: duckdb.DuckDBPyConnection) -> bool:
    try:
        con.execute("SELECT 1")
    except duckdb.ConnectionException:
        return True
    return False


# --- reading / reader ---------------------------------------------------------------------------

def test_readers_in_a_block_share_one_cursor_of_the_shared_instance(dashboard_db, opens):
    with reading(dashboard_db):
        assert not read_instance.is_open(dashboard_db)  # leased lazily, on the first read
        with reader(dashboard_db) as a:
            assert a.execute("SELECT count(*) FROM waves").fetchone() == (2,)
        with reader(dashboard_db) as b:
            assert b is a
            assert b.execute("SELECT count(*) FROM respondents WHERE wave_id = 2").fetchone() == (25,)
        assert not closed(a)  # a reader's exit leaves the block's connection open
    assert opens == []  # no connection of its own: a cursor of the shared instance
    assert closed(a)  # the cursor is given back at the end of the block ...
    assert read_instance.is_open(dashboard_db)  # ... and the instance kept for the next render


def test_readers_outside_a_block_each_open_and_close_their_own(dashboard_db, opens):
    with reader(dashboard_db) as a:
        a.execute("SELECT 1")
    assert closed(a)
    with reader(dashboard_db) as b:
        assert b is not a
        b.execute("SELECT 1")
    assert closed(b)
    assert len(opens) == 2


def test_a_block_that_reads_nothing_opens_nothing(dashboard_db, opens):
    with reading(dashboard_db):
        pass
    assert opens == [] and not read_instance.is_open(dashboard_db)


def test_another_database_inside_a_block_gets_its_own_short_connection(dashboard_db, db_copy):
    with reading(dashboard_db):
        with reader(dashboard_db) as shared:
            pass
        with reader(db_copy) as other:
            assert other is not shared
        assert closed(other) and not closed(shared)
    assert closed(shared)


def test_another_thread_does_not_see_the_block(dashboard_db):
    """Streamlit renders each session in its own thread: a block must not leak into another."""
    got = {}

    def read():
        with reader(dashboard_db) as con:
            got["con"] = con
            got["closed_inside"] = closed(con)

    with reading(dashboard_db):
        with reader(dashboard_db) as shared:
            pass
        thread = threading.Thread(target=read)
        thread.start()
        thread.join(30)
        assert got["con"] is not shared and not got["closed_inside"]
        assert closed(got["con"]) and not closed(shared)


def test_block_closes_its_connection_when_the_render_fails(dashboard_db):
    with pytest.raises(RuntimeError, match="boom"), reading(dashboard_db):
        with reader(dashboard_db) as con:
            pass
        raise RuntimeError("boom")
    assert closed(con)


# --- per_read -----------------------------------------------------------------------------------

@pytest.fixture
def probe():
    """A per_read function that records its calls and returns a fresh frame."""
    calls: list[tuple] = []

    @per_read
    def probe(first, n, m=0):
        calls.append((first, n, m))
        return pd.DataFrame({"n": [n], "m": [m]})

    probe.calls = calls
    return probe


def test_per_read_runs_once_per_block_and_arguments(dashboard_db, probe):
    with reading(dashboard_db):
        first = probe(dashboard_db, 1)
        again = probe(dashboard_db, 1)
        assert len(probe.calls) == 1
        assert_frame_equal(first, again)
        # the same arguments however they are passed, defaults included: one entry
        for call in (lambda: probe(dashboard_db, n=1), lambda: probe(dashboard_db, 1, 0),
                     lambda: probe(dashboard_db, 1, m=0), lambda: probe(dashboard_db, m=0, n=1)):
            assert_frame_equal(call(), pd.DataFrame({"n": [1], "m": [0]}))
        assert len(probe.calls) == 1
        # different arguments: computed again, each once
        assert probe(dashboard_db, 2)["n"].tolist() == [2]
        assert probe(dashboard_db, 1, m=5)["m"].tolist() == [5]
        probe(dashboard_db, 2)
        probe(dashboard_db, 1, 5)
        assert [c[1:] for c in probe.calls] == [(1, 0), (2, 0), (1, 5)]


def test_per_read_outside_a_block_runs_every_time(dashboard_db, probe):
    probe(dashboard_db, 1)
    probe(dashboard_db, 1)
    assert len(probe.calls) == 2


def test_per_read_forgets_at_the_end_of_the_block(dashboard_db, probe):
    for _ in range(2):
        with reading(dashboard_db):
            probe(dashboard_db, 1)
            probe(dashboard_db, 1)
    assert len(probe.calls) == 2


def test_per_read_on_the_block_connection_is_memoised(dashboard_db, probe):
    with reading(dashboard_db), reader(dashboard_db) as con:
        probe(con, 1)
        probe(con, 1)
    assert len(probe.calls) == 1


def test_a_caller_changing_a_frame_does_not_change_the_next_callers(dashboard_db, probe):
    with reading(dashboard_db):
        got = probe(dashboard_db, 1)
        got.loc[0, "n"] = 99
        got["extra"] = "x"
        assert_frame_equal(probe(dashboard_db, 1), pd.DataFrame({"n": [1], "m": [0]}))
    assert len(probe.calls) == 1


def test_frames_inside_a_memoised_tuple_are_copies_too(dashboard_db):
    # coverage._skill_cells returns (frame, selection size); every metric on a page reuses it.
    with reading(dashboard_db), reader(dashboard_db) as con:
        cells, size = coverage._skill_cells(con, Filters(), S)
        expected = cells.copy()
        assert size == 25
        cells["n_answered"] = -1
        cells.iloc[0, 0] = "changed"
        again, size_again = coverage._skill_cells(con, Filters(), S)
        assert_frame_equal(again, expected)
        assert size_again == 25


def test_per_read_about_another_database_is_not_memoised(dashboard_db, db_copy, probe):
    with reading(dashboard_db):
        with reader(dashboard_db) as shared:
            probe(shared, 1)
        probe(db_copy, 1)
        probe(db_copy, 1)
        assert len(probe.calls) == 3
        other = duckdb.connect(db_copy, read_only=True)
        same_file = duckdb.connect(dashboard_db, read_only=True)  # same file, not the block's connection
        try:
            for con in (other, other, same_file, same_file):
                probe(con, 1)
        finally:
            other.close()
            same_file.close()
        assert len(probe.calls) == 7


def test_per_read_does_not_remember_a_failure(dashboard_db):
    calls = []

    @per_read
    def flaky(first, n):
        calls.append(n)
        if len(calls) == 1:
            raise RuntimeError("busy")
        return n

    with reading(dashboard_db):
        with pytest.raises(RuntimeError):
            flaky(dashboard_db, 1)
        assert flaky(dashboard_db, 1) == 1
        assert flaky(dashboard_db, 1) == 1
    assert calls == [1, 1]


# --- release ------------------------------------------------------------------------------------

def test_release_lets_this_process_write_then_read_afresh(db_copy, quick_writer, opens):
    with reading(db_copy):
        with reader(db_copy) as shared:
            assert resolve(shared, None).label == "2024-H2"
        # This process holds the file read-only: DuckDB refuses a read-write open outright.
        with pytest.raises(duckdb.ConnectionException):
            duckdb.connect(db_copy)
        release()
        assert closed(shared)
        with writer(db_copy) as con:
            con.execute("UPDATE waves SET label = 'renamed' WHERE wave_id = 2")
        # The block reads on with a new connection, and the wave lookup was forgotten.
        with reader(db_copy) as con:
            assert con is not shared
            assert resolve(con, None).label == "renamed"
    assert closed(con)
    assert opens == []  # both were cursors of the shared instance, reopened after the write


def test_without_release_the_writer_waits_for_the_instance_to_idle(db_copy, quick_writer, monkeypatch):
    monkeypatch.setattr(read_instance, "IDLE_SECONDS", 0.1)
    with reading(db_copy):
        overview.overview_headline(db_copy, Filters(), S)
        with pytest.raises(duckdb.Error) as failure, writer(db_copy):
            pass
        assert common.duck.is_lock_error(failure.value)
    with writer(db_copy):  # the block's exit gave the cursor back; the idle instance closed
        pass


def test_release_before_any_read_or_outside_a_block_is_harmless(dashboard_db):
    release()
    with reading(dashboard_db):
        release()
        with reader(dashboard_db) as con:
            assert con.execute("SELECT count(*) FROM waves").fetchone() == (2,)
    assert closed(con)


# --- the metrics in one block give what they give on their own ------------------------------------

CALLS = [  # the per_read ones (shared within a render) and a few that only share the connection
    ("overview_headline", overview.overview_headline),
    ("respondent_trend", overview.respondent_trend),
    ("top_gaps", coverage.top_gaps),
    ("skill_coverage", coverage.skill_coverage),
    ("level_distribution", coverage.level_distribution),
    ("single_points_of_knowledge", coverage.single_points_of_knowledge),
    ("area_deltas", trends.area_deltas),
    ("movers/cohort", lambda db, f, s: trends.movers(db, f, s, population="cohort")),
    ("cloud_uses_share/team", lambda db, f, s: cloud.cloud_uses_share(db, f, s, by="team")),
    ("selection_status", selection.selection_status),
]
# Several filters and settings interleaved in one block, the first again at the end: a memo key
# that missed an argument would hand one of them another's result.
VIEWS = [
    (Filters(), S),
    (Filters(teams=("Data",)), S),
    (Filters(), S.with_threshold(2)),
    (Filters(wave_id=1, teams=("Platform",), roles=("Engineer",), track="DevOps"), Settings(k=2)),
    (Filters(), S),
]


def test_metrics_in_one_block_match_fresh_connections(dashboard_db, opens):
    alone = {}
    for f, s in VIEWS:
        if (f, s) not in alone:
            alone[f, s] = {name: fn(dashboard_db, f, s) for name, fn in CALLS}
    fresh_opens = len(opens)
    assert fresh_opens >= len(CALLS) * len(alone)
    with reading(dashboard_db):
        shared = [{name: fn(dashboard_db, f, s) for name, fn in CALLS} for f, s in VIEWS]
    assert len(opens) == fresh_opens  # the whole block: one cursor of the shared instance
    assert read_instance.is_open(dashboard_db)
    for (f, s), got in zip(VIEWS, shared, strict=True):
        for name, _ in CALLS:
            assert_frame_equal(got[name], alone[f, s][name], obj=f"{name} {f} threshold={s.threshold} k={s.k}")
    # not vacuous: the views differ, and show people (Data's reporting group d02-d06 in wave 2;
    # p02-p07 in wave 1 for the fourth)
    headcounts = [got["overview_headline"].iloc[0]["n_respondents"] for got in shared]
    assert headcounts == [25, 5, 25, 6, 25]
    terraform = [got["skill_coverage"].set_index("skill_id").loc["terraform", "n_proficient"] for got in shared]
    # wave 2 at 3+: p01-p05 p07 p11 m03 o01 o02; threshold 2 adds d01 d06 p10;
    # wave 1 Platform engineers at 3+: p02 p03 p07.
    assert terraform == [10, 0, 13, 3, 10]


# --- the app: dashboards render, and leave the file free ------------------------------------------

DASHBOARD_PAGES = ["pages/overview.py", "pages/coverage.py", "pages/cloud.py", "pages/trends.py"]


def assert_clean(at) -> None:
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def test_dashboards_render_and_step_aside_for_a_writer(app_test, db_copy, quick_writer, monkeypatch):
    monkeypatch.setattr(read_instance, "IDLE_SECONDS", 0.1)
    at = app_test(db=db_copy).run()
    for page in DASHBOARD_PAGES:
        if page != DASHBOARD_PAGES[0]:
            at.switch_page(page).run()
        assert_clean(at)
        assert at.dataframe or at.metric, page
        with writer(db_copy) as con:  # would fail after QUICK_LOCK_WAIT if the instance stayed open
            assert con.execute("SELECT count(*) FROM waves").fetchone() == (2,)
    assert {m.label: m.value for m in app_test(db=db_copy).run().metric}["Respondents"] == "25"


@pytest.mark.parametrize("damage", ["no aggregates", "stale aggregates"])
def test_a_page_view_never_writes_and_says_what_to_run(app_test, db_copy, quick_writer, damage):
    """Aggregates missing or behind: the shell writes nothing (the file's bytes are the same after
    the view) and names the command; the command brings them up to date and the page draws."""
    with writer(db_copy) as con:
        if damage == "no aggregates":
            con.execute("DELETE FROM agg_meta")
        else:  # an ingestion that landed without its refresh
            con.execute("INSERT INTO ingestions SELECT 99, 2, 'late.csv', 'sha99', now()::TIMESTAMP, 0, 0, 0, "
                        "'loaded', 'test', 'pytest'")
    before = hashlib.sha256(Path(db_copy).read_bytes()).hexdigest()
    at = app_test(db=db_copy).run()
    assert not at.exception
    shown = [e.value for e in at.error] + [w.value for w in at.warning]
    assert any(f"python -m pipelines.migrate --db {db_copy}" in text for text in shown), shown
    if damage == "no aggregates":
        assert not at.metric  # nothing drawn from tables that are not there
    else:  # the figures from the last refresh, with the warning above them
        assert {m.label: m.value for m in at.metric}["Respondents"] == "25"
    release(db_copy)
    assert hashlib.sha256(Path(db_copy).read_bytes()).hexdigest() == before
    assert migrate.main(["--db", db_copy]) == 0
    with writer(db_copy) as con:
        expected = 2 if damage == "no aggregates" else 3
        assert con.execute("SELECT ingestion_count FROM agg_meta").fetchone() == (expected,)
    at = app_test(db=db_copy).run()
    assert_clean(at)
    assert {m.label: m.value for m in at.metric}["Respondents"] == "25"
