"""Short-lived read-only connections to the skills database.

A writer (the ingest pipeline) needs the file to itself, so dashboards open read-only, wait out
a writer's lock with backoff, use a cursor per query and close straight after.

A page render wraps its reads in ``reading(db)``: every ``reader(db)`` inside shares one
connection, a cursor leased from the process's shared read-only instance of the file
(analytics.read_instance: opening a file costs 13-18 ms), and ``per_read`` functions (the wave
lookup, selection sizes, metrics other metrics reuse) run once per render. The instance steps
aside for writers; while one waits or works, a block waits for it to finish and then opens a
short connection of its own.
"""
from __future__ import annotations

import contextlib
import contextvars
import functools
import inspect
import re
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from analytics import read_instance
from common.duck import connect, is_lock_error
from schemas import settings

READ_WAIT_SECONDS = 20
AGGREGATES_VERSION = 4  # the migration that created the last aggregate tables (the rollups)
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


@dataclass
class _ReadSession:
    db: str
    con: duckdb.DuckDBPyConnection | None = None
    leased: bool = False  # con is a cursor of the shared instance (else the block's own connection)
    broken: bool = False  # a statement hit a fatal DuckDB error: the instance must not be lent again
    memo: dict = field(default_factory=dict)

    def end(self) -> None:
        if self.con is not None:
            if self.leased:
                read_instance.give_back(settings.db_path(self.db), self.con, broken=self.broken)
            else:
                self.con.close()
        self.con, self.leased, self.broken = None, False, False


_SESSION: contextvars.ContextVar[_ReadSession | None] = contextvars.ContextVar("analytics_read_session", default=None)


@contextlib.contextmanager
def reading(db: str) -> Iterator[None]:
    """Share one read-only connection (leased on first use) and the per_read results among every
    read of ``db`` in this block; given back on exit. Per thread: Streamlit runs each session's
    script in its own thread, and a thread starts without the block."""
    session = _ReadSession(db)
    token = _SESSION.set(session)
    try:
        yield
    finally:
        _SESSION.reset(token)
        session.end()


def release(db: str | None = None) -> None:
    """Before this process writes ``db`` (default: the block's database): give back the block's
    connection, forget its results, and close the shared instance if no other render is using
    it (DuckDB won't open a file for writing while the same process has it open read-only)."""
    session = _SESSION.get()
    if session is not None:
        session.end()
        session.memo.clear()
        db = db or session.db
    if db is not None:
        read_instance.close(settings.db_path(db))


def per_read(fn: Callable) -> Callable:
    """Within a ``reading`` block, compute ``fn`` once per distinct arguments; outside one, just
    call it. ``fn``'s first argument says which database: the block's connection or its db path
    (a call about another database is not remembered). Frames come back as copies, so a caller
    can't change what the next caller gets."""
    @functools.wraps(fn)
    def wrapper(first, *args, **kwargs):
        session = _SESSION.get()
        if session is None or (first is not session.con if isinstance(first, duckdb.DuckDBPyConnection)
                               else first != session.db):
            return fn(first, *args, **kwargs)
        bound = inspect.signature(fn).bind(first, *args, **kwargs)  # f(x, 1) and f(x, n=1): one key
        bound.apply_defaults()
        key = (fn.__module__, fn.__qualname__, tuple(bound.arguments.items())[1:])
        if key not in session.memo:
            session.memo[key] = fn(first, *args, **kwargs)
        return _copy(session.memo[key])
    return wrapper


def _copy(value):
    if isinstance(value, pd.DataFrame):
        return value.copy()
    return tuple(_copy(v) for v in value) if isinstance(value, tuple) else value


@contextlib.contextmanager
def reader(db: str, wait_seconds: float = READ_WAIT_SECONDS) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to ``db``, closed on exit; waits up to ``wait_seconds`` for a writer.
    Inside ``reading(db)`` it is the block's shared connection, kept for the next read."""
    session = _SESSION.get()
    if session is not None and session.db == db:
        if session.con is None:
            path = settings.db_path(db)
            cursor = read_instance.lease(path) if settings.is_local(path) and Path(path).exists() else None
            session.con, session.leased = (cursor, True) if cursor is not None else (_open(db, wait_seconds), False)
        yield session.con
        return
    con = _open(db, wait_seconds)
    try:
        yield con
    finally:
        con.close()


def _open(db: str, wait_seconds: float) -> duckdb.DuckDBPyConnection:
    path = settings.db_path(db)
    if settings.is_local(path) and not Path(path).exists():
        raise DatabaseMissing(f"no database at {path}")
    deadline = time.monotonic() + wait_seconds
    # Writers first: a reader opening now would hold the file the writer is queued for (and
    # within this process would join the shared instance that is stepping aside for it).
    while settings.is_local(path) and read_instance.writer_waiting(path):
        if time.monotonic() > deadline:
            raise DatabaseBusy("the database is busy with a data load; try again in a moment")
        time.sleep(0.05)
    try:
        con = connect(path, read_only=True, wait_seconds=max(deadline - time.monotonic(), 0))
    except duckdb.Error as exc:
        if is_lock_error(exc):
            raise DatabaseBusy("the database is busy with a data load; try again in a moment") from exc
        raise AnalyticsError(f"cannot open the database: {str(exc).splitlines()[0]}") from exc
    return con


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
    except duckdb.FatalException:  # DuckDB has invalidated the database instance behind `con`
        session = _SESSION.get()
        if session is not None and session.con is con:
            session.broken = True
        raise
    finally:
        cur.close()


def query(db: str, sql: str, params: Sequence | Mapping | None = None) -> pd.DataFrame:
    """Open, run one query, close."""
    with reader(db) as con:
        return fetch(con, sql, params)


def data_version(db: str, wait_seconds: float = READ_WAIT_SECONDS) -> DataVersion:
    """The current aggregate refresh id: changes whenever an ingestion lands or is removed."""
    with reader(db, wait_seconds) as con:
        meta = check_aggregates(con)
    stale = int(meta["ingestion_count"]) != int(meta["n_now"]) or (
        _int_or_none(meta["max_ingestion_id"]) != _int_or_none(meta["max_now"]))
    return DataVersion(str(meta["refresh_id"]), stale)


@per_read
def check_aggregates(con: duckdb.DuckDBPyConnection) -> pd.Series:
    """Raise AggregatesMissing unless the aggregate tables exist and have been filled once.

    Returns the last refresh's stamp (agg_meta) with the ingestions as they are now (n_now,
    max_now), which data_version compares; one query, as every page render starts here.
    """
    try:
        meta = fetch(con, """
            SELECT (SELECT coalesce(max(version), 0) FROM schema_migrations) AS version,
                   m.refresh_id, m.ingestion_count, m.max_ingestion_id,
                   (SELECT count(*) FROM ingestions) AS n_now, (SELECT max(ingestion_id) FROM ingestions) AS max_now
            FROM agg_meta m
        """)
    except duckdb.CatalogException as exc:  # agg_meta exists from version 2, schema_migrations from 1
        raise AggregatesMissing("the dashboard aggregates have not been built for this database yet") from exc
    # One agg_meta row once a refresh has filled the aggregates; the rollups need version 4.
    if meta.empty or meta["version"].iloc[0] < AGGREGATES_VERSION:
        raise AggregatesMissing("the dashboard aggregates have not been built for this database yet")
    return meta.iloc[0]


def _int_or_none(value) -> int | None:
    return None if pd.isna(value) else int(value)
