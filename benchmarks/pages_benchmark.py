"""Every page's first render at organisation scale, against the same figures computed naively.

    python -m benchmarks.pages_benchmark [--db PATH] [--repeat 5] [--naive-repeat 2] [--skip-apptest]

One command, printed as one report:
  1. the org database (benchmarks.org_data, 12 waves x 100,000 x 60 = 72 M answers) is built unless
     a complete one is already at --db (default: the temp-dir path org_data uses);
  2. for each page, the full set of analytics calls it makes at its first render (the shell's
     data_version + filter_options, page_start's selection_status, then the page's own metrics,
     as listed in PAGES below from app.py, pages/_common.py and pages/*.py), timed
       cold: in a new Python process (fresh DuckDB instance and buffer pool, nothing cached; the OS
             page cache is not dropped - that needs root on the host), imports not counted;
       warm: the same calls again in one process, the fastest of --repeat whole renders; a
             dashboard's calls run in one analytics.db.reading block (a cursor of the process's
             shared read-only instance, opened by the first render, and per-render reuse, as
             app.py does); Streamlit's cache is NOT used, it would make every repeat free;
     next to the same figures computed naively in plain SQL over the base tables (answers,
     respondents, cloud_preferences, learning_interests), cold and best of --naive-repeat,
     printing naive/ours;
  3. AppTest render time of each page (first render with empty caches, then a rerun) on the demo
     data (pipelines.demo.build_demo into a temp database), and the same on the org database;
     plus the dashboards' first-render calls timed warm on the demo data (the floor at small size);
  4. database size on disk per million answers;
  5. the dashboards warm with people filters: one team (the 'team' rollup rows) and one team +
     one role (no rollup has both: the fine team x role x location rows).
Target (issue 15): each dashboard page's figures under 250 ms warm; naive/ours is what the rollups are worth.
"""
from __future__ import annotations

import argparse
import contextlib
import dataclasses
import importlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.org_data import OrgSpec, build, is_built

ROOT = Path(__file__).resolve().parent.parent
TARGET_MS = 250

# What each page calls at first render, in order. "shell" calls come from app.py (every page, every
# run: data_version; first run of a session: filter_options) and pages/_common.page_start
# (selection_status). {"_areas": "area0"}: the first skill area, which the coverage page's area
# picker selects by default for level_distribution; {"_ingestion": "newest"}: the upload page's
# ingestion picker's default. Keys starting with "_" are not passed to the function.
SHELL = [
    ("analytics.db.data_version", {}),
    ("analytics.options.filter_options", {}),
    ("analytics.selection.selection_status", {}),
]
PAGES = {
    "overview": SHELL + [
        ("analytics.overview.overview_headline", {}),
        ("analytics.overview.respondent_trend", {}),
        ("analytics.coverage.top_gaps", {"limit": 5}),
        ("analytics.cloud.cloud_preferred_split", {"by": "all"}),
        ("analytics.trends.movers", {"population": "all", "limit": 5}),
    ],
    "coverage": SHELL + [
        ("analytics.coverage.area_team_coverage", {}),
        ("analytics.coverage.level_distribution", {"_areas": "area0"}),
        ("analytics.coverage.single_points_of_knowledge", {}),
        ("analytics.coverage.bench_depth", {}),
        ("analytics.coverage.area_coverage", {}),
        ("analytics.coverage.upskilling_pipeline", {}),
    ],
    "cloud": SHELL + [  # the page's radio defaults to "team"
        ("analytics.cloud.cloud_preferred_split", {"by": "team"}),
        ("analytics.cloud.cloud_uses_share", {"by": "team"}),
        ("analytics.cloud.cloud_parity_matrix", {}),
    ],
    "trends": SHELL + [  # the page's radio defaults to "all"
        ("analytics.trends.area_coverage_trend", {"population": "all"}),
        ("analytics.trends.area_deltas", {"population": "all"}),
        ("analytics.trends.movers", {"population": "all", "limit": 5}),
    ],
    # Not dashboards (no aggregates, no naive counterpart): timed for completeness.
    "upload": [
        ("analytics.ingestions.ingestion_history", {}),
        ("analytics.ingestions.rejected_rows", {"_ingestion": "newest"}),
    ],
    "sql_console": [
        ("analytics.schema_browser.browse", {}),
    ],
}
DASHBOARDS = ("overview", "coverage", "cloud", "trends")

