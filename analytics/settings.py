"""Dashboard settings: thresholds and k (data/app_config.yaml), area targets, invited headcount."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

import yaml

from pipelines.config import DATA_DIR

APP_CONFIG = DATA_DIR / "app_config.yaml"
TARGETS = DATA_DIR / "targets.yaml"
HEADCOUNT = DATA_DIR / "headcount.yaml"


class SettingsError(ValueError):
    """A settings file is unreadable or out of range; the message names the file and the key."""


@dataclass(frozen=True)
class Settings:
    """Everything a metric needs besides the filters. Frozen and hashable: a cache key.

    targets: (area_id, share) pairs; headcount: (wave_label, team or '', invited) triples.
    """

    threshold: int = 3
    k: int = 5
    single_point_max_bench: int = 1
    targets: tuple[tuple[str, float], ...] = ()
    default_target: float | None = None
    headcount: tuple[tuple[str, str, int], ...] = ()

    def __post_init__(self):
        if not 1 <= self.threshold <= 4:
            raise SettingsError(f"proficient_threshold must be 1-4, got {self.threshold}")
        if self.k < 1:
            raise SettingsError(f"min_group_size must be at least 1, got {self.k}")
        if self.single_point_max_bench < 0:
            raise SettingsError(f"single_point_max_bench must be 0 or more, got {self.single_point_max_bench}")
        for area, share in self.targets:
            if not 0 <= share <= 1:
                raise SettingsError(f"target for {area} must be a share between 0 and 1, got {share}")

    def with_threshold(self, threshold: int) -> Settings:
        return dataclasses.replace(self, threshold=int(threshold))

    def target_for(self, area_id: str) -> float | None:
        return dict(self.targets).get(area_id, self.default_target)


def load(app_config: Path = APP_CONFIG, targets: Path = TARGETS, headcount: Path = HEADCOUNT) -> Settings:
    """Read the three files; a missing targets or headcount file just means none."""
    cfg = _read(app_config)
    tgt = _read(targets) if targets.exists() else {}
    hc = _read(headcount) if headcount.exists() else {}
    try:
        heads = []
        for wave, entry in (hc.get("waves") or {}).items():
            entry = entry or {}
            if entry.get("total") is not None:
                heads.append((str(wave), "", int(entry["total"])))
            heads += [(str(wave), str(team), int(n)) for team, n in (entry.get("teams") or {}).items()]
        return Settings(
            threshold=int(cfg.get("proficient_threshold", 3)),
            k=int(cfg.get("min_group_size", 5)),
            single_point_max_bench=int(cfg.get("single_point_max_bench", 1)),
            targets=tuple((str(a), float(v)) for a, v in (tgt.get("areas") or {}).items()),
            default_target=None if tgt.get("default") is None else float(tgt["default"]),
            headcount=tuple(heads),
        )
    except (TypeError, ValueError, AttributeError) as exc:
        raise SettingsError(f"bad value in the dashboard settings: {exc}") from exc


def _read(path: Path) -> dict:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise SettingsError(f"cannot read {path.name}: {str(exc).splitlines()[0]}") from exc
    if not isinstance(data, dict):
        raise SettingsError(f"{path.name} should be a mapping of keys to values")
    return data
