"""Several writers and readers at once: writers queue, nobody sees a lock error, nothing is lost."""
import subprocess
import sys
import threading
from pathlib import Path

import duckdb

from analytics.db import fetch, reader
from pipelines.ingest import ingest_file

ROOT = Path(__file__).resolve().parents[1]


def write_grid(path: Path, people: range, month: int) -> Path:
    lines = ["Timestamp,Email Address,Team,Rate your skills [Docker],Rate your skills [Terraform]"]
    lines += [f"2025/{month:02d}/01 10:00:00,p{i}@example.com,Team {i % 3},Expert,Basic" for i in people]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_two_loaders_in_one_process_both_succeed(tmp_path, monkeypatch):
    monkeypatch.setenv("SKILLS_SECRET_FILE", str(tmp_path / "key"))
    db = str(tmp_path / "x.duckdb")
    files = [write_grid(tmp_path / "a.csv", range(0, 40), 3), write_grid(tmp_path / "b.csv", range(40, 70), 9)]
    results, errors = [], []

    def load(path):
        try:
            results.append(ingest_file(path, db=db))
        except Exception as exc:  # noqa: BLE001 - the test reports any failure
            errors.append(exc)

    threads = [threading.Thread(target=load, args=(f,)) for f in files]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors
    assert sorted(r.status for r in results) == ["loaded", "loaded"]
    con = duckdb.connect(db, read_only=True)
    assert con.execute("SELECT count(*) FROM respondents").fetchall()[0][0] == 70
    assert con.execute("SELECT count(*) FROM answers").fetchall()[0][0] == 140
    con.close()


def test_two_loader_processes_and_eight_readers(tmp_path):
    env = {"SKILLS_SECRET_FILE": str(tmp_path / "key"), "PATH": "/usr/bin:/bin"}
    db = tmp_path / "x.duckdb"
    first = write_grid(tmp_path / "first.csv", range(0, 10), 1)
    subprocess.run([sys.executable, "-m", "pipelines.ingest", str(first), "--db", str(db)], cwd=ROOT, env=env,
                   check=True, capture_output=True)
    files = [write_grid(tmp_path / "a.csv", range(10, 60), 3), write_grid(tmp_path / "b.csv", range(60, 100), 9)]
    loaders = [subprocess.Popen([sys.executable, "-m", "pipelines.ingest", str(f), "--db", str(db), "--json"],
                                cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for f in files]
    read_errors, reads = [], []

    def read_loop():
        for _ in range(15):
            try:
                with reader(str(db)) as con:
                    reads.append(int(fetch(con, "SELECT count(*) AS n FROM respondents")["n"].iloc[0]))
            except Exception as exc:  # noqa: BLE001
                read_errors.append(exc)

    readers = [threading.Thread(target=read_loop) for _ in range(8)]
    for t in readers:
        t.start()
    outputs = [p.communicate(timeout=180) for p in loaders]
    for t in readers:
        t.join(180)
    assert [p.returncode for p in loaders] == [0, 0], [o[1].decode() for o in outputs]
    assert not read_errors, read_errors[:3]
    assert reads and all(n in (10, 60, 50, 100) for n in reads)  # each read sees whole ingestions only
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT count(*) FROM ingestions").fetchall()[0][0] == 3
    assert con.execute("SELECT count(*) FROM respondents").fetchall()[0][0] == 100
    con.close()
