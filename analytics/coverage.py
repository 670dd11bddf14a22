"""Skill and area coverage, bench depth, single points of knowledge, gaps and the upskilling pipeline.

Definitions (threshold = Settings.threshold, default level 3 "proficient"):
- skill coverage: of the respondents who answered a skill, the share at or above the threshold;
- area coverage: of the respondents who answered any skill of an area, the share whose best level
  across the area's skills is at or above the threshold;
- bench depth: the number of respondents at or above the threshold in a skill;
- single point of knowledge: a skill with bench depth <= Settings.single_point_max_bench;
- gap: the area's target (data/targets.yaml) minus its coverage.
All are for one wave (Filters.wave_id, default the latest) and the people and area filters.
Every row is subject to the minimum group size k (analytics/suppression.py).
"""
from __future__ import annotations

import dataclasses

import pandas as pd

from analytics import selection
from analytics.db import check_aggregates, fetch, per_read, reader
from analytics.filters import Filters
from analytics.labels import LEVEL_LABELS
from analytics.reporting_groups import Served, serve
from analytics.settings import Settings
from analytics.sql import LEVEL_SUMS, PROFICIENT, share, where_area
from analytics.suppression import SUPPRESSED, suppress
from analytics.waves import resolve
from schemas.metrics import (
    AreaCoverageFrame,
    AreaTeamCoverageFrame,
    BenchDepthFrame,
    LevelDistributionFrame,
    SkillCoverageFrame,
    UpskillingFrame,
)

_LEVEL_COLS = [f"n_l{n}" for n in range(5)]


def skill_coverage(db: str, f: Filters, s: Settings) -> pd.DataFrame:
    """One row per skill asked in the wave (taxonomy order): answered, proficient, coverage."""
    with reader(db) as con:
        cells, size = _skill_cells(con, f, s)
    frame = suppress(cells, "n_answered", ["n_proficient", "coverage", *_LEVEL_COLS], s.k)
    frame = _hide_small_selection(frame, size, s, ["n_answered", "n_proficient", "coverage"])
    return SkillCoverageFrame.validate(frame[list(SkillCoverageFrame.to_schema().columns)])


def area_coverage(db: str, f: Filters, s: Settings) -> pd.DataFrame:
    """One row per area answered in the wave: coverage by best level, target and gap."""
    with reader(db) as con:
        return AreaCoverageFrame.validate(area_coverage_rows(con, f, s))


def top_gaps(db: str, f: Filters, s: Settings, limit: int = 5) -> pd.DataFrame:
    """The areas furthest below their target (largest positive gap first), at most ``limit``."""
    with reader(db) as con:
        areas = area_coverage_rows(con, f, s)
    below = areas[areas["gap"] > 0].sort_values("gap", ascending=False, kind="stable")
    return AreaCoverageFrame.validate(below.head(limit).reset_index(drop=True))


def area_team_coverage(db: str, f: Filters, s: Settings) -> pd.DataFrame:
    """Area x team coverage (the heatmap). The teams of one area add up to the area's figure, so
    a hidden team is protected by hiding the next smallest team of that area as well."""
    with reader(db) as con:
        check_aggregates(con)
        wave = resolve(con, f.wave_id)
        if wave is None:
            return AreaTeamCoverageFrame.validate(_empty(AreaTeamCoverageFrame))
        people = serve(con, f, s.k)
        cells = fetch(con, f"""
            WITH cells AS (
                SELECT g.area_id, {people.team} AS team, {LEVEL_SUMS}
                FROM {people.source('agg_area_levels', by='team')} g JOIN skill_areas sa USING (area_id)
                WHERE g.population = 'all' AND g.wave_id = $wave AND {people.where} AND {where_area(f)}
                GROUP BY ALL
            )
            SELECT c.area_id, sa.{f.name_column} AS area_name, c.team, c.n_answered,
                   {PROFICIENT} AS n_proficient, {share(PROFICIENT, 'c.n_answered')} AS coverage
            FROM cells c JOIN skill_areas sa USING (area_id)
            ORDER BY sa.sort_order, c.team
        """, {**f.params(), **people.params(), "wave": wave.wave_id, "threshold": s.threshold})
        size = people.sizes.get(wave.wave_id, 0)
    frame = suppress(cells, "n_answered", ["n_proficient", "coverage"], s.k, partitions=[["area_id"]])
    frame = _hide_small_selection(frame, size, s, ["n_answered", "n_proficient", "coverage"])
    return AreaTeamCoverageFrame.validate(frame)


