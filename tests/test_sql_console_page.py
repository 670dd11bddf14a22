"""pages/sql_console.py driven with Streamlit's AppTest over the hand-made fixture database."""
from __future__ import annotations

from pathlib import Path

import pytest
import sql_console_fixture as fixture
from streamlit.testing.v1 import AppTest

from analytics import audit, example_queries
from common import audit_store
from common.locks import file_lock

PAGE = str(Path(__file__).resolve().parent.parent / "pages" / "sql_console.py")
EDITOR, RUN = "sql_console_editor", "sql_console_run"


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Path:
    return fixture.build(tmp_path_factory.mktemp("page") / "skills.duckdb")


@pytest.fixture
def app(db, tmp_path, monkeypatch) -> AppTest:
    monkeypatch.setenv("SKILLS_DB", str(db))
    monkeypatch.setenv("SKILLS_SAVED_QUERIES", str(tmp_path / "saved.json"))
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.run()
    assert not at.exception
    return at


def run_sql(at: AppTest, sql: str) -> AppTest:
    at.text_area(key=EDITOR).input(sql)
    at.button(key=RUN).click()
    at.run()
    assert not at.exception
    return at


def captions(at: AppTest) -> list[str]:
    return [c.value for c in at.caption]


def test_schema_browser_lists_tables_with_counts(app):
    labels = [e.label for e in app.expander]
    assert "waves · 2 rows" in labels
    assert "respondents · 21 rows" in labels  # 10 in wave 1 + 11 in wave 2
    assert not any(label.startswith("schema_migrations") for label in labels)
    assert any("One row per survey wave" in c for c in captions(app))


def test_query_shows_grid_count_time_downloads_and_chart(app):
    run_sql(app, "SELECT team, count(*) AS people FROM respondents WHERE wave_id = 1 GROUP BY team ORDER BY team")
    assert not app.error
    grid = app.dataframe[-1].value
    assert grid.to_dict("list") == {"team": ["Data", "Platform"], "people": [4, 6]}  # p07-p10, p01-p06
    assert any(c.startswith("SELECT · 2 rows · ") and c.endswith(" s") for c in captions(app))
    assert [b.label for b in app.get("download_button")] == ["Download CSV", "Download Parquet"]
    assert len(app.get("plotly_chart")) == 1


def test_chart_builder_picks(app):
    run_sql(app, "SELECT wave_id, provider, count(*) AS n FROM cloud_preferences GROUP BY ALL ORDER BY ALL")
    app.selectbox(key="sql_console_chart_kind").select("line")
    app.selectbox(key="sql_console_chart_x").select("wave_id")
    app.selectbox(key="sql_console_chart_colour").select("provider")
    app.run()
    assert not app.exception
    assert len(app.get("plotly_chart")) == 1
    app.selectbox(key="sql_console_chart_kind").select("bar")
    app.selectbox(key="sql_console_chart_y").select("(none)")
    app.run()
    assert [i.value for i in app.info] == ["a bar chart needs a y column"]


def test_refused_query_is_one_line_error_without_results(app):
    run_sql(app, "DROP TABLE answers")
    assert [e.value for e in app.error] == [
        "refused: DROP is not allowed; the console runs a single read-only "
        "SELECT, WITH, DESCRIBE, SHOW, SUMMARIZE, EXPLAIN or PIVOT statement"]
    assert not app.get("download_button")


def test_example_opens_in_editor_and_runs(app):
    name = "Respondents per wave"
    app.selectbox(key="sql_console_example").select(name)
    app.run()
    app.button(key="sql_console_open_example").click()
    app.run()
    assert app.text_area(key=EDITOR).value == example_queries.by_name(name).sql
    app.button(key=RUN).click()
    app.run()
    assert app.dataframe[-1].value["respondents"].tolist() == [10, 11]


def test_examples_offer_at_least_eight(app):
    assert len(app.selectbox(key="sql_console_example").options) >= 8


