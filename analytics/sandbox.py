"""The analyst SQL console's query runner: one read-only statement, locked down by DuckDB itself.

Layers, each enough on its own for the common escapes:
1. DuckDB's own parser classifies the text before anything runs: exactly one statement, and only a
   read (SELECT / WITH / DESCRIBE / SHOW / SUMMARIZE / EXPLAIN of a read / PIVOT). On its parse
   tree (json_serialize_sql), every table named must be one of the tier's objects or a CTE in
   scope, every table function one of :data:`TABLE_FUNCTIONS`, and no function may report the
   server's state (:data:`SERVER_STATE_FUNCTIONS`), whatever the case, quoting or qualification.
2. The query runs on a fresh in-memory database that holds only what the analyst's tier may read
   (analytics.console_tiers): the analytics file is attached read-only, or not at all; external
   access is off, the local file system disabled (so not even the attached file can be read as
   bytes) and the configuration locked. These are read back and probed before the query runs.
3. A time limit (the query is interrupted), a memory limit with no spilling to disk, and caps on
   the rows and on the bytes fetched.
4. For the app, analytics.sandbox_process runs all this - parsing included - in a child process
   with a capped heap, killed at the time limit, because a single huge value is allocated outside
   DuckDB's memory limit and some functions ignore the interrupt.

Every failure is a :class:`SandboxError` whose ``str()`` is one line meant for the analyst.
"""
from __future__ import annotations

import contextlib
import json
import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa

from analytics import console_tiers, read_instance
from analytics import settings as settings_mod
from common import child
from common.duck import is_lock_error, retry_on_lock
from schemas import settings

# What the console can run, as the analyst would name it.
READ_STATEMENTS = "SELECT, WITH, DESCRIBE, SHOW, SUMMARIZE, EXPLAIN or PIVOT"
# Reads DuckDB types as SELECT but an analyst names otherwise; the rest (WITH, FROM ...) show as SELECT.
_SELECT_KINDS = {"DESCRIBE", "SHOW", "SUMMARIZE", "PIVOT", "PIVOT_WIDER", "UNPIVOT", "PIVOT_LONGER"}
# The only table functions a statement may call: they read no table, file or catalog.
TABLE_FUNCTIONS = frozenset({"range", "generate_series", "unnest"})
# Functions whose answer is the server's state (settings and paths, the catalog, the session,
# sequences, variables, logs), not a function of their arguments; with the name prefixes below.
SERVER_STATE_FUNCTIONS = frozenset({
    "current_setting", "current_database", "current_catalog", "current_schema", "current_schemas",
    "current_query", "current_query_id", "current_connection_id", "current_transaction_id", "current_role",
    "current_user", "session_user", "user", "getenv", "getvariable", "nextval", "currval", "setval",
    "txid_current", "in_search_path", "write_log", "col_description", "obj_description", "shobj_description",
    "format_pg_type", "map_to_pg_oid", "json_execute_serialized_sql",
})
SERVER_STATE_PREFIXES = ("duckdb_", "pg_", "pragma_", "has_", "parse_duckdb_")
# SHOW TABLES lists the console database's own tables; SHOW ALL TABLES, SHOW DATABASES ... more.
_SHOW_SPECIAL = frozenset({'"tables"'})
_QUALIFIERS = frozenset({(), ("main",), ("memory",), ("memory", "main")})


