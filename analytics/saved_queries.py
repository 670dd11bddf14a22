"""Analysts' saved console queries (name, SQL), kept in a small JSON file.

The analytics database is opened read-only by the console, so saved queries live outside it: by
default ``saved_queries.json`` next to the database file, or wherever $SKILLS_SAVED_QUERIES points
(schemas.settings). Writes take the lock helper's lock and replace the file atomically, so two
sessions saving at once lose nothing.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import tempfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from analytics import sandbox
from common.locks import Timeout, file_lock
from schemas import settings

MAX_NAME_CHARS = 80
LOCK_WAIT_SECONDS = 30  # another session's save takes milliseconds; longer means a stuck process


class SavedQueryError(ValueError):
    """A saved query can't be stored or read; ``str()`` is one line for the user."""


@dataclass(frozen=True)
class SavedQuery:
    name: str
    sql: str
    saved_at: str  # ISO timestamp, UTC


def store_path(db: str | os.PathLike | None = None) -> Path:
    """$SKILLS_SAVED_QUERIES, else saved_queries.json beside the database (data/ for a remote one)."""
    return settings.saved_queries_path(db)


def load_all(path: Path | None = None) -> list[SavedQuery]:
    """Saved queries sorted by name; none when the file doesn't exist yet."""
    path = path or store_path()
    return sorted(_read(path), key=lambda q: q.name.casefold())


def save(name: str, sql: str, path: Path | None = None) -> SavedQuery:
    """Add or replace (same name) a query. Only statements the console would run can be saved."""
    name = " ".join(str(name or "").split())
    if not name:
        raise SavedQueryError("give the query a name")
    if len(name) > MAX_NAME_CHARS:
        raise SavedQueryError(f"the name is longer than {MAX_NAME_CHARS} characters")
    try:
        sandbox.classify(sql)
    except sandbox.SandboxError as exc:
        raise SavedQueryError(f"not saved: {exc.line()}") from None
    query = SavedQuery(name, sql.strip() + "\n", dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))
    path = path or store_path()
    with _locked(path):
        kept = [q for q in _read(path) if q.name != name]
        _write(path, [*kept, query])
    return query


def delete(name: str, path: Path | None = None) -> bool:
    """Remove the query called ``name``; False when there was none."""
    path = path or store_path()
    with _locked(path):
        queries = _read(path)
        kept = [q for q in queries if q.name != name]
        if len(kept) == len(queries):
            return False
        _write(path, kept)
    return True


def _read(path: Path) -> list[SavedQuery]:
    if not path.exists():
        return []
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return [SavedQuery(str(q["name"]), str(q["sql"]), str(q.get("saved_at", ""))) for q in data["queries"]]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise SavedQueryError(f"cannot read saved queries at {path}: {sandbox.one_line(exc)}") from None


def _write(path: Path, queries: list[SavedQuery]) -> None:
    payload = json.dumps({"version": 1, "queries": [asdict(q) for q in queries]}, ensure_ascii=False, indent=2)
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=".saved_queries.", dir=path.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(payload + "\n")
        os.replace(tmp, path)  # readers see the old file or the new one, never half of one
    except OSError as exc:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        raise SavedQueryError(f"cannot write saved queries at {path}: {sandbox.one_line(exc)}") from None


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Serialise read-modify-write between sessions and processes."""
    try:  # the block's own failures are SavedQueryErrors already: these are the lock's
        path.parent.mkdir(parents=True, exist_ok=True)
        with file_lock(path.with_name(path.name + ".lock"), timeout=LOCK_WAIT_SECONDS):
            yield
    except (OSError, Timeout) as exc:
        raise SavedQueryError(f"cannot write saved queries at {path}: {sandbox.one_line(exc)}") from None