def level_distribution(db: str, f: Filters, s: Settings) -> pd.DataFrame:
    """Long format, one row per skill and level 0-4: respondents at that level and their share.
    Only skills someone in the selection answered; a skill under k is hidden as a whole."""
    with reader(db) as con:
        cells, size = _skill_cells(con, f, s)
    cells = cells[cells["n_answered"] > 0]
    frame = suppress(cells, "n_answered", _LEVEL_COLS, s.k)
    frame = _hide_small_selection(frame, size, s, ["n_answered", *_LEVEL_COLS])
    long = frame.melt(
        id_vars=["skill_id", "skill_name", "area_name", "n_answered", SUPPRESSED, "skill_order"],
        value_vars=_LEVEL_COLS, var_name="level", value_name="n",
    )
    long["level"] = long["level"].str[-1].astype(int)
    long["level_label"] = long["level"].map(dict(enumerate(LEVEL_LABELS[f.lang])))
    long["share"] = (long["n"] / long["n_answered"]).astype("Float64").astype(float)
    long = long.sort_values(["skill_order", "level"], kind="stable").reset_index(drop=True)
    return LevelDistributionFrame.validate(long[list(LevelDistributionFrame.to_schema().columns)])


def bench_depth(db: str, f: Filters, s: Settings) -> pd.DataFrame:
    """Per skill asked in the wave: how many people are at or above the threshold (0 if nobody in
    the selection answered it) and whether that makes it a single point of knowledge."""
    with reader(db) as con:
        return BenchDepthFrame.validate(_bench_rows(con, f, s))


def single_points_of_knowledge(db: str, f: Filters, s: Settings) -> pd.DataFrame:
    """The single points of knowledge: bench_depth rows flagged single_point, thinnest first."""
    with reader(db) as con:
        return BenchDepthFrame.validate(single_point_rows(con, f, s))


def single_point_rows(con, f: Filters, s: Settings) -> pd.DataFrame:
    """single_points_of_knowledge on an open connection, not yet validated."""
    bench = _bench_rows(con, f, s)
    spok = bench[bench["single_point"].fillna(False).astype(bool)]
    return spok.sort_values(["bench", "n_answered"], ascending=[True, False], kind="stable").reset_index(drop=True)


@per_read
def _bench_rows(con, f: Filters, s: Settings) -> pd.DataFrame:
    cells, size = _skill_cells(con, f, s)
    frame = cells.rename(columns={"n_proficient": "bench"})
    frame["single_point"] = (frame["bench"] <= s.single_point_max_bench).astype("boolean")
    frame = suppress(frame, "n_answered", ["bench", "single_point"], s.k)
    frame = _hide_small_selection(frame, size, s, ["n_answered", "bench", "single_point"])
    return frame[list(BenchDepthFrame.to_schema().columns)]


def upskilling_pipeline(db: str, f: Filters, s: Settings) -> pd.DataFrame:
    """Per skill: people who want to learn it, and of those the ones below the threshold (or who
    did not rate it) - the pipeline that could close a gap. Largest pipeline first. The group the
    counts describe is the whole selection, so it is hidden when the selection is under k."""
    with reader(db) as con:
        check_aggregates(con)
        wave = resolve(con, f.wave_id)
        if wave is None:
            return UpskillingFrame.validate(_empty(UpskillingFrame))
        people = serve(con, f, s.k)
        size = people.sizes.get(wave.wave_id, 0)
        frame = fetch(con, f"""
            WITH cells AS (
                SELECT g.skill_id, sum(g.n_interested) AS n_interested,
                       {", ".join(f"sum(g.n_l{n}) AS n_l{n}" for n in range(5))}
                FROM {people.source('agg_interest_levels')} g
                WHERE g.wave_id = $wave AND {people.where}
                GROUP BY g.skill_id
            )
            SELECT s.skill_id, s.{f.name_column} AS skill_name, sa.{f.name_column} AS area_name,
                   $size::BIGINT AS n_respondents, c.n_interested, c.n_interested - {PROFICIENT} AS n_pipeline
            FROM cells c JOIN skills s USING (skill_id) JOIN skill_areas sa ON sa.area_id = s.area_id
            WHERE c.n_interested > 0 AND {where_area(f)}
            ORDER BY n_pipeline DESC, n_interested DESC, sa.sort_order, s.sort_order
        """, {**f.params(), **people.params(), "wave": wave.wave_id, "threshold": s.threshold, "size": size})
    frame = suppress(frame, "n_respondents", ["n_interested", "n_pipeline"], s.k)
    return UpskillingFrame.validate(frame)


# --- shared queries -------------------------------------------------------------------------

def _skill_cells(con, f: Filters, s: Settings) -> tuple[pd.DataFrame, int]:
    """Per skill asked in the wave (by anyone) in the track / areas chosen: the selection's level
    counts, zeros if none; and the size of the selection. Read for every area once per render
    (the coverage page asks for all areas and for one), then narrowed here."""
    cells, size = _every_area_skill_cells(con, dataclasses.replace(f, track=None, areas=()), s)
    keep = pd.Series(True, index=cells.index)
    if f.track is not None:
        keep &= cells["track"] == f.track
    if f.areas:
        keep &= cells["area_id"].isin(f.areas)
    return cells[keep.to_numpy(dtype=bool)].reset_index(drop=True), size


