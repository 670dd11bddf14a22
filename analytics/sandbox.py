"""The analyst SQL console's query runner: one read-only statement, locked down by DuckDB itself.

Layers, each enough on its own for the common escapes:
1. DuckDB's own parser classifies the text before anything runs: exactly one statement, and only a
   read (SELECT / WITH / DESCRIBE / SHOW / SUMMARIZE / EXPLAIN of a read / PIVOT).
2. The connection is read-only, with external access (files, network, extensions) off and the
   configuration locked, so a statement the parser let through still cannot write or read files.
   These settings are read back from the connection before the query runs.
3. A time limit (the query is interrupted), a memory limit with no spilling to disk, and a row cap.
4. For the app, analytics.sandbox_process runs all this in a child process with a capped heap,
   because a single huge value is allocated outside DuckDB's memory limit and some functions
   only notice the interrupt when they finish.

Every failure is a :class:`SandboxError` whose ``str()`` is one line meant for the analyst.
"""
from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa

from analytics import read_instance
from pipelines import child, config
from pipelines.db import is_lock_error

# What the console can run, as the analyst would name it.
READ_STATEMENTS = "SELECT, WITH, DESCRIBE, SHOW, SUMMARIZE, EXPLAIN or PIVOT"
# Reads DuckDB types as SELECT but an analyst names otherwise; the rest (WITH, FROM ...) show as SELECT.
_SELECT_KINDS = {"DESCRIBE", "SHOW", "SUMMARIZE", "PIVOT", "PIVOT_WIDER", "UNPIVOT", "PIVOT_LONGER"}


@dataclass(frozen=True)
class Limits:
    """How much one console query may use."""

    timeout_s: float = 10.0
    memory_limit: str = "1GB"
    threads: int = 2
    max_rows: int = 10_000
    lock_wait_s: float = 5.0  # how long to wait out a writer holding the database file
    max_sql_chars: int = 100_000
    # Cap on a query process's heap (see cap_process_memory): DuckDB's memory_limit governs its
    # buffer pool, but a single value such as repeat('x', 2000000000) is allocated outside it.
    process_memory_bytes: int = 2 * 1024**3

    def connection_config(self) -> dict:
        """DuckDB settings of a sandbox connection (all verified to exist in duckdb 2.0).

        Connections to one file in one process must share settings, so keep these identical for
        every sandbox connection of the process (timeout and row cap are not settings).
        """
        return {
            "enable_external_access": False,  # no files, URLs, ATTACH, COPY, INSTALL/LOAD
            "autoinstall_known_extensions": False,
            "autoload_known_extensions": False,
            "allow_community_extensions": False,
            "memory_limit": self.memory_limit,
            "threads": self.threads,
            "temp_directory": "",  # never spill to disk: too big a query fails instead of writing files
            "lock_configuration": True,  # last: SET / RESET / PRAGMA can no longer undo the above
        }


DEFAULT_LIMITS = Limits()


class SandboxError(Exception):
    """A query the console would not or could not run. ``str()`` is one readable line."""

    label = "failed"

    def __init__(self, message: str):
        super().__init__(one_line(message))

    def line(self) -> str:
        """The message as shown to the analyst, e.g. ``refused: INSERT is not allowed ...``."""
        return f"{self.label}: {self}"


class QueryRefused(SandboxError):
    """The statement is not a single read, or it tried to reach outside the database."""

    label = "refused"


class QueryTimeout(SandboxError):
    label = "timed out"


class QueryFailed(SandboxError):
    """DuckDB ran the query and it failed (syntax error, unknown column, out of memory ...)."""

    label = "failed"


class DatabaseUnavailable(SandboxError):
    label = "unavailable"


def one_line(text: object, limit: int = 300) -> str:
    """The first non-empty line of ``text``, whitespace collapsed and capped at ``limit`` characters."""
    lines = [part.strip() for part in str(text).splitlines() if part.strip()]
    line = " ".join(lines[0].split()) if lines else "unknown error"
    return line if len(line) <= limit else line[: limit - 1] + "…"


@dataclass(frozen=True)
class QueryResult:
    """At most ``Limits.max_rows`` rows of a query's result."""

    table: pa.Table
    column_types: list[str]
    kind: str  # SELECT, DESCRIBE, EXPLAIN, PIVOT ...
    truncated: bool  # the query had more rows than the cap
    elapsed_s: float
    frame: pd.DataFrame = field(repr=False, compare=False)

    @property
    def row_count(self) -> int:
        return self.table.num_rows


