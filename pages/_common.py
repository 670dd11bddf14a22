"""Plumbing shared by the app shell and the dashboard pages: the shell guard, the sidebar
filters (kept in the URL), cached metric calls, and tables / charts with their CSV and captions.
"""
from __future__ import annotations

import contextlib
import importlib
import logging
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import streamlit as st

from analytics.db import AnalyticsError
from analytics.export import to_csv_bytes
from analytics.filters import LANGUAGES, Filters
from analytics.labels import LEVEL_LABELS
from analytics.options import FilterOptions, filter_options
from analytics.settings import Settings

LOG = logging.getLogger(__name__)
ROOT = Path(__file__).resolve().parent.parent
UPLOAD_PAGE = "pages/upload.py"
_CONTEXT = "_dashboard_context"
LANGUAGE_NAMES = {"en": "English", "ja": "日本語"}
# What the minimum group size means on screen (docs/privacy.md), in one place for the catalogue.
PRIVACY_TEXT = {
    "sidebar": "Every figure counts whole reporting groups of at least {k} people, so no combination of "
               "views or downloads can single out a smaller group.",
    "counted": "Figures cover {n} people, counted in whole reporting groups of at least {k}. With team, role "
               "or location filters, people whose group the filters cut through are left out.",
    "empty": "No reporting group lies wholly inside these filters in wave {wave}: nobody matches them, or the "
             "people who do are counted in groups of at least {k} that the filters cut through. Widen the "
             "team, role or location filters in the sidebar.",
    "console": "The SQL console states what it shows.",
    "too_small": "Fewer than {k} people answered this wave, so its figures are hidden to protect their privacy.",
}


@dataclass(frozen=True)
class Context:
    """What every page needs, set by app.py on each run."""

    db: str
    version: str
    filters: Filters
    settings: Settings
    options: FilterOptions


def ensure_shell() -> None:
    """Make sure app.py (the router) runs, even on a fresh server's first deep link.

    Streamlit treats an app with a ``pages/`` folder as an old-style multipage app until the
    entrypoint has called st.navigation once in the process, so the very first request for
    /coverage would run the page without the shell. Doing what st.navigation does and rerunning
    routes that request through app.py.
    """
    try:
        from streamlit.runtime.pages_manager import PagesManager
    except ImportError:  # internals moved: the worst case is the first deep link without a sidebar
        return
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


def set_context(ctx: Context | None, failed: bool = False) -> None:
    """``failed``: the shell already showed an error, so pages should not claim there is no data."""
    st.session_state[_CONTEXT] = ctx
    st.session_state[_CONTEXT + "_failed"] = failed


def context() -> Context | None:
    """The shell's context for this run; None when there is no data to show."""
    return st.session_state.get(_CONTEXT)


# --- cached reads ---------------------------------------------------------------------------

@st.cache_data(show_spinner=False, max_entries=512)
def _call(name: str, db: str, version: str, filters: Filters, settings: Settings, kwargs: tuple) -> pd.DataFrame:
    # version is only part of the key: a new refresh id (a new ingestion) means fresh results.
    module, func = name.rsplit(".", 1)
    return getattr(importlib.import_module(module), func)(db, filters, settings, **dict(kwargs))


def load(fn: Callable[..., pd.DataFrame], ctx: Context, filters: Filters | None = None, **kwargs) -> pd.DataFrame:
    """``fn(db, filters, settings, **kwargs)`` for an analytics metric, cached until the next ingestion."""
    name = f"{fn.__module__}.{fn.__name__}"
    return _call(name, ctx.db, ctx.version, filters or ctx.filters, ctx.settings, tuple(sorted(kwargs.items())))


@st.cache_data(show_spinner=False, max_entries=32)
def cached_options(db: str, version: str, lang: str) -> FilterOptions:
    return filter_options(db, lang)


# --- sidebar filters, mirrored in the URL -----------------------------------------------------

_KEYS = {  # widget key -> query parameter
    "f_wave": "wave", "f_team": "team", "f_role": "role", "f_location": "location",
    "f_track": "track", "f_area": "area", "f_lang": "lang", "f_threshold": "threshold",
}
ALL_TRACKS = "All tracks"
SHOW_WAVE = "_show_wave"  # set by a page to make the dashboards open on that wave


