"""SQL console: analysts' ad-hoc read-only queries over the survey tables.

Render only: the sandbox (analytics.sandbox, run in a child process by analytics.sandbox_process
so no query can take this server down) decides what runs and how, on the console database of the
session's tier (analytics.console_tiers, console_rows in data/access.yaml); this page keeps the
editor text, the last result and the session's history in st.session_state.
"""
from __future__ import annotations

import datetime as dt
import logging

import streamlit as st

from analytics import (
    access,
    console_tiers,
    example_queries,
    quick_chart,
    result_files,
    sandbox,
    sandbox_process,
    saved_queries,
    schema_browser,
)
from analytics import settings as settings_mod
from pages import _auth as auth
from pages import _common as ui
from pipelines import audit

ui.ensure_shell()

EDITOR = "sql_console_editor"
RESULT = "sql_console_result"
ERROR = "sql_console_error"
HISTORY = "sql_console_history"
HISTORY_SIZE = 30
NONE = "(none)"
LIMITS = sandbox.DEFAULT_LIMITS
LOG = logging.getLogger(__name__)
DB = sandbox.default_db()
# What each tier can see, stated exactly (docs/privacy.md, "SQL console", says the same).
SEES = {
    console_tiers.RESPONDENT: (
        "You see the pseudonymous respondent-level tables (respondents, answers, cloud_preferences, "
        "learning_interests; respondent ids are keyed hashes, submissions are dated without a time), "
        "ingestions without file names or who loaded them, the dashboard aggregates (agg_*), the k-safe "
        "views (ksafe_*), waves and the taxonomy. Groups under {k} are not hidden in these rows."
    ),
    console_tiers.AGGREGATE: (
        "You see the k-safe views (ksafe_*), waves and the taxonomy only: a team, role or location of fewer "
        "than {k} respondents in a wave is blanked, with as many of the next smallest groups as it takes for "
        "the blanked ones to hold {k} or more together. Respondent rows are a privilege an admin can grant "
        "(console_rows in data/access.yaml)."
    ),
}
NEVER = ("Never readable here: the audit log, rejected rows, upload file names, staff identities, "
         "the database file and any other file, server paths or settings.")
CAPS = ("One read-only statement ({statements}) at a time. Queries stop after {timeout:g} s and return at most "
        "{rows:,} rows and {mb:g} MB.")


def console_tier() -> str:
    """This session's tier, read afresh (a withdrawn privilege applies to the next query); aggregate
    when the access file can't be read."""
    role = st.session_state.get("role") or access.LOCAL_ROLE  # require_page let a role-less session in: local
    try:
        return access.load().console_tier(role)
    except access.AccessError:
        return console_tiers.AGGREGATE


def min_group_size() -> int:
    try:
        return settings_mod.load().k
    except settings_mod.SettingsError:
        return settings_mod.Settings().k


def open_in_editor(sql: str) -> None:
    st.session_state[EDITOR] = sql


def audit_query(db: str, user: str, role: str | None, status: str, sql: str) -> None:
    """Log the query (refusals too) in the audit store beside the database: no database lock is
    taken, so a running data load never delays the analyst. E-mail addresses typed into the SQL
    are masked by the audit log itself (pipelines.audit)."""
    try:
        audit.record(db, audit.stored_actor(user, role), "sql_query", status, sql)
    except Exception as exc:  # the audit log must never break the console
        LOG.warning("could not audit a console query: %s", sandbox.one_line(exc))


def still_allowed() -> bool:
    """Every callback that queries or writes asks again: a role revoked since the page was drawn
    gets nothing done, just the reason."""
    if auth.allowed("sql_console"):
        return True
    st.session_state[RESULT], st.session_state[ERROR] = None, auth.MESSAGES["revoked"]
    return False


