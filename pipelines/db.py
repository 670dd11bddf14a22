"""The single writer: a cross-process lock, a read-write connection, migrations applied.

DuckDB lets one process write a file at a time, and refuses read-only openers while it does.
So a writer first takes an OS file lock (a second writer waits here instead of failing), then
opens the database, retrying briefly while dashboards hold short read-only connections.
"""
from __future__ import annotations

import contextlib
import fcntl
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb

from pipelines import config
from pipelines.migrate import migrate

LOCK_WAIT_SECONDS = 600


def is_lock_error(exc: BaseException) -> bool:
    text = str(exc).lower()
    return "lock" in text or "different configuration" in text or "conflicting" in text


def connect_with_retry(path: str, read_only: bool, wait_seconds: float = 60) -> duckdb.DuckDBPyConnection:
    """Open ``path``, waiting out another process's lock instead of failing at once."""
    deadline = time.monotonic() + wait_seconds
    delay = 0.02
    while True:
        try:
            return duckdb.connect(path, read_only=read_only)
        except duckdb.Error as exc:
            if not is_lock_error(exc) or time.monotonic() > deadline:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 0.5)


@contextlib.contextmanager
def writer(path: str | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """Exclusive read-write connection with the schema migrated to the latest version."""
    path = config.db_path(path)
    lock_file = None
    if config.is_local(path):
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        lock_file = open(path + ".lock", "a+")  # noqa: SIM115 - held for the whole block
        fcntl.flock(lock_file, fcntl.LOCK_EX)
    try:
        con = connect_with_retry(path, read_only=False, wait_seconds=LOCK_WAIT_SECONDS)
        try:
            migrate(con)
            yield con
        finally:
            con.close()
    finally:
        if lock_file is not None:
            fcntl.flock(lock_file, fcntl.LOCK_UN)
            lock_file.close()
