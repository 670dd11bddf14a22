"""Coverage across waves: per-area trend with deltas, and the skills that moved most.

Like for like: two waves are compared over what both asked (question_skills, recorded at each
load). An area's change is shown only when both waves asked the same skills of it, since its
coverage is each person's best level across the skills asked; otherwise the change is withheld
and the row says how many skills each wave asked. A skill moves only when both waves asked it.
Movers list only changes larger than Settings.min_change whose 95% Wilson intervals do not
overlap (analytics/intervals.py); every change is a difference of shares, shown in pp.

population 'all' compares each wave's respondents with the previous wave's respondents;
'cohort' compares the people present in both waves with themselves (so joiners and leavers
do not move the figures). Comparing the two would expose the joiners and leavers, so the cohort
is shown for the whole organisation only (no team / role / location filter), and only for the
waves analytics.reporting_groups.cohort_waves allows.
"""
from __future__ import annotations

import pandas as pd

from analytics import selection
from analytics.db import check_aggregates, fetch, per_read, reader
from analytics.filters import Filters
from analytics.intervals import apart, wilson
from analytics.reporting_groups import cohort_waves, serve
from analytics.settings import Settings
from analytics.sql import PROFICIENT, share, where_area
from analytics.suppression import SUPPRESSED, hidden_cells
from analytics.waves import resolve
from schemas.metrics import AreaTrendFrame, MoversFrame

POPULATIONS = ("all", "cohort")
_PREVIOUS = {"all": "all", "cohort": "cohort_prev"}


@per_read
def area_coverage_trend(db: str, f: Filters, s: Settings, population: str = "all") -> pd.DataFrame:
    """Per wave (all waves; the wave filter does not apply) and area: coverage, the previous
    wave's coverage and the delta."""
    _check(population)
    if population == "cohort" and f.people_filtered:
        return AreaTrendFrame.validate(_empty(AreaTrendFrame))
    with reader(db) as con:
        check_aggregates(con)
        people = serve(con, f, s.k)
        # One pass over the aggregates pivots each (wave, area) into its populations' sums; the
        # previous wave's 'all' figures come from one join on prev_wave_id.
        frame = fetch(con, f"""
            WITH piv AS (
                SELECT g.wave_id, g.area_id,
                       {_pivot("g.population = $population", "cur")},
                       {_pivot("g.population = $previous", "same_prev")},
                       {_pivot("g.population = 'all'", "all")}
                FROM {people.source('agg_area_levels')} g JOIN skill_areas sa USING (area_id)
                WHERE g.population IN ('all', $population, $previous) AND {people.where} AND {where_area(f)}
                GROUP BY g.wave_id, g.area_id
            ),
            pairs AS (
                SELECT x.wave_id, x.area_id, o.seq, o.prev_wave_id, x.cur_n AS n_answered, x.cur_prof AS n_proficient,
                       CASE WHEN $population = 'all' THEN pp.all_n ELSE x.same_prev_n END AS prev_n_answered,
                       CASE WHEN $population = 'all' THEN pp.all_prof ELSE x.same_prev_prof END AS prev_proficient,
                       x.all_n AS all_n_answered, pp.all_n AS prev_all_n_answered
                FROM piv x JOIN agg_wave_order o USING (wave_id)
                LEFT JOIN piv pp ON pp.area_id = x.area_id AND pp.wave_id = o.prev_wave_id
                WHERE x.cur_n IS NOT NULL
            )
            SELECT c.wave_id, w.label AS wave_label, c.seq, $population AS population,
                   sa.area_id, sa.{f.name_column} AS area_name,
                   c.n_answered, {share('c.n_proficient', 'c.n_answered')} AS coverage,
                   c.prev_n_answered, {share('c.prev_proficient', 'c.prev_n_answered')} AS prev_coverage,
                   c.all_n_answered, c.prev_all_n_answered, c.prev_wave_id
            FROM pairs c JOIN waves w USING (wave_id) JOIN skill_areas sa USING (area_id)
            ORDER BY c.seq, sa.sort_order, sa.area_id
        """, {**f.params(), **people.params(), "population": population, "previous": _PREVIOUS[population],
              "threshold": s.threshold})
        cohort_ok = cohort_waves(con, s.k) if population == "cohort" else ()
        asked = _area_skills_asked(con)
    frame["delta"] = frame["coverage"] - frame["prev_coverage"]
    frame = _like_for_like(frame, asked)
    frame = _protect(frame, people.sizes, s.k, population, cohort_ok)
    frame["ci_low"], frame["ci_high"] = wilson((frame["coverage"] * frame["n_answered"]).round(), frame["n_answered"])
    frame["delta_pp"] = frame["delta"] * 100
    return AreaTrendFrame.validate(frame[list(AreaTrendFrame.to_schema().columns)])


