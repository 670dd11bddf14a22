"""Read side of the upload page: ingestion history, waves, and one ingestion's rejected rows."""
from __future__ import annotations

import pandas as pd

from analytics.db import DatabaseMissing, fetch, reader


def ingestion_history(db: str) -> pd.DataFrame:
    """Who loaded what and when, newest first (empty when there is no database yet)."""
    try:
        with reader(db) as con:
            return fetch(con, """
                SELECT i.ingestion_id, w.label AS wave, i.file_name, i.loaded_at, i.loaded_by, i.profile_name,
                       i.rows_read, i.rows_loaded, i.rows_rejected, i.status
                FROM ingestions i JOIN waves w USING (wave_id) ORDER BY i.ingestion_id DESC
            """)
    except DatabaseMissing:
        return pd.DataFrame(columns=["ingestion_id", "wave", "file_name", "loaded_at", "loaded_by", "profile_name",
                                     "rows_read", "rows_loaded", "rows_rejected", "status"])


def wave_list(db: str) -> pd.DataFrame:
    """Existing waves, newest survey first."""
    try:
        with reader(db) as con:
            return fetch(con, "SELECT wave_id, label, survey_date FROM waves ORDER BY survey_date DESC NULLS LAST, label")
    except DatabaseMissing:
        return pd.DataFrame(columns=["wave_id", "label", "survey_date"])


def rejected_rows(db: str, ingestion_id: int) -> pd.DataFrame:
    with reader(db) as con:
        return fetch(con, "SELECT source_row, column_name, value, reason FROM rejected_rows WHERE ingestion_id = ? "
                          "ORDER BY source_row", [ingestion_id])