# ---------------------------------------------------------------------------------------------
# 1. classification by DuckDB's parser


def classify(sql: str, limits: Limits = DEFAULT_LIMITS) -> str:
    """The kind of read ``sql`` is (``SELECT``, ``EXPLAIN``, ``PIVOT`` ...), or :class:`QueryRefused`.

    Parsed with DuckDB's own parser on a throwaway in-memory connection, so a refused statement
    never reaches the analytics database.
    """
    if not isinstance(sql, str) or not sql.strip():
        raise QueryRefused("the query is empty")
    if len(sql) > limits.max_sql_chars:
        raise QueryRefused(f"the query is longer than {limits.max_sql_chars:,} characters")
    parser = duckdb.connect(":memory:", config={"enable_external_access": False, "lock_configuration": True})
    try:
        return _classify_text(parser, sql, depth=0)
    except SandboxError:
        raise
    except Exception as exc:  # e.g. text the parser can't take at all: refuse, in one line
        raise QueryRefused(f"the statement could not be classified: {one_line(exc)}") from None
    finally:
        parser.close()


def _classify_text(parser: duckdb.DuckDBPyConnection, sql: str, depth: int) -> str:
    statements = _parse(parser, sql)
    if not statements:
        raise QueryRefused("the query is empty (only comments or semicolons)")
    if len(statements) > 1:
        raise QueryRefused(f"one statement at a time, found {len(statements)} (separated by ';')")
    statement = statements[0]
    first = _first_keyword(statement.query)
    try:
        kind = statement.type
    except ValueError:  # a statement type the Python client has no name for, e.g. UPDATE EXTENSIONS
        raise QueryRefused(f"{first or 'this statement'} is not allowed; the console runs a single read-only "
                           f"{READ_STATEMENTS} statement") from None
    if kind == duckdb.StatementType.SELECT:
        return first if first in _SELECT_KINDS else "SELECT"
    if first == "EXPLAIN" and kind in (duckdb.StatementType.EXPLAIN, duckdb.StatementType.MULTI) and depth == 0:
        # EXPLAIN ANALYZE runs its statement: the explained statement must be a read too.
        _classify_text(parser, _explained(parser, statement.query), depth=1)
        return "EXPLAIN"
    if kind == duckdb.StatementType.MULTI and first in ("PIVOT", "PIVOT_WIDER"):
        # A PIVOT without an IN list is parsed into several steps (finding the values, then the
        # query). Only a statement that *is* a PIVOT is accepted: CREATE TABLE ... AS PIVOT and
        # INSERT ... PIVOT are MULTI too.
        return "PIVOT"
    if kind == duckdb.StatementType.MULTI:
        raise QueryRefused("a PIVOT without an IN (...) list must be the whole statement; list the values with IN (...)")
    name = kind.name if first in ("", "WITH") else first  # WITH ... DELETE is a DELETE
    raise QueryRefused(f"{name} is not allowed; the console runs a single read-only {READ_STATEMENTS} statement")


def _parse(parser: duckdb.DuckDBPyConnection, sql: str) -> list:
    try:
        return parser.extract_statements(sql)
    except duckdb.Error as exc:
        raise QueryFailed(str(exc)) from None


def _tokens(sql: str) -> list[tuple[str, str]]:
    """(text, token type) of each non-comment token, using DuckDB's tokenizer (byte offsets)."""
    raw = sql.encode("utf-8")
    found = duckdb.tokenize(sql)
    out = []
    for i, (offset, kind) in enumerate(found):
        end = found[i + 1][0] if i + 1 < len(found) else len(raw)
        if kind != duckdb.token_type.comment:
            out.append((raw[offset:end].decode("utf-8", "replace").strip(), kind.name))
    return out


def _first_keyword(sql: str) -> str:
    tokens = _tokens(sql)
    return tokens[0][0].upper() if tokens and tokens[0][1] == "keyword" else ""