def _area_skills_asked(con) -> dict[tuple[int, str], frozenset[str]]:
    """(wave, area) -> the area's skills some question of the wave asked about."""
    rows = con.execute("""
        SELECT q.wave_id, s.area_id, list(DISTINCT q.skill_id) FROM question_skills q JOIN skills s USING (skill_id)
        GROUP BY ALL
    """).fetchall()
    return {(wave, area): frozenset(skills) for wave, area, skills in rows}


def _like_for_like(frame: pd.DataFrame, asked: dict[tuple[int, str], frozenset[str]]) -> pd.DataFrame:
    """How many of the area's skills each wave asked, how many both did, and the delta withheld
    (comparable False) where the two waves did not ask the same skills of the area."""
    now = [asked.get((int(w), a), frozenset()) for w, a in zip(frame["wave_id"], frame["area_id"], strict=True)]
    before = [asked.get((int(p), a), frozenset()) if pd.notna(p) else None
              for p, a in zip(frame["prev_wave_id"], frame["area_id"], strict=True)]
    out = frame.copy()
    out["n_skills_asked"] = [len(x) for x in now]
    out["prev_n_skills_asked"] = pd.array([None if b is None else len(b) for b in before], dtype="Int64")
    out["n_skills_common"] = pd.array([None if b is None else len(x & b) for x, b in zip(now, before, strict=True)],
                                      dtype="Int64")
    out["comparable"] = [b is not None and x == b for x, b in zip(now, before, strict=True)]
    out.loc[~out["comparable"], "delta"] = float("nan")
    return out


def area_deltas(db: str, f: Filters, s: Settings, population: str = "all") -> pd.DataFrame:
    """area_coverage_trend rows of the selected wave (default the latest) that have a delta
    (both waves shown), largest rise first."""
    with reader(db) as con:
        check_aggregates(con)
        wave = resolve(con, f.wave_id)
    trend = area_coverage_trend(db, f, s, population)
    if wave is None:
        return trend.iloc[0:0]
    rows = trend[(trend["wave_id"] == wave.wave_id) & trend["delta"].notna()]
    rows = rows.sort_values("delta", ascending=False, kind="stable")
    return AreaTrendFrame.validate(rows.reset_index(drop=True))


def withheld_deltas(db: str, f: Filters, s: Settings, population: str = "all") -> pd.DataFrame:
    """area_coverage_trend rows of the selected wave whose change is withheld because the two
    waves did not ask the same skills of the area (the page says so, with the counts)."""
    with reader(db) as con:
        check_aggregates(con)
        wave = resolve(con, f.wave_id)
    trend = area_coverage_trend(db, f, s, population)
    if wave is None or wave.prev_wave_id is None:
        return trend.iloc[0:0]
    rows = trend[(trend["wave_id"] == wave.wave_id) & ~trend["comparable"]]
    return AreaTrendFrame.validate(rows.reset_index(drop=True))


def movers(db: str, f: Filters, s: Settings, population: str = "all", limit: int = 5) -> pd.DataFrame:
    """The skills whose coverage rose most (risers) and fell most (fallers) from the previous
    wave to the selected one: up to ``limit`` of each; hidden cells are left out."""
    _check(population)
    with reader(db) as con:
        check_aggregates(con)
        wave = resolve(con, f.wave_id)
        if wave is None or wave.prev_wave_id is None or (population == "cohort" and f.people_filtered):
            return MoversFrame.validate(_empty(MoversFrame))
        people = serve(con, f, s.k)
        params = {
            **people.params(), "population": population, "previous": _PREVIOUS[population], "threshold": s.threshold,
            "wave": wave.wave_id, "prev_wave": wave.prev_wave_id,
            # Where the comparison's 'previous' rows are filed: the cohort's are under this wave.
            "prev_key": wave.prev_wave_id if population == "all" else wave.wave_id,
        }
        frame = fetch(con, f"""
            WITH piv AS (
                SELECT g.skill_id,
                       {_pivot("g.population = $population AND g.wave_id = $wave", "cur")},
                       {_pivot("g.population = $previous AND g.wave_id = $prev_key", "prev")},
                       sum(g.n_answered) FILTER (WHERE g.population = 'all' AND g.wave_id = $wave) AS all_n,
                       sum(g.n_answered) FILTER (WHERE g.population = 'all' AND g.wave_id = $prev_wave) AS prev_all_n
                FROM {people.source('agg_skill_levels')} g JOIN skills s USING (skill_id)
                JOIN skill_areas sa ON sa.area_id = s.area_id
                WHERE g.wave_id IN ($wave, $prev_wave) AND g.population IN ('all', $population, $previous)
                  AND {people.where} AND {where_area(f)}
                  AND g.skill_id IN (SELECT skill_id FROM question_skills WHERE wave_id = $wave
                                     INTERSECT SELECT skill_id FROM question_skills WHERE wave_id = $prev_wave)
                GROUP BY g.skill_id
            )
            SELECT s.skill_id, s.{f.name_column} AS skill_name, sa.{f.name_column} AS area_name,
                   $wave::INTEGER AS wave_id, $prev_wave::INTEGER AS prev_wave_id,
                   c.cur_n AS n_answered, {share('c.cur_prof', 'c.cur_n')} AS coverage,
                   c.prev_n AS prev_n_answered, {share('c.prev_prof', 'c.prev_n')} AS prev_coverage,
                   c.all_n AS all_n_answered, c.prev_all_n AS prev_all_n_answered,
                   row_number() OVER (ORDER BY sa.sort_order, s.sort_order, s.skill_id) AS skill_order,
                   (SELECT string_agg(DISTINCT q.question, ' / ' ORDER BY q.question) FROM question_skills q
                    WHERE q.wave_id = $wave AND q.skill_id = c.skill_id) AS question
            FROM piv c JOIN skills s USING (skill_id) JOIN skill_areas sa ON sa.area_id = s.area_id
            WHERE c.cur_n IS NOT NULL AND c.prev_n IS NOT NULL
        """, {**f.params(), **params})
        cohort_ok = cohort_waves(con, s.k) if population == "cohort" else ()
    frame["delta"] = frame["coverage"] - frame["prev_coverage"]
    frame = _protect(frame, people.sizes, s.k, population, cohort_ok)
    frame = frame[~frame[SUPPRESSED] & frame["delta"].notna()]
    frame = _real_changes(frame, s.min_change)
    risers = frame[frame["delta"] > 0].sort_values(["delta", "skill_order"], ascending=[False, True], kind="stable")
    fallers = frame[frame["delta"] < 0].sort_values(["delta", "skill_order"], ascending=[True, True], kind="stable")
    out = pd.concat([risers.head(limit).assign(direction="riser"), fallers.head(limit).assign(direction="faller")],
                    ignore_index=True)
    out = out.astype({"n_answered": "int64", "prev_n_answered": "int64"})
    out["delta_pp"] = out["delta"] * 100
    return MoversFrame.validate(out[list(MoversFrame.to_schema().columns)])


