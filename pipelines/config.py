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


ACTOR_FORMS = ("email", "role", "pseudonym")


def actor_form() -> str:
    """How staff are stored in audit_log.actor and ingestions.loaded_by: $SKILLS_STORE_ACTOR_AS.

    email (the sign-in email, or the OS login name on the command line), role (hr, admin, ...,
    cli on the command line) or pseudonym (the default: a keyed hash, see pipelines.audit).
    """
    value = os.environ.get("SKILLS_STORE_ACTOR_AS", "pseudonym").strip().lower()
    if value not in ACTOR_FORMS:
        raise ValueError(f"SKILLS_STORE_ACTOR_AS is {value!r}; use one of {', '.join(ACTOR_FORMS)}")
    return value


def upload_dir() -> Path:
    """Where the upload page keeps raw uploads while a session needs them: $SKILLS_UPLOAD_DIR or the temp folder."""
    import tempfile

    return Path(os.environ.get("SKILLS_UPLOAD_DIR") or tempfile.gettempdir()).expanduser()