# --- naive: the same figures straight from the base tables -----------------------------------
# $wave / $prev are the latest wave and the one before (resolved first, inside the timing), $t the
# threshold. Names in the UI need the taxonomy join, so it is kept in.
BEST_AREA = """
    SELECT a.wave_id, a.respondent_id, s.area_id, max(a.level) AS level
    FROM answers a JOIN skills s USING (skill_id) WHERE {where} GROUP BY ALL
"""
AREA_COVERAGE = f"""
    WITH best AS ({BEST_AREA.format(where="a.wave_id IN ($wave, $prev)")})
    SELECT b.wave_id, b.area_id, any_value(sa.name_en) AS area_name, count(*) AS n_answered,
           count(*) FILTER (WHERE b.level >= $t) AS n_proficient, n_proficient / n_answered AS coverage
    FROM best b JOIN skill_areas sa USING (area_id) GROUP BY ALL ORDER BY ALL
"""
AREA_COVERAGE_ONE = AREA_COVERAGE.replace("a.wave_id IN ($wave, $prev)", "a.wave_id = $wave")
SKILL_LEVELS = """
    SELECT a.skill_id, any_value(s.name_en) AS skill_name, count(*) AS n_answered,
           count(*) FILTER (WHERE a.level >= $t) AS n_proficient,
           count(*) FILTER (WHERE a.level = 0) AS n_l0, count(*) FILTER (WHERE a.level = 1) AS n_l1,
           count(*) FILTER (WHERE a.level = 2) AS n_l2, count(*) FILTER (WHERE a.level = 3) AS n_l3,
           count(*) FILTER (WHERE a.level = 4) AS n_l4
    FROM answers a JOIN skills s USING (skill_id) WHERE a.wave_id = $wave GROUP BY ALL ORDER BY ALL
"""
SKILL_MOVES = """
    SELECT a.wave_id, a.skill_id, count(*) AS n_answered, count(*) FILTER (WHERE a.level >= $t) AS n_proficient
    FROM answers a WHERE a.wave_id IN ($wave, $prev) GROUP BY ALL ORDER BY ALL
"""
RESPONDENTS = "SELECT count(*) AS n FROM respondents WHERE wave_id = $wave"
RESPONDENT_TREND = """
    SELECT w.wave_id, w.label, count(r.respondent_id) AS n_respondents
    FROM waves w LEFT JOIN respondents r USING (wave_id) GROUP BY ALL ORDER BY w.wave_id
"""
OPTIONS = [
    "SELECT DISTINCT coalesce(nullif(trim(team), ''), '(not given)') AS v FROM respondents ORDER BY v",
    "SELECT DISTINCT coalesce(nullif(trim(role), ''), '(not given)') AS v FROM respondents ORDER BY v",
    "SELECT DISTINCT coalesce(nullif(trim(location), ''), '(not given)') AS v FROM respondents ORDER BY v",
    "SELECT wave_id, label, survey_date FROM waves ORDER BY survey_date",
    "SELECT area_id, name_en, track FROM skill_areas ORDER BY sort_order",
]


def _cloud(kind: str, by_team: bool) -> list[tuple[str, dict]]:
    """Provider counts and their denominator, for 'preferred' or 'uses' (bound as $kind)."""
    group = "coalesce(nullif(trim(r.team), ''), '(not given)')" if by_team else "'All'"
    src = ("FROM cloud_preferences c JOIN respondents r USING (wave_id, respondent_id) "
           "WHERE c.wave_id = $wave AND c.kind = $kind")
    return [(f"SELECT {group} AS grp, c.provider, count(DISTINCT c.respondent_id) AS n {src} GROUP BY ALL",
             {"kind": kind}),
            (f"SELECT {group} AS grp, count(DISTINCT c.respondent_id) AS n_base {src} GROUP BY ALL", {"kind": kind})]


