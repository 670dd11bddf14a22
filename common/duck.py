"""Opening a DuckDB file, and naming things in SQL: what the read and the write side share."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import duckdb
from tenacity import Retrying, retry_if_exception, stop_after_delay, wait_exponential

T = TypeVar("T")


def is_lock_error(exc: BaseException) -> bool:
    """A DuckDB error that means "someone else has the file right now" (worth waiting out)."""
    text = str(exc).lower()
    return isinstance(exc, duckdb.Error) and (
        "lock" in text or "different configuration" in text or "conflicting" in text)


def retry_on_lock(fn: Callable[..., T], *args: Any, wait_seconds: float = 60, max_delay: float = 0.5,
                  **kwargs: Any) -> T:
    """``fn(*args, **kwargs)``, waiting out another holder's lock for up to ``wait_seconds`` (backing
    off from 20 ms to ``max_delay``); any other error, or the lock still held at the end, is raised as is."""
    retrying = Retrying(retry=retry_if_exception(is_lock_error), stop=stop_after_delay(wait_seconds),
                        wait=wait_exponential(multiplier=0.02, max=max_delay), reraise=True)
    return retrying(fn, *args, **kwargs)


def connect(path: str, read_only: bool, wait_seconds: float = 60, config: dict | None = None,
            max_delay: float = 0.5) -> duckdb.DuckDBPyConnection:
    """Open ``path``, waiting out another holder's lock (see retry_on_lock)."""
    return retry_on_lock(duckdb.connect, path, read_only=read_only, config=config or {},
                         wait_seconds=wait_seconds, max_delay=max_delay)


def quote_ident(name: str) -> str:
    """``name`` as a SQL identifier, whatever it holds (quotes doubled)."""
    return '"' + name.replace('"', '""') + '"'
