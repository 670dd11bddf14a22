"""Area coverage by team and the cloud split per wave, computed by Apache Spark from the Parquet export.

    python -m pipelines.export --parquet DIR
    python -m benchmarks.spark_coverage DIR [--k N] [--threshold N] [--out OUT]

Spark reads the row-level export (docs/scaling.md, "The export's layout") and counts; the
result is a few rows per area, team and wave, which the driver passes through the product's
own suppression (analytics.suppression, analytics.selection), so the two cannot drift apart.
The figures are the dashboards' (analytics/coverage.area_team_coverage, analytics/cloud's
split by wave), with the one difference the export imposes:

- a team the export generalised to '(suppressed)' is counted under "Other teams". The product
  shows under "Other teams" the reporting groups that span several teams (analytics/
  reporting_groups.py), which it forms from the database's exact team x role x location cells.
  The two are the same people when the teams under k per wave hold k or more people together
  and no team is generalised only through a rare role / location combination or another
  wave; otherwise Spark's "Other teams" holds whom the export generalised.

`--out OUT` writes OUT/area_team_coverage.csv and OUT/cloud_split.csv; without it both are
printed. Spark runs locally on one core (`--master` for a cluster).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from analytics import selection
from analytics.reporting_groups import OTHER_TEAMS
from analytics.suppression import apply_mask, hidden_cells, suppress
from pipelines.export import SUPPRESSED
from schemas.canonical import NOT_GIVEN, PROVIDERS

KINDS = ("preferred", "uses")


def session(master: str = "local[1]"):
    """A small Spark session: no UI, one shuffle partition (the data after the first group-by is tiny)."""
    from pyspark.sql import SparkSession

    spark = (SparkSession.builder.master(master).appName("skills-spark-coverage")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.shuffle.partitions", "1")
            .config("spark.sql.session.timeZone", "UTC")
            .getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")  # its WARN lines (a window over a few waves) are noise here
    return spark


def register(spark, export_dir: str | Path) -> None:
    """The export's tables as temp views; the per-wave tables get wave_id from their folder names."""
    root = Path(export_dir)
    for table in ("respondents", "answers", "cloud_preferences"):
        spark.read.option("basePath", str(root / table)).parquet(str(root / table)).createOrReplaceTempView(table)
    for table in ("waves", "skills", "skill_areas"):
        spark.read.parquet(str(root / f"{table}.parquet")).createOrReplaceTempView(table)


