"""Dashboard settings: thresholds and k (data/app_config.yaml), area targets, invited headcount."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

from schemas import config, settings
from schemas.config import ConfigError as SettingsError

APP_CONFIG = settings.APP_CONFIG
TARGETS = settings.TARGETS
HEADCOUNT = settings.HEADCOUNT

__all__ = ["Settings", "SettingsError", "load"]


@dataclass(frozen=True)
class Settings:
    """Everything a metric needs besides the filters. Frozen and hashable: a cache key.

    targets: (area_id, share) pairs; headcount: (wave_label, team or '', invited) triples. The
    files are checked by their models (schemas.config) before they get here.
    """

    threshold: int = 3
    k: int = 5
    single_point_max_bench: int = 1
    min_change: float = 0.02  # movers: the smallest change listed, as a share (app_config min_change_pp / 100)
    targets: tuple[tuple[str, float], ...] = ()
    default_target: float | None = None
    headcount: tuple[tuple[str, str, int], ...] = ()

    def with_threshold(self, threshold: int) -> Settings:
        return dataclasses.replace(self, threshold=int(threshold))

    def target_for(self, area_id: str) -> float | None:
        return dict(self.targets).get(area_id, self.default_target)


def load(app_config: Path = APP_CONFIG, targets: Path = TARGETS, headcount: Path = HEADCOUNT) -> Settings:
    """Read the three files; a missing targets or headcount file just means none."""
    app = config.load(config.AppConfig, app_config)
    tgt = config.load(config.Targets, targets, missing_ok=True)
    hc = config.load(config.Headcount, headcount, missing_ok=True)
    heads = []
    for wave, entry in hc.waves.items():
        if entry.total is not None:
            heads.append((wave, "", entry.total))
        heads += [(wave, team, n) for team, n in entry.teams.items()]
    return Settings(
        threshold=app.proficient_threshold,
        k=app.min_group_size,
        single_point_max_bench=app.single_point_max_bench,
        min_change=app.min_change_pp / 100,
        targets=tuple(tgt.areas.items()),
        default_target=tgt.default,
        headcount=tuple(heads),
    )
