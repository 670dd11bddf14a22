"""The SQL console's sandbox: what it runs, what it refuses, and that the database never changes."""
from __future__ import annotations

import dataclasses
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import sql_console_fixture as fixture

from analytics import sandbox, sandbox_process
from analytics.sandbox import DatabaseUnavailable, QueryFailed, QueryRefused, QueryTimeout, SandboxError

PROJECT = Path(__file__).resolve().parent.parent
FAST = dataclasses.replace(sandbox.DEFAULT_LIMITS, timeout_s=1.0, lock_wait_s=0.3)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """The fixture database plus files an escape would like to read or write, in one folder."""
    folder = tmp_path_factory.mktemp("sandbox")
    db = fixture.build(folder / "skills.duckdb")
    (folder / "secret.csv").write_text("name,email\nAda,ada@example.com\n", encoding="utf-8")
    (folder / "secret.txt").write_text("top secret\n", encoding="utf-8")
    (folder / "secret.json").write_text('[{"a": 1}]\n', encoding="utf-8")
    pq.write_table(pa.table({"a": [1, 2]}), folder / "secret.parquet")
    return folder, db


# ---------------------------------------------------------------------------------------------
# what runs


ALLOWED = [
    ("SELECT label FROM waves ORDER BY wave_id", "SELECT", [("2023-H1",), ("2024-H1",)]),
    ("WITH w AS (SELECT * FROM waves) SELECT count(*) AS n FROM w", "SELECT", [(2,)]),
    ("FROM waves SELECT label WHERE wave_id = 2", "SELECT", [("2024-H1",)]),
    ("  -- a comment first\n/* and another */ SELECT 1 AS one;  ", "SELECT", [(1,)]),
    ("DESCRIBE waves", "DESCRIBE", None),
    ("SHOW TABLES", "SHOW", None),
    ("SUMMARIZE waves", "SUMMARIZE", None),
    ("EXPLAIN SELECT * FROM answers", "EXPLAIN", None),
    ("EXPLAIN ANALYZE SELECT count(*) FROM answers", "EXPLAIN", None),
    ("EXPLAIN (FORMAT json) SELECT 1", "EXPLAIN", None),
    ("EXPLAIN (SELECT 1)", "EXPLAIN", None),
    ("PIVOT (SELECT kind, provider FROM cloud_preferences WHERE wave_id = 1) ON provider USING count(*) "
     "GROUP BY kind ORDER BY kind", "PIVOT", None),
    ("PIVOT (SELECT wave_id, kind FROM cloud_preferences) ON kind IN ('preferred', 'uses') USING count(*) "
     "GROUP BY wave_id ORDER BY wave_id", "PIVOT", [(1, 10, 11), (2, 11, 12)]),
    ("UNPIVOT (SELECT 1 AS a, 2 AS b) ON a, b INTO NAME k VALUE v", "UNPIVOT", [("a", 1), ("b", 2)]),
]


@pytest.mark.parametrize(("sql", "kind", "rows"), ALLOWED, ids=[a[0][:40] for a in ALLOWED])
def test_reads_run(world, sql, kind, rows):
    _, db = world
    result = sandbox.run_query(sql, db, FAST)
    assert result.kind == kind
    assert result.row_count >= 1
    assert not result.truncated
    if rows is not None:  # expected rows counted by hand from tests/sql_console_fixture.py
        assert [tuple(r.values()) for r in result.table.to_pylist()] == rows


def test_pivot_without_in_list_counts_preferred_clouds(world):
    _, db = world
    result = sandbox.run_query(
        "PIVOT (SELECT wave_id, provider FROM cloud_preferences WHERE kind = 'preferred') "
        "ON provider USING count(*) GROUP BY wave_id ORDER BY wave_id", db, FAST)
    rows = {r["wave_id"]: r for r in result.table.to_pylist()}
    # wave 1: AWS p01 p02 p05 p07 p10, GCP p03 p06 p09; wave 2: AWS p01 p04 p05 p06 p08 p12
    assert (rows[1]["AWS"], rows[1]["GCP"], rows[2]["AWS"], rows[2]["Other"]) == (5, 3, 6, 1)


