"""How many people a selection counts, and the rule that a selection under k shows nothing.

A selection counts the people of the reporting groups wholly inside its filters
(analytics/reporting_groups.py).

Cells are suppressed one by one, but a cell that describes nobody (n = 0) stays visible; for a
selection of, say, 3 people those empty cells would still say something about the 3. So when
the whole selection is smaller than k, every row of every metric for it is hidden.
"""
from __future__ import annotations

import duckdb
import pandas as pd

from analytics.db import check_aggregates, reader
from analytics.filters import Filters
from analytics.reporting_groups import serve
from analytics.settings import Settings
from analytics.suppression import SUPPRESSED
from analytics.waves import resolve, wave_list
from schemas.metrics import SelectionFrame


def sizes(con: duckdb.DuckDBPyConnection, f: Filters, k: int) -> dict[int, int]:
    """Respondents the people filters count, per wave."""
    return serve(con, f, k).sizes


def too_small(n: int, k: int) -> bool:
    return 0 < n < k


def hide_rows(frame: pd.DataFrame, rows: pd.Series, columns: list[str]) -> pd.DataFrame:
    """Blank ``columns`` in ``rows`` (boolean, aligned) and mark them suppressed."""
    out = frame.copy()
    mask = rows.to_numpy(dtype=bool)
    for col in columns:
        if pd.api.types.is_float_dtype(out[col]):
            out.loc[mask, col] = float("nan")
        else:
            out.loc[mask, col] = pd.NA
    out[SUPPRESSED] = out[SUPPRESSED].to_numpy(dtype=bool) | mask
    return out


def selection_status(db: str, f: Filters, s: Settings) -> pd.DataFrame:
    """One row saying whether the filters select anyone, so pages can explain an empty view."""
    with reader(db) as con:
        check_aggregates(con)
        n_waves = len(wave_list(con))
        wave = resolve(con, f.wave_id)
        n = sizes(con, f, s.k).get(wave.wave_id, 0) if wave else 0
    if n_waves == 0:
        status = "no_data"
    elif wave is None:
        status = "no_wave"
    else:
        status = "empty" if n == 0 else "too_small" if too_small(n, s.k) else "ok"
    frame = pd.DataFrame([{
        "status": status, "wave_id": wave.wave_id if wave else pd.NA, "wave_label": wave.label if wave else None,
        "n_respondents": pd.NA if status == "too_small" else n, "k": s.k,
    }]).astype({"wave_id": "Int64", "n_respondents": "Int64", "wave_label": object})
    return SelectionFrame.validate(frame)
