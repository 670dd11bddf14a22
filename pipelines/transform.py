"""Apply a profile to a sheet: the canonical frames, and a report of every cell that is wrong.

Answers are mapped through small dictionaries built from the *distinct* texts of each question
column (a 100,000-row grid has a handful of distinct labels), so Python touches only those, never
each cell. Arrow's hash kernels turn the cells into mapping ids, and one DuckDB UNPIVOT of those
integers gives every (row, mapping id) pair the SQL below works from.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from common.duck import quote_ident as _q
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
    """What one file's answers say, keyed by spreadsheet row (`_row`). The respondents' own
    columns come from `respondent_rows`, which can run beside this."""

    answers: pd.DataFrame  # _row, skill_id, level
    cloud: pd.DataFrame  # _row, provider, kind
    interests: pd.DataFrame  # _row, skill_id
    problems: pd.DataFrame  # _row, column_name, value, reason
    questions_used: int
    unmapped_options: dict[str, list[str]]
    skill_columns: dict[str, str]  # skill_id -> the header of the (first) column that rated it
    offered: pd.DataFrame  # question, skill_id: the skills each question asked about (question_skills)


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


def _column_skill(code: str, opt: str, q: Question, lookup) -> tuple[bool, str | None]:
    """The skill a column stands for: the question's map by column name, then by its option label."""
    if code in q.skills:
        return True, q.skills[code]
    return _skill_for(opt, q, lookup)


def _map_token(q: Question, qi: int, code: str, opt: str, token: str, lookup, label_maps, profile: Profile,
               unmapped: dict) -> tuple[str | None, int | None, str | None]:
    """(target, level, error) for one answer token of question `q` in column `code` (option `opt`)."""
    if q.kind == "rating":
        known, skill = _column_skill(code, opt, q, lookup)
        if not known or skill is None:
            raise ProfileError(f"question {q.name!r}: column {opt!r} names no known skill; "
                               "map it under skills: or add it to the taxonomy")
        scale = q.scale or profile.scale
        level = to_level(token, label_maps[qi], scale)
        err = None if level is not None else (
            f"'{token}' is not a proficiency level (expected a number on the {scale[0]}-{scale[1]} scale "
            f"or one of {describe_labels(label_maps[qi])})")
        return skill, level, err
    if q.kind == "cloud":
        return to_provider(token, q.providers), None, None
    # picked / interest: the option is the cell's text, or the column's own label
    if q.skill_from == "cell":
        known, skill = _skill_for(token, q, lookup)
    else:
        known, skill = _column_skill(code, opt, q, lookup)
    label = token if q.skill_from == "cell" else opt
    if not known:
        unmapped.setdefault(q.name, []).append(label)
    return skill, (q.level if q.kind == "picked" else None), None


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
    colmap = _question_columns(sheet, profile)
    long_columns = _long_columns(sheet, profile)
    keys = list(dict.fromkeys(k for k, *_ in colmap))
    unmapped: dict[str, list[str]] = {}
    mapping, mids = _map_distinct(sheet, profile, colmap, keys, lookup, unmapped)
    con.register("mapping", mapping)
    _cell_map(con, sheet, keys, mids)
    con.execute("""
        CREATE TEMP VIEW mapped AS
        SELECT c._row, m.q, m.kind, m.cloud_kind, m.col_label, m.val, m.target, m.level::SMALLINT AS level, m.error
        FROM cell_map c JOIN mapping m USING (mid)
    """)
    problems = _cell_problems(con)
    offered = _offered_picks(con, profile, colmap, lookup)
    _check_skills_known(mapping, offered, known_skills)
    _gate_rows(con, sheet, profile)
    long_sql = _long_layout(con, profile, *long_columns, lookup, problems) if long_columns else ""
    answers = _answers(con, known_skills, long_sql, _one_answer_per_skill(profile, mapping, offered))
    cloud = con.execute("""
        SELECT DISTINCT _row, target AS provider, cloud_kind AS kind FROM mapped WHERE kind = 'cloud'
    """).df()
    interests = con.execute("""
        SELECT DISTINCT _row, target AS skill_id FROM mapped WHERE kind = 'interest' AND target IS NOT NULL
    """).df()
    return Canonical(answers, cloud, interests, concat_problems(problems), len(profile.questions),
                     {k: sorted(set(v))[:20] for k, v in unmapped.items()}, _skill_columns(mapping, keys),
                     _offered_skills(con, profile, colmap, lookup, bool(long_columns)))


