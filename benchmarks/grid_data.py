"""Deterministic org-scale survey grids for benchmarks (Google Forms style, labels as text)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from pipelines import taxonomy

LABELS = np.array(["None", "Aware", "Basic", "Proficient", "Expert", ""])
TEAMS = np.array([f"Team {i:02d}" for i in range(40)])
ROLES = np.array(["Backend Engineer", "SRE", "Data Engineer", "ML Engineer", "Frontend Engineer", "Manager"])
SITES = np.array(["Tokyo", "Osaka", "Fukuoka", "Remote", "Singapore"])


def write_grid(path: Path, respondents: int, skills: int, seed: int = 7, wave_month: int = 5) -> Path:
    """A wide grid CSV: Timestamp, Email Address, Team, Role, Location, then `skills` rating columns."""
    rng = np.random.default_rng(seed)
    names = taxonomy.builtin().skills["name_en"].tolist()
    if skills > len(names):
        raise ValueError(f"at most {len(names)} built-in skills")
    ids = np.arange(respondents)
    day = rng.integers(1, 28, respondents)
    seconds = rng.integers(0, 86400, respondents)
    stamps = [f"2025/{wave_month:02d}/{d:02d} {s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}"
              for d, s in zip(day, seconds, strict=True)]
    cols = {
        "Timestamp": pa.array(stamps),
        "Email Address": pa.array([f"person{i}@example.com" for i in ids]),
        "Team": pa.array(TEAMS[rng.integers(0, len(TEAMS), respondents)]),
        "Role": pa.array(ROLES[rng.integers(0, len(ROLES), respondents)]),
        "Location": pa.array(SITES[rng.integers(0, len(SITES), respondents)]),
    }
    weights = np.array([0.3, 0.2, 0.2, 0.15, 0.1, 0.05])
    for name in names[:skills]:
        cols[f"Rate your proficiency [{name}]"] = pa.array(LABELS[rng.choice(6, respondents, p=weights)])
    pacsv.write_csv(pa.table(cols), path)
    return path
