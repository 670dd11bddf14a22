"""Skills survey dashboards: the router.

Sets up the page, signs the visitor in (pages/_auth.py: fails closed), builds the demo database
on a first start with no database, checks the dashboard aggregates are current (a page view
never writes: it says what to run when they are not), draws the shared sidebar filters (kept in
the URL so a view can be shared as a link) and routes to the pages. Run: ``streamlit run app.py``.
"""
from __future__ import annotations

import contextlib
from pathlib import Path

import streamlit as st

from pages._common import ensure_shell

ensure_shell()

from analytics import access as access_mod  # noqa: E402 - after the shell guard, which may rerun
from analytics import db as read_db  # noqa: E402
from analytics import settings as settings_mod  # noqa: E402
from pages import _auth as auth  # noqa: E402
from pages import _common as ui  # noqa: E402
from schemas import settings  # noqa: E402

ROOT = Path(__file__).resolve().parent
VERSION_WAIT_SECONDS = 2  # how long a page waits for a running load before showing cached figures
PAGES = [  # (file, title, icon); optional pages are listed only once their file exists
    ("pages/overview.py", "Overview", ":material/dashboard:"),
    ("pages/coverage.py", "Skill coverage", ":material/grid_on:"),
    ("pages/cloud.py", "Cloud preference", ":material/cloud:"),
    ("pages/trends.py", "Trends", ":material/trending_up:"),
    ("pages/radar.py", "Tech radar", ":material/radar:"),
    ("pages/sql_console.py", "SQL console", ":material/terminal:"),
    ("pages/upload.py", "Upload", ":material/upload:"),
]
DASHBOARDS = {"overview", "coverage", "cloud", "trends", "radar"}
# User-facing text of the shell (kept together for the coming message catalogue).
MESSAGES = {
    "sign_in": "Survey answers are personal data: sign in to see the dashboards.",
    "no_access": "{who} has no access here; ask an admin to add you to data/access.yaml.",
    "local_mode": "Local mode: sign-in is not configured, so this session has every permission.",
    "signed_in": "Signed in as {user} ({role})",
    "aggregates_missing": "The dashboard tables of {db} have not been built yet. Run `python -m pipelines.migrate "
                          "--db {db}` (or load a file), then reload this page.",
    "aggregates_stale": "The dashboard tables of {db} are behind its data, so these figures may be out of date. "
                        "Run `python -m pipelines.migrate --db {db}`, then reload this page.",
    "load_running": "A data load is running: showing the figures from before it. Reload the page in a moment "
                    "for the new data.",
    "settings": "Dashboard settings: {detail}",
    "unreadable_db": "Cannot read the database at {db}: {detail}",
}


def sign_in() -> tuple[str, str] | None:
    """(user, role) of whoever is here, or None after showing why they can't go on."""
    visitor = auth.visitor()
    if visitor.mode == "closed":
        st.error(visitor.message)
        return None
    if visitor.mode == "sign_in" and not visitor.signed_in:
        st.title("Skills survey")
        st.write(MESSAGES["sign_in"])
        st.button("Sign in", on_click=st.login, type="primary")
        return None
    if visitor.role is None:
        st.error(MESSAGES["no_access"].format(who=visitor.user or "This account"))
        st.button("Sign out", on_click=st.logout)
        return None
    return visitor.user, visitor.role


@st.cache_resource(show_spinner=False)
def sweep_old_uploads() -> int:
    """Once per server process: delete raw uploads older than an hour that a stopped server left behind."""
    from pipelines import uploads

    return uploads.sweep()


def first_start(db: str) -> None:
    """No database yet: build the demo one and leave a banner saying so for this session."""
    if not settings.is_local(db) or Path(db).exists():
        return
    with ui.BUILD_LOCK:
        if Path(db).exists():  # another session built it while we waited
            return
        try:
            from pipelines.demo import build_demo
        except ImportError:
            return
        with st.spinner("First start: building the demo database from synthetic survey exports..."):
            try:
                results = build_demo(db)
            except Exception as exc:  # the app must still open, pointing at the upload page
                st.session_state["banner"] = ("warning", f"Could not build the demo database: {exc}")
                return
    st.session_state["banner"] = (
        "info",
        f"Built the demo database at {db} from {len(results)} synthetic survey waves, so there is something "
        "to explore. Load your own exports on the Upload page; delete the file to start empty.",
    )