@dataclass(frozen=True)
class Limits:
    """How much one console query may use."""

    timeout_s: float = 10.0
    memory_limit: str = "1GB"
    threads: int = 2
    max_rows: int = 10_000
    lock_wait_s: float = 5.0  # how long to wait out a writer holding the database file
    max_sql_chars: int = 100_000
    # Deeper nesting costs DuckDB's parser seconds and hundreds of MB (99,000 levels: 1.9 s, 567 MB)
    # for no query an analyst writes; counted on DuckDB's tokens, so parentheses in strings don't count.
    max_nesting: int = 1_000
    # Cap on a query process's heap (see cap_process_memory): DuckDB's memory_limit governs its
    # buffer pool, but a single value such as repeat('x', 2000000000) is allocated outside it.
    process_memory_bytes: int = 2 * 1024**3
    # Cap on the result's Arrow buffers: fetching stops before a batch would pass it, so a result
    # of huge values never reaches the app's process (which would keep it per session).
    max_result_bytes: int = 32 * 1024**2

    def connection_config(self) -> dict:
        """DuckDB settings of the console's in-memory database (all verified to exist in duckdb 2.0).

        The analytics file is attached after these; :data:`SEAL` then switches files off and locks
        the configuration (timeout and the caps are not settings).
        """
        return {
            "autoinstall_known_extensions": False,
            "autoload_known_extensions": False,
            "allow_community_extensions": False,
            "memory_limit": self.memory_limit,
            "threads": self.threads,
            "temp_directory": "",  # never spill to disk: too big a query fails instead of writing files
        }


# Run once the console database is built, in this order: SET / RESET / PRAGMA can't undo them after.
SEAL = (
    "SET enable_external_access = false",  # no files, URLs, ATTACH of files, COPY, INSTALL/LOAD
    "SET disabled_filesystems = 'LocalFileSystem'",  # not even the attached file's bytes (read_blob ...)
    "SET lock_configuration = true",
)


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
    """At most ``Limits.max_rows`` rows and ``Limits.max_result_bytes`` bytes of a query's result."""

    table: pa.Table
    column_types: list[str]
    kind: str  # SELECT, DESCRIBE, EXPLAIN, PIVOT ...
    truncated: bool  # the query had more rows than came back
    elapsed_s: float
    frame: pd.DataFrame = field(repr=False, compare=False)
    cut_by: str = ""  # why it was truncated: "rows" (the row cap) or "bytes" (the result size cap)

    @property
    def row_count(self) -> int:
        return self.table.num_rows


# ---------------------------------------------------------------------------------------------
# 1. classification by DuckDB's parser


def classify(sql: str, limits: Limits = DEFAULT_LIMITS, tier: str = console_tiers.AGGREGATE) -> str:
    """The kind of read ``sql`` is (``SELECT``, ``EXPLAIN``, ``PIVOT`` ...), or :class:`QueryRefused`.

    Parsed with DuckDB's own parser on a throwaway in-memory connection, so a refused statement
    never reaches the analytics database; the tables and functions it names are checked against
    ``tier``'s (see :func:`_check_names`).
    """
    if not isinstance(sql, str) or not sql.strip():
        raise QueryRefused("the query is empty")
    if len(sql) > limits.max_sql_chars:
        raise QueryRefused(f"the query is longer than {limits.max_sql_chars:,} characters")
    if _nesting(sql) > limits.max_nesting:
        raise QueryRefused(f"the query nests parentheses more than {limits.max_nesting:,} deep")
    parser = duckdb.connect(":memory:", config={"enable_external_access": False, "lock_configuration": True})
    try:
        kind, checked = _classify_text(parser, sql, depth=0)
        _check_names(parser, checked, console_tiers.object_names(tier))
        return kind
    except SandboxError:
        raise
    except RecursionError:
        raise QueryRefused("the query is nested too deeply to be checked") from None
    except Exception as exc:  # e.g. text the parser can't take at all: refuse, in one line
        raise QueryRefused(f"the statement could not be classified: {one_line(exc)}") from None
    finally:
        parser.close()