def test_connection_is_read_only_sealed_and_limited(world):
    _, db = world
    limits = dataclasses.replace(FAST, memory_limit="300MB", threads=1)
    with sandbox.connect(db, limits) as con:
        settings = dict(con.execute(
            "SELECT name, value FROM duckdb_settings() WHERE name IN "
            "('enable_external_access', 'lock_configuration', 'threads', 'temp_directory', "
            "'autoload_known_extensions', 'autoinstall_known_extensions', 'allow_community_extensions')"
        ).fetchall())
        readonly = con.execute("SELECT readonly FROM duckdb_databases() WHERE database_name = current_database()").fetchall()
        memory = con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0]
    assert settings == {
        "enable_external_access": "false", "lock_configuration": "true", "threads": "1", "temp_directory": "",
        "autoload_known_extensions": "false", "autoinstall_known_extensions": "false",
        "allow_community_extensions": "false",
    }
    assert readonly == [(True,)]
    assert memory.endswith("MiB") and 280 <= float(memory.split()[0]) <= 300  # 300MB = 286.1 MiB


def test_every_config_key_is_known_to_duckdb():
    for key, value in sandbox.DEFAULT_LIMITS.connection_config().items():
        con = duckdb.connect(":memory:", config={key: value})  # an unknown key raises here
        con.close()


def test_refuses_to_run_on_a_connection_that_is_not_locked_down(world, monkeypatch):
    _, db = world
    monkeypatch.setattr(sandbox.Limits, "connection_config", lambda self: {})
    with pytest.raises(DatabaseUnavailable, match="not locked down"):
        sandbox.run_query("SELECT 1", db, FAST)


def test_row_cap_fetches_at_most_the_cap(world):
    _, db = world
    capped = dataclasses.replace(FAST, max_rows=10)
    over = sandbox.run_query("SELECT * FROM range(25)", db, capped)
    assert (over.row_count, over.truncated) == (10, True)
    assert over.table.column("range").to_pylist() == list(range(10))
    exact = sandbox.run_query("SELECT * FROM range(10)", db, capped)
    assert (exact.row_count, exact.truncated) == (10, False)
    # a huge result is cut short instead of being computed in full
    huge = sandbox.run_query("SELECT * FROM range(1000000000)", db, capped)
    assert (huge.row_count, huge.truncated) == (10, True)


def test_duplicate_column_names_are_made_unique(world):
    _, db = world
    result = sandbox.run_query("SELECT 1 AS a, 2 AS a, 3 AS A", db, FAST)
    assert result.table.column_names == ["a", "a_2", "A_3"]
    assert list(result.frame.columns) == ["a", "a_2", "A_3"]


def test_unusual_types_come_back(world):
    _, db = world
    result = sandbox.run_query(
        "SELECT union_value(k := 7) AS u, INTERVAL 3 DAY AS gap, [1, 2] AS l, {'a': 1} AS s, 12::HUGEINT AS h", db, FAST)
    row = result.frame.iloc[0]
    assert (row["u"], list(row["l"]), row["s"], int(row["h"])) == ("7", [1, 2], {"a": 1}, 12)


def test_result_keeps_types_and_frame(world):
    _, db = world
    result = sandbox.run_query("SELECT wave_id, label, survey_date FROM waves ORDER BY wave_id", db, FAST)
    assert result.column_types == ["INTEGER", "VARCHAR", "DATE"]
    assert result.frame["label"].tolist() == ["2023-H1", "2024-H1"]
    assert result.elapsed_s >= 0


# ---------------------------------------------------------------------------------------------
# the escape corpus: each attempt is refused or stopped, and nothing changes


