"""Apply a profile to a sheet: the canonical frames, and a report of every cell that is wrong.

The heavy lifting is one DuckDB UNPIVOT over the question columns. Answers are then mapped
through small dictionaries built from the *distinct* answer texts (a 100,000-row grid has a
handful of distinct labels), so Python touches only those, never each cell.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import duckdb
import pandas as pd

from pipelines.headers import Column, Sheet, select
from pipelines.levels import describe_labels, label_map, to_level
from pipelines.profile import Profile, ProfileError, Question
from pipelines.providers import to_provider
from pipelines.taxonomy import Taxonomy
from pipelines.text import match_key, norm

THAI_AM_PM = {"ก่อนเที่ยง": "AM", "หลังเที่ยง": "PM"}
_TZ_SUFFIX = re.compile(r"\s*(GMT|UTC)\s*[+-]?\d{0,2}(:?\d{2})?\s*$", re.IGNORECASE)


@dataclass
class Canonical:
    """Everything one file says, keyed by spreadsheet row (`_row`), before identities are hashed."""

    rows: pd.DataFrame  # _row, id_value, team, role, location, submitted_at
    answers: pd.DataFrame  # _row, skill_id, level
    cloud: pd.DataFrame  # _row, provider, kind
    interests: pd.DataFrame  # _row, skill_id
    problems: pd.DataFrame  # _row, column_name, value, reason
    questions_used: int
    unmapped_options: dict[str, list[str]]


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _field_column(sheet: Sheet, profile: Profile, name: str) -> Column | None:
    sel = profile.fields.get(name)
    if not sel:
        return None
    cols = select(sheet, sel.names, sel.match, sel.exclude)
    if not cols:
        raise ProfileError(f"columns.{name}: no column named {sel.names or sel.match!r} in this file")
    return cols[0]


def _skill_for(label: str, q: Question, lookup: dict[str, str]) -> tuple[bool, str | None]:
    """(known, skill_id) for an option label: the question's own map first, then the taxonomy."""
    key = norm(label)
    for option, skill in q.skills.items():
        if norm(option) == key:
            return True, skill
    skill = lookup.get(match_key(label))
    return (skill is not None), skill


def transform(sheet: Sheet, profile: Profile, taxonomy: Taxonomy) -> Canonical:
    con = duckdb.connect()
    try:
        return _transform(con, sheet, profile, taxonomy)
    finally:
        con.close()


