"""Versioned migrations: a database at version 1 is upgraded in place, idempotently, keeping its data."""
from __future__ import annotations

import datetime as dt
import re
import shutil

import duckdb
import pytest
from pipeline_fixtures import make_env, query, snapshot, write_csv

from pipelines import migrate
from pipelines.db import writer

MIGRATIONS = migrate.MIGRATIONS_DIR
FILES = sorted(p for p in MIGRATIONS.iterdir() if re.match(r"^\d{3}_.*\.(sql|py)$", p.name))
LATEST = max(int(p.name[:3]) for p in FILES)
FILES_BY_NUMBER = [(int(p.name[:3]), p) for p in FILES]

CONTRACT = {
    "waves": {"wave_id", "label", "survey_date"},
    "skill_areas": {"area_id", "track", "name_en", "name_ja"},
    "skills": {"skill_id", "area_id", "name_en", "name_ja", "provider"},
    "respondents": {"wave_id", "respondent_id", "team", "role", "location", "submitted_at"},
    "answers": {"wave_id", "respondent_id", "skill_id", "level"},
    "cloud_preferences": {"wave_id", "respondent_id", "provider", "kind"},
    "learning_interests": {"wave_id", "respondent_id", "skill_id"},
    "ingestions": {"ingestion_id", "wave_id", "file_name", "file_sha256", "loaded_at", "rows_read", "rows_loaded",
                   "rows_rejected", "status"},
    "rejected_rows": {"ingestion_id", "source_row", "column_name", "value", "reason"},
}


@pytest.fixture
def env(tmp_path, monkeypatch):
    """A private database and respondent-id key in tmp_path."""
    return make_env(tmp_path, monkeypatch)


def columns(db: str) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for table, column in query(db, "SELECT table_name, column_name FROM duckdb_columns() "
                                   "WHERE database_name = current_database() AND NOT internal"):
        out.setdefault(table, set()).add(column)
    return out


def make_version_1(path: str) -> None:
    """A database exactly as the first release left it, with some data in it."""
    con = duckdb.connect(path)
    try:
        con.execute((MIGRATIONS / "001_initial.sql").read_text(encoding="utf-8"))
        con.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name VARCHAR, "
                    "applied_at TIMESTAMP DEFAULT now())")
        con.execute("INSERT INTO schema_migrations (version, name) VALUES (1, '001_initial')")
        con.execute("INSERT INTO waves VALUES (7, '2023-H2', DATE '2023-10-01')")
        con.execute("INSERT INTO skill_areas VALUES ('containers_microservices', 'DevOps', 'Containers', 'コンテナ', 4)")
        con.execute("INSERT INTO skills VALUES ('docker', 'containers_microservices', 'Docker', 'Docker', NULL, 1)")
        con.execute("INSERT INTO ingestions VALUES (3, 7, 'old.csv', 'abc', TIMESTAMP '2023-10-02 09:00:00', "
                    "2, 2, 0, 'loaded', 'old', 'hr')")
        con.execute("INSERT INTO respondents VALUES (7, 'r1', 3, 'Platform', 'SRE', 'Tokyo', NULL), "
                    "(7, 'r2', 3, 'Data', NULL, NULL, NULL)")
        con.execute("INSERT INTO answers VALUES (7, 'r1', 'docker', 3, 3), (7, 'r2', 'docker', 1, 3)")
    finally:
        con.close()


def test_migration_files_are_numbered_without_gaps():
    numbers = [int(p.name[:3]) for p in FILES]
    assert numbers == list(range(1, len(numbers) + 1))
    assert migrate.latest_version() == LATEST


def test_fresh_database_gets_every_migration_and_the_contract(tmp_path):
    db = str(tmp_path / "fresh.duckdb")
    with writer(db):
        pass
    assert [r[0] for r in query(db, "SELECT version FROM schema_migrations ORDER BY version")] == \
        list(range(1, LATEST + 1))
    have = columns(db)
    for table, needed in CONTRACT.items():
        assert needed <= have.get(table, set()), (table, needed - have.get(table, set()))


