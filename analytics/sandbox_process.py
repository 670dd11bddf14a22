"""Run a console query in a child process, so no query can take the app's server process down.

The child is the command-line sandbox (``python -m analytics.query --format arrow``): the same
checks, read-only locked-down connection, time limit and row cap, plus a cap on the child's heap.
What the in-process sandbox cannot stop - one enormous value allocated outside DuckDB's memory
limit, or a function that ignores the interrupt for a long time - only ever costs the child,
which the parent kills when it overruns the time limit.
"""
from __future__ import annotations

import json
import os

import pyarrow as pa

from analytics import sandbox
from pipelines import child, config

STARTUP_GRACE_S = 20.0  # interpreter start and imports, on a slow machine, before the query's own limit
_META_KEY = b"sql_console"
_ERRORS = {cls.label: cls for cls in (sandbox.QueryRefused, sandbox.QueryTimeout, sandbox.QueryFailed,
                                      sandbox.DatabaseUnavailable)}


def to_arrow_stream(result: sandbox.QueryResult) -> bytes:
    """The result as an Arrow IPC stream; kind, truncation, types and time ride in the schema metadata."""
    meta = {"kind": result.kind, "truncated": result.truncated, "column_types": result.column_types,
            "elapsed_s": result.elapsed_s}
    table = result.table.replace_schema_metadata({_META_KEY: json.dumps(meta).encode()})
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()


def from_arrow_stream(data: bytes) -> sandbox.QueryResult:
    table = pa.ipc.open_stream(data).read_all()
    meta = json.loads((table.schema.metadata or {})[_META_KEY])
    table = table.replace_schema_metadata(None)
    return sandbox.QueryResult(table=table, column_types=list(meta["column_types"]), kind=meta["kind"],
                               truncated=bool(meta["truncated"]), elapsed_s=float(meta["elapsed_s"]),
                               frame=table.to_pandas())


def run_query(sql: str, db: str | os.PathLike | None = None,
              limits: sandbox.Limits = sandbox.DEFAULT_LIMITS) -> sandbox.QueryResult:
    """Like :func:`analytics.sandbox.run_query`, with the query run in a child process."""
    sandbox.classify(sql, limits)  # refusals answer at once, without starting a process
    args = ["--format", "arrow", f"--db={config.db_path(db)}", "--timeout", repr(limits.timeout_s),
            "--max-rows", str(limits.max_rows), "--memory-limit", limits.memory_limit, "-"]
    deadline = limits.timeout_s + limits.lock_wait_s + STARTUP_GRACE_S
    try:
        proc = child.run_module("analytics.query", args, stdin=sql.encode("utf-8"), timeout_s=deadline)
    except child.ChildTimeout:
        raise sandbox.QueryTimeout(
            f"the query ran longer than {limits.timeout_s:g} s and did not stop when interrupted; it was killed"
        ) from None
    except child.ChildNotStarted as exc:
        raise sandbox.QueryFailed(f"could not start the query process: {sandbox.one_line(exc)}") from None
    if proc.returncode == 0:
        try:
            return from_arrow_stream(proc.stdout)
        except (pa.ArrowException, KeyError, ValueError, TypeError) as exc:
            raise sandbox.QueryFailed(f"the result could not be read back: {sandbox.one_line(exc)}") from None
    line = sandbox.one_line(proc.stderr.decode("utf-8", "replace")) if proc.stderr.strip() else ""
    label, _, message = line.partition(": ")
    if proc.returncode == child.REFUSED and label in _ERRORS and message:
        raise _ERRORS[label](message)
    raise sandbox.QueryFailed(
        f"the query process stopped unexpectedly (exit {proc.returncode}); it most likely ran out of memory"
    )