def sidebar_filters(options: FilterOptions, settings: Settings) -> tuple[Filters, Settings]:
    """Draw the shared filters; their values seed from and are written back to the URL."""
    waves = list(options.waves["label"][::-1])  # newest first
    choices = {
        "f_wave": waves, "f_team": list(options.teams), "f_role": list(options.roles),
        "f_location": list(options.locations), "f_track": [ALL_TRACKS, *options.tracks],
        "f_lang": list(LANGUAGES), "f_threshold": [1, 2, 3, 4],
    }
    _seed_from_url(choices, options, settings)
    lang_now = st.session_state.get("f_lang", "en")
    bar = st.sidebar
    bar.header("Filters")
    bar.selectbox("Wave", waves, key="f_wave", help="The survey wave to show (Trends shows all waves).")
    bar.multiselect("Team", choices["f_team"], key="f_team", placeholder="All teams")
    bar.multiselect("Role", choices["f_role"], key="f_role", placeholder="All roles")
    bar.multiselect("Location", choices["f_location"], key="f_location", placeholder="All locations")
    track = bar.selectbox("Track", choices["f_track"], key="f_track")
    area_names = options.area_names(None if track == ALL_TRACKS else track)
    st.session_state["f_area"] = [a for a in st.session_state.get("f_area", []) if a in area_names]
    bar.multiselect("Skill area", list(area_names), key="f_area", format_func=lambda a: area_names.get(a, a), placeholder="All areas")
    bar.radio("Skill names", choices["f_lang"], key="f_lang", horizontal=True, format_func=LANGUAGE_NAMES.get)
    bar.select_slider("Proficient means level", choices["f_threshold"], key="f_threshold",
                      format_func=lambda n: f"{n}+ ({LEVEL_LABELS[lang_now][n]})",
                      help="Coverage and bench depth count people at or above this level.")
    bar.caption(PRIVACY_TEXT["sidebar"].format(k=settings.k) + " " + PRIVACY_TEXT["console"])
    if bar.button("Reset filters"):
        for key in _KEYS:
            st.session_state.pop(key, None)
        st.query_params.clear()
        st.rerun()
    label_to_id = dict(zip(options.waves["label"], options.waves["wave_id"], strict=True))
    state = st.session_state
    filters = Filters(
        wave_id=int(label_to_id[state["f_wave"]]) if state.get("f_wave") in label_to_id else None,
        teams=tuple(state["f_team"]), roles=tuple(state["f_role"]), locations=tuple(state["f_location"]),
        track=None if state["f_track"] == ALL_TRACKS else state["f_track"], areas=tuple(state["f_area"]),
        lang=state["f_lang"],
    )
    _write_url()
    return filters, settings.with_threshold(state["f_threshold"])


def _seed_from_url(choices: dict, options: FilterOptions, settings: Settings) -> None:
    """First run of a session: take the filters from the URL; always drop values no longer offered."""
    params = st.query_params
    first = "_filters_seeded" not in st.session_state
    st.session_state["_filters_seeded"] = True
    multi = ("f_team", "f_role", "f_location")
    for key in multi:
        wanted = params.get_all(_KEYS[key]) if first else st.session_state.get(key, [])
        st.session_state[key] = [v for v in wanted if v in choices[key]]
    if first:
        st.session_state["f_area"] = params.get_all("area")
    for key, default in (("f_wave", (choices["f_wave"] or [None])[0]), ("f_track", ALL_TRACKS), ("f_lang", "en"),
                         ("f_threshold", settings.threshold)):
        value = params.get(_KEYS[key]) if first else st.session_state.get(key)
        if key == "f_threshold":
            value = int(str(value)) if str(value).isdigit() else default
        st.session_state[key] = value if value in choices[key] else default
    # A page asked to show a wave (the upload page, after a load): switch to it before the widget exists.
    shown = st.session_state.pop(SHOW_WAVE, None)
    if shown in choices["f_wave"]:
        st.session_state["f_wave"] = shown


def _write_url() -> None:
    """The filters as query parameters (defaults left out, so links stay short)."""
    state = st.session_state
    params = {
        "wave": state["f_wave"], "team": state["f_team"], "role": state["f_role"], "location": state["f_location"],
        "track": None if state["f_track"] == ALL_TRACKS else state["f_track"], "area": state["f_area"],
        "lang": None if state["f_lang"] == "en" else state["f_lang"], "threshold": str(state["f_threshold"]),
    }
    st.query_params.from_dict({key: value for key, value in params.items() if value})


# --- empty states ---------------------------------------------------------------------------

def upload_link(label: str = "Go to the Upload page to load a survey export") -> None:
    if (ROOT / UPLOAD_PAGE).exists():
        st.page_link(UPLOAD_PAGE, label=label, icon=":material/upload:")
    else:
        st.caption("Survey exports are loaded with `python -m pipelines.ingest <file>`.")


def explain_selection(status: pd.DataFrame) -> bool:
    """Say why there is nothing to show; True when the page can draw."""
    row = status.iloc[0]
    if row["status"] == "ok":
        st.caption(PRIVACY_TEXT["counted"].format(n=row["n_respondents"], k=row["k"]))
        return True
    if row["status"] == "no_data":
        st.info("There is no survey data yet. Load a survey export and the dashboards fill in.")
        upload_link()
    elif row["status"] == "no_wave":
        st.info("The wave in this link is no longer in the database. Pick another wave in the sidebar.")
    elif row["status"] == "empty":
        st.info(PRIVACY_TEXT["empty"].format(wave=row["wave_label"], k=row["k"]))
    else:
        st.warning(PRIVACY_TEXT["too_small"].format(k=row["k"]))
    return False


