"""Where things live: every SKILLS_* environment variable and the data folder, in one place.

``env()`` reads the environment each time it is called (tests and the CLIs' ``--db`` change it
at run time); a bad value is a :class:`ConfigError` naming the variable, never a silent default.
"""
from __future__ import annotations

import functools
import os
import tempfile
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from schemas.config import ConfigError, problem

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_ROOT / "data"
DEFAULT_DB = DATA_DIR / "skills.duckdb"
ENV_PREFIX = "SKILLS_"


class Env(BaseSettings):
    """The SKILLS_* environment variables (an empty value counts as unset)."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, env_ignore_empty=True, extra="ignore", frozen=True)

    db: str = Field(default=str(DEFAULT_DB), description="the database file, or a MotherDuck md: URL")
    secret_file: Path | None = Field(default=None, description="HMAC key for respondent ids")
    profiles_dir: Path = Field(default=DATA_DIR / "profiles", description="where the upload page saves profiles")
    max_upload_mb: int = Field(default=200, ge=1, description="upload size limit in MB")
    saved_queries: Path | None = Field(default=None, description="the SQL console's saved queries (JSON)")
    access_file: Path = Field(default=DATA_DIR / "access.yaml", description="roles by email or domain")
    log_dir: Path = Field(default=DATA_DIR / "logs", description="where errors.log is written")
    audit_file: Path | None = Field(default=None, description="log of SQL console queries and profile saves (JSON lines)")
    require_login: bool = Field(default=False, description="refuse local mode even when access.yaml allows it")
    store_actor_as: Literal["email", "role", "pseudonym"] = Field(
        default="pseudonym", description="how staff are stored in audit_log.actor and ingestions.loaded_by")
    upload_dir: Path | None = Field(default=None, description="where raw uploads wait while a session needs them")
    # What one input file may ask of the machine, checked before the work (pipelines/limits.py).
    max_csv_line_mb: float = Field(default=32, gt=0, description="longest physical line of a CSV")
    max_csv_field_mb: float = Field(default=16, gt=0, description="largest CSV field, quoted line breaks included")
    max_columns: int = Field(default=20_000, gt=0, description="columns of a CSV or of a worksheet")
    max_xlsx_uncompressed_mb: float = Field(default=1000, gt=0, description="an XLSX's zip entries, unpacked")
    max_xlsx_ratio: float = Field(default=100, gt=0, description="unpacked / stored size of one zip entry over 1 MB")
    max_xlsx_cells: int = Field(default=20_000_000, gt=0, description="rows x columns a worksheet spans")
    parse_memory_mb: float = Field(default=4096, gt=0, description="heap cap of the child that reads an upload")
    parse_timeout_s: float = Field(default=300, gt=0, description="time limit of that child")


def env() -> Env:
    """The settings as the environment states them now."""
    return _parsed(tuple(sorted((k, v) for k, v in os.environ.items() if k.upper().startswith(ENV_PREFIX))))


@functools.lru_cache(maxsize=16)
def _parsed(snapshot: tuple[tuple[str, str], ...]) -> Env:
    # Parsed once per distinct environment: db_path() runs dozens of times per page render and a
    # parse costs 0.3 ms. ``snapshot`` is only the cache key; Env reads the same os.environ.
    try:
        return Env()
    except ValidationError as exc:
        error = exc.errors(include_url=False)[0]
        raise ConfigError(f"{ENV_PREFIX}{str(error['loc'][0]).upper()}: {problem(error)}") from None


def is_local(path: str) -> bool:
    return not path.startswith("md:")


def db_path(override: str | os.PathLike | None = None) -> str:
    """The database to use: an explicit --db wins, then $SKILLS_DB, then data/skills.duckdb.

    A MotherDuck URL (``md:...``) is passed through untouched.
    """
    value = str(override or env().db)
    return value if not is_local(value) else str(Path(value).expanduser())


def secret_path() -> Path:
    """The HMAC key for respondent ids: outside the database and the repository."""
    override = env().secret_file
    if override is not None:
        return override.expanduser()
    base = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return base / "skills-survey" / "respondent-id.key"


def profiles_dir() -> Path:
    return env().profiles_dir.expanduser()


def access_file() -> Path:
    return env().access_file.expanduser()


def log_path() -> Path:
    return env().log_dir.expanduser() / "errors.log"


def saved_queries_path(db: str | os.PathLike | None = None) -> Path:
    """$SKILLS_SAVED_QUERIES, else saved_queries.json beside the database (data/ for a remote one)."""
    override = env().saved_queries
    if override is not None:
        return override.expanduser()
    path = db_path(db)
    return (Path(path).parent if is_local(path) else DATA_DIR) / "saved_queries.json"


def actor_form() -> str:
    """How staff are stored in audit_log.actor and ingestions.loaded_by: email (the sign-in email,
    or the OS login name on the command line), role (hr, admin, ..., cli on the command line) or
    pseudonym (the default: a keyed hash, see pipelines.audit)."""
    return env().store_actor_as


def upload_dir() -> Path:
    """Where the upload page keeps raw uploads while a session needs them ($SKILLS_UPLOAD_DIR, else the temp folder)."""
    return (env().upload_dir or Path(tempfile.gettempdir())).expanduser()


def max_upload_mb() -> int:
    return env().max_upload_mb


def audit_path(db: str | os.PathLike | None = None) -> Path:
    """$SKILLS_AUDIT_FILE, else ``<database>.audit.jsonl`` beside the database (data/ for a remote one)."""
    override = env().audit_file
    if override is not None:
        return override.expanduser()
    path = db_path(db)
    return Path(path).with_suffix(".audit.jsonl") if is_local(path) else DATA_DIR / "audit.jsonl"


# The configuration files (reviewed data, kept in the repository).
APP_CONFIG = DATA_DIR / "app_config.yaml"
TARGETS = DATA_DIR / "targets.yaml"
HEADCOUNT = DATA_DIR / "headcount.yaml"
LEVELS = DATA_DIR / "levels.yaml"
TAXONOMY = DATA_DIR / "taxonomy.yaml"
EXAMPLE_QUERIES = DATA_DIR / "example_queries.yaml"
DATA_DICTIONARY = DATA_DIR / "data_dictionary.yaml"
