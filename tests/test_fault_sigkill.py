"""A loader killed with SIGKILL at random moments never leaves a partial ingestion behind.

One big Google Forms grid (respondents x skills, some cells skipped) is loaded 20 times into
its own wave per trial, and each run is killed after a seeded random delay spread over the
measured length of a full run. After every kill the database must open read-only, hold the
trial's ingestion completely or not at all, have no row pointing at a missing ingestion, no
wave without an ingestion, and the small ingestion loaded before the trials must be untouched.
"""
from __future__ import annotations

import csv
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from pipelines.taxonomy import builtin

ROOT = Path(__file__).resolve().parents[1]
RESPONDENTS = 12_000  # 20,000 took 7 s per run on a busy 2-core box; this keeps the test under 90 s
SKILL_COUNT = 40
TRIALS = 20
LABELS = ["None", "Aware", "Basic", "Proficient", "Expert"]
CHILD_TABLES = ("respondents", "answers", "cloud_preferences", "learning_interests", "rejected_rows")


def write_grid(path: Path, respondents: int, skills: list[str], seed: int, domain: str) -> int:
    """A Google Forms grid export; returns how many answer cells it holds (about 1 in 10 is skipped)."""
    rng = random.Random(seed)
    answered = 0
    with open(path, "w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["Timestamp", "Email Address", "Team", *[f"Rate your skills [{s}]" for s in skills]])
        for i in range(respondents):
            cells = [rng.choice(LABELS) if rng.random() >= 0.1 else "" for _ in skills]
            answered += sum(1 for c in cells if c)
            out.writerow([f"2025/03/{i % 28 + 1:02d} {i % 24:02d}:{i % 60:02d}:00", f"person{i}@{domain}",
                          f"Team {i % 7}", *cells])
    return answered


def run_ingest(file: Path, db: Path, wave: str, env: dict, **kw) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "pipelines.ingest", str(file), "--db", str(db), "--wave", wave,
                             "--json"], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)


