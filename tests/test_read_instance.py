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


def test_an_idle_instance_closes_after_idle_seconds_unless_leased_again(db_copy, monkeypatch):
    monkeypatch.setattr(read_instance, "IDLE_SECONDS", 0.3)
    read_instance.give_back(db_copy, read_instance.lease(db_copy))
    time.sleep(0.15)
    cursor = read_instance.lease(db_copy)  # leased again before the first idle timer fires
    time.sleep(0.4)
    assert read_instance.is_open(db_copy)  # the first timer was stale: still in use
    read_instance.give_back(db_copy, cursor)
    deadline = time.monotonic() + 5
    while read_instance.is_open(db_copy) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not read_instance.is_open(db_copy)


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
        assert (proc.returncode, proc.stdout.strip()) == (0, "2"), proc.stderr
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
        assert pipelines.db.is_lock_error(failure.value)


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
    tables = {t.name for t in schema_browser.browse(db_copy)}
    assert time.monotonic() - start < 5
    assert {"answers", "respondents", "waves"} <= tables
