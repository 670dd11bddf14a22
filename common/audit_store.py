"""The audit events that are not part of a database write (SQL console queries, profile saves):
one JSON object per line in a file beside the database (settings.audit_path).

Loads and deletions are logged in the database's audit_log inside their own transaction; the
rest goes here so that logging never takes, or waits for, the database's writer lock. Appends
are serialised by the lock helper; the file is readable by its owner only (it holds staff
identities and query texts).
"""
from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

from common.locks import file_lock

MAX_DETAIL = 4000
LOCK_WAIT_SECONDS = 10


def append(path: Path, actor: str | None, action: str, target: object = None, detail: str | None = None) -> None:
    """Add one event; raises OSError or locks.Timeout when it can't (callers decide if that matters)."""
    event = {
        "occurred_at": dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds"),
        "actor": actor or "unknown", "action": action,
        "target": None if target is None else str(target),
        "detail": None if detail is None else detail[:MAX_DETAIL],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    with file_lock(str(path) + ".lock", timeout=LOCK_WAIT_SECONDS):
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, (json.dumps(event, ensure_ascii=False) + "\n").encode("utf-8"))
        finally:
            os.close(fd)


def read(path: Path) -> list[dict]:
    """Every event in file order; none when the file doesn't exist. A line cut short by a crash
    mid-write is skipped (it is the last one; the events before it are whole)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return []
    events = []
    for line in lines:
        try:
            events.append(json.loads(line))
        except ValueError:
            continue
    return events
