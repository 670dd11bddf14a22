"""analytics.read_instance: the process's shared read-only instance of a database file.

Renders lease cursors of one instance; the instance steps aside for a writer (one holding
``<db>.lock``, or any writer once it has been idle for IDLE_SECONDS) and is closed at exit.
"""
from __future__ import annotations

import fcntl
import shutil
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import duckdb
import pytest

import common.duck
import pipelines.db
from analytics import read_instance
from analytics.db import reader, reading
from pipelines.db import writer

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def db_copy(dashboard_db, tmp_path) -> str:
    path = str(tmp_path / "copy.duckdb")
    shutil.copy(dashboard_db, path)
    return path


def test_leases_share_one_instance_and_each_cursor_reads(db_copy):
    a = read_instance.lease(db_copy)
    b = read_instance.lease(db_copy)
    assert a is not None and b is not None and a is not b
    assert a.execute("SELECT count(*) FROM waves").fetchall() == [(2,)]
    assert b.execute("SELECT count(*) FROM respondents WHERE wave_id = 2").fetchall() == [(25,)]
    assert list(read_instance._instances) == [db_copy]
    # While leased, this process can't open the file for writing, and close() leaves it open.
    assert read_instance.close(db_copy) is False
    with pytest.raises(duckdb.ConnectionException):
        duckdb.connect(db_copy)
    read_instance.give_back(db_copy, a)
    read_instance.give_back(db_copy, b)
    assert read_instance.close(db_copy) is True
    with duckdb.connect(db_copy) as con:  # read-write: nothing of ours holds the file any more
        con.execute("UPDATE waves SET label = 'renamed' WHERE wave_id = 2")
    c = read_instance.lease(db_copy)
    assert c.execute("SELECT label FROM waves WHERE wave_id = 2").fetchall() == [("renamed",)]
    read_instance.give_back(db_copy, c)


def test_an_idle_instance_closes_when_its_idle_timer_fires_unless_leased_again(db_copy):
    read_instance.give_back(db_copy, read_instance.lease(db_copy))
    instance = read_instance._instances[db_copy]
    timer, generation = instance.timer, instance.generation
    assert timer is not None and timer.daemon and timer.interval == read_instance.IDLE_SECONDS
    cursor = read_instance.lease(db_copy)  # leased again before the timer fired
    assert instance.timer is None  # the lease cancelled it
    read_instance._close_if_idle(db_copy, generation)  # a timer that fires anyway is stale
    assert read_instance.is_open(db_copy)
    assert cursor.execute("SELECT count(*) FROM waves").fetchall() == [(2,)]
    read_instance.give_back(db_copy, cursor)
    read_instance._close_if_idle(db_copy, instance.generation - 1)  # an older timer: still stale
    assert read_instance.is_open(db_copy)
    read_instance._close_if_idle(db_copy, instance.generation)  # the current one closes it
    assert not read_instance.is_open(db_copy)


def test_the_idle_timer_really_fires(db_copy, monkeypatch):
    monkeypatch.setattr(read_instance, "IDLE_SECONDS", 0.05)
    read_instance.give_back(db_copy, read_instance.lease(db_copy))
    read_instance._instances[db_copy].timer.join(30)
    assert not read_instance.is_open(db_copy)


def test_a_cursor_of_a_closed_instance_does_not_count_against_the_next(db_copy):
    old = read_instance.lease(db_copy)
    read_instance.close_all()  # e.g. at exit, with a render still holding a cursor
    new = read_instance.lease(db_copy)
    read_instance.give_back(db_copy, old)
    assert read_instance._instances[db_copy].leases == 1  # still new's lease
    read_instance.give_back(db_copy, new)
    assert read_instance._instances[db_copy].leases == 0


def test_the_last_render_ending_closes_at_once_when_a_writer_waits(db_copy):
    cursor = read_instance.lease(db_copy)
    with open(db_copy + ".lock", "a+") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        read_instance.give_back(db_copy, cursor)
        assert not read_instance.is_open(db_copy)  # not after IDLE_SECONDS: now
        fcntl.flock(held, fcntl.LOCK_UN)