def _transform(con, sheet: Sheet, profile: Profile, taxonomy: Taxonomy) -> Canonical:
    con.register("raw", sheet.data)
    lookup = taxonomy.lookup()
    known_skills = set(taxonomy.skills["skill_id"])
    missing = [m for m in profile.missing]

    # 1. Which column feeds which question, and what the column itself names (its option).
    colmap = []  # (key, q, column label, header option)
    for qi, q in enumerate(profile.questions):
        cols = select(sheet, q.columns.names, q.columns.match, q.columns.exclude)
        if not cols:
            raise ProfileError(f"question {q.name!r}: no column matches {q.columns.names or q.columns.match!r}")
        for col in cols:
            colmap.append((col.key, qi, col.code, col.option or col.code))
    if profile.layout == "long":
        skill_col = sheet.find(profile.long_skill)
        level_col = sheet.find(profile.long_level)
        if skill_col is None or level_col is None:
            raise ProfileError("long layout: the skill or level column is not in this file")

    problems: list[pd.DataFrame] = []
    unmapped: dict[str, list[str]] = {}

    # 2. Every non-empty answer cell, split into tokens where the question joins several in a cell.
    if colmap:
        con.execute("CREATE TEMP TABLE colmap (key VARCHAR, q INTEGER, col_label VARCHAR, opt VARCHAR)")
        con.executemany("INSERT INTO colmap VALUES (?, ?, ?, ?)", colmap)
        seps = [(qi, q.separator) for qi, q in enumerate(profile.questions) if q.separator]
        con.execute("CREATE TEMP TABLE seps (q INTEGER, sep VARCHAR)")
        if seps:
            con.executemany("INSERT INTO seps VALUES (?, ?)", seps)
        keys = ", ".join(_q(k) for k in dict.fromkeys(k for k, *_ in colmap))
        con.execute("CREATE TEMP TABLE missing_markers (m VARCHAR)")
        if missing:
            con.executemany("INSERT INTO missing_markers VALUES (?)", [[m] for m in missing])
        con.execute(f"""
            CREATE TEMP TABLE cells AS
            WITH u AS (UNPIVOT (SELECT _row, {keys} FROM raw) ON {keys} INTO NAME key VALUE val),
            v AS (
                SELECT u._row, m.q, m.col_label, m.opt, u.val,
                       trim(replace(u.val, chr(160), ' ')) AS cell
                FROM u JOIN colmap m USING (key)
            )
            SELECT _row, q, col_label, opt, val, trim(tok) AS token FROM (
                SELECT v._row, v.q, v.col_label, v.opt, v.val,
                       unnest(CASE WHEN s.sep IS NULL THEN [v.cell] ELSE string_split(v.cell, s.sep) END) AS tok
                FROM v LEFT JOIN seps s USING (q)
                WHERE v.cell <> '' AND v.cell NOT IN (SELECT m FROM missing_markers)
            )
        """)
        con.execute("DELETE FROM cells WHERE token = '' OR token IN (SELECT m FROM missing_markers)")
    else:
        con.execute("CREATE TEMP TABLE cells (_row INTEGER, q INTEGER, col_label VARCHAR, opt VARCHAR, "
                    "val VARCHAR, token VARCHAR)")

    # 3. Map each distinct (question, option, token) once, in Python.
    distinct = con.execute("SELECT DISTINCT q, opt, token FROM cells").fetchall()
    mapping = []  # q, opt, token, target, level, error
    for qi, opt, token in distinct:
        q = profile.questions[qi]
        if q.kind == "rating":
            labels = label_map({**profile.labels, **q.labels}, profile.replace_labels)
            known, skill = _skill_for(opt, q, lookup)
            if not known or skill is None:
                raise ProfileError(f"question {q.name!r}: column {opt!r} names no known skill; "
                                   "map it under skills: or add it to the taxonomy")
            level = to_level(token, labels, q.scale or profile.scale)
            err = None if level is not None else (
                f"'{token}' is not a proficiency level (expected a number on the "
                f"{(q.scale or profile.scale)[0]}-{(q.scale or profile.scale)[1]} scale or one of "
                f"{describe_labels(labels)})")
            mapping.append((qi, opt, token, skill, level, err))
        elif q.kind == "cloud":
            mapping.append((qi, opt, token, to_provider(token, q.providers), None, None))
        else:  # picked / interest: the option is the cell's text or the column's own label
            label = token if q.skill_from == "cell" else opt
            known, skill = _skill_for(label, q, lookup)
            if not known:
                unmapped.setdefault(q.name, []).append(label)
            mapping.append((qi, opt, token, skill, q.level if q.kind == "picked" else None, None))
    con.execute("CREATE TEMP TABLE mapping (q INTEGER, opt VARCHAR, token VARCHAR, target VARCHAR, "
                "level INTEGER, error VARCHAR)")
    if mapping:
        con.executemany("INSERT INTO mapping VALUES (?, ?, ?, ?, ?, ?)", mapping)
    con.execute("CREATE TEMP TABLE qkind (q INTEGER, kind VARCHAR, cloud_kind VARCHAR)")
    if profile.questions:
        con.executemany("INSERT INTO qkind VALUES (?, ?, ?)",
                        [(i, q.kind, q.cloud_kind) for i, q in enumerate(profile.questions)])
    con.execute("""
        CREATE TEMP TABLE mapped AS
        SELECT c._row, c.q, k.kind, k.cloud_kind, c.col_label, c.val, m.target, m.level, m.error
        FROM cells c JOIN mapping m USING (q, opt, token) JOIN qkind k USING (q)
    """)
    problems.append(con.execute(
        "SELECT DISTINCT _row, col_label AS column_name, val AS value, error AS reason FROM mapped WHERE error IS NOT NULL"
    ).df())
    # A single-choice cloud question answered with several providers is a contradiction.
    problems.append(con.execute("""
        SELECT _row, any_value(col_label) AS column_name, string_agg(DISTINCT val, ' | ') AS value,
               'a single-choice cloud question holds ' || count(DISTINCT target) || ' different providers' AS reason
        FROM mapped WHERE kind = 'cloud' AND cloud_kind = 'preferred'
        GROUP BY _row, q HAVING count(DISTINCT target) > 1
    """).df())

    # 4. Ratings and picks -> one level per respondent x skill (the highest when several say so).
    #    A multi-select answered at all covers every skill it offers: unpicked ones are level 0.
    offered = []
    for qi, q in enumerate(profile.questions):
        if q.kind == "picked":
            offered += [(qi, s) for s in q.skills.values() if s]
            if q.skill_from == "header":
                offered += [(qi, skill) for key, cq, label, opt in colmap if cq == qi
                            for known, skill in [_skill_for(opt, q, lookup)] if skill]
    con.execute("CREATE TEMP TABLE offered (q INTEGER, target VARCHAR)")
    if offered:
        con.executemany("INSERT INTO offered VALUES (?, ?)", list(dict.fromkeys(offered)))
    con.execute("""
        CREATE TEMP TABLE picks_offered AS
        SELECT q, target FROM offered
        UNION SELECT DISTINCT q, target FROM mapped WHERE kind = 'picked' AND target IS NOT NULL
    """)
    answers_sql = """
        SELECT _row, target AS skill_id, max(level) AS level FROM (
            SELECT _row, target, level FROM mapped WHERE kind = 'rating' AND error IS NULL
            UNION ALL
            SELECT a._row, o.target, CASE WHEN p._row IS NULL THEN 0 ELSE p.level END AS level
            FROM (SELECT DISTINCT _row, q FROM mapped WHERE kind = 'picked') a
            JOIN picks_offered o USING (q)
            LEFT JOIN (SELECT DISTINCT _row, q, target, level FROM mapped WHERE kind = 'picked') p
                   ON p._row = a._row AND p.q = a.q AND p.target = o.target
            {long}
        ) GROUP BY _row, target
    """
    long_sql = ""
    if profile.layout == "long":
        long_sql = _long_layout(con, profile, skill_col, level_col, lookup, problems)
    answers = con.execute(answers_sql.format(long=long_sql)).df()
    cloud = con.execute("""
        SELECT DISTINCT _row, target AS provider, cloud_kind AS kind FROM mapped WHERE kind = 'cloud'
    """).df()
    interests = con.execute("""
        SELECT DISTINCT _row, target AS skill_id FROM mapped WHERE kind = 'interest' AND target IS NOT NULL
    """).df()
    unknown = set(answers["skill_id"]) - known_skills
    if unknown:
        raise ProfileError(f"the profile maps answers to skills missing from the taxonomy: {sorted(unknown)[:5]}")

    # 5. The respondent's own columns.
    rows = _respondent_rows(con, sheet, profile, problems)
    problems_df = pd.concat([p for p in problems if len(p)], ignore_index=True) if any(len(p) for p in problems) \
        else pd.DataFrame({"_row": pd.Series(dtype="int32"), "column_name": pd.Series(dtype=object),
                           "value": pd.Series(dtype=object), "reason": pd.Series(dtype=object)})
    return Canonical(rows, answers, cloud, interests, problems_df, len(profile.questions),
                     {k: sorted(set(v))[:20] for k, v in unmapped.items()})


