"""Skills survey dashboards: the router.

Sets up the page, builds the demo database on a first start with no database, checks the
dashboard aggregates are current, draws the shared sidebar filters (kept in the URL so a view
can be shared as a link) and routes to the pages. Run: ``streamlit run app.py``.
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
from pages import _common as ui  # noqa: E402
from pipelines import config  # noqa: E402

ROOT = Path(__file__).resolve().parent
VERSION_WAIT_SECONDS = 2  # how long a page waits for a running load before showing cached figures
PAGES = [  # (file, title, icon); optional pages are listed only once their file exists
    ("pages/overview.py", "Overview", ":material/dashboard:"),
    ("pages/coverage.py", "Skill coverage", ":material/grid_on:"),
    ("pages/cloud.py", "Cloud preference", ":material/cloud:"),
    ("pages/trends.py", "Trends", ":material/trending_up:"),
    ("pages/sql_console.py", "SQL console", ":material/terminal:"),
    ("pages/upload.py", "Upload", ":material/upload:"),
]
DASHBOARDS = {"overview", "coverage", "cloud", "trends"}


def auth_configured() -> bool:
    """Is Streamlit's OpenID Connect sign-in set up ([auth] in .streamlit/secrets.toml)?"""
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all
        return False


def sign_in() -> tuple[str, str] | None:
    """(user, role) of whoever is here, or None after showing why they can't go on."""
    try:
        access = access_mod.load()
    except access_mod.AccessError as exc:
        st.error(f"Access settings (data/access.yaml): {exc}")
        return None
    if not auth_configured():
        if access.require_login:
            st.error("Sign-in is required (require_login in data/access.yaml) but not configured: add an [auth] "
                     "section to .streamlit/secrets.toml (see README, Access control).")
            return None
        return "local", access_mod.LOCAL_ROLE
    if not st.user.is_logged_in:
        st.title("Skills survey")
        st.write("Survey answers are personal data: sign in to see the dashboards.")
        st.button("Sign in", on_click=st.login, type="primary")
        return None
    email = str(st.user.get("email") or "")
    role = access.role_for(email)
    if role is None:
        st.error(f"{email or 'This account'} has no access here; ask an admin to add you to data/access.yaml.")
        st.button("Sign out", on_click=st.logout)
        return None
    return email, role


@st.cache_resource(show_spinner=False)
def sweep_old_uploads() -> int:
    """Once per server process: delete raw uploads older than an hour that a stopped server left behind."""
    from pipelines import uploads

    return uploads.sweep()


def first_start(db: str) -> None:
    """No database yet: build the demo one and leave a banner saying so for this session."""
    if not config.is_local(db) or Path(db).exists():
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


def data_version(db: str) -> str | None:
    """The aggregates' refresh id (the cache key); brings the aggregates up to date if needed.

    While a load holds the database, the last id seen keeps the cached figures on screen.
    """
    from pipelines import aggregates

    try:
        version = read_db.data_version(db, wait_seconds=VERSION_WAIT_SECONDS)
    except read_db.DatabaseMissing:
        return None
    except read_db.DatabaseBusy:
        if db not in ui.LAST_VERSION:
            raise
        st.warning("A data load is running: showing the figures from before it. Reload the page in a moment "
                   "for the new data.", icon=":material/hourglass_top:")
        return ui.LAST_VERSION[db]
    except read_db.AggregatesMissing:
        read_db.release()
        with st.spinner("Preparing the dashboard tables for this database..."):
            aggregates.ensure_ready(db)
        version = read_db.data_version(db)
    if version.stale:
        read_db.release()
        with st.spinner("New data arrived without its dashboard tables; rebuilding them..."):
            aggregates.ensure_ready(db)
        version = read_db.data_version(db)
    ui.LAST_VERSION[db] = version.token
    return version.token


class ShellError(Exception):
    """Shown as one line above every page."""


def build_context(db: str) -> ui.Context | None:
    """Settings, data version, filter options and the sidebar; None when there is no data."""
    try:
        settings = settings_mod.load()
    except settings_mod.SettingsError as exc:
        raise ShellError(f"Dashboard settings: {exc}") from exc
    try:
        version = data_version(db)
        if version is None:
            return None
        lang = st.session_state.get("f_lang") or st.query_params.get("lang", "en")
        options = ui.cached_options(db, version, lang if lang in ("en", "ja") else "en")
    except read_db.AnalyticsError as exc:
        raise ShellError(str(exc)) from exc
    except Exception as exc:  # e.g. a file that is not a DuckDB database: one line, not a traceback
        raise ShellError(f"Cannot read the database at {db}: {str(exc).splitlines()[0]}") from exc
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
        if who[0] == "local":
            st.caption("Local mode: sign-in is not configured, so this session has every permission.")
        else:
            st.caption(f"Signed in as {who[0]} ({who[1]})")
            st.button("Sign out", on_click=st.logout, key="sign_out")
    db = config.db_path()
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