def _question_columns(sheet: Sheet, profile: Profile) -> list[tuple[str, int, str, str]]:
    """Which column feeds which question: (column key, question index, column label, the option
    the column itself names)."""
    colmap = []
    for qi, q in enumerate(profile.questions):
        cols = select(sheet, q.columns.names, q.columns.match, q.columns.exclude)
        if not cols:
            raise ProfileError(f"question {q.name!r}: no column matches {q.columns.names or q.columns.match!r}")
        colmap += [(col.key, qi, col.code, col.option or col.code) for col in cols]
    return colmap


def _long_columns(sheet: Sheet, profile: Profile) -> tuple[Column, Column] | None:
    """The skill and level columns of a long layout (None for a wide one)."""
    if profile.layout != "long":
        return None
    skill_col, level_col = sheet.find(profile.long_skill or ""), sheet.find(profile.long_level or "")
    if skill_col is None or level_col is None:
        raise ProfileError("long layout: the skill or level column is not in this file")
    return skill_col, level_col


def _map_distinct(sheet: Sheet, profile: Profile, colmap, keys: list[str], lookup,
                  unmapped: dict) -> tuple[pd.DataFrame, dict[str, dict[str, list[int]]]]:
    """The mapping (one row per column, distinct cell text and answer token in it) and, per column
    and text, the mapping rows that text stands for.

    Each distinct text is mapped once, in Python: trimmed, joined answers split, missing markers
    dropped, then each token read as a level, a skill or a provider. The distinct texts of a column
    come from Arrow's hash kernel; an empty cell is no answer."""
    info = {key: (qi, label, opt) for key, qi, label, opt in colmap}
    missing_keys = {norm(m) for m in profile.missing}
    label_maps = {qi: label_map({**profile.labels, **q.labels}, profile.replace_labels)
                  for qi, q in enumerate(profile.questions) if q.kind == "rating"}
    token_cache: dict[tuple[int, str, str, str], tuple] = {}
    records: list[tuple] = []
    mids: dict[str, dict[str, list[int]]] = {}
    for key in keys:
        qi, col_label, opt = info[key]
        q = profile.questions[qi]
        mids[key] = {}
        for val in pc.unique(sheet.data.column(key)).to_pylist():
            if not val:
                continue
            cell = val.replace("\u00a0", " ").strip()
            tokens = [t.strip() for t in cell.split(q.separator)] if q.separator else [cell]
            mids[key][val] = []
            for token in dict.fromkeys(t for t in tokens if t and norm(t) not in missing_keys):
                cache_key = (qi, col_label, opt, token)
                if cache_key not in token_cache:
                    token_cache[cache_key] = _map_token(q, qi, col_label, opt, token, lookup, label_maps, profile,
                                                        unmapped)
                target, level, err = token_cache[cache_key]
                mids[key][val].append(len(records))
                records.append((key, val, qi, q.kind, q.cloud_kind, col_label, target, level, err))
    mapping = pd.DataFrame(records, columns=["key", "val", "q", "kind", "cloud_kind", "col_label", "target",
                                             "level", "error"]).astype({"level": "Int16"})
    mapping.insert(0, "mid", range(len(mapping)))
    return mapping, mids


def _cell_problems(con) -> list[pd.DataFrame]:
    """Cells that map to an error, and single-choice cloud answers naming several providers."""
    errors = con.execute(
        "SELECT DISTINCT _row, col_label AS column_name, val AS value, error AS reason FROM mapped WHERE error IS NOT NULL"
    ).df()
    contradictions = con.execute("""
        SELECT _row, any_value(col_label) AS column_name, string_agg(DISTINCT val, ' | ') AS value,
               'a single-choice cloud question holds ' || count(DISTINCT target) || ' different providers' AS reason
        FROM mapped WHERE kind = 'cloud' AND cloud_kind = 'preferred'
        GROUP BY _row, q HAVING count(DISTINCT target) > 1
    """).df()
    return [errors, contradictions]


