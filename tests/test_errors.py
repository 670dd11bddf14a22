"""One-line errors whose id matches a log entry holding the traceback."""
import re

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