NAIVE = {
    "analytics.db.data_version": [],  # metadata: nothing naive to compare with
    "analytics.options.filter_options": OPTIONS,
    "analytics.selection.selection_status": [RESPONDENTS],
    "analytics.overview.overview_headline": [RESPONDENTS, RESPONDENT_TREND, AREA_COVERAGE, SKILL_LEVELS],
    "analytics.overview.respondent_trend": [RESPONDENT_TREND],
    "analytics.coverage.top_gaps": [AREA_COVERAGE_ONE],
    "analytics.cloud.cloud_preferred_split/all": _cloud("preferred", False),
    "analytics.trends.movers": [SKILL_MOVES],
    "analytics.coverage.area_team_coverage": [RESPONDENTS, f"""
        WITH best AS ({BEST_AREA.format(where="a.wave_id = $wave")})
        SELECT b.area_id, coalesce(nullif(trim(r.team), ''), '(not given)') AS team, count(*) AS n_answered,
               count(*) FILTER (WHERE b.level >= $t) AS n_proficient
        FROM best b JOIN respondents r ON r.wave_id = b.wave_id AND r.respondent_id = b.respondent_id
        GROUP BY ALL ORDER BY ALL
    """],
    "analytics.coverage.level_distribution": [RESPONDENTS, """
        SELECT a.skill_id, a.level, count(*) AS n
        FROM answers a JOIN skills s USING (skill_id) WHERE a.wave_id = $wave AND s.area_id = $area
        GROUP BY ALL ORDER BY ALL
    """],
    "analytics.coverage.single_points_of_knowledge": [RESPONDENTS, SKILL_LEVELS],
    "analytics.coverage.bench_depth": [RESPONDENTS, SKILL_LEVELS],
    "analytics.coverage.area_coverage": [RESPONDENTS, AREA_COVERAGE_ONE],
    "analytics.coverage.upskilling_pipeline": [RESPONDENTS, """
        SELECT li.skill_id, count(*) AS n_interested,
               count(*) FILTER (WHERE a.level IS NULL OR a.level < $t) AS n_pipeline
        FROM learning_interests li
        LEFT JOIN answers a ON a.wave_id = li.wave_id AND a.respondent_id = li.respondent_id AND a.skill_id = li.skill_id
        WHERE li.wave_id = $wave GROUP BY ALL ORDER BY ALL
    """],
    "analytics.cloud.cloud_preferred_split/team": _cloud("preferred", True),
    "analytics.cloud.cloud_uses_share/team": _cloud("uses", True),
    "analytics.cloud.cloud_parity_matrix": [RESPONDENTS, """
        WITH best AS (
            SELECT a.respondent_id, k.category_id, k.provider, max(a.level) AS level
            FROM answers a JOIN service_categories k USING (skill_id) WHERE a.wave_id = $wave GROUP BY ALL
        )
        SELECT category_id, provider, count(*) AS n_answered, count(*) FILTER (WHERE level >= $t) AS n_proficient
        FROM best GROUP BY ALL ORDER BY ALL
    """],
    "analytics.trends.area_coverage_trend": [f"""
        WITH best AS ({BEST_AREA.format(where="TRUE")}),
        cov AS (
            SELECT wave_id, area_id, count(*) AS n_answered, count(*) FILTER (WHERE level >= $t) AS n_proficient
            FROM best GROUP BY ALL
        ),
        ordered AS (SELECT wave_id, lag(wave_id) OVER (ORDER BY survey_date, wave_id) AS prev_wave_id FROM waves)
        SELECT c.wave_id, c.area_id, c.n_answered, c.n_proficient / c.n_answered AS coverage,
               p.n_proficient / p.n_answered AS prev_coverage
        FROM cov c JOIN ordered o USING (wave_id)
        LEFT JOIN cov p ON p.wave_id = o.prev_wave_id AND p.area_id = c.area_id
        ORDER BY ALL
    """],
    "analytics.trends.area_deltas": [AREA_COVERAGE],
}


