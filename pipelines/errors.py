"""Unexpected errors: logged in full under a short id, shown to people as one line with that id.

    line = report(exc, "upload page")   # "Something went wrong (error 7f3a9c2e); nothing was changed. ..."

The log (data/logs/errors.log, or $SKILLS_LOG_DIR/errors.log) holds the traceback; the user sees
only the id, which support can grep for.
"""
from __future__ import annotations

import contextlib
import logging
import secrets
from pathlib import Path

from schemas import settings

_logger: logging.Logger | None = None


def log_path() -> Path:
    return settings.log_path()


def _get_logger() -> logging.Logger:
    global _logger
    if _logger is None:
        path = log_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        logger = logging.getLogger("skills.errors")
        logger.setLevel(logging.ERROR)
        logger.propagate = False
        handler = logging.FileHandler(path, encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
        logger.addHandler(handler)
        _logger = logger
    return _logger


# Known causes, named for people; anything else is only an id (its library text stays in the log).
OUT_OF_MEMORY = "there was not enough memory for it"
DATABASE_CORRUPT = "the database file is corrupt (a checksum does not match); restore it from a backup"
_CORRUPT_MARKS = ("checksum", "corrupt", "not a valid duckdb database", "invalid block")


class Plain(RuntimeError):
    """An error raised by this product with a message written for people: :func:`report` shows it."""


def one_line(text: object, limit: int = 200) -> str:
    """The first non-blank line of ``text`` (e.g. an exception), at most ``limit`` characters; never raises,
    not even for an empty message or an exception whose ``__str__`` fails."""
    try:
        lines = [part.strip() for part in str(text).splitlines() if part.strip()]
    except Exception:  # a broken __str__ must not turn one error into two
        lines = []
    line = " ".join(lines[0].split())[:limit] if lines else ""
    return line or (type(text).__name__ if isinstance(text, BaseException) else "")


def chain(exc: BaseException) -> list[BaseException]:
    """``exc`` and the exceptions it was raised from or during (DuckDB's real cause is often one down)."""
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen and len(seen) < 20:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def known_cause(exc: BaseException) -> str | None:
    """A plain-words cause for failures people can act on: memory, a corrupt database file, or a
    :class:`Plain` error's own message."""
    for err in chain(exc):
        if isinstance(err, Plain):
            return one_line(err)
        name = type(err).__name__
        if isinstance(err, MemoryError) or name in {"ArrowMemoryError", "OutOfMemoryException"}:
            return OUT_OF_MEMORY
        if any(mark in one_line(err).lower() for mark in _CORRUPT_MARKS):
            return DATABASE_CORRUPT
    return None


def report(exc: BaseException, where: str) -> str:
    """Log `exc` with a fresh id and return the one line to show (never raises)."""
    error_id = secrets.token_hex(4)
    with contextlib.suppress(Exception):  # a read-only disk or a broken __str__ must not turn one error into two
        _get_logger().error("error %s in %s: %s: %s", error_id, where, type(exc).__name__, one_line(exc),
                            exc_info=exc)
    cause = known_cause(exc)
    return (f"Something went wrong (error {error_id}): {cause}; nothing was changed." if cause else
            f"Something went wrong (error {error_id}); nothing was changed. The details are in the error log.")
