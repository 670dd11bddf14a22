"""Export the analyst-facing model as Parquet, partitioned by wave, for engines beyond one machine.

    python -m pipelines.export --parquet DIR [--db PATH] [--k N] [--linked]

Writes DIR/<table>/wave_id=<n>/*.parquet for the per-wave tables (respondents, answers,
cloud_preferences, learning_interests, ingestions) and DIR/<table>.parquet for the dimensions
(waves, skill_areas, skills, service_categories) - readable by Spark, BigQuery external tables
or DuckDB over object storage (`read_parquet('DIR/answers/*/*.parquet', hive_partitioning=true)`).
DIR/_schema.json lists each table's files, partitioning, DuckDB column types and rows, with k and
whether the export is linked (docs/scaling.md, "The export's layout").

Privacy (docs/privacy.md, Export): the export is row-level, so
- respondent ids are new pseudonyms: SHA-256 of a random secret made for this export (and thrown
  away after it), the wave and the stored id. So nothing links a person across waves, to the
  database or to another export. `--linked` (an admin's explicit choice) drops the wave from it:
  the same person then has one pseudonym in every wave of this export (still not the stored id);
- a team, role or location value held by fewer than k respondents of a wave becomes
  '(suppressed)', and so do all three for a team x role x location combination still under k;
  a value suppressed for a person in one wave is suppressed for them in every wave (repeated
  until nothing changes), so another wave can't give it back;
- the submission time is the month only (`submitted_month`), and null when fewer than k
  respondents of the wave share that month, or that month and team x role x location;
- no file names, file hashes, profile names or staff (loaded_by); ingestion ids are not in the
  respondent-level tables; rows are written in pseudonym order, not load order;
- rejected_rows and audit_log are not exported.
"""
from __future__ import annotations

import argparse
import json
import secrets
import sys
from pathlib import Path

import duckdb

from common.duck import connect
from schemas import config, settings

SUPPRESSED = "(suppressed)"
ATTRIBUTES = ("team", "role", "location")
PER_PERSON = {"answers": "skill_id, level", "cloud_preferences": "provider, kind", "learning_interests": "skill_id"}
DIMENSIONS = ("waves", "skill_areas", "skills", "service_categories")
SCHEMA_FILE = "_schema.json"


def _min_group_size() -> int:
    # the dashboards' k (data/app_config.yaml), so exports and charts agree
    return config.load(config.AppConfig, settings.APP_CONFIG).min_group_size


def generalise(con: duckdb.DuckDBPyConnection, k: int) -> None:
    """Build the temp table `people` (wave_id, respondent_id, team, role, location, submitted_month)
    with every quasi-identifier generalised as the module docstring says."""
    con.execute("""
        CREATE OR REPLACE TEMP TABLE people AS
        SELECT wave_id, respondent_id, team, role, location,
               date_trunc('month', submitted_at)::DATE AS submitted_month
        FROM respondents
    """)
    while _generalise_once(con, k):
        pass
    # The month last, as it differs from wave to wave by nature.
    con.execute("""
        UPDATE people SET submitted_month = NULL
        FROM (SELECT rowid AS rid,
                     count(*) OVER (PARTITION BY wave_id, submitted_month) AS n_month,
                     count(*) OVER (PARTITION BY wave_id, team, role, location, submitted_month) AS n_combo
              FROM people) c
        WHERE people.rowid = c.rid AND people.submitted_month IS NOT NULL AND least(n_month, n_combo) < $k
    """, {"k": k})


def _generalise_once(con: duckdb.DuckDBPyConnection, k: int) -> int:
    """One round of the three rules; returns how many values it suppressed (0: done)."""
    changed = 0
    for col in ATTRIBUTES:  # a value (blank included) held by fewer than k of a wave
        changed += _update(con, f"""
            UPDATE people SET {col} = '{SUPPRESSED}'
            FROM (SELECT rowid AS rid, count(*) OVER (PARTITION BY wave_id, {col}) AS n FROM people) c
            WHERE people.rowid = c.rid AND c.n < $k AND people.{col} IS DISTINCT FROM '{SUPPRESSED}'
        """, k)
    changed += _update(con, f"""
        UPDATE people SET team = '{SUPPRESSED}', role = '{SUPPRESSED}', location = '{SUPPRESSED}'
        FROM (SELECT rowid AS rid, count(*) OVER (PARTITION BY wave_id, team, role, location) AS n FROM people) c
        WHERE people.rowid = c.rid AND c.n < $k
          AND NOT (people.team = '{SUPPRESSED}' AND people.role = '{SUPPRESSED}' AND people.location = '{SUPPRESSED}')
    """, k)
    for col in ATTRIBUTES:  # suppressed in one wave: suppressed in every wave
        changed += _update(con, f"""
            UPDATE people SET {col} = '{SUPPRESSED}'
            WHERE {col} IS DISTINCT FROM '{SUPPRESSED}'
              AND respondent_id IN (SELECT respondent_id FROM people WHERE {col} = '{SUPPRESSED}')
        """)
    return changed


