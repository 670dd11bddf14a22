"""The SQL console's tiers, tried as an adversary would: every spelling of a file read or a hidden
table is refused, an analyst without the row privilege sees only k-safe views, and the k-safe
views blank small groups so that no difference of shown figures isolates fewer than k people."""
from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest
import sql_console_fixture as fixture
from streamlit.testing.v1 import AppTest

from analytics import access, console_tiers, sandbox
from analytics.sandbox import QueryRefused, SandboxError
from pipelines import aggregates, audit, taxonomy
from pipelines.db import writer

FAST = dataclasses.replace(sandbox.DEFAULT_LIMITS, timeout_s=5.0, lock_wait_s=0.3)
R, A = console_tiers.RESPONDENT, console_tiers.AGGREGATE
STAFF = "hr.person@example.com"
PAGE = str(Path(__file__).resolve().parent.parent / "pages" / "sql_console.py")


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Path:
    path = fixture.build(tmp_path_factory.mktemp("tiers") / "skills.duckdb")
    audit.record(str(path), STAFF, "sql_query", "ok", "SELECT secret FROM somewhere")
    return path


def refused(sql: str, db: Path, tier: str) -> str:
    """The refusal line; fails the test when the statement runs."""
    with pytest.raises(QueryRefused) as caught:
        sandbox.run_query(sql, db, FAST, tier)
    return caught.value.line()


# ---------------------------------------------------------------------------------------------
# no file function, hidden table or server state, whatever the spelling, in either tier


def _attacks(db: Path) -> list[str]:
    f, wal, folder = str(db), f"{db}.wal", str(db.parent)
    return [
        # the database file and its WAL, as bytes, text, a database or a scan
        f"SELECT * FROM read_blob('{f}')", f"SELECT * FROM READ_BLOB('{f}')", f"SELECT * FROM \"read_blob\"('{f}')",
        f"SELECT * FROM main.read_blob('{f}')", f"SELECT * FROM system.main.read_blob('{f}')",
        f"SELECT content FROM read_text('{wal}')", f"SELECT * FROM read_text('{folder}/*')",
        f"SELECT * FROM read_duckdb('{f}', table_name = 'audit_log')", f"SELECT * FROM '{f}'", f"FROM '{wal}'",
        f"SELECT * FROM read_csv_auto('{f}')", f"SELECT * FROM read_parquet('{f}')", f"SELECT * FROM read_json('{f}')",
        f"SELECT * FROM glob('{folder}/*')", f"SELECT * FROM sniff_csv('{f}')", f"SELECT * FROM parquet_metadata('{f}')",
        # nested: subqueries, CTEs, joins, lateral, set operations, lambdas, EXPLAIN ANALYZE
        f"SELECT * FROM waves WHERE EXISTS (SELECT 1 FROM read_blob('{f}'))",
        f"WITH x AS (SELECT * FROM read_text('{f}')) SELECT * FROM x",
        f"SELECT * FROM waves, LATERAL (SELECT * FROM read_blob('{f}'))",
        f"SELECT label FROM waves UNION ALL SELECT content FROM read_text('{f}')",
        "SELECT list_transform([1], x -> (SELECT count(*) FROM audit_log))",
        f"SELECT 1 ORDER BY (SELECT size FROM read_blob('{f}'))",
        f"EXPLAIN ANALYZE SELECT * FROM read_blob('{f}')",
        # hidden tables: audit_log, rejected_rows, the raw ingestions, by any name
        "SELECT * FROM audit_log", "SELECT * FROM \"AUDIT_LOG\"", "SELECT * FROM Audit_Log", "SELECT * FROM main.audit_log",
        "SELECT * FROM src.audit_log", "SELECT * FROM \"src\".\"main\".\"audit_log\"", "SELECT * FROM src.main.ingestions",
        "SELECT * FROM memory.main.audit_log", "SELECT * FROM skills.audit_log", "SELECT * FROM rejected_rows",
        "SELECT actor FROM waves, audit_log", "SELECT * FROM waves WHERE wave_id IN (SELECT event_id FROM audit_log)",
        "WITH rejected_rows AS (SELECT * FROM rejected_rows) SELECT * FROM rejected_rows",
        "SELECT * FROM (WITH audit_log AS (SELECT 1) SELECT * FROM audit_log), audit_log",
        "WITH a AS (SELECT * FROM b), b AS (SELECT 1) SELECT * FROM a",  # b is not yet in scope inside a
        "SELECT * FROM query('SELECT * FROM src.audit_log')", "SELECT * FROM query_table('audit_log')",
        "DESCRIBE audit_log", "SUMMARIZE src.audit_log", "SHOW audit_log", "SHOW ALL TABLES", "SHOW DATABASES",
        "PIVOT src.audit_log ON action IN ('sql_query') USING count(*)", "SELECT * FROM audit_log USING SAMPLE 1",
        "SELECT COLUMNS(*) FROM rejected_rows",
        # the catalog, settings and server paths
        "SELECT * FROM duckdb_databases()", "SELECT path FROM duckdb_databases", "SELECT * FROM duckdb_settings()",
        "SELECT * FROM duckdb_tables()", "SELECT * FROM duckdb_columns", "SELECT * FROM information_schema.tables",
        "SELECT * FROM pg_catalog.pg_tables", "SELECT * FROM pg_tables", "SELECT * FROM pragma_database_size()",
        "SELECT * FROM pragma_table_info('audit_log')", "SELECT current_setting('allowed_paths')",
        "SELECT CURRENT_SETTING('temp_directory')", "SELECT \"current_setting\"('secret_directory')",
        "SELECT current_database()", "SELECT getvariable('x')", "SELECT nextval('audit_id_seq')",
        "SELECT * FROM range(3) WHERE current_setting('home_directory') IS NULL",
    ]