def test_no_lease_while_a_writer_holds_the_lock_file(db_copy):
    read_instance.give_back(db_copy, read_instance.lease(db_copy))
    assert read_instance.is_open(db_copy)
    with open(db_copy + ".lock", "a+") as held:  # what pipelines.db.writer holds while it waits and writes
        fcntl.flock(held, fcntl.LOCK_EX)
        assert read_instance.writer_waiting(db_copy)
        assert read_instance.lease(db_copy) is None
        assert not read_instance.is_open(db_copy)  # the idle instance stepped aside at once
        fcntl.flock(held, fcntl.LOCK_UN)
    assert not read_instance.writer_waiting(db_copy)
    cursor = read_instance.lease(db_copy)
    assert cursor is not None
    read_instance.give_back(db_copy, cursor)


def test_a_render_during_a_write_opens_its_own_connection_which_waits(db_copy):
    """The block falls back to a connection of its own, which waits out the writer and then
    reads what the writer committed."""
    started, got = threading.Event(), {}

    def write():
        with writer(db_copy) as con:
            started.set()
            time.sleep(0.5)
            con.execute("UPDATE waves SET label = 'during' WHERE wave_id = 2")

    thread = threading.Thread(target=write)
    thread.start()
    assert started.wait(30)
    with reading(db_copy), reader(db_copy) as con:
        got["label"] = con.execute("SELECT label FROM waves WHERE wave_id = 2").fetchall()
    thread.join(30)
    assert got["label"] == [("during",)]
    assert not read_instance.is_open(db_copy)


def test_a_writer_in_another_process_gets_in_once_the_instance_idles(db_copy, monkeypatch):
    monkeypatch.setattr(read_instance, "IDLE_SECONDS", 0.5)
    with reading(db_copy), reader(db_copy) as con:
        assert con.execute("SELECT label FROM waves WHERE wave_id = 2").fetchall() == [("2024-H2",)]
    assert read_instance.is_open(db_copy)
    script = textwrap.dedent(f"""
        from pipelines.db import writer
        with writer({db_copy!r}) as con:
            con.execute("UPDATE waves SET label = 'from elsewhere' WHERE wave_id = 2")
    """)
    start = time.monotonic()
    proc = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert time.monotonic() - start < 30
    with reading(db_copy), reader(db_copy) as con:
        assert con.execute("SELECT label FROM waves WHERE wave_id = 2").fetchall() == [("from elsewhere",)]