def _offered_picks(con, profile: Profile, colmap, lookup) -> list[tuple[int, str]]:
    """picks_offered (q, target): the options each multi-select offers; returns the ones its map
    or its columns name.

    The options are its map's skills when the map names any (then it is the profile's full option
    list), else every skill somebody picked. A write-in that happens to name a skill counts for
    its writer but never becomes an option everyone else "didn't pick"."""
    offered = []
    for qi, q in enumerate(profile.questions):
        if q.kind == "picked":
            offered += [(qi, s) for s in q.skills.values() if s]
            if q.skill_from == "header":
                offered += [(qi, skill) for key, cq, label, opt in colmap if cq == qi
                            for known, skill in [_column_skill(label, opt, q, lookup)] if skill]
    con.execute("CREATE TEMP TABLE offered (q INTEGER, target VARCHAR)")
    if offered:
        con.executemany("INSERT INTO offered VALUES (?, ?)", list(dict.fromkeys(offered)))
    mapped_questions = [qi for qi, q in enumerate(profile.questions)
                        if q.kind == "picked" and any(q.skills.values())]
    con.execute("CREATE TEMP TABLE mapped_questions (q INTEGER)")
    if mapped_questions:
        con.executemany("INSERT INTO mapped_questions VALUES (?)", [[qi] for qi in mapped_questions])
    con.execute("""
        CREATE TEMP TABLE picks_offered AS
        SELECT q, target FROM offered
        UNION SELECT DISTINCT q, target FROM mapped
        WHERE kind = 'picked' AND target IS NOT NULL AND q NOT IN (SELECT q FROM mapped_questions)
    """)
    return offered


def _check_skills_known(mapping: pd.DataFrame, offered: list[tuple[int, str]], known_skills: set[str]) -> None:
    """Every mapping row stands for cells that exist, so the mapping says which skills answers
    name; a multi-select's map also offers skills nobody picked."""
    unknown = (set(mapping.loc[mapping["kind"].isin(["rating", "picked"]), "target"].dropna())
               | {target for _, target in offered}) - known_skills
    if unknown:
        raise ProfileError(f"the profile maps answers to skills missing from the taxonomy: {sorted(unknown)[:5]}")


# Ratings and picks -> one level per respondent x skill (the highest when several say so). A
# multi-select answered at all covers every skill it offers: unpicked ones are level 0.
_ANSWERS_SQL = """
    SELECT _row, skill_id, max(level)::TINYINT AS level FROM (
        SELECT _row, target::skill_t AS skill_id, level FROM mapped WHERE kind = 'rating' AND error IS NULL
        UNION ALL
        SELECT a._row, o.target::skill_t, CASE WHEN p._row IS NULL THEN 0 ELSE p.level END AS level
        FROM (SELECT DISTINCT _row, q FROM mapped WHERE kind = 'picked' UNION SELECT _row, q FROM gate_rows) a
        JOIN picks_offered o USING (q)
        LEFT JOIN (SELECT DISTINCT _row, q, target, level FROM mapped WHERE kind = 'picked') p
               ON p._row = a._row AND p.q = a.q AND p.target = o.target
        UNION ALL  -- picks outside the offered options (write-ins naming a skill): the picker's only
        SELECT _row, target::skill_t, level FROM mapped WHERE kind = 'picked' AND target IS NOT NULL
        {long}
    ) GROUP BY _row, skill_id
"""
# A grid with one column per skill and one answer per cell names each (row, skill) once, so it
# needs no GROUP BY (which, at 6 M cells, costs more than all the rest of the transform).
_GRID_ANSWERS_SQL = """
    SELECT _row, target::skill_t AS skill_id, level::TINYINT AS level FROM mapped WHERE kind = 'rating' AND error IS NULL
"""


def _answers(con, known_skills: set[str], long_sql: str, one_per_cell: bool) -> pd.DataFrame:
    """_row, skill_id, level: one row per respondent and skill."""
    # An ENUM comes back to pandas as a categorical: millions of answers, a few dozen skill names.
    con.register("_skill_ids", pd.DataFrame({"s": sorted(known_skills)}))
    con.execute("CREATE TYPE skill_t AS ENUM (SELECT s FROM _skill_ids)")
    sql = _GRID_ANSWERS_SQL if one_per_cell else _ANSWERS_SQL.format(long=long_sql)
    return con.sql(sql).to_arrow_table().to_pandas()  # faster than .df()


