"""The one cross-process lock: a lock file held with the filelock library.

Used for the database writer (``<db>.lock``), the saved queries and the audit store. A lock file
is never deleted, so a process waiting on it and one creating it always meet on the same file.
"""
from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

from filelock import FileLock, Timeout

__all__ = ["Timeout", "file_lock", "is_held"]


@contextlib.contextmanager
def file_lock(path: str | os.PathLike, timeout: float = -1) -> Iterator[None]:
    """Hold the lock file ``path`` for the block, waiting up to ``timeout`` s (-1: for as long as it
    takes); raises :class:`Timeout` when it can't be had in time."""
    with FileLock(path, timeout=timeout, preserve_lock_file=True):
        yield


def is_held(path: str | os.PathLike) -> bool:
    """True while someone (this process included) holds the lock file ``path``.

    A probe: it takes the lock without waiting and drops it at once, so two probes at the same
    instant can see each other as a holder; callers treat True as "wait a moment", never as fatal.
    """
    if not os.path.exists(path):  # nobody has ever taken it
        return False
    probe = FileLock(path, timeout=0, preserve_lock_file=True)
    try:
        probe.acquire()
    except Timeout:
        return True
    probe.release()
    return False