def area_team_coverage(spark, k: int, threshold: int, lang: str = "en") -> pd.DataFrame:
    """Per wave, area and team: n_answered, n_proficient, coverage, suppressed (the heatmap)."""
    name = "name_ja" if lang == "ja" else "name_en"  # a fixed identifier
    cells = spark.sql(f"""
        WITH people AS (
            SELECT wave_id, respondent_id,
                   CASE WHEN team = :suppressed THEN :other_teams
                        ELSE coalesce(nullif(trim(team), ''), :not_given) END AS team
            FROM respondents
        ),
        best AS (  -- a person's best level across the area's skills they answered
            SELECT a.wave_id, a.respondent_id, s.area_id, max(a.level) AS best
            FROM answers a JOIN skills s ON s.skill_id = a.skill_id
            GROUP BY a.wave_id, a.respondent_id, s.area_id
        )
        SELECT b.wave_id, b.area_id, sa.{name} AS area_name, sa.sort_order, p.team,
               count(*) AS n_answered, sum(CASE WHEN b.best >= :threshold THEN 1 ELSE 0 END) AS n_proficient
        FROM best b JOIN people p ON p.wave_id = b.wave_id AND p.respondent_id = b.respondent_id
        JOIN skill_areas sa ON sa.area_id = b.area_id
        GROUP BY b.wave_id, b.area_id, sa.{name}, sa.sort_order, p.team
    """, args={"suppressed": SUPPRESSED, "other_teams": OTHER_TEAMS, "not_given": NOT_GIVEN,
               "threshold": threshold}).toPandas()
    sizes = _wave_sizes(spark)
    frames = []
    # The product's row order (area, then team) decides which cell complementary suppression picks.
    for wave_id, wave in cells.sort_values(["wave_id", "sort_order", "area_id", "team"]).groupby("wave_id"):
        wave = wave.reset_index(drop=True)
        wave["coverage"] = wave["n_proficient"] / wave["n_answered"]
        wave = suppress(wave, "n_answered", ["n_proficient", "coverage"], k, partitions=[["area_id"]])
        if selection.too_small(sizes.get(int(wave_id), 0), k):
            wave = selection.hide_rows(wave, pd.Series(True, index=wave.index), ["n_answered", "n_proficient", "coverage"])
        frames.append(wave.drop(columns="sort_order"))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def cloud_split_by_wave(spark, k: int, kind: str) -> pd.DataFrame:
    """Per wave and provider: n_base (answered the question), n_respondents, share, suppressed."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}")
    counts = spark.sql("""
        WITH answered AS (SELECT DISTINCT wave_id, respondent_id, provider FROM cloud_preferences WHERE kind = :kind),
        base AS (SELECT wave_id, count(DISTINCT respondent_id) AS n_base FROM answered GROUP BY wave_id),
        named AS (SELECT wave_id, provider, count(*) AS n_respondents FROM answered GROUP BY wave_id, provider),
        ordered AS (SELECT wave_id, label, row_number() OVER (ORDER BY survey_date NULLS LAST, wave_id) AS seq
                    FROM waves)
        SELECT b.wave_id, o.label AS `group`, o.seq AS group_order, b.n_base, n.provider, n.n_respondents
        FROM base b JOIN ordered o ON o.wave_id = b.wave_id LEFT JOIN named n ON n.wave_id = b.wave_id
    """, args={"kind": kind}).toPandas()
    groups = counts.drop_duplicates("wave_id")[["wave_id", "group", "group_order", "n_base"]]
    grid = groups.merge(pd.DataFrame({"provider": PROVIDERS, "provider_order": range(len(PROVIDERS))}), how="cross")
    frame = grid.merge(counts[["wave_id", "provider", "n_respondents"]].dropna(), how="left", on=["wave_id", "provider"])
    frame["n_respondents"] = frame["n_respondents"].fillna(0).astype("int64")
    frame["n_base"] = frame["n_base"].astype("int64")
    frame["share"] = frame["n_respondents"] / frame["n_base"]
    frame.insert(0, "kind", kind)
    frame = frame.sort_values(["group_order", "provider_order"]).reset_index(drop=True)
    # Waves don't add up to a published total, so a small wave needs no complement.
    sizes = _wave_sizes(spark)
    small = frame["wave_id"].map(lambda w: selection.too_small(sizes.get(int(w), 0), k)).astype(bool)
    hidden = hidden_cells(frame["n_base"], frame, k) | small
    frame = apply_mask(frame, hidden, ["n_base", "n_respondents", "share"])
    return frame.drop(columns="provider_order")


def _wave_sizes(spark) -> dict[int, int]:
    rows = spark.sql("SELECT wave_id, count(*) AS n FROM respondents GROUP BY wave_id").collect()
    return {int(r["wave_id"]): int(r["n"]) for r in rows}


def main(argv: list[str] | None = None) -> int:
    from analytics import settings as app_settings

    parser = argparse.ArgumentParser(prog="python -m benchmarks.spark_coverage", description=__doc__.splitlines()[0])
    parser.add_argument("export", metavar="DIR", help="a folder written by python -m pipelines.export --parquet")
    parser.add_argument("--k", type=int, help="minimum group size (default: data/app_config.yaml)")
    parser.add_argument("--threshold", type=int, help="proficient level (default: data/app_config.yaml)")
    parser.add_argument("--master", default="local[1]", help="Spark master URL (default local[1])")
    parser.add_argument("--out", help="folder for the two CSV files (default: print them)")
    args = parser.parse_args(argv)
    if not (Path(args.export) / "respondents").is_dir():
        print(f"error: {args.export} is not a Parquet export (no respondents/ folder in it).", file=sys.stderr)
        return 3
    s = app_settings.load()
    k = s.k if args.k is None else args.k
    threshold = s.threshold if args.threshold is None else args.threshold
    spark = session(args.master)
    try:
        register(spark, args.export)
        coverage = area_team_coverage(spark, k, threshold)
        cloud = pd.concat([cloud_split_by_wave(spark, k, kind) for kind in KINDS], ignore_index=True)
    finally:
        spark.stop()
    if args.out:
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        coverage.to_csv(out / "area_team_coverage.csv", index=False)
        cloud.to_csv(out / "cloud_split.csv", index=False)
    else:
        print(coverage.to_string(index=False))
        print(cloud.to_string(index=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
