"""transform._cell_map: each answer cell paired with every mapping row its text stands for.

Single-answer columns go through Arrow's hash lookup and an UNPIVOT of integers, joined answers
("A;B") through a text join. The oracle is the plain relational form of the same thing: unpivot
the columns as text and join them to the mapping on (column, text). The expected pairs are also
written out by hand for one small sheet.
"""
from __future__ import annotations

import duckdb
import pandas as pd
import pyarrow as pa
import pytest

from pipelines.headers import Sheet
from pipelines.transform import _cell_map

DATA = pa.table({
    "_row": pa.array([2, 3, 4, 5, 6], pa.int32()),
    "c1": ["Expert", "", "  ", "Basic", "Expert"],  # single answers; blank and whitespace cells
    "c2": pa.array(["A;B", "B", "", None, "A;B"], pa.string()),  # a joined answer; a missing cell
    "c3": ["x", "y", "x", "z", ""],  # z stands for no mapping row (a missing marker, say)
})
MIDS = {  # column -> text -> mapping rows, as _transform builds it
    "c1": {"Expert": [0], "  ": [], "Basic": [1]},
    "c2": {"A;B": [2, 3], "B": [4]},
    "c3": {"x": [5], "y": [6], "z": []},
}


def mapping_of(mids: dict) -> pd.DataFrame:
    rows = [(mid, key, val) for key, texts in mids.items() for val, found in texts.items() for mid in found]
    return pd.DataFrame(rows, columns=["mid", "key", "val"]).astype({"mid": "int64"})


def pairs(keys: list[str], mids: dict, data: pa.Table = DATA) -> list[tuple[int, int]]:
    con = duckdb.connect()
    try:
        con.register("raw", data)
        con.register("mapping", mapping_of(mids))
        _cell_map(con, Sheet(columns=[], data=data), keys, mids)
        return sorted(con.execute("SELECT _row, mid FROM cell_map").fetchall())
    finally:
        con.close()


def text_join(keys: list[str], mids: dict, data: pa.Table = DATA) -> list[tuple[int, int]]:
    con = duckdb.connect()
    try:
        con.register("raw", data)
        con.register("mapping", mapping_of(mids))
        cols = ", ".join(keys)
        return sorted(con.execute(f"""
            SELECT c._row, m.mid FROM (UNPIVOT (SELECT _row, {cols} FROM raw) ON {cols} INTO NAME key VALUE val) c
            JOIN mapping m USING (key, val)""").fetchall())
    finally:
        con.close()


def test_cell_map_by_hand():
    assert pairs(["c1", "c2", "c3"], MIDS) == sorted([
        (2, 0), (5, 1), (6, 0),  # c1: Expert, Basic, Expert
        (2, 2), (2, 3), (3, 4), (6, 2), (6, 3),  # c2: A;B stands for two rows, B for one
        (2, 5), (3, 6), (4, 5),  # c3: z maps to nothing
    ])


@pytest.mark.parametrize("keys", [["c1"], ["c2"], ["c1", "c3"], ["c3", "c2", "c1"], []],
                         ids=["single", "joined", "two single", "mixed", "no columns"])
def test_cell_map_matches_the_text_join(keys):
    mids = {key: MIDS[key] for key in keys}
    expected = text_join(keys, mids) if keys else []  # (UNPIVOT needs a column)
    assert pairs(keys, mids) == expected


def test_cell_map_of_a_grid():
    """A larger grid, every column single-answer, against the text join."""
    rows = 500
    levels = ["none", "aware", "basic", "proficient", "expert", "", "n/a"]
    data = pa.table({"_row": pa.array(range(2, rows + 2), pa.int32()),
                     **{f"c{j}": [levels[(i * 7 + j * 3) % len(levels)] for i in range(rows)] for j in range(1, 9)}})
    mids, mid = {}, 0
    for j in range(1, 9):
        mids[f"c{j}"] = {}
        for label in levels[:5] + ["n/a"]:
            mids[f"c{j}"][label] = [] if label == "n/a" else [mid]
            mid += 0 if label == "n/a" else 1
    keys = list(mids)
    got = pairs(keys, mids, data)
    assert got == text_join(keys, mids, data)
    assert len(got) == sum(1 for j in range(1, 9) for i in range(rows) if levels[(i * 7 + j * 3) % len(levels)] not in ("", "n/a"))


def test_a_sheet_without_data_rows_has_no_cells():
    empty = DATA.slice(0, 0)
    assert pairs(["c1", "c3"], {"c1": {}, "c3": {}}, empty) == []


def test_a_file_whose_only_complete_row_is_damaged_is_refused_for_that(tmp_path):
    """No data row left once a ragged one is set aside: the refusal names the damage, not an
    internal error (a sheet of zero rows once reached the cell map)."""
    from pipelines.ingest import Refused, prepare_file

    path = tmp_path / "one_ragged_row.csv"
    path.write_text("Email,Team,Docker,Kubernetes\n,,,\n,,,\na@x.com,A,1\n", encoding="utf-8")
    with pytest.raises(Refused) as refused:
        prepare_file(path)
    assert "fields" in str(refused.value) and "Error" not in str(refused.value)
