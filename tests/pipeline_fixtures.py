"""Helpers for the ingest pipeline tests: small export files written in tmp_path, a private DB and key.

Every export is built here programmatically (csv module / openpyxl), never copied from real data,
so each test can count by hand what it wrote and compare that with what the database holds.
"""
from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb
import openpyxl

from pipelines.ingest import ingest_file

PROJECT = Path(__file__).resolve().parent.parent

@dataclass
class Env:
    tmp: Path
    db: str
    secret: Path

    def ingest(self, path, **kw):
        return ingest_file(path, db=self.db, **kw)

    def rows(self, sql: str, params=None) -> list[tuple]:
        return query(self.db, sql, params)

    def snapshot(self) -> dict:
        return snapshot(self.db)


def make_env(tmp_path, monkeypatch) -> Env:
    """A private database and respondent-id key; nothing outside tmp_path is touched.

    Each test module wraps this in its own `env` fixture (a fixture imported from here would
    shadow the test parameters, and registering this file as a plugin disables assert rewriting)."""
    secret = tmp_path / "secret" / "respondent-id.key"
    db = tmp_path / "db" / "skills.duckdb"
    monkeypatch.setenv("SKILLS_SECRET_FILE", str(secret))
    monkeypatch.setenv("SKILLS_DB", str(db))
    return Env(tmp_path, str(db), secret)


# --- writing export files -----------------------------------------------------------------------

def csv_text(rows: list[list[str]], delimiter: str = ",", newline: str = "\n") -> str:
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator=newline).writerows(rows)
    return buf.getvalue()


def write_csv(path: Path, rows: list[list[str]], *, encoding: str = "utf-8", delimiter: str = ",",
              newline: str = "\n") -> Path:
    """A CSV export; encoding 'utf-8-sig' writes a BOM, 'utf-16' writes a BOM too."""
    path = Path(path)
    path.write_bytes(csv_text(rows, delimiter, newline).encode(encoding))
    return path


def write_xlsx(path: Path, sheets: dict[str, list[list]], active: int = 0) -> Path:
    """A workbook with the given sheets in order (the first is the survey unless a test says otherwise)."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        ws = book.create_sheet(title)
        for row in rows:
            ws.append(row)
    book.active = active
    book.save(path)
    return Path(path)


def write_profile(path: Path, text: str) -> Path:
    Path(path).write_text(text, encoding="utf-8")
    return Path(path)


def email(i: int) -> str:
    return f"person{i:03d}@example.com"


# --- reading the database back ------------------------------------------------------------------

def query(db: str, sql: str, params=None) -> list[tuple]:
    con = duckdb.connect(db, read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def snapshot(db: str) -> dict:
    """Every table's full contents (sorted), to prove that a refused file changed nothing."""
    if not os.path.exists(db):
        return {}
    con = duckdb.connect(db, read_only=True)
    try:
        tables = [r[0] for r in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() "
            "AND NOT temporary ORDER BY table_name").fetchall()]
        out = {}
        for t in tables:
            rows = con.execute(f'SELECT * FROM "{t}"').fetchall()
            out[t] = sorted(rows, key=repr)
        return out
    finally:
        con.close()


def levels_by_team(env: Env) -> dict[str, dict[str, int]]:
    """{team: {skill_id: level}}: tests give each respondent a unique team marker to find them by."""
    out: dict[str, dict[str, int]] = {}
    for team, skill, level in env.rows(
            "SELECT r.team, a.skill_id, a.level FROM answers a JOIN respondents r "
            "USING (wave_id, respondent_id)"):
        out.setdefault(team, {})[skill] = level
    return out


# --- the command line ---------------------------------------------------------------------------

def cli_command(*args: str) -> list[str]:
    """`python -m pipelines.ingest ARGS` with the project's interpreter."""
    return [sys.executable, "-m", "pipelines.ingest", *args]


def run_cli(env: Env, *args: str) -> subprocess.CompletedProcess:
    environ = {**os.environ, "SKILLS_SECRET_FILE": str(env.secret), "SKILLS_DB": env.db}
    return subprocess.run(cli_command(*args), cwd=PROJECT, env=environ, capture_output=True, text=True,
                          timeout=120)


def load_with_cli(tmp_path_factory, name: str, export, profile) -> tuple[str, dict]:
    """Load one real export through the CLI's own code path into a fresh database; (db, JSON result)."""
    import contextlib
    import io
    import json

    import pytest

    from pipelines.ingest import main as ingest_main

    tmp = tmp_path_factory.mktemp(name)
    db = str(tmp / f"{name}.duckdb")
    out = io.StringIO()
    with pytest.MonkeyPatch.context() as mp, contextlib.redirect_stdout(out):
        mp.setenv("SKILLS_SECRET_FILE", str(tmp / "respondent-id.key"))
        mp.delenv("SKILLS_DB", raising=False)
        code = ingest_main([str(export), "--profile", str(profile), "--db", db, "--json"])
    assert code == 0, out.getvalue()
    return db, json.loads(out.getvalue().strip())
