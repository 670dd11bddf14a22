"""Uploaded files on disk: streamed in chunks (never held whole in memory twice), removed after use.

Raw exports hold personal data (emails, names), so they live in a private temporary folder only
until the load is done or cancelled.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import BinaryIO

from schemas import settings

CHUNK = 1 << 20


def max_upload_mb() -> int:
    return settings.max_upload_mb()


def save_upload(stream: BinaryIO, file_name: str) -> Path:
    """Copy an upload into a fresh private folder, keeping only the file's base name."""
    folder = Path(tempfile.mkdtemp(prefix="skills-upload-"))
    os.chmod(folder, 0o700)
    path = folder / (Path(file_name).name or "upload.csv")
    with open(path, "wb") as out:
        shutil.copyfileobj(stream, out, CHUNK)
    return path


def discard_upload(path: str | Path | None) -> None:
    if path:
        shutil.rmtree(Path(path).parent, ignore_errors=True)
