"""CSV export: formula injection neutralised, numbers untouched, Japanese readable."""
import io

import pandas as pd

from analytics.export import neutralise_formulas, to_csv_bytes


def test_cells_that_could_start_a_formula_are_quoted():
    frame = pd.DataFrame({"name": ["=1+1", "+cmd", "-2+3", "@SUM(A1)", "\tx", "safe", "a=b", None]})
    out = neutralise_formulas(frame)
    assert out["name"].tolist()[:7] == ["'=1+1", "'+cmd", "'-2+3", "'@SUM(A1)", "'\tx", "safe", "a=b"]
    assert pd.isna(out["name"].iloc[7])


def test_numbers_and_headers():
    frame = pd.DataFrame({"=evil": ["x"], "delta": [-0.25], "n": [3]})
    out = neutralise_formulas(frame)
    assert list(out.columns) == ["'=evil", "delta", "n"]
    assert out["delta"].iloc[0] == -0.25


def test_csv_bytes_round_trip_with_bom():
    data = to_csv_bytes(pd.DataFrame({"area_name": ["インフラのコード化", "=HYPERLINK(\"x\")"], "share": [0.5, -0.1]}))
    assert data.startswith("\ufeff".encode())
    back = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")
    assert back["area_name"].tolist() == ["インフラのコード化", "'=HYPERLINK(\"x\")"]
    assert back["share"].tolist() == [0.5, -0.1]


def test_input_frame_is_not_modified():
    frame = pd.DataFrame({"a": ["=x"]})
    neutralise_formulas(frame)
    assert frame["a"].iloc[0] == "=x"
