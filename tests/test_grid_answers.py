"""transform._grid_answers: a simple grid's answers straight from the cells' mapping ids.

It stands in for the SQL

    SELECT c._row, m.target::skill_t AS skill_id, m.level::TINYINT AS level
    FROM cell_map c JOIN mapping m USING (mid) WHERE m.kind = 'rating' AND m.error IS NULL

on a grid with one rating column per skill and one rating per cell. The oracle is that SQL, run in
DuckDB on the same cell map (built by `_cell_map`, as `_transform` builds it) over seeded random
grids; one small sheet's answers are also written out by hand, and a generated Google-Forms CSV
goes through `transform` both ways (the grid shortcut, and the SQL path with the shortcut barred).
"""
from __future__ import annotations

import csv
import dataclasses
import random

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from pipelines import taxonomy
from pipelines import transform as transform_module
from pipelines.headers import Sheet
from pipelines.ingest import resolve_profile
from pipelines.read_file import read_any
from pipelines.transform import _cell_map, _grid_answers

ORACLE_SQL = """
    SELECT c._row, m.target::skill_t AS skill_id, m.level::TINYINT AS level
    FROM cell_map c JOIN mapping m USING (mid) WHERE m.kind = 'rating' AND m.error IS NULL
"""
MAPPING_COLUMNS = ["key", "val", "q", "kind", "cloud_kind", "col_label", "target", "level", "error"]


def mapping_frame(records: list[tuple]) -> pd.DataFrame:
    """The mapping as `_transform` lays it out: `mid` is the row's position."""
    mapping = pd.DataFrame(records, columns=MAPPING_COLUMNS).astype({"level": "Int16"})
    mapping.insert(0, "mid", range(len(mapping)))
    return mapping


def run_both(data: pa.Table, keys: list[str], mids: dict, mapping: pd.DataFrame, skills: list[str],
             as_table: bool = True, con=None) -> tuple[pd.DataFrame, list[tuple], list[str]]:
    """(_grid_answers' frame, the SQL's rows, the order of the columns it was given). On a fresh
    connection, or on `con` (a connection costs 15 ms; many cases share one), left as found."""
    own = con is None
    con = duckdb.connect() if own else con
    try:
        con.register("raw", data)
        con.register("mapping", mapping)
        mid_columns = _cell_map(con, Sheet(columns=[], data=data), keys, mids, as_table=as_table)
        got = _grid_answers(data.column("_row"), list(mid_columns.values()), mapping, skills)
        con.register("_skill_ids", pd.DataFrame({"s": skills}))
        con.execute("CREATE TYPE skill_t AS ENUM (SELECT s FROM _skill_ids)")
        return got, con.execute(ORACLE_SQL).fetchall(), list(mid_columns)
    finally:
        if own:
            con.close()
        else:
            con.execute(f"DROP {'TABLE' if as_table else 'VIEW'} IF EXISTS cell_map")
            con.execute("DROP TYPE IF EXISTS skill_t")


def as_tuples(frame: pd.DataFrame) -> list[tuple]:
    return list(zip(frame["_row"].tolist(), frame["skill_id"].astype(object).tolist(), frame["level"].tolist(),
                    strict=True))


def assert_shape(got: pd.DataFrame, skills: list[str]) -> None:
    assert list(got.columns) == ["_row", "skill_id", "level"]
    assert got["_row"].dtype == np.int32
    assert isinstance(got["skill_id"].dtype, pd.CategoricalDtype)
    assert list(got["skill_id"].cat.categories) == skills and not got["skill_id"].cat.ordered
    assert got["level"].dtype == np.int8
    assert isinstance(got.index, pd.RangeIndex) and got.index.equals(pd.RangeIndex(len(got)))


# --- by hand -------------------------------------------------------------------------------------

