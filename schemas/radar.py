"""The tech radar's rules (data/radar.yaml) and the frame analytics/radar.py hands to pages."""
from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from schemas.metrics import MetricFrame

RINGS = ("Adopt", "Trial", "Assess", "Hold")  # inner to outer
MOVEMENTS = ("new", "in", "out", "none")


class RadarRules(BaseModel):
    """Where a skill's ring comes from. Frozen and hashable, so it can key a cached metric.

    quadrants: (quadrant name, area ids) pairs; an area listed nowhere goes to its track's name.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    adopt: float = Field(default=0.40, ge=0, le=1, description="Coverage at or above this: Adopt.")
    trial: float = Field(default=0.20, ge=0, le=1, description="Coverage at or above this (and below adopt): Trial.")
    assess_interest: float = Field(default=0.10, ge=0, le=1, description="Below trial, but at least this share of the "
                                   "selection wants to learn it: Assess. Otherwise Hold.")
    quadrants: tuple[tuple[str, tuple[str, ...]], ...] = ()

    @field_validator("quadrants", mode="before")
    @classmethod
    def _from_mapping(cls, value):
        if isinstance(value, dict):  # YAML: {quadrant name: [area ids]}
            return tuple((str(name), tuple(str(a) for a in (areas or []))) for name, areas in value.items())
        return value

    @model_validator(mode="after")
    def _ordered(self):
        if self.trial > self.adopt:
            raise ValueError(f"trial ({self.trial}) must not be above adopt ({self.adopt})")
        return self

    def quadrant_of(self, area_id: str, track: str) -> str:
        for name, areas in self.quadrants:
            if area_id in areas:
                return name
        return track



class RadarFrame(MetricFrame):
    skill_id: Series[str] = pa.Field(description="Skill id.")
    skill_name: Series[str] = pa.Field(description="Skill name in the chosen language.")
    area_id: Series[str] = pa.Field(description="Area of the skill.")
    area_name: Series[str] = pa.Field(description="Area name in the chosen language.")
    quadrant: Series[str] = pa.Field(description="Radar quadrant (data/radar.yaml, else the area's track).")
    ring: Series[str] = pa.Field(nullable=True, isin=list(RINGS), description="Adopt, Trial, Assess or Hold; null: not placed (hidden under k, or nobody answered).")
    prev_ring: Series[str] = pa.Field(nullable=True, isin=list(RINGS), description="The ring in the previous wave; null when it was not placed then.")
    movement: Series[str] = pa.Field(nullable=True, isin=list(MOVEMENTS), description="new: placed now, not in the previous wave; in / out: moved towards / away from Adopt; none.")
    coverage: Series[float] = pa.Field(nullable=True, ge=0, le=1, description="Skill coverage (analytics.coverage.skill_coverage).")
    prev_coverage: Series[float] = pa.Field(nullable=True, ge=0, le=1, description="The same in the previous wave.")
    delta: Series[float] = pa.Field(nullable=True, ge=-1, le=1, description="coverage - prev_coverage.")
    interest: Series[float] = pa.Field(nullable=True, ge=0, le=1, description="Share of the selection who want to learn the skill (upskilling_pipeline).")
    n_answered: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=0, description="Respondents who answered the skill (hidden under k).")
    suppressed: Series[bool] = pa.Field(description="True where the skill's figures are hidden by the minimum group size.")
    wave_label: Series[str] = pa.Field(description="The wave the radar is for.")
    prev_wave_label: Series[str] = pa.Field(nullable=True, description="The wave it is compared with, if any.")