@pytest.mark.parametrize("tier", console_tiers.TIERS)
def test_every_attack_is_refused_in_one_line_and_changes_nothing(db, tier):
    before = fixture.checksum(db)
    lines = {sql: refused(sql, db, tier) for sql in _attacks(db)}
    assert len(lines) >= 60
    for sql, line in lines.items():
        assert line.startswith("refused: ") and "\n" not in line and len(line) <= 320
        assert STAFF not in line and (str(db) not in line or str(db) in sql)  # only what the analyst typed
    assert fixture.checksum(db) == before


def test_the_aggregate_tier_holds_nothing_else_even_past_the_name_check(db, monkeypatch):
    # DuckDB itself enforces the aggregate tier: with the parse-tree check switched off, the file is
    # gone from the connection and the local file system is off, so these still reveal nothing.
    monkeypatch.setattr(sandbox, "_check_names", lambda *args: None)
    for sql in ("SELECT * FROM src.audit_log", "SELECT * FROM audit_log", "SELECT * FROM respondents",
                f"SELECT * FROM read_blob('{db}')", f"SELECT * FROM read_text('{db}.wal')",
                f"SELECT * FROM read_duckdb('{db}', table_name = 'audit_log')"):
        with pytest.raises(SandboxError):
            sandbox.run_query(sql, db, FAST, A)
    paths = sandbox.run_query("SELECT path FROM duckdb_databases() WHERE path IS NOT NULL", db, FAST, A)
    assert paths.row_count == 0
    tables = sandbox.run_query("SELECT table_name FROM duckdb_tables()", db, FAST, A).frame["table_name"]
    assert set(tables) == console_tiers.object_names(A)


def test_respondent_tier_sees_no_file_names_staff_or_submission_times(db):
    ingestions = sandbox.run_query("SELECT * FROM ingestions ORDER BY ingestion_id", db, FAST, R)
    assert "file_name" not in ingestions.table.column_names and "loaded_by" not in ingestions.table.column_names
    assert ingestions.frame["rows_loaded"].tolist() == [10, 11]  # tests/sql_console_fixture.py
    people = sandbox.run_query("SELECT DISTINCT submitted_at FROM respondents ORDER BY 1", db, FAST, R)
    assert people.column_types == ["DATE"]
    assert people.frame["submitted_at"].astype(str).tolist() == ["2023-04-10", "2024-04-10"]
    text = sandbox.run_query("SELECT * FROM ingestions", db, FAST, R).frame.to_csv()
    assert "survey-2023.csv" not in text and "fixture" not in text


# ---------------------------------------------------------------------------------------------
# an analyst without the row privilege


