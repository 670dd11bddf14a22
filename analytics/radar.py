"""Tech radar computed from the survey: one blip per skill, its ring from adoption, its movement
from the previous wave.

Ring rules (thresholds in data/radar.yaml, see docs/radar.md), with coverage = the share of those
who answered the skill who are at or above the proficient threshold, and interest = the share of
the selection who said they want to learn it:
- Adopt: coverage >= adopt;
- Trial: trial <= coverage < adopt;
- Assess: coverage < trial and interest >= assess_interest (people want it, few have it yet);
- Hold: the rest (few have it, few want it).
The same rules applied to the previous wave give prev_ring; movement is 'in' (closer to Adopt),
'out', 'none', or 'new' when the skill was not placed in the previous wave.

k-safety: every figure comes from the public metric functions (skill_coverage,
upskilling_pipeline), which already apply the minimum group size; a hidden skill is not placed.
"""
from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd
from pydantic import ValidationError

from analytics.coverage import skill_coverage, upskilling_pipeline
from analytics.db import check_aggregates, reader
from analytics.export import neutralise_formulas
from analytics.filters import Filters
from analytics.settings import Settings
from analytics.waves import resolve
from schemas.radar import RINGS, RadarFrame, RadarRules
from schemas.settings import DATA_DIR
from schemas.yaml_io import YamlError, read_yaml

RADAR_FILE = DATA_DIR / "radar.yaml"
DEFAULT_RULES = RadarRules()

# User-facing text of this module, by language (to move into the message catalogue).
RING_NAMES: dict[str, dict[str, str]] = {
    "en": dict(zip(RINGS, RINGS, strict=True)),
    "ja": {"Adopt": "採用", "Trial": "試行", "Assess": "評価", "Hold": "保留"},
}
TEXT: dict[str, dict[str, str]] = {
    "en": {
        "title": "Tech radar",
        "coverage": "{coverage} of those who answered are at level {threshold}+",
        "delta": "{delta:+.0f} pp since {prev}",
        "interest": "{interest} want to learn it",
        "moved": "moved {direction} from {prev_ring}",
        "new": "new on the radar since {prev}",
        "in": "in", "out": "out",
        "bad_file": "{name}: {problem}",
    },
    "ja": {
        "title": "技術レーダー",
        "coverage": "回答者の{coverage}がレベル{threshold}以上",
        "delta": "{prev}から{delta:+.0f}ポイント",
        "interest": "{interest}が学びたいと回答",
        "moved": "{prev_ring}から{direction}",
        "new": "{prev}以降に新しく登場",
        "in": "内側へ移動", "out": "外側へ移動",
        "bad_file": "{name}: {problem}",
    },
}


class RadarRulesError(ValueError):
    """data/radar.yaml is unreadable or out of range; one line naming the file and the key."""


def load_rules(path: Path = RADAR_FILE) -> RadarRules:
    """The ring thresholds and quadrants; a missing file means the defaults (quadrant = track)."""
    path = Path(path)
    if not path.exists():
        return DEFAULT_RULES
    try:
        data = read_yaml(path) or {}
        if not isinstance(data, dict):
            raise RadarRulesError(f"{path.name}: should be a mapping of keys to values")
        return RadarRules(**data)
    except YamlError as exc:
        raise RadarRulesError(str(exc)) from exc
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "file"
        raise RadarRulesError(f"{path.name}: {where}: {first['msg']}") from exc
    except TypeError as exc:
        raise RadarRulesError(f"{path.name}: {exc}") from exc


def ring(coverage: float, interest: float, rules: RadarRules) -> str | None:
    """The ring for one skill's figures; None when its coverage is hidden or unknown."""
    if pd.isna(coverage):
        return None
    if coverage >= rules.adopt:
        return "Adopt"
    if coverage >= rules.trial:
        return "Trial"
    if not pd.isna(interest) and interest >= rules.assess_interest:
        return "Assess"
    return "Hold"


