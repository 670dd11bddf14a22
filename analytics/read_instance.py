"""One read-only DuckDB instance per database file per process, shared by every page render.

Opening a DuckDB file costs 13-18 ms even when it is empty (the instance start-up), which was
about a tenth of a dashboard render. So the first render opens the file read-only and keeps it;
each render then leases a cursor on it (a cursor is DuckDB's connection for one thread, so
Streamlit's session threads never share one) and gives it back at the end.

An open instance holds DuckDB's lock on the file, and a writer can't open it until every reader
has let go. So the instance steps aside:
  * a writer announces itself by holding the lock file ``<db>.lock`` (the pipeline's writer takes
    it before it opens the file); while it does, no cursor is leased, the instance closes as soon as the
    renders using it end, and new renders wait for the writer to finish before they open a
    connection of their own (analytics.db);
  * the instance closes once no render has used it for IDLE_SECONDS, which covers writers that
    don't take the lock file (another tool opening the database for writing);
  * ``close`` closes it at once when idle (analytics.db.release calls it before an in-process
    write), and everything is closed at exit;
  * ``set_aside`` keeps it closed for the length of a block, for work in this process that opens
    the file with other settings (the SQL console's sandbox: DuckDB refuses a second
    configuration of an open file).
Only local files are shared (a remote ``md:`` database has no lock file to watch).
"""
from __future__ import annotations

import atexit
import contextlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

import duckdb

from common.locks import is_held

IDLE_SECONDS = 1.0


@dataclass
class _Instance:
    root: duckdb.DuckDBPyConnection
    generation: int = 0  # bumped by each lease, so a stale idle timer knows it is stale
    broken: bool = False  # a render hit a fatal DuckDB error: close it once nobody uses it
    timer: threading.Timer | None = field(default=None, repr=False)
    cursors: dict[int, duckdb.DuckDBPyConnection] = field(default_factory=dict, repr=False)  # id -> leased

    @property
    def leases(self) -> int:
        return len(self.cursors)


_lock = threading.Lock()
_instances: dict[str, _Instance] = {}
_set_aside: dict[str, int] = {}  # path -> blocks in set_aside


def lease(path: str) -> duckdb.DuckDBPyConnection | None:
    """A cursor on the shared read-only instance of ``path`` (opened on first use); None when a
    writer holds or waits for the file, or the file can't be opened right now (the caller then
    opens its own connection, which knows how to wait and what to say)."""
    with _lock:
        instance = _instances.get(path)
        if instance is not None and instance.broken and instance.leases == 0:
            _close(path, instance)
            instance = None
        if _set_aside.get(path) or writer_waiting(path) or (instance is not None and instance.broken):
            if instance is not None and instance.leases == 0:
                _close(path, instance)
            return None
        try:
            if instance is None:
                instance = _Instance(duckdb.connect(path, read_only=True))
                _instances[path] = instance
            cursor = instance.root.cursor()
        except duckdb.Error:
            if instance is not None and instance.leases == 0:
                _close(path, instance)
            return None
        if instance.timer is not None:
            instance.timer.cancel()
            instance.timer = None
        instance.cursors[id(cursor)] = cursor  # held here, so the id can't be reused meanwhile
        instance.generation += 1
        return cursor


def give_back(path: str, cursor: duckdb.DuckDBPyConnection, broken: bool = False) -> None:
    """End a lease; the instance closes after IDLE_SECONDS unless leased again, at once when a
    writer or a ``set_aside`` waits for it. ``broken``: the render hit a fatal DuckDB error (the
    instance is invalidated), so no one gets it again."""
    try:
        cursor.close()
    finally:
        with _lock:
            instance = _instances.get(path)
            # A cursor of an instance closed meanwhile (close_all) doesn't count against its successor.
            if instance is not None and instance.cursors.pop(id(cursor), None) is not None:
                instance.broken = instance.broken or broken
                if instance.leases == 0:
                    _when_idle(path, instance)


def _when_idle(path: str, instance: _Instance) -> None:
    """The last lease ended (with _lock held): close now if someone waits for the file, else later."""
    if _set_aside.get(path) or instance.broken or writer_waiting(path):
        _close(path, instance)
    else:
        instance.timer = threading.Timer(IDLE_SECONDS, _close_if_idle, (path, instance.generation))
        instance.timer.daemon = True  # never keeps the process alive; close_all runs at exit
        instance.timer.start()


def close(path: str) -> bool:
    """Close the instance of ``path`` now if no render holds a lease; True when none is open."""
    with _lock:
        instance = _instances.get(path)
        if instance is not None and instance.leases == 0:
            _close(path, instance)
        return path not in _instances


@contextlib.contextmanager
def set_aside(path: str) -> Iterator[None]:
    """No leases of ``path`` in this block (renders open their own connections), and the instance
    closed as soon as no render uses it; the caller waits that out like any other lock."""
    with _lock:
        _set_aside[path] = _set_aside.get(path, 0) + 1
        instance = _instances.get(path)
        if instance is not None and instance.leases == 0:
            _close(path, instance)
    try:
        yield
    finally:
        with _lock:
            _set_aside[path] -= 1
            if not _set_aside[path]:
                del _set_aside[path]


def is_open(path: str) -> bool:
    with _lock:
        return path in _instances


@atexit.register
def close_all() -> None:
    with _lock:
        for path, instance in list(_instances.items()):
            _close(path, instance)


def writer_waiting(path: str) -> bool:
    """True while a writer holds ``<db>.lock`` (the pipeline's writer, which waits there for its turn)."""
    return is_held(path + ".lock")


def _close_if_idle(path: str, generation: int) -> None:
    with _lock:
        instance = _instances.get(path)
        if instance is not None and instance.leases == 0 and instance.generation == generation:
            _close(path, instance)


def _close(path: str, instance: _Instance) -> None:
    """Close (with _lock held)."""
    if instance.timer is not None:
        instance.timer.cancel()
    del _instances[path]
    instance.root.close()