@pytest.mark.parametrize("sql", [
    "SELECT * FROM respondents", "SELECT count(*) FROM answers", "SELECT * FROM cloud_preferences",
    "SELECT * FROM learning_interests", "SELECT * FROM ingestions", "SELECT * FROM agg_respondents",
    "SELECT * FROM agg_skill_levels_rollup", "SELECT * FROM ksafe_respondents k JOIN respondents r USING (wave_id)",
    "SELECT * FROM ksafe_respondents WHERE wave_id IN (SELECT wave_id FROM answers)",
    "WITH r AS (SELECT * FROM respondents) SELECT * FROM ksafe_respondents, r",
    "SELECT * FROM main.answers", "DESCRIBE respondents", "SUMMARIZE answers",
])
def test_no_respondent_rows_without_the_privilege(db, sql):
    assert "is not a table or view of the SQL console" in refused(sql, db, A)


def test_both_tiers_read_the_k_safe_views(db):
    for tier in console_tiers.TIERS:
        result = sandbox.run_query("SELECT grain, n_respondents FROM ksafe_respondents WHERE wave_id = 2 "
                                   "AND grain = 'total'", db, FAST, tier)
        assert result.table.to_pylist() == [{"grain": "total", "n_respondents": 11}]  # p01-p08, p11-p13


# ---------------------------------------------------------------------------------------------
# k-safe: small groups blanked, and enough others that no difference isolates them

# wave 1 of an organisation built for this: team -> people; every person has role Dev, and a
# location by team (A: 10 Tokyo + 2 Osaka, the others Tokyo).
TEAMS = {"A": 12, "B": 6, "C": 3, "D": 1}


def _org(path: Path) -> Path:
    people = [(f"{team}{i:02d}", team, "Osaka" if team == "A" and i < 2 else "Tokyo")
              for team, n in TEAMS.items() for i in range(n)]
    with writer(str(path)) as con:
        taxonomy.sync(con, taxonomy.builtin())
        con.execute("INSERT INTO waves VALUES (1, '2025-H1', DATE '2025-04-01')")
        con.execute("INSERT INTO ingestions VALUES (1, 1, 'x.csv', ?, ?, 22, 22, 0, 'loaded', NULL, 'x')",
                    ["c" * 64, dt.datetime(2025, 4, 2)])
        con.executemany("INSERT INTO respondents VALUES (1, ?, 1, ?, 'Dev', ?, NULL)",
                        [(pid, team, where) for pid, team, where in people])
        con.executemany("INSERT INTO answers VALUES (1, ?, 'terraform', ?, 1)",
                        [(pid, 4 if pid == "D00" else 1) for pid, _, _ in people])
        aggregates.refresh(con, own_transaction=True)
    return path


def test_k_safe_groups_by_hand(tmp_path):
    db = _org(tmp_path / "org.duckdb")
    rows = sandbox.run_query("SELECT grain, coalesce(team, role, location, '') AS grp, n_respondents, suppressed "
                             "FROM ksafe_respondents ORDER BY ALL", db, FAST, A).table.to_pylist()
    got = {(r["grain"], r["grp"]): (r["n_respondents"], r["suppressed"]) for r in rows}
    # k = 5. Teams: C (3) and D (1) are small and hold 4 < 5 together, so B (6), the next smallest,
    # is blanked too (hidden 10 >= 5); A (12) is shown. Locations: Osaka (2) is small and Tokyo
    # (20) is blanked with it, since the total minus Tokyo would be Osaka. Role: Dev holds all 22.
    assert got == {
        ("team", "A"): (12, False), ("team", "B"): (None, True), ("team", "C"): (None, True),
        ("team", "D"): (None, True), ("location", "Osaka"): (None, True), ("location", "Tokyo"): (None, True),
        ("role", "Dev"): (22, False), ("total", ""): (22, False),
    }
    skill = sandbox.run_query("SELECT team, n_answered, n_l4, suppressed FROM ksafe_skill_levels "
                              "WHERE grain = 'team' ORDER BY team", db, FAST, A).table.to_pylist()
    # D00, the one expert, is in D: blanked with B and C, so only the total's n_l4 = 1 remains
    assert skill == [{"team": "A", "n_answered": 12, "n_l4": 0, "suppressed": False}] + [
        {"team": t, "n_answered": None, "n_l4": None, "suppressed": True} for t in "BCD"]