def tech_radar(db: str, f: Filters, s: Settings, rules: RadarRules = DEFAULT_RULES) -> pd.DataFrame:
    """One row per skill asked in the selected wave: ring, previous ring, movement, figures."""
    with reader(db) as con:
        check_aggregates(con)
        wave = resolve(con, f.wave_id)
    if wave is None:
        return RadarFrame.validate(pd.DataFrame({c: [] for c in RadarFrame.to_schema().columns}))
    now = _placed(db, dataclasses.replace(f, wave_id=wave.wave_id), s, rules)
    if wave.prev_wave_id is None:
        prev = now.iloc[0:0]
    else:
        prev = _placed(db, dataclasses.replace(f, wave_id=wave.prev_wave_id), s, rules)
    prev = prev[["skill_id", "ring", "coverage"]].rename(columns={"ring": "prev_ring", "coverage": "prev_coverage"})
    frame = now.merge(prev, on="skill_id", how="left")
    frame["delta"] = frame["coverage"] - frame["prev_coverage"]
    frame["movement"] = [_movement(r, p, wave.prev_wave_id is not None)
                         for r, p in zip(frame["ring"], frame["prev_ring"], strict=True)]
    frame["quadrant"] = [rules.quadrant_of(a, t) for a, t in zip(frame["area_id"], frame["track"], strict=True)]
    frame["wave_label"], frame["prev_wave_label"] = wave.label, wave.prev_label
    frame = frame.astype({"ring": object, "prev_ring": object, "movement": object, "prev_wave_label": object})
    return RadarFrame.validate(frame[list(RadarFrame.to_schema().columns)])


def _placed(db: str, f: Filters, s: Settings, rules: RadarRules) -> pd.DataFrame:
    """skill_coverage of one wave with the interest share and the ring."""
    cover = skill_coverage(db, f, s)
    pipe = upskilling_pipeline(db, f, s)
    interest = (pipe["n_interested"].astype("Float64") / pipe["n_respondents"].astype("Float64")).astype(float)
    frame = cover.merge(pd.DataFrame({"skill_id": pipe["skill_id"], "interest": interest}), on="skill_id", how="left")
    # A skill nobody in a shown selection wants to learn has interest 0; a hidden selection stays unknown.
    shown = ~frame["suppressed"].to_numpy(dtype=bool)
    frame.loc[shown & frame["interest"].isna().to_numpy(), "interest"] = 0.0
    frame["ring"] = [ring(c, i, rules) for c, i in zip(frame["coverage"], frame["interest"], strict=True)]
    return frame


def _movement(now, prev, has_prev_wave: bool) -> str | None:
    if pd.isna(now):
        return None
    if pd.isna(prev):
        return "new" if has_prev_wave else "none"
    step = RINGS.index(now) - RINGS.index(prev)
    return "in" if step < 0 else "out" if step > 0 else "none"


def describe(row: pd.Series, threshold: int, prev_label: str | None, lang: str = "en") -> str:
    """One sentence per blip for the radar's description column, from the row's shown figures."""
    text = TEXT[lang]
    parts = [text["coverage"].format(coverage=f"{row['coverage']:.0%}", threshold=threshold)]
    if not pd.isna(row["delta"]) and prev_label:
        parts.append(text["delta"].format(delta=row["delta"] * 100, prev=prev_label))
    if not pd.isna(row["interest"]) and row["interest"] > 0:
        parts.append(text["interest"].format(interest=f"{row['interest']:.0%}"))
    if row["movement"] in ("in", "out"):
        parts.append(text["moved"].format(direction=text[row["movement"]], prev_ring=RING_NAMES[lang][row["prev_ring"]]))
    elif row["movement"] == "new" and prev_label:
        parts.append(text["new"].format(prev=prev_label))
    return ("; " if lang == "en" else "、").join(parts) + ("." if lang == "en" else "。")


def byor_frame(radar: pd.DataFrame, threshold: int, prev_label: str | None, lang: str = "en") -> pd.DataFrame:
    """The placed blips as thoughtworks build-your-own-radar rows: name, ring, quadrant, isNew, description."""
    placed = radar[radar["ring"].notna()]
    rings = RING_NAMES[lang]
    return pd.DataFrame({
        "name": placed["skill_name"].to_numpy(),
        "ring": [rings[r] for r in placed["ring"]],
        "quadrant": placed["quadrant"].to_numpy(),
        "isNew": ["TRUE" if m == "new" else "FALSE" for m in placed["movement"]],
        "description": [describe(row, threshold, prev_label, lang) for _, row in placed.iterrows()],
    })


def byor_csv(radar: pd.DataFrame, threshold: int, prev_label: str | None, lang: str = "en") -> bytes:
    """byor_frame as UTF-8 CSV, formulas neutralised (analytics.export); no BOM, which would
    rename build-your-own-radar's first column."""
    return neutralise_formulas(byor_frame(radar, threshold, prev_label, lang)).to_csv(index=False).encode("utf-8")
