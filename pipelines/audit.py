"""The audit log: who loaded, deleted, changed a profile or queried, and when.

Loads and deletions are recorded inside their own transaction (so the log can't disagree with
the data); other events take the writer briefly on their own.
"""
from __future__ import annotations

import duckdb

from pipelines import db as dbmod

MAX_DETAIL = 4000


def record_in(con: duckdb.DuckDBPyConnection, actor: str | None, action: str, target: object = None,
              detail: str | None = None) -> None:
    """Append an event using an open (write) connection, inside the caller's transaction."""
    con.execute("INSERT INTO audit_log (actor, action, target, detail) VALUES (?, ?, ?, ?)",
                [actor or "unknown", action, None if target is None else str(target),
                 None if detail is None else detail[:MAX_DETAIL]])


def record(db: str | None, actor: str | None, action: str, target: object = None, detail: str | None = None) -> None:
    """Append an event on its own (waits for any running load, like every writer)."""
    with dbmod.writer(db) as con:
        record_in(con, actor, action, target, detail)
