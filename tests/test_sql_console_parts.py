"""The SQL console's helpers: schema browser, data dictionary, examples, saved queries, files, chart."""
from __future__ import annotations

import io
import json

import duckdb
import pyarrow.parquet as pq
import pytest
import sql_console_fixture as fixture

from analytics import console_tiers, example_queries, quick_chart, result_files, sandbox, saved_queries, schema_browser

# The analyst-facing tables of pipelines/migrations/001_initial.sql, with their columns.
INITIAL_TABLES = {
    "waves": ["wave_id", "label", "survey_date"],
    "skill_areas": ["area_id", "track", "name_en", "name_ja", "sort_order"],
    "skills": ["skill_id", "area_id", "name_en", "name_ja", "provider", "sort_order"],
    "service_categories": ["category_id", "name_en", "name_ja", "provider", "skill_id", "sort_order"],
    "respondents": ["wave_id", "respondent_id", "ingestion_id", "team", "role", "location", "submitted_at"],
    "answers": ["wave_id", "respondent_id", "skill_id", "level", "ingestion_id"],
    "cloud_preferences": ["wave_id", "respondent_id", "provider", "kind", "ingestion_id"],
    "learning_interests": ["wave_id", "respondent_id", "skill_id", "ingestion_id"],
    "ingestions": ["ingestion_id", "wave_id", "file_name", "file_sha256", "loaded_at", "rows_read", "rows_loaded",
                   "rows_rejected", "status", "profile_name", "loaded_by"],
    "rejected_rows": ["ingestion_id", "source_row", "column_name", "value", "reason"],
}


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    return fixture.build(tmp_path_factory.mktemp("parts") / "skills.duckdb")


def result_of(db, sql: str, tier: str = console_tiers.RESPONDENT) -> sandbox.QueryResult:
    return sandbox.run_query(sql, db, tier=tier)


# ---------------------------------------------------------------------------------------------
# schema browser and data dictionary


def test_dictionary_describes_every_column_of_the_initial_tables():
    described = schema_browser.dictionary()
    for table, columns in INITIAL_TABLES.items():
        assert described[table]["description"], table
        assert list(described[table]["columns"]) == columns, table
        assert all(described[table]["columns"].values()), table


def test_dictionary_covers_every_table_of_a_migrated_database(db):
    # a new migration that adds a table or column fails here until data_dictionary.yaml says what it is
    con = duckdb.connect(str(db), read_only=True)
    try:
        columns = con.execute(
            "SELECT table_name, column_name FROM duckdb_columns() WHERE schema_name = 'main' AND NOT internal"
        ).fetchall()
    finally:
        con.close()
    described = schema_browser.dictionary()
    missing = sorted((t, c) for t, c in columns
                     if t not in schema_browser.INTERNAL_TABLES and c not in described.get(t, {}).get("columns", {}))
    assert missing == []
    stale = sorted((t, c) for t, entry in described.items() for c in entry["columns"] if (t, c) not in set(columns))
    assert stale == []


def test_browse_lists_tables_with_types_counts_and_descriptions(db):
    tables = {t.name: t for t in schema_browser.browse(db, tier=console_tiers.RESPONDENT)}
    assert not {"schema_migrations", "audit_log", "rejected_rows", "agg_meta"} & set(tables)
    assert set(INITIAL_TABLES) - {"rejected_rows"} <= set(tables)
    assert [c.name for c in tables["ingestions"].columns] == [
        c for c in INITIAL_TABLES["ingestions"] if c not in ("file_name", "loaded_by")]
    # counts by hand from tests/sql_console_fixture.py
    assert tables["waves"].row_count == 2
    assert tables["respondents"].row_count == 21  # 10 + 11
    assert tables["answers"].row_count == 76  # 36 + 40 (the "-" cells have no row)
    assert tables["cloud_preferences"].row_count == 44  # uses 11 + 12, preferred 10 + 11
    assert tables["learning_interests"].row_count == 10
    waves = tables["waves"]
    assert [(c.name, c.type) for c in waves.columns] == [("wave_id", "INTEGER"), ("label", "VARCHAR"),
                                                          ("survey_date", "DATE")]
    assert waves.description == schema_browser.dictionary()["waves"]["description"]
    assert waves.column_rows()[1] == {"column": "label", "type": "VARCHAR",
                                      "description": schema_browser.dictionary()["waves"]["columns"]["label"]}
    assert list(tables)[:3] == ["waves", "skill_areas", "skills"]  # the dictionary's order