def _escapes(folder: Path) -> list[tuple[str, str, type[SandboxError]]]:
    f = str(folder)
    return [
        # reading files and the network (DuckDB's external-access switch refuses these)
        ("read_csv", f"SELECT * FROM read_csv('{f}/secret.csv')", QueryRefused),
        ("read_csv_auto list", f"SELECT * FROM read_csv_auto(['{f}/secret.csv'])", QueryRefused),
        ("replacement scan", f"SELECT * FROM '{f}/secret.csv'", QueryRefused),
        ("read_text", "SELECT * FROM read_text('/etc/passwd')", QueryRefused),
        ("read_blob", f"SELECT * FROM read_blob('{f}/secret.txt')", QueryRefused),
        ("glob", f"SELECT * FROM glob('{f}/*')", QueryRefused),
        ("glob relative", "FROM glob('*')", QueryRefused),
        ("read_parquet", f"SELECT * FROM read_parquet('{f}/secret.parquet')", QueryRefused),
        ("parquet_metadata", f"SELECT * FROM parquet_metadata('{f}/secret.parquet')", QueryRefused),
        ("read_json", f"SELECT * FROM read_json('{f}/secret.json')", QueryRefused),
        ("sniff_csv", f"SELECT * FROM sniff_csv('{f}/secret.csv')", QueryRefused),
        ("process environment", "SELECT * FROM read_text('/proc/self/environ')", QueryRefused),
        ("http", "SELECT * FROM 'https://example.com/data.csv'", QueryRefused),
        ("getenv", "SELECT getenv('HOME')", QueryFailed),  # no such function outside the DuckDB shell
        ("query() smuggling a write", "SELECT * FROM query('DROP TABLE waves')", QueryFailed),
        ("nextval on a sequence", "SELECT nextval('wave_id_seq')", QueryRefused),
        # writing files, other databases, extensions
        ("COPY TO", f"COPY waves TO '{f}/out.csv'", QueryRefused),
        ("COPY query TO", f"COPY (SELECT * FROM respondents) TO '{f}/out.parquet' (FORMAT parquet)", QueryRefused),
        ("COPY FROM", f"COPY waves FROM '{f}/secret.csv'", QueryRefused),
        ("EXPORT DATABASE", f"EXPORT DATABASE '{f}/exported'", QueryRefused),
        ("COPY FROM DATABASE", "COPY FROM DATABASE skills TO other", QueryRefused),
        ("ATTACH file", f"ATTACH '{f}/other.duckdb' AS other", QueryRefused),
        ("ATTACH memory", "ATTACH ':memory:' AS scratch", QueryRefused),
        ("DETACH", "DETACH skills", QueryRefused),
        ("USE", "USE memory", QueryRefused),
        ("INSTALL", "INSTALL httpfs", QueryRefused),
        ("FORCE INSTALL", "FORCE INSTALL httpfs FROM community", QueryRefused),
        ("LOAD", "LOAD httpfs", QueryRefused),
        ("LOAD a file", f"LOAD '{f}/evil.duckdb_extension'", QueryRefused),
        ("UPDATE EXTENSIONS", "UPDATE EXTENSIONS", QueryRefused),
        # settings
        ("SET external access", "SET enable_external_access = true", QueryRefused),
        ("SET memory", "SET memory_limit = '100GB'", QueryRefused),
        ("RESET", "RESET lock_configuration", QueryRefused),
        ("PRAGMA", "PRAGMA threads = 64", QueryRefused),
        ("PRAGMA profiling", f"PRAGMA profiling_output = '{f}/profile.json'", QueryRefused),
        ("SET VARIABLE", "SET VARIABLE x = 1", QueryRefused),
        # changing data
        ("CREATE TABLE", "CREATE TABLE evil AS SELECT 1 AS x", QueryRefused),
        ("CREATE TEMP TABLE", "CREATE TEMP TABLE evil (x INTEGER)", QueryRefused),
        ("CREATE MACRO", "CREATE MACRO evil(x) AS x", QueryRefused),
        ("CREATE SECRET", "CREATE SECRET s (TYPE s3, KEY_ID 'x', SECRET 'y')", QueryRefused),
        ("INSERT", "INSERT INTO waves VALUES (99, 'evil', NULL)", QueryRefused),
        ("UPDATE", "UPDATE waves SET label = 'evil'", QueryRefused),
        ("DELETE", "DELETE FROM answers", QueryRefused),
        ("DROP", "DROP TABLE answers", QueryRefused),
        ("ALTER", "ALTER TABLE waves ADD COLUMN evil INTEGER", QueryRefused),
        ("MERGE", "MERGE INTO waves USING (SELECT 1 AS wave_id) s USING (wave_id) WHEN MATCHED THEN DELETE", QueryRefused),
        ("CTE then DELETE", "WITH x AS (SELECT 1) DELETE FROM answers", QueryRefused),
        ("CREATE TABLE AS PIVOT", "CREATE TABLE evil AS PIVOT cloud_preferences ON provider USING count(*)", QueryRefused),
        ("TRUNCATE", "TRUNCATE answers", QueryRefused),
        # several statements, hidden statements, transactions, maintenance
        ("two statements", "SELECT 1; DROP TABLE waves", QueryRefused),
        ("two reads", "SELECT 1; SELECT 2", QueryRefused),
        ("comment-disguised", "/* SELECT 1 */ DROP TABLE waves", QueryRefused),
        ("BEGIN", "BEGIN TRANSACTION", QueryRefused),
        ("CHECKPOINT", "CHECKPOINT", QueryRefused),
        ("VACUUM", "VACUUM", QueryRefused),
        ("CALL", "CALL pragma_version()", QueryRefused),
        ("PREPARE", "PREPARE p AS DELETE FROM answers", QueryRefused),
        ("EXECUTE", "EXECUTE p", QueryRefused),
        # EXPLAIN ANALYZE runs its statement
        ("EXPLAIN ANALYZE INSERT", "EXPLAIN ANALYZE INSERT INTO waves VALUES (99, 'evil', NULL)", QueryRefused),
        ("EXPLAIN ANALYZE DELETE", "EXPLAIN ANALYZE DELETE FROM answers", QueryRefused),
        ("EXPLAIN (ANALYZE) CTE DELETE", "EXPLAIN (ANALYZE) WITH x AS (SELECT 1) DELETE FROM answers", QueryRefused),
        ("EXPLAIN ANALYZE COPY", f"EXPLAIN ANALYZE COPY waves TO '{f}/out.csv'", QueryRefused),
        ("EXPLAIN ANALYZE CREATE", "EXPLAIN ANALYZE CREATE TABLE evil AS SELECT 1", QueryRefused),
        # taking the server down
        ("runaway cross join", "SELECT count(*) FROM range(1000000) a, range(1000000) b", QueryTimeout),
        ("streaming runaway", "SELECT a.range FROM range(1000000) a, range(1000000) b "
                              "WHERE (a.range * b.range) % 1000000007 = 7", QueryTimeout),
        ("endless recursion", "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r",
         QueryTimeout),
        ("empty", "   ", QueryRefused),
        ("only a comment", "-- nothing", QueryRefused),
    ]


