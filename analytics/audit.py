"""The whole audit trail for an admin: the database's audit_log (loads, deletions) and the audit
store beside it (SQL console queries, profile saves), in time order.

    python -m analytics.audit [--db PATH] [--limit N]    # CSV on stdout, newest last
"""
from __future__ import annotations

import argparse
import datetime as dt
import sys

import pandas as pd

from analytics import db as read_db
from common import audit_store
from schemas import settings

COLUMNS = ["occurred_at", "actor", "action", "target", "detail"]


def events(db: str | None = None) -> pd.DataFrame:
    """Every event of both logs (``COLUMNS``), oldest first; a database without one has none."""
    path = settings.db_path(db)
    try:
        logged = read_db.query(path, f"SELECT {', '.join(COLUMNS)} FROM audit_log")
    except read_db.DatabaseMissing:
        logged = pd.DataFrame(columns=COLUMNS)
    stored = pd.DataFrame(audit_store.read(settings.audit_path(path)), columns=COLUMNS)
    # audit_log holds DuckDB's now() as naive local time, the store UTC: one axis to sort on
    local = dt.datetime.now().astimezone().tzinfo
    logged["occurred_at"] = pd.to_datetime(logged["occurred_at"]).dt.tz_localize(local)
    stored["occurred_at"] = pd.to_datetime(stored["occurred_at"], utc=True)
    both = pd.concat([frame for frame in (logged, stored) if len(frame)], ignore_index=True)
    return (both if len(both) else pd.DataFrame(columns=COLUMNS)).sort_values("occurred_at", kind="stable",
                                                                               ignore_index=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analytics.audit", description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="database file (default $SKILLS_DB or data/skills.duckdb)")
    parser.add_argument("--limit", type=int, default=0, help="only the last N events")
    args = parser.parse_args(argv)
    try:
        frame = events(args.db)
    except (read_db.AnalyticsError, OSError, ValueError) as exc:
        print(f"error: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}", file=sys.stderr)
        return 2
    frame.tail(args.limit or len(frame)).to_csv(sys.stdout, index=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
