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

k defaults to the export's own (its _schema.json), the threshold to data/app_config.yaml's.
`--out OUT` writes OUT/area_team_coverage.csv and OUT/cloud_split.csv; without it both are
printed. Spark runs locally on one core (`--master` for a cluster, which must see DIR too).
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import pandas as pd

from analytics import selection
from analytics.reporting_groups import OTHER_TEAMS
from analytics.suppression import apply_mask, hidden_cells, suppress
from pipelines.export import SCHEMA_FILE, SUPPRESSED
from schemas.canonical import NOT_GIVEN, PROVIDERS

KINDS = ("preferred", "uses")
TABLES = ("respondents", "answers", "cloud_preferences", "waves", "skills", "skill_areas")
_SPARK_TYPES = {"VARCHAR": "STRING"}  # DuckDB type names Spark's DDL spells differently


def session(master: str = "local[1]", small: bool = False):
    """A Spark session without UI or progress bar. ``small`` (tests, tiny exports): one shuffle
    partition and a driver JVM that starts fast (client JIT only, serial GC), about half the time
    for a test's few queries; otherwise Spark's defaults (adaptive execution sizes the shuffles)."""
    from pyspark.sql import SparkSession

    builder = (SparkSession.builder.master(master).appName("skills-spark-coverage")
               .config("spark.ui.enabled", "false")
               .config("spark.ui.showConsoleProgress", "false")
               .config("spark.sql.session.timeZone", "UTC"))
    if small:
        builder = (builder.config("spark.sql.shuffle.partitions", "1")
                   .config("spark.driver.extraJavaOptions", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"))
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")  # its WARN lines (a window over a few waves) are noise here
    return spark


def layout(export_dir: str | Path) -> dict:
    """The export's _schema.json. Read by Python, not Spark: Spark skips files whose names start
    with '_' (which is also why it never mistakes the file for data)."""
    return json.loads((Path(export_dir) / SCHEMA_FILE).read_text(encoding="utf-8"))


def register(spark, export_dir: str | Path) -> None:
    """The export's tables as temp views. The per-wave tables get wave_id from their folder names;
    one without rows has no files, so its view is built empty from _schema.json."""
    root = str(export_dir).rstrip("/")
    tables = layout(root)["tables"]
    for table in TABLES:
        entry = tables[table]
        if not entry["partitioned_by"]:
            frame = spark.read.parquet(f"{root}/{entry['files']}")
        elif entry["rows"] == 0:
            ddl = ", ".join(f"`{c}` {_SPARK_TYPES.get(t, t)}" for c, t in entry["columns"].items())
            frame = spark.createDataFrame([], ddl)
        else:
            frame = spark.read.option("basePath", f"{root}/{table}").parquet(f"{root}/{table}")
        frame.createOrReplaceTempView(table)


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


def run(spark, export_dir: str | Path, k: int | None, threshold: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Both results of one export: (area coverage by team, the cloud split of both kinds).
    ``k`` None: the export's own."""
    k = layout(export_dir)["k"] if k is None else k
    register(spark, export_dir)
    coverage = area_team_coverage(spark, k, threshold)
    cloud = pd.concat([cloud_split_by_wave(spark, k, kind) for kind in KINDS], ignore_index=True)
    return coverage, cloud


# User-facing texts of this command, in one place.
MESSAGES = {
    "failed": "Spark could not read {path} as an export of python -m pipelines.export --parquet: {reason}",
}


def main(argv: list[str] | None = None) -> int:
    from pyspark.errors import PySparkException
    from pyspark.sql import SparkSession

    from analytics import settings as app_settings

    parser = argparse.ArgumentParser(prog="python -m benchmarks.spark_coverage", description=__doc__.splitlines()[0])
    parser.add_argument("export", metavar="DIR", help="a folder written by python -m pipelines.export --parquet")
    parser.add_argument("--k", type=int, help="minimum group size (default: the export's, from its _schema.json)")
    parser.add_argument("--threshold", type=int, help="proficient level (default: data/app_config.yaml)")
    parser.add_argument("--master", default="local[1]", help="Spark master URL (default local[1])")
    parser.add_argument("--out", help="folder for the two CSV files (default: print them)")
    args = parser.parse_args(argv)
    if not (Path(args.export) / SCHEMA_FILE).is_file():  # fail before Spark starts
        print("error: " + MESSAGES["failed"].format(path=args.export, reason=f"it has no {SCHEMA_FILE}."),
              file=sys.stderr)
        return 3
    threshold = app_settings.load().threshold if args.threshold is None else args.threshold
    running = SparkSession.getActiveSession()  # a session of the caller's is used and left running
    spark = running or session(args.master)
    try:
        coverage, cloud = run(spark, args.export, args.k, threshold)
    except (PySparkException, OSError, KeyError, TypeError, ValueError) as exc:
        reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        print("error: " + MESSAGES["failed"].format(path=args.export, reason=reason), file=sys.stderr)
        return 3
    finally:
        if running is None:
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