def _classify_text(parser: duckdb.DuckDBPyConnection, sql: str, depth: int) -> tuple[str, str]:
    """(kind, the read whose names are to be checked: the statement, or the one EXPLAIN explains)."""
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
        return (first if first in _SELECT_KINDS else "SELECT"), statement.query
    if first == "EXPLAIN" and kind in (duckdb.StatementType.EXPLAIN, duckdb.StatementType.MULTI) and depth == 0:
        # EXPLAIN ANALYZE runs its statement: the explained statement must be a read too.
        _, checked = _classify_text(parser, _explained(parser, statement.query), depth=1)
        return "EXPLAIN", checked
    if kind == duckdb.StatementType.MULTI and first in ("PIVOT", "PIVOT_WIDER"):
        # Without an IN list DuckDB runs it as several statements, which its parse tree can't show.
        raise QueryRefused("a PIVOT must list its values with IN (...) in the SQL console, "
                           "e.g. PIVOT t ON provider IN ('AWS', 'GCP', 'Azure') USING count(*)")
    name = kind.name if first in ("", "WITH") else first  # WITH ... DELETE is a DELETE
    raise QueryRefused(f"{name} is not allowed; the console runs a single read-only {READ_STATEMENTS} statement")


def _check_names(parser: duckdb.DuckDBPyConnection, sql: str, objects: frozenset[str]) -> None:
    """Refuse unless every table, view and function ``sql`` names is one the console offers.

    Walks DuckDB's own parse tree, so spelling (case, quotes, comments, qualification) and
    nesting (subqueries, CTEs, table functions in joins) are as DuckDB reads them. A name is a CTE
    only where that CTE is in scope: after it in its WITH list, in the query the WITH belongs to,
    and in its own body when recursive.
    """
    tree = json.loads(parser.execute("SELECT json_serialize_sql(?::VARCHAR)", [sql]).fetchall()[0][0])
    if tree.get("error"):
        raise QueryRefused(f"the statement could not be checked: {one_line(tree.get('error_message'))}")
    stack: list[tuple[object, frozenset[str]]] = [(tree["statements"], frozenset())]
    while stack:
        node, ctes = stack.pop()
        if isinstance(node, list):
            stack.extend((item, ctes) for item in node)
            continue
        if not isinstance(node, dict):
            continue
        _check_node(node, ctes, objects)
        scope = ctes
        for entry in (node.get("cte_map") or {}).get("map") or []:
            name = str(entry["key"]).lower()
            body = entry["value"].get("query_node") or {}
            recursive = body.get("type") == "RECURSIVE_CTE_NODE" and str(body.get("cte_name", "")).lower() == name
            stack.append((entry["value"], scope | {name} if recursive else scope))
            scope = scope | {name}
        stack.extend((value, scope) for key, value in node.items() if key != "cte_map")


def _check_node(node: dict, ctes: frozenset[str], objects: frozenset[str]) -> None:
    kind = node.get("type")
    if kind == "BASE_TABLE" or (kind == "SHOW_REF" and node.get("show_type") == "SHOW"):
        path = [str(part) for part in (node.get("qualified_name") or {}).get("path") or [node.get("table_name")]]
        name, qualifier = path[-1].lower(), tuple(part.lower() for part in path[:-1])
        if qualifier not in _QUALIFIERS:
            raise QueryRefused(f"{'.'.join(path)} is outside the SQL console's database; name its tables "
                               "and views without a catalog or schema (see the schema browser)")
        if not (qualifier == () and name in ctes) and name not in objects:
            raise QueryRefused(f"{path[-1]} is not a table or view of the SQL console (see the schema browser)")
    elif kind == "SHOW_REF" and node.get("show_type") == "SHOW_SPECIAL":
        if str(node.get("table_name")).lower() not in _SHOW_SPECIAL:
            raise QueryRefused("SHOW TABLES and DESCRIBE list what the SQL console offers; other SHOW forms are off")
    elif kind == "TABLE_FUNCTION":
        name = _function_name(node.get("function") or {})
        if name not in TABLE_FUNCTIONS:
            raise QueryRefused(f"{name}() is not available in the SQL console; the table functions it offers are "
                               f"{', '.join(sorted(TABLE_FUNCTIONS))}")
    if "function_name" in node:
        name = _function_name(node)
        if name in SERVER_STATE_FUNCTIONS or name.startswith(SERVER_STATE_PREFIXES):
            raise QueryRefused(f"{name}() reports the server's state and is not available in the SQL console")