def _real_changes(frame: pd.DataFrame, min_change: float) -> pd.DataFrame:
    """The rows whose change is larger than ``min_change`` and whose two 95% intervals do not
    overlap, with those intervals."""
    out = frame.copy()
    out["ci_low"], out["ci_high"] = wilson((out["coverage"] * out["n_answered"]).round(), out["n_answered"])
    out["prev_ci_low"], out["prev_ci_high"] = wilson((out["prev_coverage"] * out["prev_n_answered"]).round(),
                                                      out["prev_n_answered"])
    keep = (out["delta"].abs() > min_change) & apart(out["ci_low"], out["ci_high"], out["prev_ci_low"],
                                                     out["prev_ci_high"])
    return out[keep]


def _pivot(condition: str, prefix: str) -> str:
    """Sums of the rows matching ``condition`` (fixed SQL; values are $parameters): {prefix}_n
    answered and {prefix}_prof at or above the threshold; NULL when no row matches."""
    proficient = PROFICIENT.replace("n_l", "g.n_l")
    return (f"sum(g.n_answered) FILTER (WHERE {condition}) AS {prefix}_n, "
            f"sum({proficient}) FILTER (WHERE {condition}) AS {prefix}_prof")


def _protect(frame: pd.DataFrame, sizes: dict[int, int], k: int, population: str,
             cohort_ok: tuple[int, ...]) -> pd.DataFrame:
    """Hide the current side, the previous side, and the delta where either is hidden. A cohort
    row of a wave whose comparison is not allowed (``cohort_ok``) is hidden on both sides."""
    out = frame.copy()
    cur = hidden_cells(out["n_answered"], out, k).to_numpy(copy=True)
    prev = hidden_cells(out["prev_n_answered"], out, k).to_numpy(copy=True)
    cur |= out["wave_id"].map(lambda w: selection.too_small(sizes.get(int(w), 0), k)).to_numpy(dtype=bool)
    prev |= out["prev_wave_id"].map(
        lambda w: pd.notna(w) and selection.too_small(sizes.get(int(w), 0), k)).to_numpy(dtype=bool)
    if population == "cohort":
        refused = ~out["wave_id"].isin(cohort_ok).to_numpy(dtype=bool)
        cur |= refused
        prev |= refused
    out["n_answered"] = out["n_answered"].astype("Int64")
    out["prev_n_answered"] = out["prev_n_answered"].astype("Int64")
    out.loc[cur, "n_answered"] = pd.NA
    out.loc[cur, "coverage"] = float("nan")
    out.loc[prev, "prev_n_answered"] = pd.NA
    out.loc[prev, "prev_coverage"] = float("nan")
    out.loc[cur | prev, "delta"] = float("nan")
    out[SUPPRESSED] = cur
    return out


def _check(population: str) -> None:
    if population not in POPULATIONS:
        raise ValueError(f"population must be one of {POPULATIONS}, got {population!r}")


def _empty(model) -> pd.DataFrame:
    return pd.DataFrame({c: [] for c in model.to_schema().columns})
