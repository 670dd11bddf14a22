"""Short-lived read-only connections to the skills database.

A writer (the ingest pipeline) needs the file to itself, so dashboards open read-only, wait out
a writer's lock with backoff, use a cursor per query and close straight after.
"""
from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from pipelines import config
from pipelines.db import connect_with_retry, is_lock_error

READ_WAIT_SECONDS = 20
AGGREGATES_VERSION = 2  # the migration that created the aggregate tables
_NAMED = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")


class AnalyticsError(Exception):
    """A read-side failure; ``str()`` is one line meant for the user."""


class DatabaseMissing(AnalyticsError):
    """There is no database file yet."""


class DatabaseBusy(AnalyticsError):
    """A writer kept the database locked for longer than we wait."""


class AggregatesMissing(AnalyticsError):
    """The database predates the aggregate tables, or they were never filled."""


@dataclass(frozen=True)
class DataVersion:
    """What the pages key their caches on; ``stale`` when aggregates lag the ingestions."""

    token: str
    stale: bool


@contextlib.contextmanager
def reader(db: str, wait_seconds: float = READ_WAIT_SECONDS) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to ``db``, closed on exit; waits up to ``wait_seconds`` for a writer."""
    path = config.db_path(db)
    if config.is_local(path) and not Path(path).exists():
        raise DatabaseMissing(f"no database at {path}")
    try:
        con = connect_with_retry(path, read_only=True, wait_seconds=wait_seconds)
    except duckdb.Error as exc:
        if is_lock_error(exc):
            raise DatabaseBusy("the database is busy with a data load; try again in a moment") from exc
        raise AnalyticsError(f"cannot open the database: {str(exc).splitlines()[0]}") from exc
    try:
        yield con
    finally:
        con.close()


def fetch(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence | Mapping | None = None) -> pd.DataFrame:
    """Run one query on its own cursor; values are bound (``?`` or ``$name``), never formatted in.

    A mapping may hold more names than the query uses (the shared filter parameters): only the
    ``$name``s present in ``sql`` are passed, as DuckDB refuses extras.
    """
    if isinstance(params, Mapping):
        used = set(_NAMED.findall(sql))
        params = {key: value for key, value in params.items() if key in used}
    elif params is not None:
        params = list(params)
    cur = con.cursor()
    try:
        return cur.execute(sql, params).df() if params else cur.execute(sql).df()
    finally:
        cur.close()


def query(db: str, sql: str, params: Sequence | Mapping | None = None) -> pd.DataFrame:
    """Open, run one query, close."""
    with reader(db) as con:
        return fetch(con, sql, params)


def data_version(db: str, wait_seconds: float = READ_WAIT_SECONDS) -> DataVersion:
    """The current aggregate refresh id: changes whenever an ingestion lands or is removed."""
    with reader(db, wait_seconds) as con:
        check_aggregates(con)
        token, count, max_id = fetch(con, "SELECT refresh_id, ingestion_count, max_ingestion_id FROM agg_meta").iloc[0]
        now = fetch(con, "SELECT count(*) AS n, max(ingestion_id) AS m FROM ingestions").iloc[0]
    stale = int(count) != int(now["n"]) or _int_or_none(max_id) != _int_or_none(now["m"])
    return DataVersion(str(token), stale)


def check_aggregates(con: duckdb.DuckDBPyConnection) -> None:
    """Raise AggregatesMissing unless the aggregate tables exist and have been filled once."""
    try:
        version = fetch(con, "SELECT coalesce(max(version), 0) AS v FROM schema_migrations").iloc[0]["v"]
        filled = len(fetch(con, "SELECT 1 FROM agg_meta LIMIT 1")) > 0 if version >= AGGREGATES_VERSION else False
    except duckdb.CatalogException as exc:
        raise AggregatesMissing("the database has no schema yet") from exc
    if not filled:
        raise AggregatesMissing("the dashboard aggregates have not been built for this database yet")


def _int_or_none(value) -> int | None:
    return None if pd.isna(value) else int(value)