def _gate_rows(con, sheet: Sheet, profile: Profile) -> None:
    """gate_rows (_row, q): the rows that answered the gate of a gated question. A gated question
    was shown only after certain answers to its gate, so its population is everyone who answered
    the gate: those the follow-up never reached count as picking none of its options."""
    missing_keys = {norm(m) for m in profile.missing}
    parts = [pa.table({"_row": pa.array([], pa.int32()), "q": pa.array([], pa.int32())})]
    for qi, q in enumerate(profile.questions):
        if q.gate is None:
            continue
        cols = select(sheet, q.gate.names, q.gate.match, q.gate.exclude)
        if not cols:
            raise ProfileError(f"question {q.name!r}: no gate column matches {q.gate.names or q.gate.match!r}")
        # A cell answers the gate unless it is empty or a missing marker; each distinct text is read once.
        answered = None
        for col in cols:
            cells = sheet.data.column(col.key)
            texts = [v for v in pc.unique(cells).to_pylist()
                     if v and norm(v) and norm(v) not in missing_keys]
            hit = pc.fill_null(pc.is_in(cells, value_set=pa.array(texts, pa.string())), False)
            answered = hit if answered is None else pc.or_(answered, hit)
        rows = pc.filter(sheet.data.column("_row"), answered).cast(pa.int32())
        parts.append(pa.table({"_row": rows, "q": pa.array([qi] * len(rows), pa.int32())}))
    con.register("gate_rows", pa.concat_tables(parts))


LONG_LAYOUT_QUESTION = "long layout"  # the question_skills name of a long layout's skill column


def _offered_skills(con, profile: Profile, colmap, lookup, long_layout: bool) -> pd.DataFrame:
    """(question, skill_id): which skills each question asked about, answered or not, so a later
    wave can be compared with this one over what both asked. A rating question asks about its
    columns' skills, a multi-select about its options (picks_offered), a long layout about the
    skills its rows name."""
    rows = [(profile.questions[qi].name, skill) for key, qi, label, opt in colmap
            if profile.questions[qi].kind == "rating"
            for _, skill in [_column_skill(label, opt, profile.questions[qi], lookup)] if skill]
    names = {qi: q.name for qi, q in enumerate(profile.questions)}
    rows += [(names[qi], skill) for qi, skill in con.execute("SELECT q, target FROM picks_offered").fetchall()]
    if long_layout:
        rows += [(LONG_LAYOUT_QUESTION, skill) for (skill,) in con.execute(
            "SELECT DISTINCT skill FROM long_cells WHERE error IS NULL").fetchall()]
    return pd.DataFrame(list(dict.fromkeys(rows)), columns=["question", "skill_id"], dtype=object)


def _one_answer_per_skill(profile: Profile, mapping: pd.DataFrame, offered: list) -> bool:
    """True for a wide grid whose skills are each rated by one column, one rating per cell, with
    no multi-select: no (row, skill) can come twice."""
    ratings = mapping.loc[mapping["kind"] == "rating", ["key", "target"]].drop_duplicates()
    return (profile.layout == "wide" and not offered and not (mapping["kind"] == "picked").any()
            and not ratings["target"].duplicated().any()
            and not any(q.separator for q in profile.questions if q.kind == "rating"))


def _skill_columns(mapping: pd.DataFrame, keys: list[str]) -> dict[str, str]:
    """skill_id -> the header a problem with the skill is reported under: the first column (in the
    sheet's order) that rates it, whatever order the mapping is in."""
    position = {key: i for i, key in enumerate(keys)}
    ratings = mapping.loc[mapping["kind"] == "rating", ["key", "target", "col_label"]]
    skill_columns: dict[str, str] = {}
    for _, target, label in sorted(ratings.itertuples(index=False), key=lambda r: position[r[0]]):
        skill_columns.setdefault(target, label)
    return skill_columns


