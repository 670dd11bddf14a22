"""One read-only DuckDB instance per database file per process, shared by every page render.

Opening a DuckDB file costs 13-18 ms even when it is empty (the instance start-up), which was
about a tenth of a dashboard render. So the first render opens the file read-only and keeps it;
each render then leases a cursor on it (a cursor is DuckDB's connection for one thread, so
Streamlit's session threads never share one) and gives it back at the end.

An open instance holds DuckDB's lock on the file, and a writer can't open it until every reader
has let go. So the instance steps aside:
  * a writer announces itself by holding ``<db>.lock`` (pipelines.db.writer takes it before it
    opens the file); while it does, no cursor is leased, and renders open their own short
    connections as before, which wait out the write;
  * the instance closes once no render has used it for IDLE_SECONDS, so a waiting writer gets in
    within that time plus one render;
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
import fcntl
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

import duckdb

IDLE_SECONDS = 1.0


@dataclass
class _Instance:
    root: duckdb.DuckDBPyConnection
    leases: int = 0
    generation: int = 0  # bumped by each lease, so a stale idle timer knows it is stale
    timer: threading.Timer | None = field(default=None, repr=False)


_lock = threading.Lock()
_instances: dict[str, _Instance] = {}
_set_aside: dict[str, int] = {}  # path -> blocks in set_aside


def lease(path: str) -> duckdb.DuckDBPyConnection | None:
    """A cursor on the shared read-only instance of ``path`` (opened on first use); None when a
    writer holds or waits for the file, or the file can't be opened right now (the caller then
    opens its own connection, which knows how to wait and what to say)."""
    with _lock:
        instance = _instances.get(path)
        if _set_aside.get(path) or writer_waiting(path):
            if instance is not None and instance.leases == 0:
                _close(path, instance)
            return None
        if instance is None:
            try:
                instance = _Instance(duckdb.connect(path, read_only=True))
            except duckdb.Error:
                return None
            _instances[path] = instance
        if instance.timer is not None:
            instance.timer.cancel()
            instance.timer = None
        instance.leases += 1
        instance.generation += 1
        return instance.root.cursor()


def give_back(path: str, cursor: duckdb.DuckDBPyConnection) -> None:
    """End a lease; the instance closes after IDLE_SECONDS unless leased again."""
    cursor.close()
    with _lock:
        instance = _instances.get(path)
        if instance is None:
            return
        instance.leases -= 1
        if instance.leases == 0 and _set_aside.get(path):
            _close(path, instance)
        elif instance.leases == 0:
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
    """True while a writer holds ``<db>.lock`` (pipelines.db.writer, which waits there for its turn)."""
    try:
        fd = os.open(path + ".lock", os.O_RDONLY)
    except OSError:  # no lock file: nobody has written this database through the pipeline yet
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    finally:
        os.close(fd)


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