def _long_layout(con, profile, skill_col: Column, level_col: Column, lookup, problems) -> str:
    """Long layout: one row per respondent x skill, rated like a grid."""
    labels = label_map(profile.labels, profile.replace_labels)
    pairs = con.execute(
        f"SELECT DISTINCT trim({_q(skill_col.key)}), trim({_q(level_col.key)}) FROM raw "
        f"WHERE trim({_q(skill_col.key)}) <> ''"
    ).fetchall()
    rows = []
    for skill_text, level_text in pairs:
        skill = lookup.get(match_key(skill_text))
        level = to_level(level_text, labels, profile.scale) if level_text else None
        err = None
        if skill is None:
            err = f"'{skill_text}' is not a known skill"
        elif level is None:
            err = f"'{level_text}' is not a proficiency level (expected {describe_labels(labels)})"
        rows.append((skill_text, level_text, skill, level, err))
    con.execute("CREATE TEMP TABLE long_map (s VARCHAR, l VARCHAR, skill VARCHAR, level INTEGER, error VARCHAR)")
    if rows:
        con.executemany("INSERT INTO long_map VALUES (?, ?, ?, ?, ?)", rows)
    con.execute(f"""
        CREATE TEMP TABLE long_cells AS
        SELECT r._row, m.skill, m.level, m.error, m.s, m.l FROM raw r
        JOIN long_map m ON m.s = trim(r.{_q(skill_col.key)}) AND m.l = trim(r.{_q(level_col.key)})
    """)
    problems.append(con.execute(
        "SELECT _row, CASE WHEN skill IS NULL THEN ? ELSE ? END AS column_name, "
        "CASE WHEN skill IS NULL THEN s ELSE l END AS value, error AS reason FROM long_cells WHERE error IS NOT NULL",
        [skill_col.code, level_col.code]).df())
    return "UNION ALL SELECT _row, skill, level FROM long_cells WHERE error IS NULL"


