"""One-line errors whose id matches a log entry holding the traceback."""
import re

import pytest

from pipelines import errors


def test_report_logs_the_id_it_shows(tmp_path, monkeypatch):
    monkeypatch.setenv("SKILLS_LOG_DIR", str(tmp_path))
    monkeypatch.setattr(errors, "_logger", None)
    try:
        raise ValueError("disk on fire\nsecond line")
    except ValueError as exc:
        line = errors.report(exc, "a test")
    assert "\n" not in line and "Traceback" not in line
    error_id = re.search(r"error ([0-9a-f]{8})", line).group(1)
    log = (tmp_path / "errors.log").read_text(encoding="utf-8")
    assert f"error {error_id} in a test" in log and "Traceback" in log and "disk on fire" in log


class BrokenStr(Exception):
    def __str__(self):
        raise RuntimeError("no text")


@pytest.mark.parametrize("exc", [MemoryError(), ValueError(""), ValueError("\n  \n"), BrokenStr()],
                         ids=["empty MemoryError", "empty", "blank lines", "__str__ raises"])
def test_the_last_resort_cannot_raise(exc, tmp_path, monkeypatch):
    monkeypatch.setenv("SKILLS_LOG_DIR", str(tmp_path))
    monkeypatch.setattr(errors, "_logger", None)
    line = errors.report(exc, "a test")
    assert line.startswith("Something went wrong (error ") and "\n" not in line
    assert errors.one_line(exc) == type(exc).__name__


def test_memory_and_a_corrupt_database_are_named_without_library_text(tmp_path, monkeypatch):
    monkeypatch.setenv("SKILLS_LOG_DIR", str(tmp_path))
    monkeypatch.setattr(errors, "_logger", None)
    assert errors.OUT_OF_MEMORY in errors.report(MemoryError(), "a test")
    try:
        try:
            raise OSError("Corrupt database file: computed checksum 1 does not match stored checksum 2")
        except OSError:
            raise RuntimeError("TransactionContext Error: Current transaction is aborted")  # noqa: B904
    except RuntimeError as exc:  # DuckDB's real cause is the exception this one was raised during
        line = errors.report(exc, "a test")
    assert errors.DATABASE_CORRUPT in line and "Transaction" not in line
