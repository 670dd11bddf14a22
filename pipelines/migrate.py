"""Versioned schema migrations, applied in order, each in its own transaction.

Migrations are ``pipelines/migrations/NNN_name.sql`` files (or ``NNN_name.py`` files with an
``upgrade(con)`` function, for changes SQL alone can't express). The applied versions are kept
in ``schema_migrations`` so an existing database file is upgraded in place. Every writer runs
them (pipelines.db.writer); after a migration the dashboards' aggregates are brought up to date
too, since the dashboards only read them.

    python -m pipelines.migrate [--db PATH]   # upgrade a database and refresh its aggregates
"""
from __future__ import annotations

import argparse
import importlib.util
import sys
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
    """Bring ``con``'s database up to the latest version; returns the version reached. When a
    migration ran, the aggregates are refreshed if they lag (a new aggregate table starts empty)."""
    start = version = current_version(con)
    for number, path in available():
        if number <= version:
            continue
        con.execute("BEGIN TRANSACTION")
        try:
            if path.suffix == ".sql":
                con.execute(path.read_text(encoding="utf-8"))
            else:
                spec = importlib.util.spec_from_file_location(f"migration_{number}", path)
                if spec is None or spec.loader is None:
                    raise RuntimeError(f"migration {path.name} cannot be imported")
                module = importlib.util.module_from_spec(spec)
                spec.loader.exec_module(module)
                module.upgrade(con)
            con.execute("INSERT INTO schema_migrations (version, name) VALUES (?, ?)", [number, path.stem])
            con.execute("COMMIT")
        except BaseException:
            rollback(con)
            raise
        version = number
    if version != start:
        refresh_if_stale(con)
    return version


def refresh_if_stale(con: duckdb.DuckDBPyConnection) -> bool:
    """Rebuild the aggregates when they are missing or behind the ingestions; True when it did."""
    from pipelines import aggregates  # it writes through pipelines.db, which imports this module

    # Only a schema with every table the refresh writes (a database migrated part way has not)
    needed = {"agg_meta", "agg_wave_order", *aggregates.ROLLUP_KEYS, *(f"{t}_rollup" for t in aggregates.ROLLUP_KEYS)}
    present = {row[0] for row in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    if not needed <= present or not aggregates.is_stale(con):
        return False
    aggregates.refresh(con, own_transaction=True)
    return True


def main(argv: list[str] | None = None) -> int:
    from pipelines.db import writer

    parser = argparse.ArgumentParser(prog="python -m pipelines.migrate",
                                     description="Upgrade a database in place and bring its dashboard tables up to date.")
    parser.add_argument("--db", help="database file (default $SKILLS_DB or data/skills.duckdb)")
    args = parser.parse_args(argv)
    try:
        with writer(args.db) as con:
            version = current_version(con)
            refreshed = refresh_if_stale(con)
    except (duckdb.Error, OSError, ValueError) as exc:
        print(f"error: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}", file=sys.stderr)
        return 2
    print(f"schema version {version}; dashboard tables {'rebuilt' if refreshed else 'already up to date'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
