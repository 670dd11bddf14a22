"""The survey waves in order, and which one the filters select."""
from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

from analytics.db import fetch, per_read
from schemas.metrics import WaveFrame


@dataclass(frozen=True)
class Wave:
    wave_id: int
    label: str
    prev_wave_id: int | None
    prev_label: str | None


@per_read
def wave_list(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """All waves, oldest first."""
    frame = fetch(con, """
        SELECT o.wave_id, w.label, w.survey_date, o.seq, o.prev_wave_id
        FROM agg_wave_order o JOIN waves w USING (wave_id) ORDER BY o.seq
    """)
    frame["survey_date"] = pd.to_datetime(frame["survey_date"])
    return WaveFrame.validate(frame)


@per_read
def resolve(con: duckdb.DuckDBPyConnection, wave_id: int | None) -> Wave | None:
    """The wave asked for (None: the latest); None when there is no such wave. Looked up in
    wave_list, which a page render reads once."""
    waves = wave_list(con)
    if waves.empty:
        return None
    rows = waves.iloc[[-1]] if wave_id is None else waves[waves["wave_id"] == int(wave_id)]
    if rows.empty:
        return None
    row = rows.iloc[0]
    prev = None if pd.isna(row["prev_wave_id"]) else int(row["prev_wave_id"])
    prev_label = None if prev is None else str(waves.loc[waves["wave_id"] == prev, "label"].iloc[0])
    return Wave(int(row["wave_id"]), str(row["label"]), prev, prev_label)
