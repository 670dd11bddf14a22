"""Coverage forecast: each area's coverage one and two waves ahead, with an interval, and when its
target would be reached at the current pace.

How it is computed (docs/radar.md says the same for readers):
- pace: for each pair of consecutive waves up to the selected one, the change in the area's
  coverage among the people who answered both waves (the cohort, so joiners and leavers do not
  count as learning: analytics.trends.area_coverage_trend); pace is the mean of those changes;
- forecast h waves ahead = today's coverage + h x pace, clipped to 0-100%;
- interval: 90% (z = 1.645), from the sampling error of today's coverage, sqrt(p(1-p)/n), and of
  each cohort change, taken as two independent shares, which overstates it a little for the same
  people answering twice: se_h = sqrt(se_now^2 + h^2 x se_pace^2);
- waves to target = ceil((target - coverage) / pace) when the pace is positive;
- pipeline: the upskilling pipeline (analytics.coverage.upskilling_pipeline), the people below the
  threshold who want to learn one of the area's skills, shown beside the forecast as the room the
  pace has to run in; it does not enter the arithmetic.
Every input comes from the public metric functions, so the minimum group size applies.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from analytics.coverage import area_coverage, upskilling_pipeline
from analytics.db import check_aggregates, reader
from analytics.filters import Filters
from analytics.settings import Settings
from analytics.trends import area_coverage_trend
from analytics.waves import resolve, wave_list
from schemas.forecast import ForecastFrame

Z90 = 1.645
HORIZONS = (1, 2)

# User-facing text of this module, by language (to move into the message catalogue).
OUTLOOK_TEXT: dict[str, dict[str, str]] = {
    "en": {"reached": "At or above target.", "on_pace": "Reaches the target in {n} wave(s) at the current pace.",
           "not_at_this_pace": "Will not reach the target at the current pace.",
           "no_pace": "No earlier wave to measure a pace from.", "no_target": "No target set.",
           "hidden": "Hidden: fewer people than the minimum group size."},
    "ja": {"reached": "目標以上です。", "on_pace": "現在のペースで{n}回後の調査で目標に届きます。",
           "not_at_this_pace": "現在のペースでは目標に届きません。", "no_pace": "ペースを測る前回の調査がありません。",
           "no_target": "目標が未設定です。", "hidden": "最小グループサイズ未満のため非表示です。"},
}


def coverage_forecast(db: str, f: Filters, s: Settings) -> pd.DataFrame:
    """One row per area shown on the coverage page, in taxonomy order."""
    areas = area_coverage(db, f, s)
    with reader(db) as con:
        check_aggregates(con)
        wave = resolve(con, f.wave_id)
        seq = None if wave is None else int(wave_list(con).set_index("wave_id").loc[wave.wave_id, "seq"])
    cohort = area_coverage_trend(db, f, s, population="cohort")
    cohort = cohort[(cohort["seq"] <= (seq or 0)) & cohort["delta"].notna()]
    rows = [_area(area, cohort[cohort["area_id"] == area["area_id"]]) for _, area in areas.iterrows()]
    frame = pd.DataFrame(rows, columns=[c for c in ForecastFrame.to_schema().columns if c not in ("pipeline", "outlook_text")])
    frame["pipeline"] = frame["area_id"].map(_pipeline(db, f, s)).astype("Int64")
    text = OUTLOOK_TEXT[f.lang]
    frame["outlook_text"] = [text[o].format(n=n) for o, n in zip(frame["outlook"], frame["waves_to_target"], strict=True)]
    frame = frame.astype({"n_answered": "Int64", "waves_to_target": "Int64", "n_pairs": "int64"})
    return ForecastFrame.validate(frame[list(ForecastFrame.to_schema().columns)])


def _area(area: pd.Series, pairs: pd.DataFrame) -> dict:
    p, n, target = area["coverage"], area["n_answered"], area["target"]
    row = {"area_id": area["area_id"], "area_name": area["area_name"], "coverage": p, "n_answered": n,
           "target": target, "n_pairs": len(pairs), "pace": np.nan, "waves_to_target": pd.NA,
           "suppressed": bool(area["suppressed"])}
    for h in HORIZONS:
        row.update({f"forecast_{h}": np.nan, f"low_{h}": np.nan, f"high_{h}": np.nan})
    if pd.isna(p):
        # Nobody counted (the filters hold no whole reporting group) is hidden too, not "no pace".
        return {**row, "outlook": "hidden" if area["suppressed"] or not n or pd.isna(n) else "no_pace"}
    if len(pairs):
        pace = float(pairs["delta"].mean())
        se_pace = math.sqrt(sum(_var(c, m) + _var(q, k) for c, m, q, k in zip(
            pairs["coverage"], pairs["n_answered"], pairs["prev_coverage"], pairs["prev_n_answered"], strict=True))) \
            / len(pairs)
        se_now = math.sqrt(_var(p, n))
        row["pace"] = pace
        for h in HORIZONS:
            centre, half = p + h * pace, Z90 * math.sqrt(se_now ** 2 + (h * se_pace) ** 2)
            row.update({f"forecast_{h}": _clip(centre), f"low_{h}": _clip(centre - half), f"high_{h}": _clip(centre + half)})
    row["outlook"], row["waves_to_target"] = _outlook(p, target, row["pace"])
    return row


def _outlook(coverage: float, target: float, pace: float) -> tuple[str, object]:
    if pd.isna(target):
        return "no_target", pd.NA
    if coverage >= target:
        return "reached", 0
    if pd.isna(pace):
        return "no_pace", pd.NA
    if pace <= 0:
        return "not_at_this_pace", pd.NA
    # Rounded first so that, say, 0.2 / 0.1 = 2.0000000000000004 counts as 2 waves, not 3.
    return "on_pace", math.ceil(round((target - coverage) / pace, 9))


def _pipeline(db: str, f: Filters, s: Settings) -> dict[str, int]:
    """Per area, the largest n_pipeline among its skills (a floor on the distinct people)."""
    pipe = upskilling_pipeline(db, f, s)
    shown = pipe[~pipe["suppressed"]]
    with reader(db) as con:
        area_of = dict(con.execute("SELECT skill_id, area_id FROM skills").fetchall())
    by_area: dict[str, int] = {}
    for skill, n in zip(shown["skill_id"], shown["n_pipeline"], strict=True):
        area = area_of.get(skill)
        if area is not None and not pd.isna(n):
            by_area[area] = max(by_area.get(area, 0), int(n))
    return by_area


def _var(p: float, n) -> float:
    return p * (1 - p) / int(n)


def _clip(x: float) -> float:
    return min(max(x, 0.0), 1.0)