def test_version_1_database_is_upgraded_in_place_keeping_its_data(tmp_path):
    db = str(tmp_path / "v1.duckdb")
    make_version_1(db)
    before = snapshot(db)
    with writer(db) as con:
        assert con.execute("SELECT max(version) FROM schema_migrations").fetchall() == [(LATEST,)]
    after = snapshot(db)
    for table in ("waves", "skill_areas", "skills", "ingestions", "respondents", "answers"):
        assert after[table] == before[table], table
    assert [r[0] for r in query(db, "SELECT version FROM schema_migrations ORDER BY version")] == \
        list(range(1, LATEST + 1))
    for table, needed in CONTRACT.items():
        assert needed <= columns(db)[table]


def test_upgrade_is_idempotent(tmp_path):
    db = str(tmp_path / "v1.duckdb")
    make_version_1(db)
    with writer(db):
        pass
    once = snapshot(db)
    for _ in range(2):
        with writer(db) as con:
            assert migrate.migrate(con) == LATEST
    assert snapshot(db) == once


def test_upgraded_database_accepts_new_ingests(env):
    (env.tmp / "db").mkdir(exist_ok=True)
    make_version_1(env.db)
    rows = [["Email Address", "Team", "Docker"], ["a@example.com", "New", "4"], ["b@example.com", "New2", "2"]]
    result = env.ingest(write_csv(env.tmp / "new.csv", rows), wave="2024-H1")
    assert result.status == "loaded", result.message
    # The old wave's rows are untouched and the new ingestion gets an id of its own.
    assert env.rows("SELECT respondent_id, level FROM answers WHERE wave_id = 7 ORDER BY 1") == [("r1", 3), ("r2", 1)]
    assert env.rows("SELECT count(*) FROM answers WHERE wave_id <> 7") == [(2,)]
    assert env.rows("SELECT count(DISTINCT ingestion_id) FROM ingestions") == [(2,)]
    assert sorted(r[0] for r in env.rows("SELECT label FROM waves")) == ["2023-H2", "2024-H1"]
    assert env.rows("SELECT survey_date FROM waves WHERE label = '2023-H2'") == [(dt.date(2023, 10, 1),)]


def test_a_failing_migration_is_rolled_back_whole(tmp_path, monkeypatch):
    folder = tmp_path / "migrations"
    folder.mkdir()
    shutil.copy(MIGRATIONS / "001_initial.sql", folder / "001_initial.sql")
    (folder / "002_broken.sql").write_text("CREATE TABLE half_done (x INTEGER);\nCREATE TABLE oops (;\n")
    monkeypatch.setattr(migrate, "MIGRATIONS_DIR", folder)
    db = str(tmp_path / "m.duckdb")
    con = duckdb.connect(db)
    try:
        with pytest.raises(duckdb.Error):
            migrate.migrate(con)
        assert con.execute("SELECT max(version) FROM schema_migrations").fetchall() == [(1,)]
        tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        assert "half_done" not in tables and "waves" in tables
    finally:
        con.close()


def test_python_migrations_run_in_order(tmp_path, monkeypatch):
    folder = tmp_path / "migrations"
    folder.mkdir()
    shutil.copy(MIGRATIONS / "001_initial.sql", folder / "001_initial.sql")
    (folder / "002_note.py").write_text(
        "def upgrade(con):\n    con.execute(\"ALTER TABLE waves ADD COLUMN note VARCHAR DEFAULT 'n/a'\")\n")
    monkeypatch.setattr(migrate, "MIGRATIONS_DIR", folder)
    db = str(tmp_path / "py.duckdb")
    con = duckdb.connect(db)
    try:
        assert migrate.migrate(con) == 2
        assert migrate.migrate(con) == 2
        cols = {r[0] for r in con.execute("SELECT column_name FROM duckdb_columns() WHERE table_name = 'waves'")
                .fetchall()}
        assert "note" in cols
        assert con.execute("SELECT count(*) FROM schema_migrations").fetchall() == [(2,)]
    finally:
        con.close()


