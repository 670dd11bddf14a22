"""Run a console query in a child process, so no query can take the app's server process down.

The child is the command-line sandbox (``python -m analytics.query --format arrow``): parsing and
classification, the locked-down console database, the time limit and the row and byte caps, plus a
cap on the child's heap. What the in-process sandbox cannot stop - one enormous value allocated
outside DuckDB's memory limit, a parse of deeply nested text, a function that ignores the
interrupt - only ever costs the child. The child reports on stderr when it starts and when the
statement starts running; the parent kills it once the statement has run for the time limit (plus
:data:`KILL_GRACE_S`) and reads at most the byte cap (plus framing) of its output.
"""
from __future__ import annotations

import json
import os
import selectors
import subprocess
import time

import pyarrow as pa

from analytics import console_tiers, sandbox
from common import child
from schemas import settings

STARTUP_GRACE_S = 20.0  # interpreter start and imports, on a slow machine, before the child says "started"
KILL_GRACE_S = 1.0  # past the time limit, for the child's own interrupt to land before it is killed
STARTED, RUNNING = b"sandbox: started", b"sandbox: running"  # the child's progress lines on stderr
_META_KEY = b"sql_console"
_ERRORS = {cls.label: cls for cls in (sandbox.QueryRefused, sandbox.QueryTimeout, sandbox.QueryFailed,
                                      sandbox.DatabaseUnavailable)}


def to_arrow_stream(result: sandbox.QueryResult) -> bytes:
    """The result as an Arrow IPC stream; kind, truncation, types and time ride in the schema metadata."""
    meta = {"kind": result.kind, "truncated": result.truncated, "column_types": result.column_types,
            "elapsed_s": result.elapsed_s, "cut_by": result.cut_by}
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
                               frame=table.to_pandas(), cut_by=str(meta.get("cut_by", "")))


def run_query(sql: str, db: str | os.PathLike | None = None, limits: sandbox.Limits = sandbox.DEFAULT_LIMITS,
              tier: str = console_tiers.AGGREGATE) -> sandbox.QueryResult:
    """Like :func:`analytics.sandbox.run_query`, with the query run in a child process."""
    if len(sql) > limits.max_sql_chars:  # the one check worth saving a process for; the rest is the child's
        raise sandbox.QueryRefused(f"the query is longer than {limits.max_sql_chars:,} characters")
    output = _run_child(["--format", "arrow", "--max-rows", str(limits.max_rows),
                         "--max-result-mb", repr(limits.max_result_bytes / 1024**2)], sql, db, limits, tier)
    try:
        return from_arrow_stream(output)
    except (pa.ArrowException, KeyError, ValueError, TypeError) as exc:
        raise sandbox.QueryFailed(f"the result could not be read back: {sandbox.one_line(exc)}") from None


def browse(db: str | os.PathLike | None = None, limits: sandbox.Limits = sandbox.DEFAULT_LIMITS,
           tier: str = console_tiers.AGGREGATE) -> list[dict]:
    """The schema browser's tables of ``tier`` (analytics.schema_browser.browse, as records), from a child."""
    output = _run_child(["--schema"], "", db, limits, tier)
    try:
        return list(json.loads(output))
    except ValueError as exc:
        raise sandbox.QueryFailed(f"the schema could not be read back: {sandbox.one_line(exc)}") from None


def _run_child(args: list[str], sql: str, db, limits: sandbox.Limits, tier: str) -> bytes:
    """The child's stdout, or its one-line error raised as the SandboxError it names."""
    args = [*args, f"--db={settings.db_path(db)}", f"--rows={tier}", "--timeout", repr(limits.timeout_s),
            "--memory-limit", limits.memory_limit, "--progress", "-"]
    try:
        proc = child.start_module("analytics.query", args)
    except child.ChildNotStarted as exc:
        raise sandbox.QueryFailed(f"could not start the query process: {exc}") from None
    try:
        stdout, stderr, killed = _communicate(proc, sql.encode("utf-8"), limits)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
    if killed == "time":
        raise sandbox.QueryTimeout(
            f"the query ran longer than {limits.timeout_s:g} s and did not stop when interrupted; it was killed")
    if killed == "bytes":
        raise sandbox.QueryFailed("the query process sent more than the result size cap; it was stopped")
    if proc.returncode == 0:
        return stdout
    lines = [line for line in stderr.splitlines() if line.strip() and line.strip() not in (STARTED, RUNNING)]
    line = sandbox.one_line(lines[0].decode("utf-8", "replace")) if lines else ""
    label, _, message = line.partition(": ")
    if proc.returncode == child.REFUSED and label in _ERRORS and message:
        raise _ERRORS[label](message)
    raise sandbox.QueryFailed(
        f"the query process stopped unexpectedly (exit {proc.returncode}); it most likely ran out of memory")


def _communicate(proc: subprocess.Popen, data: bytes, limits: sandbox.Limits) -> tuple[bytes, bytes, str]:
    """Feed ``data``, collect stdout and stderr; kill the child on its deadline or an oversized output.

    Returns (stdout, stderr, why it was killed: "time", "bytes" or ""). The deadline starts as the
    startup grace, becomes lock wait + time limit once the child has started, and time limit once
    the statement runs (each plus :data:`KILL_GRACE_S`).
    """
    max_stdout = limits.max_result_bytes + limits.max_result_bytes // 8 + 1024**2  # IPC framing, metadata
    if proc.stdin is None or proc.stdout is None or proc.stderr is None:  # Popen was given PIPE for all three
        raise sandbox.QueryFailed("the query process has no pipes")
    try:
        proc.stdin.write(data)
        proc.stdin.close()
    except BrokenPipeError:  # the child is already gone: its exit code tells why
        pass
    out, err = bytearray(), bytearray()
    deadline = time.monotonic() + STARTUP_GRACE_S + limits.lock_wait_s + limits.timeout_s
    with selectors.DefaultSelector() as selector:
        selector.register(proc.stdout, selectors.EVENT_READ, out)
        selector.register(proc.stderr, selectors.EVENT_READ, err)
        while selector.get_map():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                proc.kill()
                return bytes(out), bytes(err), "time"
            for key, _ in selector.select(remaining):
                chunk = os.read(key.fd, 1024 * 1024)
                if not chunk:
                    selector.unregister(key.fileobj)
                    continue
                key.data.extend(chunk)
                if key.data is err:
                    deadline = _next_deadline(chunk, deadline, limits)
                if len(out) > max_stdout or len(err) > 64 * 1024:
                    proc.kill()
                    return bytes(out), bytes(err), "bytes"
    return bytes(out), bytes(err), ""


def _next_deadline(chunk: bytes, deadline: float, limits: sandbox.Limits) -> float:
    now = time.monotonic()
    if RUNNING in chunk:
        return now + limits.timeout_s + KILL_GRACE_S
    if STARTED in chunk:
        return now + limits.lock_wait_s + limits.timeout_s + KILL_GRACE_S
    return deadline
