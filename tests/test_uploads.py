"""Raw uploads live in a private per-session folder, deleted when the session ends (Streamlit's
session-scoped resource release, garbage collection, interpreter exit) and swept at app start
when older than an hour."""
from __future__ import annotations

import gc
import io
import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from streamlit.runtime import caching
from streamlit.testing.v1 import AppTest

from pipelines import uploads

GRID = ("Timestamp,Email Address,Team,Rate your skills [Docker]\n"
        "2025/05/01 10:00:00,a@example.com,Platform,Expert\n2025/05/01 11:00:00,b@example.com,Data,Basic\n")
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def upload_root(tmp_path, monkeypatch):
    root = tmp_path / "uploads"
    monkeypatch.setenv("SKILLS_UPLOAD_DIR", str(root))
    monkeypatch.setenv("SKILLS_DB", str(tmp_path / "skills.duckdb"))
    monkeypatch.setenv("SKILLS_SECRET_FILE", str(tmp_path / "key"))
    return root


def folders(root: Path) -> list[Path]:
    return sorted(root.glob(uploads.PREFIX + "*"))


def test_a_folder_is_private_and_holds_one_upload_at_a_time(upload_root):
    folder = uploads.UploadFolder()
    assert stat.S_IMODE(folder.path.stat().st_mode) == 0o700
    first = folder.save(io.BytesIO(b"one"), "../../etc/first.csv")
    assert first.parent == folder.path and first.name == "first.csv"  # base name only
    second = folder.save(io.BytesIO(b"two"), "second.csv")
    assert sorted(p.name for p in folder.path.iterdir()) == ["second.csv"] and second.read_bytes() == b"two"
    folder.close()
    assert folders(upload_root) == []


def test_a_folder_nobody_holds_any_more_is_deleted(upload_root):
    folder = uploads.UploadFolder()
    folder.save(io.BytesIO(b"x"), "a.csv")
    del folder
    gc.collect()
    assert folders(upload_root) == []


def test_a_folder_is_deleted_when_the_process_exits(upload_root):
    code = ("import io, sys; sys.path.insert(0, '.'); from pipelines.uploads import UploadFolder; "
            "f = UploadFolder(); f.save(io.BytesIO(b'x'), 'a.csv'); print(f.path)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60,
                         env={**os.environ, "SKILLS_UPLOAD_DIR": str(upload_root)})
    assert out.returncode == 0, out.stderr
    assert Path(out.stdout.strip()).parent == upload_root
    assert folders(upload_root) == []


def test_the_upload_page_deletes_the_file_when_the_session_is_released(upload_root):
    """What Streamlit's WebsocketSessionManager.disconnect_session does when a tab closes: clear the
    session's caches, which releases the session-scoped folder."""
    caching.clear_session_resource_cache("test session id")  # every AppTest has this id: start afresh
    at = AppTest.from_file(str(ROOT / "pages" / "upload.py"), default_timeout=60)
    at.run()
    at.file_uploader[0].upload("survey.csv", GRID.encode(), "text/csv").run()
    assert not at.exception
    saved = Path(at.session_state["upload_path"])
    assert saved.read_bytes() == GRID.encode() and saved.parent.parent == upload_root
    caching.clear_session_resource_cache("test session id")  # AppTest's session id
    assert not saved.exists() and folders(upload_root) == []
    # The same session back (a reconnect): the file is saved again from the widget and checks as before.
    at.run()
    again = Path(at.session_state["upload_path"])
    assert again.read_bytes() == GRID.encode()
    next(b for b in at.button if b.label.startswith("Check the file")).click().run()
    assert not at.exception and any(m.label == "Rows read" and m.value == "2" for m in at.metric)
    caching.clear_session_resource_cache("test session id")


def test_sweep_removes_only_old_upload_folders(upload_root):
    old, fresh = uploads.UploadFolder(), uploads.UploadFolder()
    old.save(io.BytesIO(b"x"), "old.csv")
    fresh.save(io.BytesIO(b"y"), "fresh.csv")
    other = upload_root / "not-ours"
    other.mkdir()
    hour_ago = time.time() - 3601
    for path in (old.path, old.path / "old.csv", other):
        os.utime(path, (hour_ago, hour_ago))
    assert uploads.sweep() == 1
    assert folders(upload_root) == [fresh.path] and other.exists()
    fresh.close()


def test_the_app_sweeps_at_start(upload_root, app_test):
    stale = upload_root / (uploads.PREFIX + "left-behind")
    stale.mkdir(parents=True)
    (stale / "export.csv").write_text("a@example.com", encoding="utf-8")
    hour_ago = time.time() - 7200
    for path in (stale / "export.csv", stale):
        os.utime(path, (hour_ago, hour_ago))
    from streamlit import cache_resource

    cache_resource.clear()  # a new server process: the once-per-process sweep runs again
    at = app_test()
    at.run()
    assert not at.exception
    assert not stale.exists()