def test_browse_of_the_aggregate_tier_lists_only_k_safe_tables_and_the_taxonomy(db):
    tables = {t.name: t for t in schema_browser.browse(db, tier=console_tiers.AGGREGATE)}
    # question_skills says which skills each question asked, about nobody: both tiers read it.
    assert sorted(tables) == sorted(["waves", "skill_areas", "skills", "service_categories", "question_skills",
                                     "ksafe_respondents",
                                     "ksafe_skill_levels", "ksafe_area_levels", "ksafe_category_levels",
                                     "ksafe_interest_levels", "ksafe_cloud", "ksafe_cloud_base"])
    people = tables["ksafe_respondents"]
    assert [c.name for c in people.columns] == ["grain", "wave_id", "team", "role", "location", "n_respondents",
                                                "suppressed"]
    assert "minimum group size" in people.description and all(c.description for c in people.columns)
    # per wave: 1 total + 2 teams + 4 roles + 2 locations (tests/sql_console_fixture.py), 2 waves
    assert people.row_count == 18


def test_a_view_added_to_the_file_is_not_in_the_console(tmp_path):
    path = fixture.build(tmp_path / "v.duckdb")
    con = duckdb.connect(str(path))
    con.execute("CREATE VIEW team_sizes AS SELECT team, count(*) AS n FROM respondents GROUP BY team")
    con.close()
    for tier in console_tiers.TIERS:
        assert "team_sizes" not in {t.name for t in schema_browser.browse(path, tier=tier)}


def test_dictionary_markdown_has_every_table():
    text = schema_browser.dictionary_markdown()
    for table in INITIAL_TABLES:
        assert f"### `{table}`" in text
    assert "| `respondent_id` |" in text


def test_preview_sql_runs(db):
    assert result_of(db, schema_browser.preview_sql("waves")).row_count == 2


# ---------------------------------------------------------------------------------------------
# example queries


def test_at_least_eight_examples_with_unique_names():
    examples = example_queries.load()
    assert len(examples) >= 8
    assert all(e.description for e in examples)


@pytest.mark.parametrize("example", example_queries.load(), ids=lambda e: e.name)
def test_every_example_runs_as_written_and_returns_rows(db, example):
    result = result_of(db, example.sql, example.rows)
    assert result.row_count >= 1
    assert not result.truncated


def rows(db, name: str) -> list[dict]:
    return result_of(db, example_queries.by_name(name).sql).table.to_pylist()


def test_example_respondents_per_wave(db):
    assert [(r["wave"], r["respondents"], r["teams"]) for r in rows(db, "Respondents per wave")] == [
        ("2023-H1", 10, 2), ("2024-H1", 11, 2)]


def test_example_coverage_by_team_hides_small_teams(db):
    got = {(r["team"], r["area"]): (r["answered"], r["proficient"], r["coverage_pct"])
           for r in rows(db, "Coverage by team (latest wave)")}
    # Wave 2, Platform (p01-p06, p11): terraform best >= 3 for p01 p03 p06 of 7; containers (max of
    # kubernetes, docker) p03 p05 of 7; EC2 answered by 6 (not p06), >= 3 for p01 p05. Data has 4 people.
    assert got == {
        ("Platform", "Infrastructure as code"): (7, 3, 42.9),
        ("Platform", "Containers and microservices"): (7, 2, 28.6),
        ("Platform", "AWS and GCP managed services"): (6, 2, 33.3),
    }


def test_example_cloud_split(db):
    got = {(r["wave"], r["provider"]): (r["users"], r["answered"], r["share_pct"])
           for r in rows(db, "Cloud split by wave (uses)")}
    assert got[("2024-H1", "AWS")] == (7, 10, 70.0)  # p01 p02 p04 p05 p06 p08 p12 of 10 with a 'uses' row
    assert got[("2023-H1", "GCP")] == (3, 9, 33.3)  # p01 p03 p09 of 9


def test_example_preferred_pivot(db):
    got = {r["wave"]: r for r in rows(db, "Preferred cloud by wave (PIVOT)")}
    assert [got["2023-H1"][p] for p in ("AWS", "GCP", "Azure", "Other", "None")] == [5, 3, 1, 0, 1]
    assert [got["2024-H1"][p] for p in ("AWS", "GCP", "Azure", "Other", "None")] == [6, 3, 1, 1, 0]


def test_example_cohort_movers(db):
    got = {r["area"]: (r["people"], r["moved_up"], r["stayed"], r["moved_down"])
           for r in rows(db, "Cohort movers between the last two waves")}
    # terraform p01..p08: +1 0 0 +2 0 -1 +1 0; containers: only p05 rises (docker 3 -> 4); EC2: only p08 rises
    assert got == {
        "Infrastructure as code": (8, 3, 4, 1),
        "Containers and microservices": (7, 1, 6, 0),
        "AWS and GCP managed services": (6, 1, 5, 0),
    }


# ---------------------------------------------------------------------------------------------
# saved queries


