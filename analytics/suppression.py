"""Minimum group size: hide every cell describing fewer than k people, and enough others that a
hidden cell cannot be worked back out from a published total.

Primary suppression hides a cell whose group (``count_col``: the people the cell describes) has
0 < n < k. An empty cell (n = 0) describes nobody and stays visible.

Complementary suppression: a *partition* is a set of cells whose total is published elsewhere
(the teams within one area add up to the area's figure). If exactly one cell of a partition is
hidden, total minus the others would reveal it, so the next smallest non-empty cell of that
partition is hidden too. Partitions are given as the columns that stay fixed within one
(``[["area_id"]]``: for each area, its teams; ``[[]]``: the whole frame). Hiding a cell can leave
another partition with exactly one hidden cell, so this repeats until nothing changes.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

SUPPRESSED = "suppressed"


def suppress(
    frame: pd.DataFrame,
    count_col: str,
    hide: Sequence[str],
    k: int,
    partitions: Sequence[Sequence[str]] = (),
) -> pd.DataFrame:
    """A copy of ``frame`` with ``hide`` columns (and ``count_col``) blanked in hidden cells.

    Adds a boolean ``suppressed`` column. Integer columns become nullable (Int64) so a hidden
    count is <NA>, not a float.
    """
    mask = hidden_cells(frame[count_col], frame, k, partitions)
    return apply_mask(frame, mask, [count_col, *hide])


def hidden_cells(
    counts: pd.Series, frame: pd.DataFrame, k: int, partitions: Sequence[Sequence[str]] = ()
) -> pd.Series:
    """Boolean mask (aligned to ``frame``) of the cells to hide."""
    n = counts.fillna(0).to_numpy(dtype="int64")
    mask = (n > 0) & (n < k)
    groupings = [_group_ids(frame, cols) for cols in partitions]
    changed = True
    while changed:
        changed = False
        for groups in groupings:
            for members in groups:
                hidden = mask[members]
                if hidden.sum() != 1:
                    continue
                candidates = members[~hidden & (n[members] > 0)]
                if len(candidates) == 0:
                    continue
                # Smallest group first; ties go to the earliest row so the result is stable.
                pick = candidates[np.argmin(n[candidates])]  # argmin returns the first of equal minima
                mask[pick] = True
                changed = True
    return pd.Series(mask, index=frame.index, name=SUPPRESSED)


def apply_mask(frame: pd.DataFrame, mask: pd.Series, columns: Sequence[str]) -> pd.DataFrame:
    out = frame.copy()
    hidden = mask.to_numpy(dtype=bool)
    for col in dict.fromkeys(columns):
        if pd.api.types.is_integer_dtype(out[col]) or pd.api.types.is_bool_dtype(out[col]):
            out[col] = out[col].astype("Int64" if pd.api.types.is_integer_dtype(out[col]) else "boolean")
        elif not pd.api.types.is_float_dtype(out[col]):
            out[col] = out[col].astype(object)
        if hidden.any():  # the usual case at scale is nothing to hide: skip the indexed writes
            out.loc[hidden, col] = pd.NA if not pd.api.types.is_float_dtype(out[col]) else np.nan
    out[SUPPRESSED] = hidden
    return out


def _group_ids(frame: pd.DataFrame, cols: Sequence[str]) -> list[np.ndarray]:
    """Positional row indices of each partition."""
    if not cols:
        return [np.arange(len(frame))]
    codes = frame.groupby(list(cols), sort=False, dropna=False).ngroup().to_numpy()
    return [np.flatnonzero(codes == g) for g in np.unique(codes)]