def _explained(parser: duckdb.DuckDBPyConnection, sql: str) -> str:
    """The statement an ``EXPLAIN [ANALYZE] [(options)] statement`` explains."""
    raw = sql.encode("utf-8")
    found = [(offset, kind) for offset, kind in duckdb.tokenize(sql) if kind != duckdb.token_type.comment]
    words = _tokens(sql)
    i = 1  # past EXPLAIN
    if i < len(words) and words[i][0].upper() in ("ANALYZE", "ANALYSE"):
        i += 1
    rest = raw[found[i][0]:].decode("utf-8") if i < len(found) else ""
    if i < len(words) and words[i][0] == "(":
        # Either "(SELECT ...)" - the statement itself - or "(FORMAT json, ...) statement".
        with contextlib.suppress(SandboxError):
            if len(_parse(parser, rest)) == 1:
                return rest
        depth = 0
        for j in range(i, len(words)):
            depth += {"(": 1, ")": -1}.get(words[j][0], 0)
            if depth == 0:
                return raw[found[j + 1][0]:].decode("utf-8") if j + 1 < len(found) else ""
        return ""
    return rest


# ---------------------------------------------------------------------------------------------
# 2. the locked-down connection


def default_db() -> str:
    """The database the console reads when no path is given (--db, then $SKILLS_DB, then data/)."""
    return config.db_path(None)


def database_file(db: str | os.PathLike | None = None) -> Path | None:
    """The local database file, or None when it is remote or doesn't exist (yet)."""
    path = config.db_path(db)
    return Path(path) if config.is_local(path) and Path(path).is_file() else None