def test_save_open_and_delete_a_query(app, tmp_path):
    app.text_area(key=EDITOR).input("SELECT count(*) AS n FROM waves")
    app.text_input(key="sql_console_save_name").input("wave count")
    app.button(key="sql_console_save").click()
    app.run()
    assert [s.value for s in app.success] == ["saved as “wave count”"]
    assert (tmp_path / "saved.json").exists()
    assert app.selectbox(key="sql_console_saved_pick").options == ["wave count"]
    app.text_area(key=EDITOR).input("")
    app.button(key="sql_console_open_saved").click()
    app.run()
    assert app.text_area(key=EDITOR).value == "SELECT count(*) AS n FROM waves\n"
    app.button(key="sql_console_delete_saved").click()
    app.run()
    assert "sql_console_saved_pick" not in [s.key for s in app.selectbox]
    assert any(c.startswith("No saved queries yet") for c in captions(app))


def test_saving_a_refused_query_says_why(app):
    app.text_area(key=EDITOR).input("DELETE FROM waves")
    app.text_input(key="sql_console_save_name").input("oops")
    app.button(key="sql_console_save").click()
    app.run()
    assert [e.value for e in app.error] == [
        "not saved: refused: DELETE is not allowed; the console runs a single read-only "
        "SELECT, WITH, DESCRIBE, SHOW, SUMMARIZE, EXPLAIN or PIVOT statement"]


def test_history_keeps_this_sessions_queries_newest_first(app):
    run_sql(app, "SELECT 1 AS one")
    run_sql(app, "DELETE FROM waves")
    history = [c for c in captions(app) if " · " in c and c[:2].isdigit()]
    assert len(history) == 2
    assert history[0].endswith("refused: DELETE is not allowed; the console runs a single read-only "
                               "SELECT, WITH, DESCRIBE, SHOW, SUMMARIZE, EXPLAIN or PIVOT statement")
    assert " · 1 rows in " in history[1]
    app.button(key="sql_console_history_1").click()
    app.run()
    assert app.text_area(key=EDITOR).value == "SELECT 1 AS one"


def test_truncated_result_says_so(app):
    run_sql(app, "SELECT * FROM range(20000)")
    assert any("first 10,000 rows (the cap" in c for c in captions(app))
    assert len(app.dataframe[-1].value) == 10_000


def test_missing_database_still_renders(monkeypatch, tmp_path):
    monkeypatch.setenv("SKILLS_DB", str(tmp_path / "missing.duckdb"))
    monkeypatch.setenv("SKILLS_SAVED_QUERIES", str(tmp_path / "saved.json"))
    at = AppTest.from_file(PAGE, default_timeout=60).run()
    assert not at.exception
    assert any(i.value.startswith("unavailable: database not found") for i in at.info)
    run_sql(at, "SELECT 1")
    assert [e.value for e in at.error] == [f"unavailable: database not found: {tmp_path / 'missing.duckdb'}"]


def test_queries_are_audited_without_the_writer_lock(app, db, tmp_path, monkeypatch):
    """Refusals too, emails masked; in the audit store beside the database (an admin reads it with
    analytics.audit), while a writer holds the database's lock the whole time."""
    store = tmp_path / "audit.jsonl"
    monkeypatch.setenv("SKILLS_AUDIT_FILE", str(store))
    with file_lock(str(db) + ".lock", timeout=0):  # what a running load holds
        run_sql(app, "SELECT 1 AS one")
        run_sql(app, "DROP TABLE answers -- ask ada.lovelace@example.com")
    rows = [(e["actor"], e["action"], e["target"], e["detail"]) for e in audit_store.read(store)]
    assert rows == [("local", "sql_query", "ok", "SELECT 1 AS one"),
                    ("local", "sql_query", "refused", "DROP TABLE answers -- ask <email>")]
    shown = audit.events(str(db))
    assert list(shown["detail"].tail(2)) == ["SELECT 1 AS one", "DROP TABLE answers -- ask <email>"]
    assert oct(store.stat().st_mode & 0o777) == "0o600"  # staff identities and query texts: owner only


def test_no_database_is_created_to_audit(monkeypatch, tmp_path):
    missing = tmp_path / "missing.duckdb"
    monkeypatch.setenv("SKILLS_DB", str(missing))
    at = AppTest.from_file(PAGE, default_timeout=60).run()
    run_sql(at, "SELECT 1")
    assert not missing.exists()