def parse_timestamps(texts: pd.Series, fmt: str | None, era: str) -> pd.Series:
    """Submission times as naive local datetimes (NaT where unreadable); Buddhist-era years -> Gregorian."""
    cleaned = texts.astype(object).str.strip()
    for thai, latin in THAI_AM_PM.items():
        cleaned = cleaned.str.replace(thai, latin, regex=False)
    cleaned = cleaned.str.replace(_TZ_SUFFIX, "", regex=True)
    if era == "buddhist":  # shift the year before parsing: 2562 is beyond what datetime64 holds
        cleaned = cleaned.str.replace(r"\b(\d{4})\b", lambda m: str(int(m.group(1)) - 543), n=1, regex=True)
    if fmt:
        return pd.to_datetime(cleaned, format=fmt, errors="coerce")
    # One format inferred for the whole column (fast); anything it misses gets a per-value try.
    parsed = pd.to_datetime(cleaned, errors="coerce")
    retry = parsed.isna() & cleaned.notna()
    if retry.any():
        parsed[retry] = pd.to_datetime(cleaned[retry], format="mixed", errors="coerce")
    if getattr(parsed.dt, "tz", None) is not None:
        parsed = parsed.dt.tz_localize(None)
    return parsed


def _respondent_rows(con, sheet: Sheet, profile: Profile, problems: list) -> pd.DataFrame:
    cols = {name: _field_column(sheet, profile, name) for name in ("id", "team", "role", "location", "submitted_at")}
    missing = list(profile.missing)

    def expr(col: Column | None) -> str:
        if col is None:
            return "NULL::VARCHAR"
        cell = f"trim(replace({_q(col.key)}, chr(160), ' '))"
        return f"CASE WHEN {cell} = '' OR {cell} IN (SELECT m FROM missing_markers) THEN NULL ELSE {cell} END"

    if not con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'missing_markers'").fetchall()[0][0]:
        con.execute("CREATE TEMP TABLE missing_markers (m VARCHAR)")
        if missing:
            con.executemany("INSERT INTO missing_markers VALUES (?)", [[m] for m in missing])
    rows = con.execute(f"""
        SELECT _row, {expr(cols['id'])} AS id_value, {expr(cols['team'])} AS team, {expr(cols['role'])} AS role,
               {expr(cols['location'])} AS location, {expr(cols['submitted_at'])} AS submitted_text
        FROM raw ORDER BY _row
    """).df()
    if cols["id"] is not None:
        no_id = rows[rows["id_value"].isna()]
        problems.append(pd.DataFrame({"_row": no_id["_row"], "column_name": cols["id"].code, "value": "",
                                      "reason": "no email or employee id: the answer can't be attributed"}))
    rows["submitted_at"] = pd.Series(pd.NaT, index=rows.index, dtype="datetime64[us]")
    if cols["submitted_at"] is not None:
        distinct = pd.Series(rows["submitted_text"].dropna().unique(), dtype=object)
        parsed = dict(zip(distinct, parse_timestamps(distinct, profile.submitted_at_format,
                                                     profile.submitted_at_era), strict=True))
        rows["submitted_at"] = pd.to_datetime(rows["submitted_text"].map(parsed), errors="coerce").astype("datetime64[us]")
        bad = rows[rows["submitted_text"].notna() & rows["submitted_at"].isna()]
        problems.append(pd.DataFrame({"_row": bad["_row"], "column_name": cols["submitted_at"].code,
                                      "value": bad["submitted_text"],
                                      "reason": "not a date and time this importer can read"}))
    return rows.drop(columns=["submitted_text"])
