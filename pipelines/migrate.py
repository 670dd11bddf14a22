"""Versioned schema migrations, applied in order, each in its own transaction.

Migrations are ``pipelines/migrations/NNN_name.sql`` files (or ``NNN_name.py`` files with an
``upgrade(con)`` function, for changes SQL alone can't express). The applied versions are kept
in ``schema_migrations`` so an existing database file is upgraded in place.
"""
from __future__ import annotations

import importlib.util
from pathlib import Path

import duckdb

from pipelines.transactions import rollback

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def available() -> list[tuple[int, Path]]:
    found = []
    for path in sorted(MIGRATIONS_DIR.iterdir()):
        if path.suffix in {".sql", ".py"} and path.name[:3].isdigit():
            found.append((int(path.name[:3]), path))
    return found


def current_version(con: duckdb.DuckDBPyConnection) -> int:
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations "
        "(version INTEGER PRIMARY KEY, name VARCHAR, applied_at TIMESTAMP DEFAULT now())"
    )
    return con.execute("SELECT coalesce(max(version), 0) FROM schema_migrations").fetchall()[0][0]


def latest_version() -> int:
    return max(v for v, _ in available())


def migrate(con: duckdb.DuckDBPyConnection) -> int:
    """Bring ``con``'s database up to the latest version; returns the version reached."""
    version = current_version(con)
    for number, path in available():
        if number <= version:
            continue
        con.execute("BEGIN TRANSACTION")
        try:
            if path.suffix == ".sql":
                con.execute(path.read_text(encoding="utf-8"))
            else:
                spec = importlib.util.spec_from_file_location(f"migration_{number}", path)
                module = importlib.util.module_from_spec(spec)
                spec.loader.exec_module(module)
                module.upgrade(con)
            con.execute("INSERT INTO schema_migrations (version, name) VALUES (?, ?)", [number, path.stem])
            con.execute("COMMIT")
        except BaseException:
            rollback(con)
            raise
        version = number
    return version