def _function_name(function: dict) -> str:
    """The function's name, lower case; qualified names are refused (system functions need none)."""
    name = str(function.get("function_name") or "").lower()
    if function.get("schema") or function.get("catalog"):
        raise QueryRefused(f"{name}() must be called without a catalog or schema in the SQL console")
    return name


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


def _nesting(sql: str) -> int:
    """The deepest parenthesis nesting of ``sql``, from DuckDB's tokenizer (linear, no parse)."""
    depth = deepest = 0
    for text, kind in _tokens(sql):
        if kind == "operator" and text in ("(", ")"):
            depth += 1 if text == "(" else -1
            deepest = max(deepest, depth)
    return deepest


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
    return settings.db_path(None)


def database_file(db: str | os.PathLike | None = None) -> Path | None:
    """The local database file, or None when it is remote or doesn't exist (yet)."""
    path = settings.db_path(db)
    return Path(path) if settings.is_local(path) and Path(path).is_file() else None


@contextlib.contextmanager
def connect(db: str | os.PathLike | None = None, limits: Limits = DEFAULT_LIMITS,
            tier: str = console_tiers.AGGREGATE) -> Iterator[duckdb.DuckDBPyConnection]:
    """A locked-down connection to the console database of ``tier``, closed on exit.

    Its settings are read back and the file probed before it is handed out; for trusted catalog
    queries (the schema browser) as well as the analyst's statement. The analytics file is opened
    through ATTACH on a private instance, whose close drops this process's lock on the file: run
    it in a process with no other connection to the file (the app runs it in a child process).
    """
    path = settings.db_path(db)
    # The dashboards' shared instance of the file has the default settings: it steps aside meanwhile.
    with read_instance.set_aside(path):
        con = _open(path, limits)
        try:
            console_tiers.build(con, tier, _min_group_size())
            for statement in SEAL:
                con.execute(statement)
            _check_locked_down(con, path)
            yield con
        finally:
            con.close()


def _min_group_size() -> int:
    try:
        return settings_mod.load().k
    except settings_mod.SettingsError as exc:
        raise DatabaseUnavailable(f"dashboard settings: {one_line(exc)}") from None


def _open(path: str, limits: Limits) -> duckdb.DuckDBPyConnection:
    if not settings.is_local(path):
        raise DatabaseUnavailable("the SQL console reads a local database file only")
    if not Path(path).is_file():
        raise DatabaseUnavailable(f"database not found: {path}")
    con = duckdb.connect(":memory:", config=limits.connection_config())
    try:
        retry_on_lock(con.execute, f"ATTACH ? AS {console_tiers.SOURCE} (READ_ONLY)", [path],
                      wait_seconds=limits.lock_wait_s, max_delay=0.25)
        return con
    except duckdb.Error as exc:
        con.close()
        if is_lock_error(exc):
            raise DatabaseUnavailable("the database is busy (being written); try again in a moment") from None
        raise DatabaseUnavailable(f"cannot open the database: {one_line(exc)}") from None


def _check_locked_down(con: duckdb.DuckDBPyConnection, path: str) -> None:
    """Refuse to go on unless DuckDB reports files off, the file read-only and settings locked,
    and refuses to read the database file itself."""
    rows = con.execute(
        "SELECT current_setting('enable_external_access'), current_setting('lock_configuration'), "
        "(SELECT coalesce(bool_and(readonly), true) FROM duckdb_databases() WHERE path IS NOT NULL)"
    ).fetchall()  # fetchall: a half-read result would block the connection
    try:
        con.execute("SELECT size FROM read_blob(?)", [path]).fetchall()
        readable = True
    except duckdb.Error:
        readable = False
    if rows != [(False, True, True)] or readable:
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


