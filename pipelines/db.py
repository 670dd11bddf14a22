"""The single writer: a cross-process lock, a read-write connection, migrations applied.

DuckDB lets one process write a file at a time, and refuses read-only openers while it does.
So a writer first takes the lock file ``<db>.lock`` (a second writer waits there instead of
failing; dashboards see it and step aside), then opens the database, retrying briefly while
dashboards hold short read-only connections.
"""
from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import duckdb

from common.duck import connect
from common.locks import file_lock
from pipelines.migrate import migrate
from schemas import settings

LOCK_WAIT_SECONDS = 600


@contextlib.contextmanager
def writer(path: str | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """Exclusive read-write connection with the schema migrated to the latest version."""
    path = settings.db_path(path)
    with file_lock(path + ".lock") if settings.is_local(path) else contextlib.nullcontext():
        if settings.is_local(path):
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        con = connect(path, read_only=False, wait_seconds=LOCK_WAIT_SECONDS)
        try:
            migrate(con)
            yield con
        finally:
            con.close()