class ShellError(Exception):
    """Shown as one line above every page."""


def data_version(db: str) -> str | None:
    """The aggregates' refresh id (the cache key). Read only: the write path keeps the aggregates
    current (every load, delete and migration), so when they are missing or behind, this says
    what to run instead of writing on a page view.

    While a load holds the database, the last id seen keeps the cached figures on screen.
    """
    try:
        version = read_db.data_version(db, wait_seconds=VERSION_WAIT_SECONDS)
    except read_db.DatabaseMissing:
        return None
    except read_db.DatabaseBusy:
        if db not in ui.LAST_VERSION:
            raise
        st.warning(MESSAGES["load_running"], icon=":material/hourglass_top:")
        return ui.LAST_VERSION[db]
    except read_db.AggregatesMissing as exc:
        raise ShellError(MESSAGES["aggregates_missing"].format(db=db)) from exc
    if version.stale:
        st.warning(MESSAGES["aggregates_stale"].format(db=db), icon=":material/warning:")
    ui.LAST_VERSION[db] = version.token
    return version.token


def build_context(db: str) -> ui.Context | None:
    """Settings, data version, filter options and the sidebar; None when there is no data."""
    try:
        settings = settings_mod.load()
    except settings_mod.SettingsError as exc:
        raise ShellError(MESSAGES["settings"].format(detail=exc)) from exc
    try:
        version = data_version(db)
        if version is None:
            return None
        lang = st.session_state.get("f_lang") or st.query_params.get("lang", "en")
        options = ui.cached_options(db, version, lang if lang in ("en", "ja") else "en")
    except ShellError:
        raise
    except read_db.AnalyticsError as exc:
        raise ShellError(str(exc)) from exc
    except Exception as exc:  # e.g. a file that is not a DuckDB database: one line, not a traceback
        raise ShellError(MESSAGES["unreadable_db"].format(db=db, detail=str(exc).splitlines()[0])) from exc
    if options.waves.empty:
        return None
    filters, settings = ui.sidebar_filters(options, settings)
    return ui.Context(db, version, filters, settings, options)


def main() -> None:
    st.set_page_config(page_title="Skills survey", page_icon=":material/insights:", layout="wide")
    sweep_old_uploads()
    who = sign_in()
    if who is None:
        st.session_state["pages_offered"] = []
        st.stop()
    st.session_state["current_user"], st.session_state["role"] = who
    with st.sidebar:
        if who[0] == auth.LOCAL_USER:
            st.caption(MESSAGES["local_mode"])
        else:
            st.caption(MESSAGES["signed_in"].format(user=who[0], role=who[1]))
            st.button("Sign out", on_click=st.logout, key="sign_out")
    db = settings.db_path()
    first_start(db)
    if "banner" in st.session_state:
        kind, text = st.session_state["banner"]
        (st.warning if kind == "warning" else st.info)(text, icon=":material/info:")
    allowed = access_mod.pages_for(who[1])
    offered = [(path, title, icon) for path, title, icon in PAGES
               if (ROOT / path).exists() and Path(path).stem in allowed]
    st.session_state["pages_offered"] = [Path(path).stem for path, *_ in offered]
    page = st.navigation([st.Page(path, title=title, icon=icon, default=(i == 0))
                          for i, (path, title, icon) in enumerate(offered)])
    # A dashboard's render reads through one cursor of the process's shared read-only instance
    # (analytics.db.reading); the upload and SQL console pages open their own connections, as a
    # load from this process can't wait on our own reader.
    dashboard = any(title == page.title and Path(path).stem in DASHBOARDS for path, title, _ in offered)
    with read_db.reading(db) if dashboard else contextlib.nullcontext():
        try:
            ui.set_context(build_context(db))
        except ShellError as exc:
            st.error(str(exc))
            ui.set_context(None, failed=True)
        page.run()


main()