def test_escape_corpus_is_refused_and_changes_nothing(world):
    folder, db = world
    before_files = sorted(p.name for p in folder.iterdir())
    before = fixture.checksum(db)
    corpus = _escapes(folder)
    assert len(corpus) >= 25
    outcomes = {}
    for name, sql, _expected in corpus:
        try:
            sandbox.run_query(sql, db, FAST)
        except SandboxError as exc:
            outcomes[name] = (type(exc), exc.line())
        else:
            outcomes[name] = (None, "ran")
    wrong = {name: got for (name, _, expected), got in zip(corpus, outcomes.values(), strict=True)
             if got[0] is not expected}
    assert wrong == {}
    for _, line in outcomes.values():
        assert "\n" not in line and "Traceback" not in line and len(line) <= 320
    assert fixture.checksum(db) == before  # contents, catalog and the file's bytes
    assert sorted(p.name for p in folder.iterdir()) == before_files  # nothing written beside it


def test_memory_limit_stops_a_blow_up(world):
    _, db = world
    before = fixture.checksum(db)
    small = dataclasses.replace(FAST, memory_limit="100MB", timeout_s=120)  # the memory limit must act first
    with pytest.raises(QueryFailed, match="more than the 100MB memory limit"):
        sandbox.run_query("SELECT list(range) FROM range(100000000)", db, small)
    assert fixture.checksum(db) == before


def test_file_reads_say_why(world):
    folder, db = world
    with pytest.raises(QueryRefused, match="files, network and extensions are off"):
        sandbox.run_query(f"SELECT * FROM read_csv('{folder}/secret.csv')", db, FAST)


def test_write_refusal_names_the_statement(world):
    _, db = world
    with pytest.raises(QueryRefused, match=r"^DELETE is not allowed"):
        sandbox.run_query("WITH x AS (SELECT 1) DELETE FROM answers", db, FAST)


def test_classify_needs_no_database():
    assert sandbox.classify("SELECT 1") == "SELECT"
    assert sandbox.classify("EXPLAIN ANALYZE (FORMAT json) SELECT 1") == "EXPLAIN"
    assert sandbox.classify("/* 日本語 */ EXPLAIN SELECT 'スキル'") == "EXPLAIN"
    assert sandbox.classify("PIVOT t ON x USING count(*)") == "PIVOT"
    with pytest.raises(QueryRefused, match="one statement at a time, found 2"):
        sandbox.classify("SELECT 1; SELECT 2")
    with pytest.raises(QueryFailed, match="syntax error"):
        sandbox.classify("SELEC 1")
    with pytest.raises(QueryRefused, match="longer than"):
        sandbox.classify("SELECT 1 " + " " * sandbox.DEFAULT_LIMITS.max_sql_chars)


def test_syntax_and_catalog_errors_are_one_line(world):
    _, db = world
    with pytest.raises(QueryFailed) as caught:
        sandbox.run_query("SELECT nope FROM waves", db, FAST)
    assert "\n" not in caught.value.line() and "nope" in caught.value.line()


# ---------------------------------------------------------------------------------------------
# the database file: missing, remote, locked by a writer


def test_missing_and_remote_databases(tmp_path):
    with pytest.raises(DatabaseUnavailable, match="database not found"):
        sandbox.run_query("SELECT 1", tmp_path / "nothing.duckdb", FAST)
    with pytest.raises(DatabaseUnavailable, match="local database file only"):
        sandbox.run_query("SELECT 1", "md:skills", FAST)