def run_editor_query() -> None:
    if not still_allowed():
        return
    sql = st.session_state.get(EDITOR) or ""
    try:
        result = sandbox_process.run_query(sql, DB, LIMITS, console_tier())
    except sandbox.SandboxError as exc:
        st.session_state[RESULT], st.session_state[ERROR] = None, exc.line()
        outcome, status = exc.line(), exc.label
    except Exception as exc:  # last line of defence: one line, never a traceback
        line = f"failed: {type(exc).__name__}: {sandbox.one_line(exc)}"
        st.session_state[RESULT], st.session_state[ERROR] = None, line
        outcome, status = line, "failed"
    else:
        st.session_state[RESULT], st.session_state[ERROR] = result, None
        more = "+" if result.truncated else ""
        outcome, status = f"{result.row_count:,}{more} rows in {result.elapsed_s:.2f} s", "ok"
    if sql.strip() and sandbox.database_file(DB) is not None:  # never create a database just to log
        audit_query(DB, ui.current_user(), st.session_state.get("role"), status, sql)
    history = st.session_state.setdefault(HISTORY, [])
    history.insert(0, {"at": dt.datetime.now().strftime("%H:%M:%S"), "sql": sql, "outcome": outcome})
    del history[HISTORY_SIZE:]


def save_editor_query() -> None:
    if not still_allowed():
        return
    try:
        saved = saved_queries.save(st.session_state.get("sql_console_save_name", ""), st.session_state.get(EDITOR) or "")
    except saved_queries.SavedQueryError as exc:
        st.session_state["sql_console_save_msg"] = ("error", str(exc))
    else:
        st.session_state["sql_console_save_msg"] = ("ok", f"saved as “{saved.name}”")


def delete_saved(name: str) -> None:
    if not still_allowed():
        return
    try:
        saved_queries.delete(name)
    except saved_queries.SavedQueryError as exc:
        st.session_state["sql_console_save_msg"] = ("error", str(exc))


@st.cache_data(ttl=60, show_spinner=False)
def schema(db: str, tier: str) -> list[schema_browser.TableInfo]:
    return [schema_browser.from_record(r) for r in sandbox_process.browse(db, LIMITS, tier)]


def render_schema(db: str, tier: str) -> None:
    try:
        tables = schema(db, tier)
    except sandbox.SandboxError as exc:
        st.info(exc.line())
        return
    st.caption(f"{len(tables)} tables and views")
    for table in tables:
        rows = "?" if table.row_count is None else f"{table.row_count:,}"
        with st.expander(f"{table.name} · {rows} rows"):
            st.caption(table.description)
            st.dataframe(table.column_rows(), hide_index=True)
            st.button("Open in editor", key=f"sql_console_preview_{table.name}",
                      on_click=open_in_editor, args=(schema_browser.preview_sql(table.name),))


def render_examples(tier: str) -> None:
    examples = {e.name: e for e in example_queries.load() if tier == console_tiers.RESPONDENT or e.rows == tier}
    name = st.selectbox("Example", list(examples), key="sql_console_example")
    example = examples[name]
    st.caption(example.description)
    st.code(example.sql, language="sql")
    st.button("Open in editor", key="sql_console_open_example", on_click=open_in_editor, args=(example.sql,))


def render_saved() -> None:
    st.text_input("Name", key="sql_console_save_name", placeholder="e.g. AWS users by team")
    st.button("Save the editor's query", key="sql_console_save", on_click=save_editor_query)
    message = st.session_state.pop("sql_console_save_msg", None)
    if message:
        (st.error if message[0] == "error" else st.success)(message[1])
    try:
        saved = {q.name: q for q in saved_queries.load_all()}
    except saved_queries.SavedQueryError as exc:
        st.error(str(exc))
        return
    if not saved:
        st.caption(f"No saved queries yet (kept in {saved_queries.store_path()}).")
        return
    name = st.selectbox("Saved query", list(saved), key="sql_console_saved_pick")
    st.code(saved[name].sql, language="sql")
    left, right = st.columns(2)
    left.button("Open in editor", key="sql_console_open_saved", on_click=open_in_editor, args=(saved[name].sql,))
    right.button("Delete", key="sql_console_delete_saved", on_click=delete_saved, args=(name,))