# Four respondents; c1 rates terraform, c2 is a cloud question, c3 rates docker. The columns' order
# is not the skills' alphabetical order, and rows 2 and 5 answer both, so row-major order shows.
HAND = pa.table({
    "_row": pa.array([2, 3, 4, 5], pa.int32()),
    "c1": pa.array(["Expert", "", "guru", "Basic"], pa.string()),  # guru: a text that is no level
    "c2": pa.array(["AWS", "GCP", None, ""], pa.string()),
    "c3": pa.array(["Basic", "n/a", "Expert", "None"], pa.string()),  # n/a: a missing marker
})
HAND_MIDS = {"c1": {"Expert": [0], "guru": [1], "Basic": [2]}, "c2": {"AWS": [3], "GCP": [4]},
             "c3": {"Basic": [5], "n/a": [], "Expert": [6], "None": [7]}}
HAND_MAPPING = mapping_frame([
    ("c1", "Expert", 0, "rating", "uses", "Terraform", "terraform", 4, None),
    ("c1", "guru", 0, "rating", "uses", "Terraform", "terraform", None, "'guru' is not a proficiency level"),
    ("c1", "Basic", 0, "rating", "uses", "Terraform", "terraform", 2, None),
    ("c2", "AWS", 1, "cloud", "preferred", "Cloud", "AWS", None, None),
    ("c2", "GCP", 1, "cloud", "preferred", "Cloud", "GCP", None, None),
    ("c3", "Basic", 0, "rating", "uses", "Docker", "docker", 2, None),
    ("c3", "Expert", 0, "rating", "uses", "Docker", "docker", 4, None),
    ("c3", "None", 0, "rating", "uses", "Docker", "docker", 0, None),
])
HAND_SKILLS = ["docker", "kubernetes", "terraform"]  # kubernetes is rated by no column


@pytest.mark.parametrize("as_table", [True, False], ids=["table", "view"])
def test_a_small_grid_by_hand(as_table):
    got, sql_rows, _ = run_both(HAND, ["c1", "c2", "c3"], HAND_MIDS, HAND_MAPPING, HAND_SKILLS, as_table)
    skill = pd.CategoricalDtype(HAND_SKILLS, ordered=False)
    expected = pd.DataFrame({
        "_row": np.array([2, 2, 4, 5, 5], np.int32),  # row 3 has no rating; row 4's c1 is an error
        "skill_id": pd.Series(["terraform", "docker", "docker", "terraform", "docker"], dtype=skill),
        "level": np.array([4, 2, 4, 2, 0], np.int8),
    })
    assert_shape(got, HAND_SKILLS)
    pd.testing.assert_frame_equal(got, expected)
    assert sorted(sql_rows) == sorted(as_tuples(expected))


def test_the_tinyint_range_survives_by_hand():
    """Levels at and past the ends of the scale, down to -128 and up to 127, come back unchanged."""
    data = pa.table({"_row": pa.array([7, 9, 10, 11, 12], pa.int32()),
                     "c1": pa.array(["lo", "hi", "minus", "zero", "lo"], pa.string())})
    mids = {"c1": {"lo": [0], "hi": [1], "minus": [2], "zero": [3]}}
    mapping = mapping_frame([("c1", text, 0, "rating", "uses", "Go", "go", level, None)
                             for text, level in [("lo", -128), ("hi", 127), ("minus", -1), ("zero", 0)]])
    got, sql_rows, _ = run_both(data, ["c1"], mids, mapping, ["aws", "go"])
    assert_shape(got, ["aws", "go"])
    assert as_tuples(got) == [(7, "go", -128), (9, "go", 127), (10, "go", -1), (11, "go", 0), (12, "go", -128)]
    assert sorted(sql_rows) == sorted(as_tuples(got))


# --- against the SQL, on random grids ------------------------------------------------------------

SKILL_POOL = ["aws", "azure", "c++", "docker", "go", "istio", "kubernetes", "node.js", "python", "rust",
              "terraform", "ภาษาไทย"]
TEXTS = ["Expert", "Basic", "None", "3", "4 - Expert", "  ", " Aware ", "n/a", "guru", "ไม่มี", "x;y", "AWS;GCP",
         "Ünïcode", '"quoted"']
LEVELS = [-128, -127, -1, 0, 1, 2, 3, 4, 5, 7, 8, 42, 126, 127]