def agreement(db: str, setup) -> str:
    """The naive SQL computes the same figures: compare a few against the metric functions."""
    import duckdb

    from analytics.cloud import cloud_preferred_split
    from analytics.coverage import area_coverage, bench_depth
    from analytics.trends import area_coverage_trend

    filters, settings = setup[:2]
    con = duckdb.connect(db, read_only=True)
    try:
        con.execute("SET enable_progress_bar = false")
        wave, prev = [w for (w,) in con.execute(
            "SELECT wave_id FROM waves ORDER BY survey_date DESC NULLS LAST, wave_id DESC LIMIT 2").fetchall()]
        params = {"wave": wave, "prev": prev, "t": settings.threshold}

        def naive(sql, keys, extra=None):
            values = {**params, **(extra or {})}
            frame = con.execute(sql, {k: v for k, v in values.items() if f"${k}" in sql}).df()
            return {tuple(row[:keys]): tuple(int(x) for x in row[keys:]) for row in frame.itertuples(index=False)}

        def ours(frame, keys, values):
            return {tuple(r[k] for k in keys): tuple(int(r[v]) for v in values) for _, r in frame.iterrows()}

        checks = {
            "area coverage": (
                naive("SELECT area_id, n_answered, n_proficient FROM (" + AREA_COVERAGE_ONE + ")", 1),
                ours(area_coverage(db, filters, settings), ["area_id"], ["n_answered", "n_proficient"])),
            "bench depth": (
                naive("SELECT skill_id, n_answered, n_proficient FROM (" + SKILL_LEVELS + ")", 1),
                ours(bench_depth(db, filters, settings), ["skill_id"], ["n_answered", "bench"])),
            "preferred cloud": (
                naive(_cloud("preferred", False)[0][0].replace("'All' AS grp, ", ""), 1, {"kind": "preferred"}),
                ours(cloud_preferred_split(db, filters, settings, by="all"), ["provider"], ["n_respondents"])),
            "area trend": (
                naive("SELECT wave_id, area_id, n_answered FROM (" + NAIVE["analytics.trends.area_coverage_trend"][0]
                      + ")", 2),
                ours(area_coverage_trend(db, filters, settings, "all"), ["wave_id", "area_id"], ["n_answered"])),
        }
    finally:
        con.close()
    ours_zero = {name: ({k: v for k, v in o.items() if any(v)}, n) for name, (n, o) in checks.items()}
    same = [name for name, (o, n) in ours_zero.items() if o == n]
    return f"{len(same)}/{len(checks)} equal" + ("" if len(same) == len(checks) else
                                                  f" (differ: {', '.join(sorted(set(checks) - set(same)))})")


def naive_key(name: str, kwargs: dict) -> str:
    return f"{name}/{kwargs['by']}" if name.startswith("analytics.cloud.cloud_") and "by" in kwargs else name


# --- running one page's calls -----------------------------------------------------------------

def _setup(db: str):
    """Filters, settings, the first area and the newest ingestion, as a first visit has them."""
    from analytics import settings
    from analytics.filters import Filters
    from analytics.ingestions import ingestion_history
    from analytics.options import filter_options

    options = filter_options(db, "en")
    newest = int(ingestion_history(db)["ingestion_id"].iloc[0])
    return Filters(), settings.load(), next(iter(options.area_names())), newest


def filtered_runs(db: str, setup, repeat: int) -> dict[str, tuple[float, float]]:
    """Per dashboard, warm ms with one team and with one team + one role (the biggest ones)."""
    import duckdb

    con = duckdb.connect(db, read_only=True)
    try:
        team, role = (con.execute(f"SELECT {col} FROM agg_respondents_rollup WHERE grain = '{col}' "
                                  f"AND population = 'all' GROUP BY ALL ORDER BY sum(n_respondents) DESC LIMIT 1"
                                  ).fetchall()[0][0] for col in ("team", "role"))
    finally:
        con.close()
    filters, *rest = setup
    out = {}
    for page in DASHBOARDS:
        times = []
        for chosen in (dataclasses.replace(filters, teams=(team,)),
                       dataclasses.replace(filters, teams=(team,), roles=(role,))):
            times.append(sum(best_of(lambda c=chosen, p=page: run_ours(db, p, (c, *rest)), repeat).values()))
        out[page] = (times[0], times[1])
    return out


def _resolve(name: str):
    module, func = name.rsplit(".", 1)
    return getattr(importlib.import_module(module), func)


def run_ours(db: str, page: str, setup) -> dict[str, float]:
    """Seconds per call of one page, as app.py runs it: a dashboard's calls share one read-only
    connection and their per-render results (analytics.db.reading); other pages open their own."""
    from analytics.db import reading

    with reading(db) if page in DASHBOARDS else contextlib.nullcontext():
        return _calls(db, page, setup)


