"""The survey waves in order, and which one the filters select."""
from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

from analytics.db import fetch
from schemas.metrics import WaveFrame


@dataclass(frozen=True)
class Wave:
    wave_id: int
    label: str
    prev_wave_id: int | None
    prev_label: str | None


def wave_list(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """All waves, oldest first."""
    frame = fetch(con, """
        SELECT o.wave_id, w.label, w.survey_date, o.seq, o.prev_wave_id
        FROM agg_wave_order o JOIN waves w USING (wave_id) ORDER BY o.seq
    """)
    frame["survey_date"] = pd.to_datetime(frame["survey_date"])
    return WaveFrame.validate(frame)


def resolve(con: duckdb.DuckDBPyConnection, wave_id: int | None) -> Wave | None:
    """The wave asked for (None: the latest); None when there is no such wave."""
    rows = fetch(con, """
        SELECT o.wave_id, w.label, o.prev_wave_id, p.label AS prev_label
        FROM agg_wave_order o JOIN waves w USING (wave_id) LEFT JOIN waves p ON p.wave_id = o.prev_wave_id
        WHERE o.wave_id = coalesce($wave::INTEGER, (SELECT wave_id FROM agg_wave_order ORDER BY seq DESC LIMIT 1))
    """, {"wave": wave_id})
    if rows.empty:
        return None
    row = rows.iloc[0]
    prev = None if pd.isna(row["prev_wave_id"]) else int(row["prev_wave_id"])
    return Wave(int(row["wave_id"]), str(row["label"]), prev, None if prev is None else str(row["prev_label"]))
