"""Headline figures: respondents and response rate per wave, the org coverage index, and the
count of single points of knowledge.

Org coverage index: the unweighted mean of the area coverages shown (every area counts the same,
so a big area does not drown out a thin one); hidden areas and areas nobody answered are left out.
Its change since the previous wave is like for like: the mean change over the areas both waves
asked the same skills of (analytics.trends), withheld when there are none. So it need not equal
the difference of the two waves' indexes when the waves asked different things.
Response rate needs the invited headcount (data/headcount.yaml); it is known for the whole
organisation or for a team selection whose every team has a number, never for role or location.
"""
from __future__ import annotations

import pandas as pd

from analytics import selection
from analytics.coverage import area_coverage_rows, single_point_rows
from analytics.db import check_aggregates, fetch, per_read, reader
from analytics.filters import Filters
from analytics.reporting_groups import serve
from analytics.settings import Settings
from analytics.suppression import suppress
from analytics.trends import area_coverage_trend
from analytics.waves import resolve
from schemas.metrics import HeadlineFrame, RespondentTrendFrame


@per_read
def respondent_trend(db: str, f: Filters, s: Settings) -> pd.DataFrame:
    """Per wave (all waves): respondents in the selection, invited headcount and response rate."""
    with reader(db) as con:
        check_aggregates(con)
        people = serve(con, f, s.k)
        frame = fetch(con, f"""
            SELECT o.wave_id, w.label AS wave_label, o.seq, coalesce(sum(g.n_respondents), 0) AS n_respondents
            FROM agg_wave_order o JOIN waves w USING (wave_id)
            LEFT JOIN {people.source('agg_respondents')} g ON g.wave_id = o.wave_id AND g.population = 'all' AND {people.where}
            GROUP BY ALL ORDER BY o.seq
        """, people.params())
    frame["headcount"] = pd.array([_headcount(label, f, s) for label in frame["wave_label"]], dtype="Int64")
    frame["response_rate"] = (frame["n_respondents"] / frame["headcount"]).astype("Float64").astype(float)
    frame = suppress(frame, "n_respondents", ["response_rate"], s.k)
    return RespondentTrendFrame.validate(frame)


def overview_headline(db: str, f: Filters, s: Settings) -> pd.DataFrame:
    """One row for the selected wave: respondents, response rate, coverage index now and in the
    previous wave, and the number of single points of knowledge."""
    trend = respondent_trend(db, f, s)
    with reader(db) as con:
        check_aggregates(con)
        wave = resolve(con, f.wave_id)
        if wave is None:
            return HeadlineFrame.validate(pd.DataFrame({c: [] for c in HeadlineFrame.to_schema().columns}))
        size = selection.sizes(con, f, s.k).get(wave.wave_id, 0)
        index_now = _index(area_coverage_rows(con, f, s, wave.wave_id))
        index_prev = _index(area_coverage_rows(con, f, s, wave.prev_wave_id)) if wave.prev_wave_id else float("nan")
        spok = single_point_rows(con, f, s)
    row = trend[trend["wave_id"] == wave.wave_id].iloc[0]
    hidden = selection.too_small(size, s.k)
    change, n_compared = _like_for_like_change(db, f, s, wave.wave_id)
    frame = pd.DataFrame([{
        "wave_id": wave.wave_id, "wave_label": wave.label, "prev_wave_label": wave.prev_label,
        "n_respondents": pd.NA if hidden else size,
        "response_rate": float("nan") if hidden else row["response_rate"],
        "coverage_index": float("nan") if hidden else index_now,
        "coverage_index_prev": float("nan") if hidden else index_prev,
        "coverage_index_delta": float("nan") if hidden else change,
        "n_areas_compared": 0 if hidden else n_compared,
        "n_single_points": pd.NA if hidden or size == 0 else len(spok),
        "suppressed": hidden,
    }])
    frame = frame.astype({"n_respondents": "Int64", "n_single_points": "Int64", "prev_wave_label": object})
    return HeadlineFrame.validate(frame)


def _like_for_like_change(db: str, f: Filters, s: Settings, wave_id: int) -> tuple[float, int]:
    """(mean change of the areas whose change is shown, how many): the areas both waves asked
    the same skills of, shown in both; NaN and 0 when there are none."""
    trend = area_coverage_trend(db, f, s, "all")
    shown = trend.loc[(trend["wave_id"] == wave_id) & trend["delta"].notna(), "delta"]
    return (float(shown.mean()) if len(shown) else float("nan")), len(shown)


def _index(areas: pd.DataFrame) -> float:
    shown = areas.loc[~areas["suppressed"] & areas["coverage"].notna(), "coverage"]
    return float(shown.mean()) if len(shown) else float("nan")


def _headcount(wave_label: str, f: Filters, s: Settings):
    if f.roles or f.locations:
        return pd.NA
    known = {team: n for label, team, n in s.headcount if label == wave_label}
    if not f.teams:
        return known.get("", pd.NA)
    if all(team in known for team in f.teams):
        return sum(known[team] for team in f.teams)
    return pd.NA