def run_query(sql: str, db: str | os.PathLike | None = None, limits: Limits = DEFAULT_LIMITS,
              tier: str = console_tiers.AGGREGATE,
              on_running: Callable[[], object] | None = None) -> QueryResult:
    """Run one analyst statement in the sandbox of ``tier``; at most ``limits.max_rows`` rows and
    ``limits.max_result_bytes`` bytes come back. ``on_running`` is called as the statement starts.

    Raises :class:`QueryRefused`, :class:`QueryTimeout`, :class:`QueryFailed` or
    :class:`DatabaseUnavailable`; never anything else for bad input.
    """
    kind = classify(sql, limits, tier)
    with connect(db, limits, tier) as con:
        if on_running is not None:
            on_running()
        started = time.monotonic()
        guard = TimeLimit(con, limits.timeout_s)
        try:
            with guard:
                relation = con.sql(sql)
                if relation is None:  # not expected for a read, but never crash on it
                    table, cut_by, types = pa.table({}), "", []
                else:
                    types = [str(t) for t in relation.types]
                    table, cut_by = _fetch(relation, limits)
        except duckdb.Error as exc:
            if guard.fired and isinstance(exc, duckdb.InterruptException):
                raise QueryTimeout(f"the query ran longer than {limits.timeout_s:g} s and was stopped") from None
            raise _translate(exc, limits) from None
        except SandboxError:
            raise
        except Exception as exc:  # e.g. a type Arrow can't carry: still one line, never a traceback
            raise QueryFailed(f"{type(exc).__name__}: {one_line(exc)}") from None
        elapsed = time.monotonic() - started
    table = _plain_unions(_unique_names(table))
    try:
        frame = table.to_pandas()
    except Exception as exc:  # e.g. a union type pandas has no block for
        raise QueryFailed(f"the result could not be shown: {one_line(exc)}") from None
    return QueryResult(table=table, column_types=types, kind=kind, truncated=bool(cut_by), elapsed_s=elapsed,
                       frame=frame, cut_by=cut_by)


_BATCH_ROWS = 2048  # one DuckDB vector: wide rows are fetched a vector at a time


def _fetch(relation: duckdb.DuckDBPyRelation, limits: Limits) -> tuple[pa.Table, str]:
    """Stream batches until the row cap or the byte cap is reached: the rest is never computed.

    Returns the table and what cut it short ("rows", "bytes" or "" for the whole result).
    """
    reader = relation.to_arrow_reader(min(limits.max_rows + 1, _BATCH_ROWS))
    batches, rows, size, cut_by = [], 0, 0, ""
    try:
        for batch in reader:
            if rows == limits.max_rows:
                cut_by = "rows" if batch.num_rows else ""
                if cut_by:
                    break
                continue
            if batch.num_rows > limits.max_rows - rows:
                batch, cut_by = batch.slice(0, limits.max_rows - rows), "rows"
            if size + batch.nbytes > limits.max_result_bytes:
                batch, cut_by = batch.slice(0, _rows_within(batch, limits.max_result_bytes - size)), "bytes"
            batches.append(batch)
            rows, size = rows + batch.num_rows, size + batch.nbytes
            if cut_by:
                break
        if cut_by == "bytes" and rows == 0:
            raise QueryFailed(f"even the first row is more than the {limits.max_result_bytes / 1024**2:g} MB the "
                              "console returns; select fewer or shorter columns")
        return pa.Table.from_batches(batches, schema=reader.schema), cut_by
    finally:
        reader.close()


def _rows_within(batch: pa.RecordBatch, budget: int) -> int:
    """How many leading rows of ``batch`` fit in ``budget`` bytes (nbytes counts a slice's own)."""
    low, high = 0, batch.num_rows
    while low < high:
        mid = (low + high + 1) // 2
        if batch.slice(0, mid).nbytes <= budget:
            low = mid
        else:
            high = mid - 1
    return low


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
