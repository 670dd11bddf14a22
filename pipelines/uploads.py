"""Uploaded files on disk: streamed in chunks (never held whole in memory twice), removed after use.

Raw exports hold personal data (emails, names), so each session keeps them in its own private
folder (`UploadFolder`, mode 0700) only while it needs them: the folder is emptied when a load is
done or cancelled and deleted when the session ends (the upload page ties it to a session-scoped
Streamlit resource whose release closes it; garbage collection and interpreter exit delete it
too). `sweep` removes folders older than an hour that a crashed server left behind.
"""
from __future__ import annotations

import os
import shutil
import tempfile
import time
import weakref
from pathlib import Path
from typing import BinaryIO

from schemas import settings

CHUNK = 1 << 20
PREFIX = "skills-upload-"
MAX_AGE_SECONDS = 3600


def max_upload_mb() -> int:
    return settings.max_upload_mb()


class UploadFolder:
    """One session's private folder for raw uploads."""

    def __init__(self) -> None:
        root = settings.upload_dir()
        root.mkdir(parents=True, exist_ok=True)
        self.path = Path(tempfile.mkdtemp(prefix=PREFIX, dir=root))
        os.chmod(self.path, 0o700)
        self._delete = weakref.finalize(self, shutil.rmtree, self.path, ignore_errors=True)

    def save(self, stream: BinaryIO, file_name: str) -> Path:
        """Copy an upload in (replacing the previous one), keeping only the file's base name."""
        self.clear()
        self.path.mkdir(mode=0o700, exist_ok=True)  # back if the session reconnected after a release
        path = self.path / (Path(file_name).name or "upload.csv")
        with open(path, "wb") as out:
            shutil.copyfileobj(stream, out, CHUNK)
        return path

    def clear(self) -> None:
        for child in self.path.glob("*"):
            child.unlink(missing_ok=True)

    def close(self) -> None:
        """Delete the folder and everything in it (also what garbage collection does)."""
        self._delete()


def sweep(max_age_seconds: float = MAX_AGE_SECONDS) -> int:
    """Delete this user's upload folders untouched for longer than `max_age_seconds`; returns how many."""
    root = settings.upload_dir()
    cutoff = time.time() - max_age_seconds
    removed = 0
    for folder in root.glob(PREFIX + "*"):
        try:
            info = folder.lstat()
        except OSError:
            continue
        newest = max([info.st_mtime] + [c.stat().st_mtime for c in folder.glob("*") if c.is_file()])
        if folder.is_dir() and info.st_uid == os.getuid() and newest < cutoff:
            shutil.rmtree(folder, ignore_errors=True)
            removed += 1
    return removed