def _calls(db: str, page: str, setup) -> dict[str, float]:
    filters, settings, area0, newest = setup
    out = {}
    for name, kwargs in PAGES[page]:
        fn = _resolve(name)
        kw = {k: v for k, v in kwargs.items() if not k.startswith("_")}
        start = time.perf_counter()
        if name == "analytics.db.data_version":
            fn(db)
        elif name == "analytics.options.filter_options":
            fn(db, "en")
        elif name in ("analytics.schema_browser.browse", "analytics.ingestions.ingestion_history"):
            fn(db)
        elif name == "analytics.ingestions.rejected_rows":
            fn(db, newest)  # the page's picker defaults to the newest ingestion
        elif kwargs.get("_areas") == "area0":
            fn(db, dataclasses.replace(filters, areas=(area0,)), settings, **kw)
        else:
            fn(db, filters, settings, **kw)
        out[_label(name, kwargs)] = time.perf_counter() - start
    return out


def run_naive(db: str, page: str, setup) -> dict[str, float]:
    """Seconds per call of the naive counterparts (one fresh read-only connection per metric)."""
    import duckdb

    _, settings, area0, _ = setup
    out = {}
    start = time.perf_counter()
    con = duckdb.connect(db, read_only=True)  # one per page, as ours (its cost goes to the first call)
    try:
        con.execute("SET enable_progress_bar = false")
        for name, kwargs in PAGES[page]:
            statements = NAIVE.get(naive_key(name, kwargs))
            if statements is None:
                continue
            waves = [w for (w,) in con.execute(
                "SELECT wave_id FROM waves ORDER BY survey_date DESC NULLS LAST, wave_id DESC LIMIT 2").fetchall()]
            params = {"wave": waves[0], "prev": waves[-1], "t": settings.threshold, "area": area0}
            for item in statements:  # SQL text, or (SQL text, its own parameters)
                sql, extra = item if isinstance(item, tuple) else (item, {})
                used = {k: v for k, v in {**params, **extra}.items() if f"${k}" in sql}
                con.execute(sql, used).df()
            out[_label(name, kwargs)] = time.perf_counter() - start
            start = time.perf_counter()
    finally:
        con.close()
    return out


def _label(name: str, kwargs: dict) -> str:
    short = name.rsplit(".", 1)[1]
    extra = ",".join(f"{k}={v}" for k, v in kwargs.items() if not k.startswith("_") and k != "limit")
    return f"{short}({extra})" if extra else short


def best_of(fn, repeat: int) -> dict[str, float]:
    """The run (of ``repeat``) with the smallest total: a whole render, so its calls add up to it."""
    runs = [fn() for _ in range(repeat)]
    return min(runs, key=lambda r: sum(r.values()))


