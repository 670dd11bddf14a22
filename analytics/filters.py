"""The sidebar's filters as one hashable value, and the SQL conditions they turn into.

The SQL text never changes with the filter values: every value is a bound ``$name`` parameter,
and an empty selection means "everyone".
"""
from __future__ import annotations

from dataclasses import dataclass

LANGUAGES = ("en", "ja")

# Conditions on an aggregate table aliased g (people) and skill_areas aliased sa (taxonomy).
PEOPLE_SQL = """
    (len($teams::VARCHAR[]) = 0 OR list_contains($teams::VARCHAR[], g.team))
    AND (len($roles::VARCHAR[]) = 0 OR list_contains($roles::VARCHAR[], g.role))
    AND (len($locations::VARCHAR[]) = 0 OR list_contains($locations::VARCHAR[], g.location))
"""
AREA_SQL = """
    ($track::VARCHAR IS NULL OR sa.track = $track::VARCHAR)
    AND (len($areas::VARCHAR[]) = 0 OR list_contains($areas::VARCHAR[], sa.area_id))
"""


@dataclass(frozen=True)
class Filters:
    """wave_id None means the latest wave; empty tuples mean no restriction."""

    wave_id: int | None = None
    teams: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    locations: tuple[str, ...] = ()
    track: str | None = None
    areas: tuple[str, ...] = ()
    lang: str = "en"

    def __post_init__(self):
        if self.lang not in LANGUAGES:
            raise ValueError(f"language must be one of {LANGUAGES}, got {self.lang!r}")
        for name in ("teams", "roles", "locations", "areas"):
            object.__setattr__(self, name, tuple(getattr(self, name)))

    @property
    def name_column(self) -> str:
        """The taxonomy column holding names in the chosen language (a fixed identifier)."""
        return "name_ja" if self.lang == "ja" else "name_en"

    @property
    def people_filtered(self) -> bool:
        return bool(self.teams or self.roles or self.locations)

    def params(self) -> dict:
        return {
            "teams": list(self.teams), "roles": list(self.roles), "locations": list(self.locations),
            "track": self.track, "areas": list(self.areas),
        }
