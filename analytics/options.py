"""What the sidebar filters can choose from."""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analytics.db import check_aggregates, fetch, reader
from analytics.waves import wave_list
from schemas.metrics import AreaOptionFrame


@dataclass(frozen=True)
class FilterOptions:
    waves: pd.DataFrame  # WaveFrame, oldest first
    teams: tuple[str, ...]
    roles: tuple[str, ...]
    locations: tuple[str, ...]
    tracks: tuple[str, ...]
    areas: pd.DataFrame  # AreaOptionFrame, taxonomy order

    def area_names(self, track: str | None = None) -> dict[str, str]:
        """area_id -> name for the areas of ``track`` (None: every track), in taxonomy order."""
        rows = self.areas if track is None else self.areas[self.areas["track"] == track]
        return dict(zip(rows["area_id"], rows["area_name"], strict=True))


def filter_options(db: str, lang: str = "en") -> FilterOptions:
    """Waves, teams, roles and locations present in any wave, and the taxonomy's tracks and areas."""
    name = "name_ja" if lang == "ja" else "name_en"
    with reader(db) as con:
        check_aggregates(con)
        waves = wave_list(con)
        values = fetch(con, """
            SELECT DISTINCT grain, coalesce(team, role, location) AS v FROM agg_respondents_rollup
            WHERE grain IN ('team', 'role', 'location') AND population = 'all' ORDER BY v
        """)
        people = {col: tuple(values.loc[values["grain"] == col, "v"]) for col in ("team", "role", "location")}
        areas = fetch(con, f"SELECT area_id, {name} AS area_name, track FROM skill_areas ORDER BY sort_order, area_id")
    tracks = tuple(dict.fromkeys(areas["track"]))
    return FilterOptions(waves, people["team"], people["role"], people["location"], tracks,
                         AreaOptionFrame.validate(areas))