def state(db: Path) -> dict:
    """Per-ingestion rows as recorded and as actually present, orphans and empty waves."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        ingestions = {r[0]: r[1:] for r in con.execute(
            "SELECT i.ingestion_id, w.label, rows_read, rows_loaded, rows_rejected FROM ingestions i "
            "JOIN waves w USING (wave_id)").fetchall()}
        present = {}
        for table in CHILD_TABLES:
            for iid, n in con.execute(f"SELECT ingestion_id, count(*) FROM {table} GROUP BY ALL").fetchall():
                present[(table, iid)] = n
        orphans = {t: con.execute(f"SELECT count(*) FROM {t} WHERE ingestion_id NOT IN "
                                  "(SELECT ingestion_id FROM ingestions)").fetchall()[0][0] for t in CHILD_TABLES}
        empty_waves = con.execute("SELECT label FROM waves WHERE wave_id NOT IN "
                                  "(SELECT wave_id FROM ingestions)").fetchall()
    finally:
        con.close()
    return {"ingestions": ingestions, "present": present, "orphans": orphans, "empty_waves": empty_waves}


def by_wave(st: dict, wave: str) -> list[int]:
    return [iid for iid, (label, *_) in st["ingestions"].items() if label == wave]


@pytest.fixture
def setup(tmp_path):
    env = {"SKILLS_SECRET_FILE": str(tmp_path / "respondent-id.key"), "PATH": "/usr/bin:/bin",
           "HOME": str(tmp_path)}
    skills = list(builtin().skills["name_en"])[:SKILL_COUNT]
    assert len(skills) == SKILL_COUNT
    big = tmp_path / "big.csv"
    big_answers = write_grid(big, RESPONDENTS, skills, seed=1, domain="big.example")
    small = tmp_path / "small.csv"
    small_answers = write_grid(small, 5, skills[:3], seed=2, domain="small.example")
    db = tmp_path / "skills.duckdb"
    done = subprocess.run([sys.executable, "-m", "pipelines.ingest", str(small), "--db", str(db), "--wave",
                           "preload", "--json"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return env, big, big_answers, small_answers, db


def test_sigkill_at_random_points_leaves_no_partial_ingestion(setup, tmp_path):
    env, big, big_answers, small_answers, db = setup
    preload = state(db)
    [pre_id] = by_wave(preload, "preload")
    # Hand-computed: 5 respondents, all rows valid.
    assert preload["ingestions"][pre_id] == ("preload", 5, 5, 0)
    assert preload["present"][("respondents", pre_id)] == 5
    assert preload["present"][("answers", pre_id)] == small_answers
    pre_rows = {k: v for k, v in preload["present"].items() if k[1] == pre_id}

    # How long a full run takes (own copy, so the trial database only holds the preload).
    measure = shutil.copy(db, tmp_path / "measure.duckdb")
    start = time.monotonic()
    full = run_ingest(big, Path(measure), "measure", env)
    out, err = full.communicate(timeout=300)
    duration = time.monotonic() - start
    assert full.returncode == 0, err.decode()[-2000:]
    measured = json.loads(out)
    assert (measured["status"], measured["rows_loaded"], measured["answers"]) == ("loaded", RESPONDENTS, big_answers)

    rng = random.Random(20240611)
    outcomes = []
    for trial in range(TRIALS):
        wave = f"trial-{trial:02d}"
        # Stratified over the whole run: trial k dies somewhere in the k-th twentieth of it.
        delay = duration * (trial + rng.random()) / TRIALS
        proc = run_ingest(big, db, wave, env)
        time.sleep(delay)
        finished_first = proc.poll() is not None
        if not finished_first:
            os.kill(proc.pid, signal.SIGKILL)
        proc.communicate(timeout=60)
        if finished_first:
            assert proc.returncode == 0, f"{wave}: an unkilled run failed"

        st = state(db)  # opening at all (read-only, WAL replayed) is the first check
        assert st["orphans"] == dict.fromkeys(CHILD_TABLES, 0), f"{wave}: rows of a missing ingestion"
        assert st["empty_waves"] == [], f"{wave}: a wave row without its ingestion"
        assert {k: v for k, v in st["present"].items() if k[1] == pre_id} == pre_rows, f"{wave}: preload changed"
        assert st["ingestions"][pre_id] == ("preload", 5, 5, 0)
        ids = by_wave(st, wave)
        assert len(ids) <= 1
        if ids:
            (iid,) = ids
            assert st["ingestions"][iid] == (wave, RESPONDENTS, RESPONDENTS, 0)
            assert st["present"].get(("respondents", iid)) == RESPONDENTS
            assert st["present"].get(("answers", iid)) == big_answers
            assert st["present"].get(("rejected_rows", iid), 0) == 0
        else:
            assert not finished_first, f"{wave}: the run finished but its ingestion is missing"
            assert not [k for k in st["present"] if k[1] not in st["ingestions"]]
        outcomes.append((round(delay, 2), "complete" if ids else "absent", "exited" if finished_first else "killed"))

    print(f"\nfull run {duration:.2f}s; trials (delay, ingestion, process): {outcomes}")
    assert any(o[2] == "killed" for o in outcomes), "no trial was actually interrupted"

    # After all that, an uninterrupted run of the last trial's wave loads or names the earlier load.
    last = f"trial-{TRIALS - 1:02d}"
    proc = run_ingest(big, db, last, env)
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err.decode()[-2000:]
    result = json.loads(out)
    assert result["status"] in {"loaded", "already_loaded"}
    st = state(db)
    [iid] = by_wave(st, last)
    assert result["ingestion_id"] == iid
    assert st["ingestions"][iid] == (last, RESPONDENTS, RESPONDENTS, 0)
    assert st["present"][("respondents", iid)] == RESPONDENTS
    assert st["present"][("answers", iid)] == big_answers
    assert st["orphans"] == dict.fromkeys(CHILD_TABLES, 0)
