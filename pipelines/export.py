"""Export the analyst-facing model as Parquet, partitioned by wave, for engines beyond one machine.

    python -m pipelines.export --parquet DIR [--db PATH] [--k N]

Writes DIR/<table>/wave_id=<n>/*.parquet for the per-wave tables (respondents, answers,
cloud_preferences, learning_interests, ingestions) and DIR/<table>.parquet for the dimensions
(waves, skill_areas, skills, service_categories) — readable by Spark, BigQuery external tables
or DuckDB over object storage (`read_parquet('DIR/answers/*/*.parquet', hive_partitioning=true)`).

Privacy: the export is row-level, so the minimum group size applies to what could single a
person out: a team, role or location value held by fewer than k respondents of a wave is
replaced by '(suppressed)', and so is any team x role x location combination still under k.
rejected_rows is not exported (it holds raw cell values for HR to fix, not for analysis).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import duckdb

from common.duck import connect
from schemas import config, settings

SUPPRESSED = "(suppressed)"
PER_WAVE = ("answers", "cloud_preferences", "learning_interests", "ingestions")
DIMENSIONS = ("waves", "skill_areas", "skills", "service_categories")


def _min_group_size() -> int:
    # the dashboards' k (data/app_config.yaml), so exports and charts agree
    return config.load(config.AppConfig, settings.APP_CONFIG).min_group_size


def suppressed_respondents_sql() -> str:
    """Respondents with rare attribute values generalised (k bound as the only parameter, used 4x)."""
    return f"""
        WITH base AS (
            SELECT *, count(*) OVER (PARTITION BY wave_id, team) AS n_team,
                      count(*) OVER (PARTITION BY wave_id, role) AS n_role,
                      count(*) OVER (PARTITION BY wave_id, location) AS n_loc
            FROM respondents
        ), step1 AS (
            SELECT wave_id, respondent_id, ingestion_id, submitted_at,
                   CASE WHEN team IS NULL OR n_team >= $k THEN team ELSE '{SUPPRESSED}' END AS team,
                   CASE WHEN role IS NULL OR n_role >= $k THEN role ELSE '{SUPPRESSED}' END AS role,
                   CASE WHEN location IS NULL OR n_loc >= $k THEN location ELSE '{SUPPRESSED}' END AS location
            FROM base
        ), step2 AS (
            SELECT *, count(*) OVER (PARTITION BY wave_id, team, role, location) AS n_combo FROM step1
        )
        SELECT wave_id, respondent_id, ingestion_id,
               CASE WHEN n_combo >= $k THEN team ELSE '{SUPPRESSED}' END AS team,
               CASE WHEN n_combo >= $k THEN role ELSE '{SUPPRESSED}' END AS role,
               CASE WHEN n_combo >= $k THEN location ELSE '{SUPPRESSED}' END AS location,
               submitted_at
        FROM step2
    """


def export_parquet(out_dir: str | Path, db: str | None = None, k: int | None = None) -> dict[str, int]:
    """Write the model to `out_dir`; returns rows written per table."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    k = _min_group_size() if k is None else k
    con = connect(settings.db_path(db), read_only=True)
    counts = {}
    try:
        # COPY targets can't be bound parameters; the paths are ours (out_dir/<fixed table name>).
        def copy(select: str, target: Path, partitioned: bool, params=None) -> None:
            options = "FORMAT parquet, PARTITION_BY (wave_id), OVERWRITE_OR_IGNORE" if partitioned else "FORMAT parquet"
            quoted = str(target).replace("'", "''")
            con.execute(f"COPY ({select}) TO '{quoted}' ({options})", params).fetchall()

        for table in DIMENSIONS:
            copy(f"SELECT * FROM {table}", out / f"{table}.parquet", False)
            counts[table] = con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]
        copy(suppressed_respondents_sql(), out / "respondents", True, {"k": k})
        counts["respondents"] = con.execute("SELECT count(*) FROM respondents").fetchall()[0][0]
        for table in PER_WAVE:
            copy(f"SELECT * FROM {table}", out / table, True)
            counts[table] = con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]
    finally:
        con.close()
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipelines.export", description=__doc__.splitlines()[0])
    parser.add_argument("--parquet", required=True, metavar="DIR", help="output folder")
    parser.add_argument("--db", help="database (default $SKILLS_DB or data/skills.duckdb)")
    parser.add_argument("--k", type=int, help="minimum group size (default: data/app_config.yaml)")
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    try:
        counts = export_parquet(args.parquet, args.db, args.k)
    except (duckdb.Error, OSError, ValueError) as exc:
        print(f"error: {str(exc).splitlines()[0]}", file=sys.stderr)
        return 3
    for table, n in counts.items():
        print(f"{table:<20}{n:>12,} rows")
    return 0


if __name__ == "__main__":
    sys.exit(main())