def _cell_map(con, sheet: Sheet, keys: list[str], mids: dict[str, dict[str, list[int]]]) -> None:
    """Temp table cell_map (_row, mid): one row per answer cell and mapping row it stands for, two
    integers each, so the joins that read it stay cheap at millions of cells.

    A column whose every text stands for at most one mapping row (a rating grid, a single choice)
    is turned into mapping ids by Arrow's hash lookup, and DuckDB unpivots those integer columns:
    no text is unpivoted or joined. A column with joined answers ("A;B": one text, several mapping
    rows) is unpivoted as text and joined to the mapping instead.
    """
    single = [k for k in keys if all(len(m) <= 1 for m in mids[k].values())]
    joined = [k for k in keys if k not in single]
    parts = []
    if single:
        columns = {"_row": sheet.data.column("_row")}
        for i, key in enumerate(single):
            texts = [val for val, found in mids[key].items() if found]
            position = pc.index_in(sheet.data.column(key), value_set=pa.array(texts, pa.string()))
            columns[f"m{i}"] = pc.take(pa.array([mids[key][val][0] for val in texts], pa.int32()), position)
        # In batches of 16 K rows: DuckDB scans an Arrow table one batch per thread (0.13 s -> 0.06 s).
        mids_table = pa.table(columns)
        con.register("cell_mids", pa.Table.from_batches(mids_table.to_batches(max_chunksize=1 << 14),
                                                        schema=mids_table.schema))
        on = ", ".join(f"m{i}" for i in range(len(single)))
        parts.append(f"SELECT _row, mid FROM (UNPIVOT cell_mids ON {on} INTO NAME col VALUE mid)")
    if joined:
        cols_sql = ", ".join(_q(k) for k in joined)
        parts.append(f"""
            SELECT c._row, m.mid
            FROM (UNPIVOT (SELECT _row, {cols_sql} FROM raw) ON {cols_sql} INTO NAME key VALUE val) c
            JOIN mapping m USING (key, val)""")
    if not parts:
        parts.append("SELECT NULL::INTEGER AS _row, NULL::BIGINT AS mid WHERE false")
    con.execute("CREATE TEMP TABLE cell_map AS " + " UNION ALL ".join(parts))


