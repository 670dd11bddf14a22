"""Named profiles saved by the upload page, kept as YAML in data/profiles/ (or $SKILLS_PROFILES_DIR)."""
from __future__ import annotations

import re
from pathlib import Path

from pipelines.profile import Profile, load_profile
from schemas import settings

_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 _.-]{0,63}$")


def profiles_dir() -> Path:
    return settings.profiles_dir()


def list_profiles() -> list[str]:
    folder = profiles_dir()
    return sorted(p.stem for p in folder.glob("*.yaml")) if folder.exists() else []


def open_profile(name: str) -> Profile:
    return load_profile(profiles_dir() / f"{name}.yaml")


def save_profile(profile: Profile, name: str) -> Path:
    """Write `profile` under `name`; the name must be a plain file name (no paths)."""
    name = name.strip()
    if not _SAFE_NAME.match(name) or name.startswith("."):
        raise ValueError("a profile name uses letters, digits, spaces, '-', '_' or '.' (up to 64)")
    folder = profiles_dir()
    folder.mkdir(parents=True, exist_ok=True)
    profile.name = name
    path = folder / f"{name}.yaml"
    tmp = path.with_suffix(".yaml.tmp")
    tmp.write_text(profile.to_yaml(), encoding="utf-8")
    tmp.replace(path)  # atomic: a reader never sees half a profile
    return path