def structure(db: str) -> dict[str, list]:
    """Tables, columns (in order, with types and nullability), constraints, indexes and sequences."""
    return {
        "columns": query(db, "SELECT table_name, column_index, column_name, data_type, is_nullable FROM duckdb_columns() "
                             "WHERE database_name = current_database() AND NOT internal ORDER BY ALL"),
        "constraints": query(db, "SELECT table_name, constraint_type, constraint_column_names FROM duckdb_constraints() "
                                 "WHERE database_name = current_database() ORDER BY ALL"),
        "indexes": query(db, "SELECT table_name, index_name, is_unique, is_primary FROM duckdb_indexes() "
                             "WHERE database_name = current_database() ORDER BY ALL"),
        "sequences": query(db, "SELECT sequence_name FROM duckdb_sequences() "
                               "WHERE database_name = current_database() ORDER BY ALL"),
    }


def migrate_to(db: str, version: int, monkeypatch) -> None:
    """Apply the migrations up to ``version`` only, as an older release would have."""
    with monkeypatch.context() as patch:
        patch.setattr(migrate, "available", lambda: [(n, p) for n, p in FILES_BY_NUMBER if n <= version])
        con = duckdb.connect(db)
        try:
            assert migrate.migrate(con) == version
        finally:
            con.close()


def test_migration_6_restores_the_respondents_key_keeping_rows_and_their_order(tmp_path, monkeypatch):
    db = str(tmp_path / "v1.duckdb")
    make_version_1(db)
    migrate_to(db, 5, monkeypatch)
    assert [r[0] for r in query(db, "SELECT constraint_type FROM duckdb_constraints() "
                                    "WHERE table_name = 'respondents'")] == ["NOT NULL"] * 3
    before = query(db, "SELECT * FROM respondents")
    with writer(db):
        pass
    assert query(db, "SELECT * FROM respondents") == before  # same rows, same physical order
    assert query(db, "SELECT constraint_type, constraint_column_names FROM duckdb_constraints() "
                     "WHERE table_name = 'respondents' ORDER BY 1, 2") == [
        ("NOT NULL", ["ingestion_id"]), ("NOT NULL", ["respondent_id"]), ("NOT NULL", ["wave_id"]),
        ("PRIMARY KEY", ["wave_id", "respondent_id"])]
    con = duckdb.connect(db)
    try:
        with pytest.raises(duckdb.ConstraintException):  # r1 is in wave 7 already
            con.execute("INSERT INTO respondents VALUES (7, 'r1', 3, NULL, NULL, NULL, NULL)")
    finally:
        con.close()


@pytest.mark.parametrize("start", [1, 5])
def test_an_upgraded_database_ends_with_the_structure_of_a_fresh_one(tmp_path, monkeypatch, start):
    fresh = str(tmp_path / "fresh.duckdb")
    with writer(fresh):
        pass
    old = str(tmp_path / "old.duckdb")
    make_version_1(old)
    migrate_to(old, start, monkeypatch)
    with writer(old):
        pass
    assert structure(old) == structure(fresh)
    assert ("respondents", "PRIMARY KEY", ["wave_id", "respondent_id"]) in structure(fresh)["constraints"]


def test_migration_8_records_what_earlier_loads_asked_from_their_answers(tmp_path):
    # Version 1's one load answered docker only: that is all an upgrade can know it asked.
    db = str(tmp_path / "v1.duckdb")
    make_version_1(db)
    with writer(db):
        pass
    assert query(db, "SELECT ingestion_id, wave_id, question, skill_id FROM question_skills") == [
        (3, 7, "(recorded from the answers by migration 008)", "docker")]