def concat_problems(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """Row-level problems (_row, column_name, value, reason) in the order found."""
    found = [p for p in parts if len(p)]
    if found:
        return pd.concat(found, ignore_index=True)
    return pd.DataFrame({"_row": pd.Series(dtype="int32"), "column_name": pd.Series(dtype=object),
                         "value": pd.Series(dtype=object), "reason": pd.Series(dtype=object)})


def respondent_rows(sheet: Sheet, profile: Profile) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The respondents' own columns (_row, id_value, team, role, location, submitted_at) and the
    problems found in them. On a DuckDB connection of its own, so it can run in a thread while
    `transform` maps the answers."""
    con = duckdb.connect()
    try:
        con.register("raw", sheet.data)
        problems: list[pd.DataFrame] = []
        rows = _respondent_rows(con, sheet, profile, problems)
        return rows, concat_problems(problems)
    finally:
        con.close()


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
    return "UNION ALL SELECT _row, skill::skill_t, level FROM long_cells WHERE error IS NULL"


def parse_timestamps(texts: pd.Series, fmt: str | None, era: str) -> pd.Series:
    """Submission times as naive local datetimes (NaT where unreadable); Buddhist-era years -> Gregorian."""
    cleaned = texts.astype("str").str.strip()  # Arrow-backed text: these passes run in C++, GIL released
    for thai, latin in THAI_AM_PM.items():
        cleaned = cleaned.str.replace(thai, latin, regex=False)
    if cleaned.str.contains("GMT|UTC", case=False, regex=True).any():
        cleaned = cleaned.astype(object).str.replace(_TZ_SUFFIX, "", regex=True)
    if era == "buddhist":  # shift the year before parsing: 2562 is beyond what datetime64 holds
        cleaned = cleaned.astype(object).str.replace(r"\b(\d{4})\b", lambda m: str(int(m.group(1)) - 543),
                                                     n=1, regex=True)
    try:
        if fmt:
            parsed = pd.to_datetime(cleaned, format=fmt, errors="coerce")
        else:  # one format inferred for the whole column (fast); anything it misses gets a per-value try
            parsed = pd.to_datetime(cleaned, errors="coerce")
            retry = parsed.isna() & cleaned.notna()
            if retry.any():
                parsed[retry] = pd.to_datetime(cleaned[retry], format="mixed", errors="coerce")
    except (TypeError, ValueError):  # offsets that differ, or zoned next to naive: one value at a time
        return pd.Series([_local_time(text, fmt) for text in cleaned], index=cleaned.index, dtype="datetime64[ns]")
    if getattr(parsed.dt, "tz", None) is not None:
        parsed = parsed.dt.tz_localize(None)
    return parsed


def _local_time(text, fmt: str | None):
    """One submission time as the local wall-clock time it states (its offset dropped), or NaT."""
    if not isinstance(text, str):
        return pd.NaT
    try:
        stamp = pd.to_datetime(text, format=fmt) if fmt else pd.to_datetime(text)
    except (TypeError, ValueError, OverflowError):
        return pd.NaT
    return stamp.tz_localize(None) if stamp.tzinfo is not None else stamp


def _respondent_rows(con, sheet: Sheet, profile: Profile, problems: list) -> pd.DataFrame:
    cols = {name: _field_column(sheet, profile, name) for name in ("id", "team", "role", "location", "submitted_at")}
    missing = list(profile.missing)

    def expr(col: Column | None) -> str:
        if col is None:
            return "NULL::VARCHAR"
        cell = f"trim(replace({_q(col.key)}, chr(160), ' '))"
        return f"CASE WHEN {cell} = '' OR {cell} IN (SELECT m FROM missing_markers) THEN NULL ELSE {cell} END"

    con.execute("CREATE TEMP TABLE missing_markers (m VARCHAR)")
    if missing:
        con.executemany("INSERT INTO missing_markers VALUES (?)", [[m] for m in missing])
    rows = con.sql(f"""
        SELECT _row, {expr(cols['id'])} AS id_value, {expr(cols['team'])} AS team, {expr(cols['role'])} AS role,
               {expr(cols['location'])} AS location, {expr(cols['submitted_at'])} AS submitted_text
        FROM raw ORDER BY _row
    """).to_arrow_table().to_pandas()  # the same frame as .df() gives, in a third of the time
    if cols["id"] is not None:
        no_id = rows[rows["id_value"].isna()]
        problems.append(pd.DataFrame({"_row": no_id["_row"], "column_name": cols["id"].code, "value": "",
                                      "reason": "no email or employee id: the answer can't be attributed"}))
    rows["submitted_at"] = pd.Series(pd.NaT, index=rows.index, dtype="datetime64[us]")
    if cols["submitted_at"] is not None:
        # Parse each distinct text once and spread it back by position (no per-row Python).
        codes, distinct = pd.factorize(rows["submitted_text"], sort=False)
        parsed = parse_timestamps(pd.Series(distinct, dtype=object), profile.submitted_at_format,
                                  profile.submitted_at_era).astype("datetime64[us]").to_numpy()
        parsed = np.append(parsed, np.datetime64("NaT", "us"))  # code -1 (no text) -> NaT
        rows["submitted_at"] = pd.Series(parsed[codes], index=rows.index)
        bad = rows[rows["submitted_text"].notna() & rows["submitted_at"].isna()]
        problems.append(pd.DataFrame({"_row": bad["_row"], "column_name": cols["submitted_at"].code,
                                      "value": bad["submitted_text"],
                                      "reason": "not a date and time this importer can read"}))
        # A submission can't come from the future; centuries ahead is a Buddhist-era year (2568 = 2025).
        now = pd.Timestamp.now()
        future = rows[rows["submitted_at"] > now + pd.Timedelta(days=1)]
        problems.append(pd.DataFrame({
            "_row": future["_row"], "column_name": cols["submitted_at"].code, "value": future["submitted_text"],
            "reason": ["submission time is in the future" + (
                f" (year {t.year}: a Thai Buddhist-era year? declare era: buddhist in the profile)"
                if t.year - now.year > 400 else "") for t in future["submitted_at"]]}))
        rows.loc[future.index, "submitted_at"] = pd.NaT
    return rows.drop(columns=["submitted_text"])