@contextlib.contextmanager
def connect(db: str | os.PathLike | None = None, limits: Limits = DEFAULT_LIMITS) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only, locked-down connection to the analytics database, closed on exit.

    Its settings are read back before it is handed out; for trusted catalog queries (the schema
    browser) as well as the analyst's statement.
    """
    path = config.db_path(db)
    # The dashboards' shared instance of the file has the default settings: it steps aside meanwhile.
    with read_instance.set_aside(path):
        con = _open(path, limits)
        try:
            _check_locked_down(con)
            yield con
        finally:
            con.close()


def _open(path: str, limits: Limits) -> duckdb.DuckDBPyConnection:
    if not config.is_local(path):
        raise DatabaseUnavailable("the SQL console reads a local database file only")
    if not Path(path).is_file():
        raise DatabaseUnavailable(f"database not found: {path}")
    # A writer (another process) locks the file; a connection of this process opened with other
    # settings refuses a second configuration. Both are short-lived, so wait them out briefly.
    # (Opening the file through ATTACH on a private in-memory instance would dodge the second
    # case, but closing it would drop this process's OS lock on the file for the other connection.)
    deadline = time.monotonic() + limits.lock_wait_s
    delay = 0.02
    while True:
        try:
            return duckdb.connect(path, read_only=True, config=limits.connection_config())
        except duckdb.Error as exc:
            if not is_lock_error(exc):
                raise DatabaseUnavailable(f"cannot open the database: {one_line(exc)}") from None
            if time.monotonic() > deadline:
                if "different configuration" in str(exc):
                    raise DatabaseUnavailable(
                        "the database is open in this process with other settings; try again in a moment"
                    ) from None
                raise DatabaseUnavailable("the database is busy (being written); try again in a moment") from None
            time.sleep(delay)
            delay = min(delay * 2, 0.25)


def _check_locked_down(con: duckdb.DuckDBPyConnection) -> None:
    """Refuse to go on unless DuckDB reports the connection as read-only, sealed and locked."""
    rows = con.execute(
        "SELECT current_setting('enable_external_access'), current_setting('lock_configuration'), "
        "(SELECT readonly FROM duckdb_databases() WHERE database_name = current_database())"
    ).fetchall()  # fetchall: a half-read result would block the connection
    if rows != [(False, True, True)]:
        raise DatabaseUnavailable("the sandbox connection is not locked down; nothing was run")


def cap_process_memory(limits: Limits = DEFAULT_LIMITS) -> None:
    """Limit this process's heap (RLIMIT_DATA) for a process that only runs console queries.

    Past the cap an allocation fails and DuckDB reports it as out of memory, instead of the
    machine swapping or the OOM killer choosing a victim. Never raises the limit.
    """
    child.cap_memory(limits.process_memory_bytes)


# ---------------------------------------------------------------------------------------------
# 3. running with a time limit and a row cap


class TimeLimit:
    """Interrupt ``con``'s running query after ``seconds``; ``fired`` tells whether it did.

    A watcher thread (a repeating timer) calls ``con.interrupt()``, and keeps calling it until the
    block ends, because an interrupt that lands just before DuckDB starts executing is lost.
    """

    def __init__(self, con: duckdb.DuckDBPyConnection, seconds: float):
        self._con = con
        self._seconds = seconds
        self._done = threading.Event()
        self._lock = threading.Lock()  # the connection is never interrupted after the block ends
        self._thread = threading.Thread(target=self._watch, name="sql-console-time-limit", daemon=True)
        self.fired = False

    def _watch(self) -> None:
        if self._done.wait(self._seconds):
            return
        self.fired = True
        while True:
            with self._lock:
                if self._done.is_set():
                    return
                self._con.interrupt()
            if self._done.wait(0.05):
                return

    def __enter__(self) -> TimeLimit:
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        with self._lock:
            self._done.set()
        self._thread.join()


def run_query(sql: str, db: str | os.PathLike | None = None, limits: Limits = DEFAULT_LIMITS) -> QueryResult:
    """Run one analyst statement in the sandbox; at most ``limits.max_rows`` rows come back.

    Raises :class:`QueryRefused`, :class:`QueryTimeout`, :class:`QueryFailed` or
    :class:`DatabaseUnavailable`; never anything else for bad input.
    """
    kind = classify(sql, limits)
    with connect(db, limits) as con:
        started = time.monotonic()
        guard = TimeLimit(con, limits.timeout_s)
        try:
            with guard:
                relation = con.sql(sql)
                if relation is None:  # not expected for a read, but never crash on it
                    table, truncated, types = pa.table({}), False, []
                else:
                    types = [str(t) for t in relation.types]
                    table, truncated = _fetch(relation, limits.max_rows)
        except duckdb.Error as exc:
            if guard.fired and isinstance(exc, duckdb.InterruptException):
                raise QueryTimeout(f"the query ran longer than {limits.timeout_s:g} s and was stopped") from None
            raise _translate(exc, limits) from None
        except Exception as exc:  # e.g. a type Arrow can't carry: still one line, never a traceback
            raise QueryFailed(f"{type(exc).__name__}: {one_line(exc)}") from None
        elapsed = time.monotonic() - started
    table = _plain_unions(_unique_names(table))
    try:
        frame = table.to_pandas()
    except Exception as exc:  # e.g. a union type pandas has no block for
        raise QueryFailed(f"the result could not be shown: {one_line(exc)}") from None
    return QueryResult(table=table, column_types=types, kind=kind, truncated=truncated, elapsed_s=elapsed, frame=frame)


def _fetch(relation: duckdb.DuckDBPyRelation, max_rows: int) -> tuple[pa.Table, bool]:
    """Stream batches until more than ``max_rows`` rows arrived: the rest is never computed."""
    reader = relation.to_arrow_reader(min(max_rows + 1, 10_000))
    try:
        batches, rows = [], 0
        for batch in reader:
            batches.append(batch)
            rows += batch.num_rows
            if rows > max_rows:
                break
        table = pa.Table.from_batches(batches, schema=reader.schema)
    finally:
        reader.close()
    return (table.slice(0, max_rows), True) if rows > max_rows else (table, False)


def _unique_names(table: pa.Table) -> pa.Table:
    """SELECT 1 a, 2 a is legal SQL; grids and files need distinct (case-insensitive) names."""
    seen: set[str] = set()
    names = []
    for name in table.column_names:
        new, n = name, 1
        while new.casefold() in seen:
            n += 1
            new = f"{name}_{n}"
        seen.add(new.casefold())
        names.append(new)
    return table if names == table.column_names else table.rename_columns(names)


def _plain_unions(table: pa.Table) -> pa.Table:
    """UNION columns have no pandas equivalent: show them as text."""
    for i, column in enumerate(table.columns):
        if pa.types.is_union(column.type):
            text = pa.array([None if v is None else str(v) for v in column.to_pylist()], pa.string())
            table = table.set_column(i, table.field(i).name, text)
    return table


def _translate(exc: duckdb.Error, limits: Limits) -> SandboxError:
    text = one_line(exc)
    if isinstance(exc, duckdb.PermissionException):
        return QueryRefused(f"files, network and extensions are off in the SQL console ({text})")
    if "read-only mode" in text:
        return QueryRefused("the database is read-only in the SQL console")
    if "configuration has been locked" in text:
        return QueryRefused("settings cannot be changed in the SQL console")
    if isinstance(exc, duckdb.OutOfMemoryException):
        return QueryFailed(f"the query needs more than the {limits.memory_limit} memory limit; filter or aggregate first")
    if isinstance(exc, duckdb.InterruptException):
        return QueryTimeout("the query was interrupted")
    return QueryFailed(text)
