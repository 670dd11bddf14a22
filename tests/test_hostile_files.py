"""The hostile corpus (tests/hostile_corpus.py) through the command line, each run under a memory cap.

Every case must end within 60 s with a peak below 2 GB: refused with exit 3 and exactly one
stderr line naming the reason, the database file byte for byte as before (it already holds an
earlier ingestion); or, for a case whose real content is small, loaded. The cap (RLIMIT_DATA,
which covers malloc and anonymous mmap) makes a case that escapes its check fail here instead
of swapping the machine; the peak is the child's own maximum resident set (wait4).
"""
from __future__ import annotations

import hashlib
import os
import re
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest
from broken_corpus import csv_bytes
from hostile_corpus import CASES, GRID, Hostile

ROOT = Path(__file__).resolve().parents[1]
CAP = 2 * 1024**3
SECONDS = 60


@pytest.fixture(scope="module")
def env(tmp_path_factory) -> dict:
    key = tmp_path_factory.mktemp("secret") / "respondent-id.key"
    return {**os.environ, "SKILLS_SECRET_FILE": str(key), "PYTHONPATH": str(ROOT),
            "SKILLS_LOG_DIR": str(tmp_path_factory.mktemp("logs"))}


@pytest.fixture(scope="module")
def earlier_db(tmp_path_factory, env) -> Path:
    folder = tmp_path_factory.mktemp("earlier")
    (folder / "earlier.csv").write_bytes(csv_bytes(GRID).replace(b"@example.com", b"@earlier.example"))
    db = folder / "earlier.duckdb"
    proc = subprocess.run([sys.executable, "-m", "pipelines.ingest", str(folder / "earlier.csv"), "--db", str(db),
                           "--wave", "2024-H2"], env=env, cwd=ROOT, capture_output=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return db


def files_of(db: Path) -> dict[str, str]:
    """sha256 of the database file and of any companion (.wal) next to it."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(db.parent.glob(db.name + "*"))
            if not p.name.endswith(".lock")}


def run_capped(args: list[str], env: dict) -> tuple[int, str, float, int]:
    """(exit code, stderr, seconds, peak resident bytes) of the CLI under the memory cap."""
    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_DATA, (CAP, CAP))

    started = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-m", "pipelines.ingest", *args], env=env, cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, preexec_fn=cap)
    killer = threading.Timer(SECONDS, proc.kill)
    killer.start()
    try:
        err = proc.stderr.read()  # until the child exits (or is killed at the time limit)
        _, status, usage = os.wait4(proc.pid, 0)  # reaps it, with its own peak resident set
    finally:
        killer.cancel()
        proc.stderr.close()
    proc.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.monotonic() - started
    print(f"{args[0]}: exit {proc.returncode} in {seconds:.2f} s, peak {usage.ru_maxrss / 1024:.0f} MB")
    return proc.returncode, err.decode("utf-8", "replace"), seconds, usage.ru_maxrss * 1024


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_hostile_file_through_the_cli(case: Hostile, earlier_db, env, tmp_path):
    db = tmp_path / "skills.duckdb"
    db.write_bytes(earlier_db.read_bytes())
    before = files_of(db)
    path = case.build(tmp_path)
    args = [str(path), "--db", str(db)] + (["--profile", str(tmp_path / "bomb.yaml")] if case.profile else [])
    code, err, seconds, peak = run_capped(args, env)
    assert seconds < SECONDS and peak < CAP, (seconds, peak)
    if case.status == "rejected":
        assert code == 3, err
        assert err.count("\n") == 1 and err.endswith("\n"), err
        assert re.search(case.reason, err, re.IGNORECASE), err
        assert "Traceback" not in err and "Error:" not in err, err
        assert files_of(db) == before
    else:
        assert code == 0, err
        con = duckdb.connect(str(db), read_only=True)
        try:
            loaded = con.execute("SELECT rows_loaded FROM ingestions ORDER BY ingestion_id").fetchall()
        finally:
            con.close()
        assert loaded == [(4,), (case.rows_loaded,)]