# --- drawing --------------------------------------------------------------------------------

@contextlib.contextmanager
def section(title: str) -> Iterator[None]:
    """A titled section whose failure is one line on screen, not a traceback (logged in full)."""
    st.subheader(title)
    try:
        yield
    except AnalyticsError as exc:
        st.error(str(exc))
    except Exception as exc:  # a bug: keep the rest of the page usable
        LOG.exception("section %r failed", title)
        st.error(f"This section could not be drawn: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}")


def chart(fig, caption: str, key: str) -> None:
    """A plotly figure (titled, axes labelled by the caller) with its one-line reading aid."""
    st.plotly_chart(fig, key=key, config={"displaylogo": False})
    st.caption(caption)


# Display labels for the frames' columns (the CSV keeps the column names).
LABELS = {
    "area_name": "Area", "skill_name": "Skill", "team": "Team", "track": "Track", "group": "Group",
    "provider": "Provider", "category_name": "Service category", "wave_label": "Wave", "level": "Level",
    "level_label": "Level name", "n": "People", "n_answered": "Answered", "n_proficient": "At threshold",
    "bench": "Bench depth", "single_point": "Single point", "n_interested": "Want to learn",
    "n_pipeline": "Want to learn, below threshold", "n_base": "Answered", "n_respondents": "People",
    "coverage": "Coverage", "target": "Target", "gap": "Gap", "share": "Share", "prev_coverage": "Previous",
    "delta": "Change", "delta_pp": "Change (pp)", "ci_low": "95% from", "ci_high": "95% to",
    "direction": "Direction", "prev_n_answered": "Answered (previous)", "question": "Question",
    "suppressed": "Hidden (k)",
}


def table(frame: pd.DataFrame, key: str, file_name: str, column_config: dict | None = None,
          columns: list[str] | None = None) -> None:
    """A table plus its CSV download (the same rows and columns, formulas neutralised)."""
    shown = frame[columns] if columns else frame
    config = {col: st.column_config.Column(LABELS[col]) for col in shown.columns if col in LABELS}
    for col, spec in (column_config or {}).items():
        config[col] = spec(LABELS.get(col, col)) if callable(spec) else spec
    st.dataframe(shown, hide_index=True, column_config=config, key=f"{key}_table")
    st.download_button("Download CSV", to_csv_bytes(shown), file_name=file_name, mime="text/csv",
                       key=f"{key}_csv", icon=":material/download:")


def pct(value, digits: int = 0) -> str:
    return "–" if pd.isna(value) else f"{value:.{digits}%}"


def pp(value) -> str | None:
    """A change in share as percentage points, for st.metric's delta."""
    return None if pd.isna(value) else f"{value * 100:+.1f} pp"


def PERCENT(label: str):  # noqa: N802 - reads as a column type in the pages' column_config
    return st.column_config.NumberColumn(label, format="percent")


def POINTS(label: str):  # noqa: N802 - a difference of two shares, in percentage points (delta_pp columns)
    return st.column_config.NumberColumn(label, format="%+.1f pp")


# Serialises the first-start demo build between sessions of this server process.
BUILD_LOCK = threading.Lock()
# db path -> the last data version seen by any session of this process (see app.data_version).
LAST_VERSION: dict[str, str] = {}


def page_start(title: str, intro: str) -> Context | None:
    """Title, intro line, and the empty-state explanation; the context when there is data to draw."""
    st.title(title)
    st.caption(intro)
    ctx = context()
    if ctx is None:
        if st.session_state.get(_CONTEXT + "_failed"):
            st.info("The dashboards cannot be drawn until the problem above is fixed.")
        else:
            st.info("There is no survey data to show yet. Load a survey export and the dashboards fill in.")
            upload_link()
        return None
    from analytics.selection import selection_status

    try:
        status = load(selection_status, ctx)
    except AnalyticsError as exc:
        st.error(str(exc))
        return None
    return ctx if explain_selection(status) else None


def current_user() -> str:
    """Who is acting: the signed-in email, or "local" without sign-in."""
    return st.session_state.get("current_user") or "local"


def actor() -> str:
    """Who is acting, as the audit log and ingestions.loaded_by store it (pipelines.audit.stored_actor)."""
    from pipelines.audit import stored_actor

    return stored_actor(current_user(), st.session_state.get("role"))


def require_page(page: str) -> None:
    """Stop here unless whoever is here now may open `page` (app.py also hides it from the menu).

    The role is worked out afresh (pages/_auth.py), not taken from the session: it holds when the
    page is opened directly, and after a role was revoked."""
    from pages import _auth

    if not _auth.allowed(page):
        st.error("Your role can't open this page.")
        st.stop()

