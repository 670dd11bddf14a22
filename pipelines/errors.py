"""Unexpected errors: logged in full under a short id, shown to people as one line with that id.

    line = report(exc, "upload page")   # "Something went wrong (error 7f3a9c2e) ...; ..."

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


def report(exc: BaseException, where: str) -> str:
    """Log `exc` with a fresh id and return the one line to show."""
    error_id = secrets.token_hex(4)
    with contextlib.suppress(OSError):  # a read-only disk must not turn one error into two
        _get_logger().error("error %s in %s: %s: %s", error_id, where, type(exc).__name__, exc, exc_info=exc)
    detail = str(exc).splitlines()[0][:160] if str(exc) else type(exc).__name__
    return f"Something went wrong (error {error_id}); nothing was changed. Detail: {detail}"