def random_grid(rng: random.Random):
    """A grid `_transform` would send down the simple path: each rating column rates its own skill,
    each cell of a rating column stands for at most one mapping row, levels fit a TINYINT. Cloud and
    interest columns ride along, some with joined answers ("A;B")."""
    n_rows = rng.choice([0, 1, 1, 2, 3, 5, 8, 20, 60, 150])
    n_cols = rng.randint(1, 8)
    skills = sorted(rng.sample(SKILL_POOL, rng.randint(n_cols, len(SKILL_POOL))))
    rated = iter(rng.sample(skills, n_cols))
    start = rng.randint(2, 50)
    row_ids = sorted(rng.sample(range(start, start + 3 * n_rows + 1), n_rows))  # ascending, with gaps
    kinds = [rng.choices(["rating", "cloud", "interest"], [6, 1, 1])[0] for _ in range(n_cols)]
    columns = {"_row": pa.array(row_ids, pa.int32())}
    for j in range(n_cols):
        vocab = rng.sample(TEXTS, rng.randint(0, 6))
        cells = [rng.choice([*vocab, "", None]) if vocab or rng.random() < 0.5 else None for _ in range(n_rows)]
        columns[f"c{j}"] = pa.array(cells, pa.string())
    data = pa.table(columns)
    if n_rows > 1 and rng.random() < 0.5:  # several Arrow chunks, as a large file is read
        data = pa.Table.from_batches(data.to_batches(max_chunksize=rng.randint(1, n_rows)), schema=data.schema)
    keys = [f"c{j}" for j in range(n_cols)]
    rng.shuffle(keys)  # the questions' order need not be the sheet's

    records, mids = [], {}
    for key in keys:
        kind = kinds[int(key[1:])]
        target = next(rated) if kind == "rating" else None
        mids[key] = {}
        for val in pc.unique(data.column(key)).to_pylist():
            if not val:
                continue
            mids[key][val] = []
            # a rating question has no separator on the simple path; the others may join answers
            tokens = [val] if kind == "rating" else [t for t in val.split(";") if t.strip()]
            for token in tokens:
                fate = rng.choices(["skip", "level", "error", "error with level"], [1, 6, 2, 1])[0]
                if fate == "skip":  # a missing marker: the text stands for nothing
                    continue
                if kind == "rating" and fate == "level":
                    row = (target, rng.choice(LEVELS), None)
                elif kind == "rating":
                    level = rng.choice(LEVELS) if fate == "error with level" else None
                    row = (target, level, f"'{token}' is not a proficiency level")
                elif kind == "cloud":
                    row = (rng.choice(["AWS", "GCP", "Other"]), None, None)
                else:
                    row = (rng.choice([*skills, None]), None, None)
                mids[key][val].append(len(records))
                records.append((key, val, 0 if kind == "rating" else 1, kind, "uses", key, *row))
    mapping = mapping_frame(records)
    rating_keys = mapping.loc[mapping["kind"] == "rating"].groupby("target")["key"].nunique()
    assert (rating_keys == 1).all() and mapping["level"].dropna().between(-128, 127).all()  # the simple path's terms
    return data, keys, mids, mapping, skills


def test_random_grids_match_the_sql():
    rng = random.Random(20250611)
    cases = answered = 0
    with duckdb.connect() as con:
        for case in range(200):
            data, keys, mids, mapping, skills = random_grid(rng)
            got, sql_rows, order = run_both(data, keys, mids, mapping, skills, rng.random() < 0.5, con)
            where = f"case {case}: {data.num_rows} rows, columns {keys}"
            assert_shape(got, skills)
            assert sorted(as_tuples(got)) == sorted(sql_rows), where
            # Row-major: row by row, and within a row the columns in the order given. On this path each
            # skill is rated by one column, so the skill says which column an answer came from.
            column_of = {target: order.index(key) for key, target in
                         mapping.loc[mapping["kind"] == "rating", ["key", "target"]].itertuples(index=False)}
            place = [(row, column_of[skill]) for row, skill, _ in as_tuples(got)]
            assert place == sorted(place) and len(set(place)) == len(place), where
            cases += 1
            answered += len(got) > 0
    assert cases == 200 and answered > 100  # most grids hold answers, so the comparison bites


