"""The audit log: who loaded, deleted, changed a profile or queried, and when.

Loads and deletions are recorded in the database's audit_log inside their own transaction (so
the log can't disagree with the data). Everything else (SQL console queries, profile saves) is
appended to the audit store beside the database (common.audit_store), so recording it never
takes the database's writer lock. ``python -m analytics.audit`` shows both.
"""
from __future__ import annotations

import duckdb

from common import audit_store
from schemas import settings

MAX_DETAIL = audit_store.MAX_DETAIL


def record_in(con: duckdb.DuckDBPyConnection, actor: str | None, action: str, target: object = None,
              detail: str | None = None) -> None:
    """Append an event using an open (write) connection, inside the caller's transaction."""
    con.execute("INSERT INTO audit_log (actor, action, target, detail) VALUES (?, ?, ?, ?)",
                [actor or "unknown", action, None if target is None else str(target),
                 None if detail is None else detail[:MAX_DETAIL]])


def record(db: str | None, actor: str | None, action: str, target: object = None, detail: str | None = None) -> None:
    """Append an event that is not part of a database write, to the audit store of ``db``."""
    audit_store.append(settings.audit_path(db), actor, action, target, detail)
