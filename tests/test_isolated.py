"""Reading an upload in a bounded child (pipelines.isolated): what the page gets when the child
crashes, runs out of memory or overruns its time, and that a good file comes back whole."""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from broken_corpus import csv_bytes
from hostile_corpus import CASES, GRID

from pipelines.ingest import Refused, prepare_file
from pipelines.isolated import inspect_upload, prepare_upload
from pipelines.read_file import FileRefused

ROOT = Path(__file__).resolve().parents[1]
FAR = next(c for c in CASES if c.name == "far_cell")


@pytest.fixture
def key(tmp_path, monkeypatch):
    monkeypatch.setenv("SKILLS_SECRET_FILE", str(tmp_path / "key"))
    monkeypatch.setenv("SKILLS_LOG_DIR", str(tmp_path / "logs"))


def test_a_good_file_comes_back_as_in_process(key, tmp_path):
    path = tmp_path / "grid.csv"
    path.write_bytes(csv_bytes(GRID))
    here, there = prepare_file(path), prepare_upload(path)
    assert (there.rows_read, there.wave_label, there.sha256) == (here.rows_read, here.wave_label, here.sha256)
    for name, frame in here.frames.items():
        assert there.frames[name].reset_index(drop=True).equals(frame.reset_index(drop=True)), name
    assert inspect_upload(path).responses == 4


def test_a_crash_of_the_reader_is_one_line(key, tmp_path, monkeypatch):
    # With the extent check switched off, calamine aborts (SIGABRT) allocating 512 GB: only the child dies.
    monkeypatch.setenv("SKILLS_MAX_XLSX_CELLS", str(10**12))
    monkeypatch.setenv("SKILLS_MAX_COLUMNS", str(10**6))
    path = FAR.build(tmp_path)
    with pytest.raises(FileRefused, match=r"^far\.xlsx could not be read: the reader crashed \(SIGABRT\)") as info:
        inspect_upload(path)
    assert "\n" not in str(info.value)


def test_out_of_memory_in_the_reader_is_one_line(key, tmp_path, monkeypatch):
    monkeypatch.setenv("SKILLS_PARSE_MEMORY_MB", "150")  # less than the interpreter and its imports need
    path = tmp_path / "grid.csv"
    path.write_bytes(csv_bytes(GRID))
    with pytest.raises(Refused) as info:
        prepare_upload(path)
    assert "\n" not in str(info.value)
    assert "memory" in str(info.value) and "Traceback" not in str(info.value)


def test_a_reader_over_its_time_is_stopped(key, tmp_path, monkeypatch):
    monkeypatch.setenv("SKILLS_PARSE_TIMEOUT_S", "0.2")  # less than the interpreter takes to start
    path = tmp_path / "grid.csv"
    path.write_bytes(csv_bytes(GRID))
    with pytest.raises(Refused, match=r"^grid\.csv took longer than 0\.2 s to read, so reading it was stopped"):
        prepare_upload(path)


def test_a_corrupt_database_says_so_and_stays_as_it_was(key, tmp_path):
    path = tmp_path / "grid.csv"
    path.write_bytes(csv_bytes(GRID))
    db = tmp_path / "skills.duckdb"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    first = subprocess.run([sys.executable, "-m", "pipelines.ingest", str(path), "--db", str(db), "--wave", "A"],
                           env=env, cwd=ROOT, capture_output=True, timeout=120)
    assert first.returncode == 0, first.stderr
    data = bytearray(db.read_bytes())
    for offset in range(3 * 262144 + 100, len(data) - 256, 262144):  # every data block past the headers
        data[offset:offset + 256] = b"\xde\xad\xbe\xef" * 64
    db.write_bytes(bytes(data))
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    proc = subprocess.run([sys.executable, "-m", "pipelines.ingest", str(path), "--db", str(db), "--wave", "B"],
                          env=env, cwd=ROOT, capture_output=True, timeout=120)
    err = proc.stderr.decode()
    assert proc.returncode == 3 and err.count("\n") == 1, err
    assert "the database file is corrupt" in err and "Transaction" not in err, err
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before
    assert unreadable_tables(db), "the corruption must be real, not only a message"


def unreadable_tables(db: Path) -> list[str]:
    con = duckdb.connect(str(db), read_only=True)
    failed = []
    try:
        for (table,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall():
            try:
                con.execute(f'SELECT * FROM "{table}"').fetchall()
            except duckdb.Error:
                failed.append(table)
    finally:
        con.close()
    return failed
