"""python -m analytics.query: exit codes, output formats, and one-line errors (run as a real process)."""
from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import sql_console_fixture as fixture

from analytics import sandbox_process

PROJECT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Path:
    return fixture.build(tmp_path_factory.mktemp("cli") / "skills.duckdb")


def run(*args: str, db: Path | None = None, stdin: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(PROJECT)}
    env.pop("SKILLS_DB", None)
    if db is not None:
        env["SKILLS_DB"] = str(db)
    return subprocess.run([sys.executable, "-m", "analytics.query", *args], cwd=PROJECT, env=env, input=stdin,
                          capture_output=True, text=True, timeout=120)


def assert_one_line_error(proc: subprocess.CompletedProcess, start: str) -> None:
    assert proc.returncode == 3
    assert proc.stdout == ""
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith(start), lines[0]
    assert "Traceback" not in proc.stderr


def test_csv_result_on_stdout(db):
    proc = run("SELECT wave_id, label, survey_date FROM waves ORDER BY wave_id", db=db)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    assert list(csv.reader(io.StringIO(proc.stdout))) == [
        ["wave_id", "label", "survey_date"], ["1", "2023-H1", "2023-04-01"], ["2", "2024-H1", "2024-04-01"]]


def test_json_result_with_db_flag(db):
    # --db wins over $SKILLS_DB (which is unset here)
    proc = run("--db", str(db), "--format", "json",
               "SELECT team, count(*) AS n FROM respondents WHERE wave_id = 2 GROUP BY team ORDER BY team")
    assert proc.returncode == 0, proc.stderr
    # wave 2: Platform p01-p06 and p11, Data p07 p08 p12 p13
    assert json.loads(proc.stdout) == [{"team": "Data", "n": 4}, {"team": "Platform", "n": 7}]


def test_sql_from_stdin(db):
    proc = run("-", db=db, stdin="SELECT count(*) AS answers FROM answers WHERE wave_id = 1\n")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == ["answers", "36"]  # 10 people x 4 skills minus 4 unanswered


def test_csv_neutralises_formulas_json_keeps_values(db):
    sql = "SELECT '=HYPERLINK(\"x\")' AS f, '@cmd' AS g, -5 AS n"
    as_csv = run(sql, db=db)
    assert list(csv.reader(io.StringIO(as_csv.stdout)))[1] == ["'=HYPERLINK(\"x\")", "'@cmd", "-5"]
    as_json = run("--format", "json", sql, db=db)
    assert json.loads(as_json.stdout) == [{"f": '=HYPERLINK("x")', "g": "@cmd", "n": -5}]


def test_row_cap_is_reported_on_stderr_with_exit_0(db):
    proc = run("--max-rows", "3", "SELECT * FROM range(10)", db=db)
    assert proc.returncode == 0
    assert proc.stdout.splitlines() == ["range", "0", "1", "2"]
    assert len(proc.stderr.splitlines()) == 1 and "first 3 rows" in proc.stderr


@pytest.mark.parametrize(("sql", "start"), [
    ("DELETE FROM answers", "refused: DELETE is not allowed"),
    ("SELECT 1; DROP TABLE waves", "refused: one statement at a time"),
    ("SELECT * FROM read_csv('/etc/passwd')", "refused: read_csv() is not available in the SQL console"),
    ("COPY waves TO '/tmp/waves.csv'", "refused: COPY is not allowed"),
    ("SELECT nope FROM waves", "failed: Binder Error"),
    ("SELEC 1", "failed: Parser Error"),
    ("", "refused: the query is empty"),
])
def test_refused_or_failed_is_exit_3_with_one_line(db, sql, start):
    before = fixture.checksum(db)
    assert_one_line_error(run(sql, db=db), start)
    assert fixture.checksum(db) == before


def test_timeout_is_exit_3(db):
    proc = run("--timeout", "0.5", "SELECT count(*) FROM range(1000000) a, range(1000000) b", db=db)
    assert_one_line_error(proc, "timed out: the query ran longer than 0.5 s")


def test_missing_database_is_exit_3(tmp_path):
    assert_one_line_error(run("--db", str(tmp_path / "none.duckdb"), "SELECT 1"), "unavailable: database not found")


@pytest.mark.parametrize("args", [
    (),  # no SQL
    ("--format", "xml", "SELECT 1"),
    ("--max-rows", "0", "SELECT 1"),
    ("--timeout", "soon", "SELECT 1"),
    ("--no-such-flag", "SELECT 1"),
])
def test_usage_errors_are_exit_2(db, args):
    proc = run(*args, db=db)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert "usage:" in proc.stderr and "Traceback" not in proc.stderr


def test_help_is_exit_0():
    proc = run("--help")
    assert proc.returncode == 0 and "--format" in proc.stdout


def test_arrow_stream_for_programs(db):
    proc = subprocess.run([sys.executable, "-m", "analytics.query", "--db", str(db), "--format", "arrow",
                           "SELECT label FROM waves ORDER BY wave_id"], cwd=PROJECT, capture_output=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(PROJECT)})
    assert proc.returncode == 0, proc.stderr
    result = sandbox_process.from_arrow_stream(proc.stdout)
    assert (result.kind, result.table.column("label").to_pylist()) == ("SELECT", ["2023-H1", "2024-H1"])


def test_memory_limit_flag(db):
    proc = run("--memory-limit", "64MB", "SELECT list(range) FROM range(100000000)", db=db)
    assert_one_line_error(proc, "failed: the query needs more than the 64MB memory limit")
    assert run("--memory-limit", "lots", "SELECT 1", db=db).returncode == 2
