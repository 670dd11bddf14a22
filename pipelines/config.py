"""Where things live: the database, the data folder, the identity secret."""
from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_ROOT / "data"
PROFILES_DIR = DATA_DIR / "profiles"
DEFAULT_DB = DATA_DIR / "skills.duckdb"


def db_path(override: str | os.PathLike | None = None) -> str:
    """The database to use: an explicit --db wins, then $SKILLS_DB, then data/skills.duckdb.

    A MotherDuck URL (``md:...``) is passed through untouched.
    """
    value = override or os.environ.get("SKILLS_DB") or DEFAULT_DB
    value = str(value)
    return value if value.startswith("md:") else str(Path(value).expanduser())


def is_local(path: str) -> bool:
    return not path.startswith("md:")


def secret_path() -> Path:
    """The HMAC key for respondent ids: outside the database and the repository."""
    override = os.environ.get("SKILLS_SECRET_FILE")
    if override:
        return Path(override).expanduser()
    base = Path(os.environ.get("XDG_CONFIG_HOME", Path.home() / ".config"))
    return base / "skills-survey" / "respondent-id.key"