# --- end to end: transform on a Google-Forms grid ------------------------------------------------

GRID_HEADER = ["Timestamp", "Email Address", "Team", "Rate your skills [Docker]", "Which cloud do you prefer?",
               "Rate your skills [Terraform]", "Rate your skills [Kubernetes]", "What would you like to learn next?"]
RATED = {3: "docker", 5: "terraform", 6: "kubernetes"}  # header position -> skill, left to right
# What each rating text means (the levels file's labels, numbers on the default 0-4 scale, which
# pass out-of-range numbers through for validation to report); "guru" and "" are no answer.
MEANS = {"None": 0, "Aware": 1, "Basic": 2, "Proficient": 3, "Expert": 4, "0": 0, "2": 2, "4": 4, "7": 7, "-1": -1}


def google_forms_grid(path, n: int, seed: int) -> tuple[list[tuple], int]:
    """A grid export of n respondents: the answers it holds, in row-major order, and how many
    rating cells hold no level."""
    rng = random.Random(seed)
    rows, answers, errors = [GRID_HEADER], [], 0
    for i in range(n):
        row = [f"2025/03/{1 + i % 28:02d} 10:00:00", f"person{i:03d}@example.com", f"T{i}"]
        row += [rng.choice([*MEANS, "guru", ""]), rng.choice(["AWS", "GCP", "Azure", ""]),
                rng.choice([*MEANS, "guru", ""]), rng.choice([*MEANS, "guru", ""]),
                rng.choice(["Istio;Terraform", "Docker", ""])]
        rows.append(row)
        answers += [(i + 2, skill, MEANS[row[col]]) for col, skill in RATED.items() if row[col] in MEANS]
        errors += sum(row[col] == "guru" for col in RATED)
    with open(path, "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)
    return answers, errors


def test_transform_of_a_grid_gives_the_sql_paths_answers(tmp_path, monkeypatch):
    expected, errors = google_forms_grid(tmp_path / "grid.csv", 60, seed=7)
    tax = taxonomy.builtin()
    profile, _, sheet = resolve_profile(read_any(tmp_path / "grid.csv"), None, tax)

    calls = []
    real = transform_module._grid_answers
    monkeypatch.setattr(transform_module, "_grid_answers", lambda *a: calls.append(1) or real(*a))
    fast = transform_module.transform(sheet, profile, tax)
    assert calls == [1]  # the grid went down the simple path

    # The same profile with a separator no cell holds: the same answers, but off the simple path,
    # so they come from the SQL (and _grid_answers must not be asked).
    def barred(*args):
        raise AssertionError("_grid_answers used on the SQL path")

    monkeypatch.setattr(transform_module, "_grid_answers", barred)
    split = [dataclasses.replace(q, separator="|") if q.kind == "rating" else q for q in profile.questions]
    slow = transform_module.transform(sheet, dataclasses.replace(profile, questions=split), tax)

    assert as_tuples(fast.answers) == expected  # by hand, row-major
    assert sorted(as_tuples(slow.answers)) == sorted(expected)
    assert fast.answers.dtypes.equals(slow.answers.dtypes)
    assert fast.answers["skill_id"].dtype == slow.answers["skill_id"].dtype
    assert isinstance(fast.answers.index, pd.RangeIndex)
    assert len(fast.problems) == errors > 0
    assert sorted(fast.problems.itertuples(index=False)) == sorted(slow.problems.itertuples(index=False))


def test_a_sheet_whose_only_columns_hold_joined_answers_has_no_ratings():
    """No single-answer column at all (`_cell_map` returns none): an empty frame, still typed."""
    data = pa.table({"_row": pa.array([2, 3], pa.int32()), "c1": pa.array(["AWS;GCP", None], pa.string())})
    mapping = mapping_frame([("c1", "AWS;GCP", 0, "cloud", "uses", "Cloud", provider, None, None)
                             for provider in ("AWS", "GCP")])
    got, sql_rows, order = run_both(data, ["c1"], {"c1": {"AWS;GCP": [0, 1]}}, mapping, ["docker"])
    assert order == [] and sql_rows == [] and len(got) == 0
    assert_shape(got, ["docker"])