def cold(db: str, page: str, which: str) -> dict[str, float]:
    """One run in a fresh Python process (imports done before the clock starts)."""
    proc = subprocess.run([sys.executable, "-m", "benchmarks.pages_benchmark", "--child", which, page, "--db", db],
                          cwd=ROOT, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"cold run of {page} ({which}) failed: {proc.stderr.strip()[-500:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def child(which: str, page: str, db: str) -> None:
    # Import everything a page needs first: the cold figure is the queries, not Python's imports.
    for name, _ in PAGES[page]:
        _resolve(name)
    # The setup's connections are closed again, which drops that DuckDB instance and its buffers.
    setup = _setup(db)
    times = run_ours(db, page, setup) if which == "ours" else run_naive(db, page, setup)
    print(json.dumps(times))


# --- where the time goes -----------------------------------------------------------------------

def breakdown(db: str, page: str, setup) -> dict:
    """One warm run of a page with its connections, SQL statements and pandera validations timed
    (by wrapping the functions the metrics call; nothing in analytics/ is changed)."""
    import pandera.pandas as pa

    import analytics.db as adb
    from analytics import read_instance

    spent: dict[str, list[float]] = {"connect": [], "sql": [], "validate": []}
    statements: dict[str, list[float]] = {}
    real_fetch, real_connect, real_lease = adb.fetch, adb.connect, read_instance.lease
    real_validate = pa.DataFrameModel.__dict__["validate"]

    def fetch(con, sql, params=None):
        start = time.perf_counter()
        try:
            return real_fetch(con, sql, params)
        finally:
            took = time.perf_counter() - start
            spent["sql"].append(took)
            statements.setdefault(" ".join(sql.split()), []).append(took)

    def timed_connect(real):
        def connect(*args, **kwargs):  # a connection of its own, or a cursor of the shared instance
            start = time.perf_counter()
            try:
                return real(*args, **kwargs)
            finally:
                spent["connect"].append(time.perf_counter() - start)
        return connect

    def validate(cls, *args, **kwargs):
        start = time.perf_counter()
        try:
            return real_validate.__func__(cls, *args, **kwargs)
        finally:
            spent["validate"].append(time.perf_counter() - start)

    for name, _ in PAGES[page]:
        _resolve(name)
    modules = [m for m in list(sys.modules.values())
               if getattr(m, "__name__", "").startswith("analytics.") and getattr(m, "fetch", None) is real_fetch]
    best, kept = [float("inf")], ({}, [])
    run_ours(db, page, setup)  # warm-up
    for module in modules:
        module.fetch = fetch
    adb.connect, read_instance.lease = timed_connect(real_connect), timed_connect(real_lease)
    pa.DataFrameModel.validate = classmethod(validate)
    try:
        for _ in range(3):  # keep the fastest of three runs, like the warm figures
            for v in (*spent.values(), *statements.values()):
                v.clear()
            start = time.perf_counter()
            run_ours(db, page, setup)
            total = time.perf_counter() - start
            if total < best[0]:
                best[0] = total
                kept = ({k: (len(v), sum(v)) for k, v in spent.items()},
                        sorted(((sum(v), len(v), sql) for sql, v in statements.items()), reverse=True))
    finally:
        for module in modules:
            module.fetch = real_fetch
        adb.connect, read_instance.lease = real_connect, real_lease
        pa.DataFrameModel.validate = real_validate
    return {"total": best[0], **kept[0], "top": kept[1]}


# --- the SQL console at this size ------------------------------------------------------------

CONSOLE_QUERIES = {
    "level counts, latest wave (6 M rows)":
        "SELECT skill_id, level, count(*) AS n FROM answers "
        "WHERE wave_id = (SELECT max(wave_id) FROM waves) GROUP BY ALL ORDER BY ALL",
    "respondents per wave and team":
        "SELECT wave_id, team, count(*) AS n FROM respondents GROUP BY ALL ORDER BY ALL",
    "area coverage, every wave (72 M rows)":
        "SELECT wave_id, area_id, avg((level >= 3)::INT) AS coverage FROM ("
        "SELECT a.wave_id, a.respondent_id, s.area_id, max(a.level) AS level "
        "FROM answers a JOIN skills s USING (skill_id) GROUP BY ALL) GROUP BY ALL ORDER BY ALL",
}


def console_runs(db: str) -> dict[str, tuple[float, str]]:
    """Analyst queries through the console's own path (a child process with the sandbox limits)."""
    from analytics import sandbox, sandbox_process

    out = {}
    for name, sql in CONSOLE_QUERIES.items():
        start = time.perf_counter()
        try:
            result = sandbox_process.run_query(sql, db, tier="respondent")  # the queries read respondent rows
            outcome = f"ok, {len(result.frame):,} rows"
        except sandbox.SandboxError as exc:
            outcome = exc.line()
        out[name] = (time.perf_counter() - start, outcome)
    return out


# --- AppTest ----------------------------------------------------------------------------------

APP_PAGES = {"overview": "pages/overview.py", "coverage": "pages/coverage.py", "cloud": "pages/cloud.py",
             "trends": "pages/trends.py", "upload": "pages/upload.py", "sql_console": "pages/sql_console.py"}


def apptest_times(db: str) -> dict[str, tuple[float, float, int]]:
    """Per page: (first render with empty caches, rerun, error count) through app.py."""
    import streamlit as st
    import streamlit.logger
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.testing.v1 import AppTest

    original = PagesManager.__init__

    def init(self, *args, **kwargs):  # as tests/conftest.py: the shell's st.navigation has run once
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    PagesManager.__init__ = init
    streamlit.logger.set_log_level("error")  # AppTest's "no runtime" warnings, once per page
    os.environ["SKILLS_DB"] = db
    out = {}
    try:
        for page, path in APP_PAGES.items():
            st.cache_data.clear()
            at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
            at.run()  # the shell on the default page, so switch_page has a session to switch in
            st.cache_data.clear()
            at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
            start = time.perf_counter()
            at.switch_page(path).run()
            first = time.perf_counter() - start
            start = time.perf_counter()
            at.run()
            rerun = time.perf_counter() - start
            out[page] = (first, rerun, len(at.exception) + len(at.error))
    finally:
        PagesManager.__init__ = original
    return out


def demo_db(tmp: Path) -> str:
    from pipelines.demo import build_demo

    path = tmp / "demo.duckdb"
    build_demo(path, tmp / "exports")
    return str(path)


# --- report -----------------------------------------------------------------------------------

def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f}"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", help="org database (built when missing or incomplete)")
    parser.add_argument("--repeat", type=int, default=5, help="warm runs of our calls (best of)")
    parser.add_argument("--naive-repeat", type=int, default=2, help="warm runs of the naive SQL (best of)")
    parser.add_argument("--skip-apptest", action="store_true")
    parser.add_argument("--child", nargs=2, metavar=("WHICH", "PAGE"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    spec = OrgSpec()
    db = str(Path(args.db) if args.db else spec.default_path())
    if args.child:
        child(args.child[0], args.child[1], db)
        return 0
    started = time.strftime("%Y-%m-%d %H:%M:%S %Z")
    n_answers = ensure_org_db(spec, db)
    setup = _setup(db)
    print(f"# pages benchmark: {n_answers / 1e6:.0f} M answers ({spec.waves} waves x {spec.respondents:,} x "
          f"{spec.skills}), {started}")
    print(f"# ms; warm = best of {args.repeat} (ours) / {args.naive_repeat} (naive); cold = new process; "
          f"load average at start {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    report_pages(db, setup, args.repeat, args.naive_repeat)
    print()
    mib = Path(db).stat().st_size / 2**20
    print(f"database: {mib:,.0f} MiB on disk for {n_answers / 1e6:.1f} M answers = "
          f"{mib / (n_answers / 1e6):.1f} MiB per million answers (base tables + aggregates)")
    report_filtered(db, setup, args.repeat)
    report_breakdown(db, setup)
    print()
    print("do the naive figures match ours (latest wave, no filters)? " + agreement(db, setup))
    report_console(db)
    if not args.skip_apptest:
        report_apptest(db, args.repeat)
    print(f"# load average at the end {os.getloadavg()[0]:.2f} (this run's own work included)")
    return 0


def ensure_org_db(spec: OrgSpec, db: str) -> int:
    """Build the org database when it is missing or incomplete, else bring its schema up to date;
    returns its number of answers."""
    import duckdb

    from pipelines.db import writer

    t = time.perf_counter()
    if not is_built(spec, Path(db)):
        print(f"building the org database at {db} (benchmarks.org_data)...", flush=True)
        result = build(spec, Path(db), one_wave_refresh=False)
        print(f"  built in {time.perf_counter() - t:.0f} s (refresh {result['timings']['refresh_full']:.0f} s)",
              flush=True)
    else:
        with writer(db):
            pass
        print(f"# schema migrations checked in {time.perf_counter() - t:.1f} s", flush=True)
    con = duckdb.connect(db, read_only=True)
    try:
        return con.execute("SELECT count(*) FROM answers").fetchall()[0][0]
    finally:
        con.close()


def report_pages(db: str, setup, repeat: int, naive_repeat: int) -> None:
    """Each page cold and warm, ours and naive: the verdict table, then per call."""
    rows, details = [], {}
    for page in PAGES:
        has_naive = page in DASHBOARDS
        ours_cold, ours_warm = cold(db, page, "ours"), best_of(lambda p=page: run_ours(db, p, setup), repeat)
        naive_cold = cold(db, page, "naive") if has_naive else {}
        naive_warm = best_of(lambda p=page: run_naive(db, p, setup), naive_repeat) if has_naive else {}
        details[page] = (ours_cold, ours_warm, naive_cold, naive_warm)
        rows.append((page, *(sum(d.values()) if d else None for d in details[page])))
        print(f"  {page} done", file=sys.stderr, flush=True)
    print()
    print(f"{'page':<13}{'ours cold':>10}{'ours warm':>10}{'naive cold':>11}{'naive warm':>11}"
          f"{'ratio cold':>11}{'ratio warm':>11}  target (<{TARGET_MS} ms warm)")
    for page, oc, ow, nc, nw in rows:
        verdict = "MET" if ow * 1000 < TARGET_MS else "NOT MET"
        if nc is None:
            print(f"{page:<13}{ms(oc):>10}{ms(ow):>10}{'-':>11}{'-':>11}{'-':>11}{'-':>11}  {verdict} (no naive)")
        else:
            print(f"{page:<13}{ms(oc):>10}{ms(ow):>10}{ms(nc):>11}{ms(nw):>11}{nc / oc:>10.1f}x{nw / ow:>10.1f}x  "
                  f"{verdict}")
    print()
    print("per call (ms):")
    print(f"  {'page':<12}{'call':<46}{'ours cold':>10}{'ours warm':>10}{'naive cold':>11}{'naive warm':>11}")
    for page, (oc, ow, nc, nw) in details.items():
        for key in oc:
            naive = (ms(nc[key]), ms(nw[key])) if key in nc else ("-", "-")
            print(f"  {page:<12}{key:<46}{ms(oc[key]):>10}{ms(ow[key]):>10}{naive[0]:>11}{naive[1]:>11}")


def report_filtered(db: str, setup, repeat: int) -> None:
    print()
    print(f"with people filters, warm, best of {repeat} (ms; one team reads the team rollup, team + role the "
          "fine rows):")
    for page, (one, two) in filtered_runs(db, setup, repeat).items():
        print(f"  {page:<13}one team {ms(one):>6}   team + role {ms(two):>6}   target <{TARGET_MS} ms: "
              f"{'MET' if max(one, two) * 1000 < TARGET_MS else 'NOT MET'}")


def report_breakdown(db: str, setup) -> None:
    print()
    print("where the warm time goes (one instrumented run; 'other' = pandas, suppression, closing connections):")
    print(f"  {'page':<13}{'total':>7}{'connects':>14}{'SQL':>16}{'pandera':>14}{'other':>7}")
    slowest = []
    for page in DASHBOARDS:
        b = breakdown(db, page, setup)
        other = b["total"] - b["connect"][1] - b["sql"][1] - b["validate"][1]
        print(f"  {page:<13}{ms(b['total']):>7}{b['connect'][0]:>5} x{ms(b['connect'][1]):>5} ms"
              f"{b['sql'][0]:>5} x{ms(b['sql'][1]):>7} ms{b['validate'][0]:>4} x{ms(b['validate'][1]):>5} ms"
              f"{ms(other):>7}")
        slowest += [(t, n, page, sql) for t, n, sql in b["top"][:3]]
    print("slowest statements (ms, warm, summed over the page's calls):")
    for took, n, page, sql in sorted(slowest, reverse=True)[:8]:
        print(f"  {ms(took):>6} {n}x {page:<9} {sql[:150]}")


def report_console(db: str) -> None:
    from analytics.sandbox import DEFAULT_LIMITS as limits

    print()
    print(f"SQL console at this size (its own child process; limits {limits.timeout_s:g} s, {limits.memory_limit}, "
          f"{limits.threads} threads):")
    for name, (took, outcome) in console_runs(db).items():
        print(f"  {name:<40}{ms(took):>8} ms  {outcome[:110]}")


def report_apptest(db: str, repeat: int) -> None:
    """AppTest renders on the demo data and on the org database, and the demo's calls warm."""
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["SKILLS_SECRET_FILE"] = str(Path(tmp) / "respondent-id.key")
        demo = demo_db(Path(tmp))
        demo_setup = _setup(demo)
        demo_calls = {page: sum(best_of(lambda p=page: run_ours(demo, p, demo_setup), repeat).values())
                      for page in DASHBOARDS}
        renders = {"demo": apptest_times(demo), "org 72M": apptest_times(db)}
    print()
    print(f"the same first-render calls on the demo data, warm, best of {repeat} (ms): "
          + ", ".join(f"{page} {ms(t)}" for page, t in demo_calls.items()))
    print("AppTest render through app.py (ms; first = empty st.cache_data, rerun = cached):")
    print(f"  {'page':<13}{'demo first':>11}{'demo rerun':>11}{'org first':>11}{'org rerun':>11}  errors")
    for page in APP_PAGES:
        d, o = renders["demo"][page], renders["org 72M"][page]
        print(f"  {page:<13}{ms(d[0]):>11}{ms(d[1]):>11}{ms(o[0]):>11}{ms(o[1]):>11}  {d[2]}/{o[2]}")


if __name__ == "__main__":
    sys.exit(main())