@pytest.mark.parametrize("make", ["fixture", "org"])
def test_no_difference_of_shown_groups_isolates_fewer_than_k(tmp_path, make):
    db = fixture.build(tmp_path / "f.duckdb") if make == "fixture" else _org(tmp_path / "o.duckdb")
    rows = sandbox.run_query("SELECT wave_id, grain, n_respondents, suppressed FROM ksafe_respondents",
                             db, FAST, A).table.to_pylist()
    # the true sizes, straight from respondents (not from the rollups the views are made from)
    truth = sandbox.run_query(
        "SELECT wave_id, count(*) AS n FROM respondents GROUP BY wave_id", db, FAST, R).table.to_pylist()
    for wave in {r["wave_id"]: r["n"] for r in truth}.items():
        wave_id, total = wave
        for grain in ("team", "role", "location"):
            shown = sum(r["n_respondents"] for r in rows
                        if (r["wave_id"], r["grain"]) == (wave_id, grain) and not r["suppressed"])
            assert total - shown == 0 or total - shown >= 5, (wave_id, grain)
        small = [r for r in rows if r["wave_id"] == wave_id and not r["suppressed"] and r["n_respondents"] < 5]
        assert small == []


# ---------------------------------------------------------------------------------------------
# the role setting and the page


def test_console_rows_setting(tmp_path):
    path = tmp_path / "access.yaml"
    assert (access.load(path).console_tier("admin"), access.load(path).console_tier("analyst")) == (R, A)
    path.write_text("console_rows: {analyst: respondent, admin: aggregate}\n", encoding="utf-8")
    assert (access.load(path).console_tier("admin"), access.load(path).console_tier("analyst")) == (A, R)
    assert access.load(path).console_tier("viewer") == A
    for bad in ("console_rows: {analyst: everything}\n", "console_rows: {viewer: respondent}\n",
                "console_rows: [respondent]\n"):
        path.write_text(bad, encoding="utf-8")
        with pytest.raises(access.AccessError, match="console_rows"):
            access.load(path)


def _page(db: Path, monkeypatch, tmp_path, role: str, access_text: str = "") -> AppTest:
    monkeypatch.setenv("SKILLS_DB", str(db))
    monkeypatch.setenv("SKILLS_SAVED_QUERIES", str(tmp_path / "saved.json"))
    (tmp_path / "access.yaml").write_text(access_text, encoding="utf-8")
    monkeypatch.setenv("SKILLS_ACCESS_FILE", str(tmp_path / "access.yaml"))
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.session_state["role"] = role
    at.run()
    assert not at.exception
    return at


def test_an_analyst_without_the_privilege_is_told_and_refused(db, monkeypatch, tmp_path):
    at = _page(db, monkeypatch, tmp_path, "analyst")
    text = " ".join(c.value for c in at.caption)
    assert "You see the k-safe views (ksafe_*), waves and the taxonomy only" in text
    assert "Never readable here: the audit log, rejected rows" in text
    labels = [e.label.split(" · ")[0] for e in at.expander]
    assert sorted(labels) == sorted(console_tiers.object_names(A))
    examples = at.selectbox(key="sql_console_example").options
    assert examples and all("k-safe" in name for name in examples)
    at.text_area(key="sql_console_editor").input("SELECT * FROM respondents")
    at.button(key="sql_console_run").click()
    at.run()
    assert [e.value for e in at.error] == [
        "refused: respondents is not a table or view of the SQL console (see the schema browser)"]


def test_the_privilege_is_withdrawn_for_the_next_query(db, monkeypatch, tmp_path):
    at = _page(db, monkeypatch, tmp_path, "analyst", "console_rows: {analyst: respondent}\n")
    assert "respondents" in [e.label.split(" · ")[0] for e in at.expander]
    (tmp_path / "access.yaml").write_text("console_rows: {analyst: aggregate}\n", encoding="utf-8")
    at.text_area(key="sql_console_editor").input("SELECT count(*) AS n FROM respondents")
    at.button(key="sql_console_run").click()
    at.run()
    assert [e.value for e in at.error] == [
        "refused: respondents is not a table or view of the SQL console (see the schema browser)"]