def render_history() -> None:
    history = st.session_state.get(HISTORY) or []
    if not history:
        st.caption("Queries you run in this session appear here.")
        return
    for i, entry in enumerate(history):
        st.caption(f"{entry['at']} · {entry['outcome']}")
        st.code(entry["sql"], language="sql")
        st.button("Open in editor", key=f"sql_console_history_{i}", on_click=open_in_editor, args=(entry["sql"],))


def render_result(result: sandbox.QueryResult) -> None:
    shown = f"{result.row_count:,} rows"
    if result.cut_by == "rows":
        shown = f"first {result.row_count:,} rows (the cap; add a LIMIT or aggregate for the rest)"
    elif result.cut_by == "bytes":
        shown = (f"first {result.row_count:,} rows (the {LIMITS.max_result_bytes / 1024**2:g} MB cap; select "
                 "fewer or shorter columns for the rest)")
    st.caption(f"{result.kind} · {shown} · {result.elapsed_s:.2f} s")
    st.dataframe(result.frame, hide_index=True)
    csv_col, parquet_col = st.columns(2)
    csv_col.download_button("Download CSV", data=result_files.csv_bytes(result), file_name="query.csv",
                            mime="text/csv", key="sql_console_csv", on_click="ignore")
    try:
        parquet = result_files.parquet_bytes(result)
    except result_files.ExportError as exc:
        parquet_col.caption(exc.line())
    else:
        parquet_col.download_button("Download Parquet", data=parquet, file_name="query.parquet",
                                    mime="application/vnd.apache.parquet", key="sql_console_parquet",
                                    on_click="ignore")
    render_chart(result)


def render_chart(result: sandbox.QueryResult) -> None:
    frame = result.frame
    if frame.empty:
        return
    st.subheader("Quick chart")
    columns = [str(c) for c in frame.columns]
    numbers = quick_chart.numeric_columns(frame)
    kind_col, x_col, y_col, colour_col = st.columns(4)
    kind = kind_col.selectbox("Chart type", list(quick_chart.CHART_TYPES), key="sql_console_chart_kind")
    x = x_col.selectbox("x", columns, key="sql_console_chart_x")
    y_default = len(numbers)  # the last number column; 0 is "(none)"
    y = y_col.selectbox("y", [NONE, *numbers], index=y_default, key="sql_console_chart_y")
    colour = colour_col.selectbox("Colour", [NONE, *columns], key="sql_console_chart_colour")
    try:
        figure = quick_chart.build(frame, kind, x, None if y == NONE else y, None if colour == NONE else colour)
    except quick_chart.ChartError as exc:
        st.info(str(exc))
    else:
        st.plotly_chart(figure, key="sql_console_chart")


ui.require_page("sql_console")
st.title("SQL console")
TIER = console_tier()
st.caption(CAPS.format(statements=sandbox.READ_STATEMENTS, timeout=LIMITS.timeout_s, rows=LIMITS.max_rows,
                       mb=LIMITS.max_result_bytes / 1024**2))
st.caption(SEES[TIER].format(k=min_group_size()) + " " + NEVER)
editor_col, side_col = st.columns([3, 2])
with editor_col:
    st.text_area("SQL", key=EDITOR, height=240, placeholder="SELECT label, survey_date FROM waves ORDER BY survey_date")
    st.button("Run", type="primary", key="sql_console_run", on_click=run_editor_query)
with side_col:
    schema_tab, examples_tab, saved_tab, history_tab = st.tabs(["Schema", "Examples", "Saved", "History"])
    with schema_tab:
        render_schema(DB, TIER)
    with examples_tab:
        render_examples(TIER)
    with saved_tab:
        render_saved()
    with history_tab:
        render_history()

if st.session_state.get(ERROR):
    st.error(st.session_state[ERROR])
elif st.session_state.get(RESULT) is not None:
    render_result(st.session_state[RESULT])