def test_refusals_never_open_the_database(tmp_path):
    # classification happens before the file is even looked for
    with pytest.raises(QueryRefused):
        sandbox.run_query("DROP TABLE waves", tmp_path / "nothing.duckdb", FAST)


HOLD_WRITER = textwrap.dedent("""
    import sys
    from pipelines.db import writer
    with writer(sys.argv[1]):
        print("holding", flush=True)
        sys.stdin.readline()
""")


def test_a_writer_in_another_process_makes_it_busy_then_it_runs(world):
    _, db = world
    holder = subprocess.Popen([sys.executable, "-c", HOLD_WRITER, str(db)], cwd=PROJECT, text=True,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        assert holder.stdout.readline().strip() == "holding"
        with pytest.raises(DatabaseUnavailable, match="busy"):
            sandbox.run_query("SELECT 1", db, FAST)
    finally:
        holder.communicate("\n", timeout=60)
    assert sandbox.run_query("SELECT count(*) AS n FROM waves", db, FAST).table.to_pylist() == [{"n": 2}]


def test_a_differently_configured_connection_in_this_process_is_waited_out(world):
    _, db = world
    other = duckdb.connect(str(db), read_only=True)  # e.g. a dashboard query in the same server
    try:
        with pytest.raises(DatabaseUnavailable, match="other settings"):
            sandbox.run_query("SELECT 1", db, FAST)
    finally:
        other.close()
    assert sandbox.run_query("SELECT 1 AS one", db, FAST).row_count == 1


# ---------------------------------------------------------------------------------------------
# the child-process runner the page uses


def test_child_process_gives_the_same_result(world):
    _, db = world
    sql = "SELECT wave_id, label, survey_date FROM waves ORDER BY wave_id"
    here, there = sandbox.run_query(sql, db, FAST), sandbox_process.run_query(sql, db, FAST)
    assert there.table.equals(here.table)
    assert (there.kind, there.column_types, there.truncated) == ("SELECT", ["INTEGER", "VARCHAR", "DATE"], False)
    assert there.frame["label"].tolist() == ["2023-H1", "2024-H1"]
    capped = sandbox_process.run_query("SELECT * FROM range(50)", db, dataclasses.replace(FAST, max_rows=7))
    assert (capped.row_count, capped.truncated) == (7, True)


def test_child_process_survives_a_value_bigger_than_the_memory_limit(world):
    # repeat() allocates its 2 GB result outside DuckDB's buffer pool: in-process it would grow the
    # server by gigabytes; the child's heap cap turns it into an ordinary out-of-memory failure.
    _, db = world
    with pytest.raises(QueryFailed, match="memory limit"):
        sandbox_process.run_query("SELECT repeat('x', 2000000000) AS huge", db, dataclasses.replace(FAST, timeout_s=60))


@pytest.mark.parametrize(("sql", "error", "start"), [
    ("DELETE FROM waves", QueryRefused, "DELETE is not allowed"),
    ("SELECT * FROM read_text('/etc/passwd')", QueryRefused, "files, network and extensions are off"),
    ("SELECT count(*) FROM range(1000000) a, range(1000000) b", QueryTimeout, "the query ran longer than 1 s"),
    ("SELECT nope FROM waves", QueryFailed, "Binder Error"),
])
def test_child_process_errors_keep_their_kind_and_line(world, sql, error, start):
    _, db = world
    with pytest.raises(error) as caught:
        sandbox_process.run_query(sql, db, FAST)
    assert str(caught.value).startswith(start) and "\n" not in caught.value.line()


def test_child_process_missing_database(tmp_path):
    with pytest.raises(DatabaseUnavailable, match="database not found"):
        sandbox_process.run_query("SELECT 1", tmp_path / "none.duckdb", FAST)


def test_a_crashed_or_stuck_child_is_one_line(world, monkeypatch):
    _, db = world

    def crashed(*args, **kwargs):
        return subprocess.CompletedProcess(args, returncode=-9, stdout=b"", stderr=b"")

    monkeypatch.setattr(subprocess, "run", crashed)
    with pytest.raises(QueryFailed, match=r"stopped unexpectedly \(exit -9\)"):
        sandbox_process.run_query("SELECT 1", db, FAST)

    def stuck(*args, **kwargs):
        raise subprocess.TimeoutExpired(args, kwargs["timeout"])

    monkeypatch.setattr(subprocess, "run", stuck)
    with pytest.raises(QueryTimeout, match="did not stop when interrupted; it was killed"):
        sandbox_process.run_query("SELECT 1", db, FAST)