@pytest.fixture
def store(tmp_path, monkeypatch):
    path = tmp_path / "saved.json"
    monkeypatch.setenv("SKILLS_SAVED_QUERIES", str(path))
    return path


def test_save_list_replace_delete(store):
    saved_queries.save("Zeta", "SELECT 2")
    saved_queries.save("alpha", "SELECT 1")
    saved_queries.save("Zeta", "SELECT 3")  # same name replaces
    assert [(q.name, q.sql) for q in saved_queries.load_all()] == [("alpha", "SELECT 1\n"), ("Zeta", "SELECT 3\n")]
    assert json.loads(store.read_text(encoding="utf-8"))["version"] == 1
    assert saved_queries.delete("alpha") is True
    assert saved_queries.delete("alpha") is False
    assert [q.name for q in saved_queries.load_all()] == ["Zeta"]


def test_only_runnable_statements_can_be_saved(store):
    with pytest.raises(saved_queries.SavedQueryError, match="not saved: refused: DROP is not allowed"):
        saved_queries.save("bad", "DROP TABLE waves")
    with pytest.raises(saved_queries.SavedQueryError, match="give the query a name"):
        saved_queries.save("   ", "SELECT 1")
    assert not store.exists()


def test_corrupt_store_is_a_one_line_error(store):
    store.write_text("{not json", encoding="utf-8")
    with pytest.raises(saved_queries.SavedQueryError, match="cannot read saved queries") as caught:
        saved_queries.load_all()
    assert "\n" not in str(caught.value)


def test_default_store_sits_beside_the_database(monkeypatch, tmp_path):
    monkeypatch.delenv("SKILLS_SAVED_QUERIES", raising=False)
    assert saved_queries.store_path(tmp_path / "x.duckdb") == tmp_path / "saved_queries.json"


def test_saving_never_touches_the_database(db, tmp_path, monkeypatch):
    monkeypatch.delenv("SKILLS_SAVED_QUERIES", raising=False)
    before = fixture.checksum(db)
    path = saved_queries.store_path(db)
    saved_queries.save("waves", "SELECT * FROM waves", path)
    assert path.parent == db.parent and path.exists()
    assert fixture.checksum(db) == before


# ---------------------------------------------------------------------------------------------
# result files


def test_csv_download_neutralises_formula_cells(db):
    result = result_of(db, "SELECT '=1+1' AS a, '+SUM(A1)' AS b, '-2+3' AS c, '@x' AS d, 'fine' AS e, -5 AS n")
    text = result_files.csv_bytes(result).decode("utf-8-sig")
    assert text.splitlines()[1] == "'=1+1,'+SUM(A1),'-2+3,'@x,fine,-5"


def test_parquet_round_trip(db):
    result = result_of(db, "SELECT wave_id, label, survey_date, INTERVAL 3 DAY AS gap FROM waves ORDER BY wave_id")
    table = pq.read_table(io.BytesIO(result_files.parquet_bytes(result)), use_threads=False)
    assert table.column("label").to_pylist() == ["2023-H1", "2024-H1"]
    assert table.column("wave_id").to_pylist() == [1, 2]
    assert table.column("gap").to_pylist()[0] is not None  # intervals become text, not an error


def test_json_is_exact(db):
    result = result_of(db, "SELECT 1.50::DECIMAL(5, 2) AS d, DATE '2024-01-02' AS day, 'nan'::DOUBLE AS x, [1, 2] AS l")
    assert json.loads(result_files.json_text(result)) == [{"d": 1.5, "day": "2024-01-02", "x": None, "l": [1, 2]}]


# ---------------------------------------------------------------------------------------------
# quick chart


def test_chart_types_build_figures(db):
    frame = result_of(db, example_queries.by_name("Cloud split by wave (uses)").sql).frame
    bar = quick_chart.build(frame, "bar", "provider", "share_pct", "wave")
    assert {trace.name for trace in bar.data} == {"2023-H1", "2024-H1"}
    assert quick_chart.build(frame, "histogram", "provider").data[0].type == "histogram"
    assert quick_chart.build(frame, "scatter", "users", "share_pct").data[0].type == "scatter"


@pytest.mark.parametrize(("kind", "x", "y", "colour", "message"), [
    ("bar", "provider", None, None, "needs a y column"),
    ("bar", "provider", "wave", None, "is not numeric"),
    ("bar", "nope", "users", None, "is not in the result"),
    ("pie", "provider", "users", None, "unknown chart type"),
])
def test_chart_errors_are_one_line(db, kind, x, y, colour, message):
    frame = result_of(db, example_queries.by_name("Cloud split by wave (uses)").sql).frame
    with pytest.raises(quick_chart.ChartError, match=message):
        quick_chart.build(frame, kind, x, y, colour)