def test_threads_render_concurrently_on_one_instance(db_copy):
    """Streamlit renders sessions in threads: each lease is its own cursor, so they don't collide."""
    errors, counts = [], []

    def render():
        try:
            for _ in range(20):
                with reading(db_copy), reader(db_copy) as con:
                    counts.append(con.execute("SELECT count(*) FROM answers").fetchall()[0][0])
        except Exception as exc:  # collected: an assertion in a thread would be lost
            errors.append(exc)

    threads = [threading.Thread(target=render) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    with duckdb.connect(db_copy, read_only=True) as con:
        expected = con.execute("SELECT count(*) FROM answers").fetchall()[0][0]
    assert expected > 0 and counts == [expected] * 120


def test_process_exits_cleanly_with_an_instance_open(db_copy):
    """An idle instance (and its idle timer) at exit: closed by the atexit hook, no crash."""
    script = textwrap.dedent(f"""
        from analytics import read_instance
        cursor = read_instance.lease({db_copy!r})
        print(cursor.execute("SELECT count(*) FROM waves").fetchall()[0][0])
        read_instance.give_back({db_copy!r}, cursor)
    """)
    for _ in range(3):
        proc = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
        # Without the atexit hook DuckDB's bindings report leaked objects on stderr at exit.
        assert (proc.returncode, proc.stdout.strip(), proc.stderr) == (0, "2", "")
    with writer(db_copy):
        pass


def test_a_missing_file_is_not_created_and_lease_gives_none(tmp_path):
    path = str(tmp_path / "nothing.duckdb")
    assert read_instance.lease(path) is None
    assert not Path(path).exists() and not read_instance.is_open(path)


def test_quick_writer_wait_fails_while_a_render_holds_a_lease(db_copy, monkeypatch):
    monkeypatch.setattr(pipelines.db, "LOCK_WAIT_SECONDS", 0.3)
    with reading(db_copy), reader(db_copy):
        with pytest.raises(duckdb.Error) as failure, writer(db_copy):
            pass
        assert common.duck.is_lock_error(failure.value)


def test_set_aside_closes_the_idle_instance_and_lends_nothing_meanwhile(db_copy):
    rendering = read_instance.lease(db_copy)  # another session's render, still running
    with read_instance.set_aside(db_copy):
        assert read_instance.is_open(db_copy)  # not closed under a running render ...
        assert read_instance.lease(db_copy) is None  # ... but no new render gets a cursor
        read_instance.give_back(db_copy, rendering)
        assert not read_instance.is_open(db_copy)  # closed the moment that render ended
    cursor = read_instance.lease(db_copy)  # after the block, renders share it again
    assert cursor is not None
    read_instance.give_back(db_copy, cursor)


def test_sql_console_schema_opens_at_once_after_a_dashboard_render(db_copy, monkeypatch):
    """The console's sandbox opens the file with other settings, which DuckDB refuses while the
    shared instance is open in this process: it must not wait for the instance to idle out."""
    from analytics import schema_browser

    monkeypatch.setattr(read_instance, "IDLE_SECONDS", 30.0)
    with reading(db_copy), reader(db_copy) as con:
        con.execute("SELECT 1").fetchall()
    assert read_instance.is_open(db_copy)
    start = time.monotonic()
    tables = {t.name for t in schema_browser.browse(db_copy, tier="respondent")}
    assert time.monotonic() - start < 5
    assert {"answers", "respondents", "waves"} <= tables


def test_a_broken_instance_is_not_lent_again(db_copy):
    a, b = read_instance.lease(db_copy), read_instance.lease(db_copy)
    read_instance.give_back(db_copy, a, broken=True)
    assert read_instance.is_open(db_copy)  # b's render is still running on it
    assert read_instance.lease(db_copy) is None  # but nobody new gets it
    read_instance.give_back(db_copy, b)
    assert not read_instance.is_open(db_copy)  # closed as soon as b let go
    fresh = read_instance.lease(db_copy)  # the next render opens a new instance
    assert fresh.execute("SELECT count(*) FROM waves").fetchall() == [(2,)]
    read_instance.give_back(db_copy, fresh)


def test_a_fatal_duckdb_error_in_a_render_marks_its_instance_broken(db_copy, monkeypatch):
    from analytics.db import fetch

    returned = []

    class Invalidated:  # a cursor of an instance DuckDB has invalidated
        def cursor(self):
            return self

        def execute(self, *args):
            raise duckdb.FatalException("FATAL Error: database has been invalidated")

        def close(self):
            pass

    monkeypatch.setattr(read_instance, "lease", lambda path: Invalidated())
    monkeypatch.setattr(read_instance, "give_back", lambda path, cursor, broken=False: returned.append(broken))
    with pytest.raises(duckdb.FatalException), reading(db_copy), reader(db_copy) as con:
        fetch(con, "SELECT 1")
    assert returned == [True]
    with reading(db_copy), reader(db_copy) as con:  # a render without the error gives it back whole
        pass
    assert returned == [True, False]


def test_readers_do_not_open_the_file_while_a_writer_is_queued_for_it(db_copy):
    """Writers first: a reader that opened now would hold the file the queued writer waits for."""
    import analytics.db

    with open(db_copy + ".lock", "a+") as held:  # a writer has the lock and is about to open the file
        fcntl.flock(held, fcntl.LOCK_EX)
        with pytest.raises(analytics.db.DatabaseBusy):
            analytics.db._open(db_copy, wait_seconds=0.2)
        fcntl.flock(held, fcntl.LOCK_UN)
    con = analytics.db._open(db_copy, wait_seconds=0.2)
    assert con.execute("SELECT count(*) FROM waves").fetchall() == [(2,)]
    con.close()