@per_read
def _every_area_skill_cells(con, f: Filters, s: Settings) -> tuple[pd.DataFrame, int]:
    check_aggregates(con)
    wave = resolve(con, f.wave_id)
    if wave is None:
        frame = pd.DataFrame(columns=["skill_id", "skill_name", "area_id", "area_name", "track", "skill_order",
                                      "n_answered", "n_proficient", "coverage", *_LEVEL_COLS])
        frame = frame.astype({c: "int64" for c in ["skill_order", "n_answered", "n_proficient", *_LEVEL_COLS]})
        return frame.astype({"coverage": float}), 0
    people = serve(con, f, s.k)
    frame = fetch(con, f"""
        {_filled_counts("agg_skill_levels", "skill_id", people)}
        SELECT s.skill_id, s.{f.name_column} AS skill_name, sa.area_id, sa.{f.name_column} AS area_name, sa.track,
               row_number() OVER (ORDER BY sa.sort_order, s.sort_order, s.skill_id) AS skill_order,
               x.n_answered, {PROFICIENT} AS n_proficient, {share(PROFICIENT, 'x.n_answered')} AS coverage,
               {", ".join(f"x.n_l{n}" for n in range(5))}
        FROM filled x JOIN skills s USING (skill_id) JOIN skill_areas sa ON sa.area_id = s.area_id
        ORDER BY skill_order
    """, {**f.params(), **people.params(), "wave": wave.wave_id, "threshold": s.threshold})
    return frame, people.sizes.get(wave.wave_id, 0)


def _filled_counts(table: str, key: str, people: Served) -> str:
    """CTEs ending in `filled`: per `key` asked in the wave, the counted people's level counts
    (0 where the selection counts nobody). `table` and `key` are fixed names from this module."""
    if not people.filters.people_filtered:  # everyone: the 'total' rows are one per key asked, already filled
        return f"""WITH filled AS (
            SELECT {key}, n_answered, {", ".join(f"n_l{n}" for n in range(5))}
            FROM {table}_rollup WHERE grain = 'total' AND population = 'all' AND wave_id = $wave
        )"""
    zeros = ", ".join(f"coalesce(c.n_l{n}, 0) AS n_l{n}" for n in range(5))
    return f"""WITH asked AS (
            SELECT DISTINCT {key} FROM {table}_rollup WHERE grain = 'total' AND population = 'all' AND wave_id = $wave
        ),
        cells AS (
            SELECT g.{key}, {LEVEL_SUMS}
            FROM {people.source(table)} g
            WHERE g.population = 'all' AND g.wave_id = $wave AND {people.where}
            GROUP BY g.{key}
        ),
        filled AS (
            SELECT a.{key}, coalesce(c.n_answered, 0) AS n_answered, {zeros}
            FROM asked a LEFT JOIN cells c USING ({key})
        )"""


def area_coverage_rows(con, f: Filters, s: Settings, wave_id: int | None = None) -> pd.DataFrame:
    """area_coverage on an open connection, not yet validated (callers validate what they make of
    it: a page render validates each frame it is handed once); ``wave_id`` overrides the filters'."""
    check_aggregates(con)
    wave = resolve(con, f.wave_id if wave_id is None else wave_id)
    if wave is None:
        return _empty(AreaCoverageFrame)
    return _area_coverage_at(con, dataclasses.replace(f, wave_id=wave.wave_id), s)


@per_read
def _area_coverage_at(con, f: Filters, s: Settings) -> pd.DataFrame:
    wave = resolve(con, f.wave_id)
    people = serve(con, f, s.k)
    frame = fetch(con, f"""
        {_filled_counts("agg_area_levels", "area_id", people)}
        SELECT sa.area_id, sa.{f.name_column} AS area_name, sa.track, x.n_answered,
               {PROFICIENT} AS n_proficient, {share(PROFICIENT, 'x.n_answered')} AS coverage
        FROM filled x JOIN skill_areas sa USING (area_id)
        WHERE {where_area(f)}
        ORDER BY sa.sort_order, sa.area_id
    """, {**f.params(), **people.params(), "wave": wave.wave_id, "threshold": s.threshold})
    size = people.sizes.get(wave.wave_id, 0)
    frame["target"] = frame["area_id"].map(s.target_for).astype(float)
    frame["gap"] = frame["target"] - frame["coverage"]
    frame = suppress(frame, "n_answered", ["n_proficient", "coverage", "gap"], s.k)
    return _hide_small_selection(frame, size, s, ["n_answered", "n_proficient", "coverage", "gap"])


def _hide_small_selection(frame: pd.DataFrame, size: int, s: Settings, columns: list[str]) -> pd.DataFrame:
    if not selection.too_small(size, s.k):
        return frame
    return selection.hide_rows(frame, pd.Series(True, index=frame.index), columns)


def _empty(model) -> pd.DataFrame:
    return pd.DataFrame({name: pd.Series(dtype=object) for name in model.to_schema().columns})