def _update(con: duckdb.DuckDBPyConnection, sql: str, k: int | None = None) -> int:
    return con.execute(sql, None if k is None else {"k": k}).fetchall()[0][0]


def export_parquet(out_dir: str | Path, db: str | None = None, k: int | None = None,
                   linked: bool = False) -> dict[str, int]:
    """Write the model to `out_dir`, with `_schema.json` describing it; returns rows written per table."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    k = _min_group_size() if k is None else k
    con = connect(settings.db_path(db), read_only=True)
    counts = {}
    tables = {}
    try:
        # COPY targets can't be bound parameters; the paths are ours (out_dir/<fixed table name>).
        def copy(select: str, target: Path, partitioned: bool, params=None) -> None:
            options = "FORMAT parquet, PARTITION_BY (wave_id), OVERWRITE_OR_IGNORE" if partitioned else "FORMAT parquet"
            quoted = str(target).replace("'", "''")
            con.execute(f"COPY ({select}) TO '{quoted}' ({options})", params).fetchall()
            counts[target.stem] = con.execute(f"SELECT count(*) FROM ({select})", params).fetchall()[0][0]
            tables[target.stem] = {**_layout(con, select, target.name, partitioned, params), "rows": counts[target.stem]}

        for table in DIMENSIONS:
            copy(f"SELECT * FROM {table}", out / f"{table}.parquet", False)
        generalise(con, k)
        con.execute("""
            CREATE OR REPLACE TEMP TABLE pseudonyms AS
            SELECT wave_id, respondent_id,
                   left(sha256($secret || CASE WHEN $linked THEN '' ELSE wave_id::VARCHAR END || ':' || respondent_id),
                        32) AS pseudonym
            FROM people
        """, {"secret": secrets.token_hex(32), "linked": linked})
        copy("SELECT wave_id, s.pseudonym AS respondent_id, team, role, location, submitted_month "
             "FROM people JOIN pseudonyms s USING (wave_id, respondent_id) ORDER BY wave_id, s.pseudonym",
             out / "respondents", True)
        for table, cols in PER_PERSON.items():
            copy(f"SELECT t.wave_id, s.pseudonym AS respondent_id, {cols} FROM {table} t "
                 f"JOIN pseudonyms s USING (wave_id, respondent_id) ORDER BY t.wave_id, s.pseudonym, {cols}",
                 out / table, True)
        copy("SELECT ingestion_id, wave_id, loaded_at::DATE AS loaded_on, rows_read, rows_loaded, rows_rejected, "
             "status FROM ingestions ORDER BY ingestion_id", out / "ingestions", True)
    finally:
        con.close()
    schema = {"format": "parquet", "k": k, "linked": linked, "suppressed_value": SUPPRESSED, "tables": tables}
    (out / SCHEMA_FILE).write_text(json.dumps(schema, indent=2) + "\n", encoding="utf-8")
    return counts


def _layout(con: duckdb.DuckDBPyConnection, select: str, name: str, partitioned: bool, params) -> dict:
    """One table's entry in _schema.json: where its files are and its columns' DuckDB types, in
    order. A partitioned table's wave_id is in the folder names (hive style), not in the files; a
    partitioned table without rows has no files at all, only this entry."""
    columns = {c: t for c, t, *_ in con.execute(f"DESCRIBE ({select})", params).fetchall()}
    if not partitioned:
        return {"files": name, "partitioned_by": [], "columns": columns}
    return {"files": f"{name}/wave_id=*/*.parquet", "partitioned_by": ["wave_id"], "columns": columns}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipelines.export", description=__doc__.splitlines()[0])
    parser.add_argument("--parquet", required=True, metavar="DIR", help="output folder")
    parser.add_argument("--db", help="database (default $SKILLS_DB or data/skills.duckdb)")
    parser.add_argument("--k", type=int, help="minimum group size (default: data/app_config.yaml)")
    parser.add_argument("--linked", action="store_true",
                        help="give each person one pseudonym across all waves of this export (an admin's choice: "
                             "it links a person's answers from wave to wave); default: a new pseudonym per wave")
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    try:
        counts = export_parquet(args.parquet, args.db, args.k, linked=args.linked)
    except (duckdb.Error, OSError, ValueError) as exc:
        print(f"error: {str(exc).splitlines()[0]}", file=sys.stderr)
        return 3
    for table, n in counts.items():
        print(f"{table:<20}{n:>12,} rows")
    return 0


if __name__ == "__main__":
    sys.exit(main())
