"""CSV downloads that are safe to open in a spreadsheet.

A text cell starting with = + - @ (or a tab / carriage return, which some spreadsheets skip
before reading a formula) would be run as a formula when the file is opened (CSV injection).
Such cells get a leading single quote, which spreadsheets show as plain text. Numbers are left
alone: -0.25 in a numeric column is a number, not a formula.
"""
from __future__ import annotations

import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy where every text cell (and text column name) that could start a formula is quoted."""
    out = frame.copy()
    for col in out.columns:
        values = out[col]
        if pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
            continue
        if pd.api.types.is_datetime64_any_dtype(values):
            continue
        out[col] = values.map(_quote, na_action="ignore")
    out.columns = [_quote(c) if isinstance(c, str) else c for c in out.columns]
    return out


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 CSV (with a BOM so spreadsheets read Japanese names correctly), formulas neutralised."""
    return neutralise_formulas(frame).to_csv(index=False).encode("utf-8-sig")


def _quote(value: object) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
