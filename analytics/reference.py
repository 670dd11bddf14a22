"""The organisation beside a public reference population (data/reference/, computed by
benchmarks/reference_figures.py from public surveys): context, not a target.

- cloud: the organisation's 'uses' share per provider (analytics.cloud.cloud_uses_share) beside
  the share of a public survey's respondents who used that provider;
- skills: the organisation's skill coverage (analytics.coverage.skill_coverage) beside the share
  of a public survey's respondents who used that tool. The questions differ (used it vs at the
  proficient level), which the pages say.
The organisation's side comes from those metric functions, so the minimum group size applies.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from analytics.cloud import cloud_uses_share
from analytics.coverage import skill_coverage
from analytics.filters import Filters
from analytics.settings import Settings
from schemas.reference import BesideReferenceFrame, ReferenceFigureFrame
from schemas.settings import DATA_DIR

REFERENCE_FILE = DATA_DIR / "reference" / "reference_figures.csv"
KINDS = ("cloud", "skills")


def figures(path: Path = REFERENCE_FILE) -> pd.DataFrame:
    """Every reference figure; none when the file is absent."""
    if not Path(path).exists():
        return ReferenceFigureFrame.validate(pd.DataFrame({c: [] for c in ReferenceFigureFrame.to_schema().columns}))
    frame = pd.read_csv(path, dtype={"provider": "string", "skill_id": "string"}, keep_default_na=False,
                        na_values={"provider": [""], "skill_id": [""]})
    return ReferenceFigureFrame.validate(frame)


def populations(kind: str) -> pd.DataFrame:
    """One row per population offering ``kind`` figures: id and a label naming its size and year."""
    rows = _of_kind(figures(), kind)
    first = rows.drop_duplicates("population")
    label = (first["source"] + " " + first["year"].astype(str) + ": " + first["question"] + " (n = "
             + first["base"].map("{:,}".format) + ", " + first["sample"] + ")")
    return pd.DataFrame({"population": first["population"].to_numpy(), "label": label.to_numpy()})


def beside_reference(db: str, f: Filters, s: Settings, kind: str, population: str) -> pd.DataFrame:
    """The organisation's figure next to each of the population's figures of that kind."""
    ref = _of_kind(figures(), kind)
    ref = ref[ref["population"] == population]
    if kind == "cloud":
        org = cloud_uses_share(db, f, s, by="all")
        org = pd.DataFrame({"key": org["provider"], "name": org["provider"], "org_share": org["share"],
                            "suppressed": org["suppressed"]})
        key = ref["provider"]
    else:
        org = skill_coverage(db, f, s)
        org = pd.DataFrame({"key": org["skill_id"], "name": org["skill_name"], "org_share": org["coverage"],
                            "suppressed": org["suppressed"]})
        key = ref["skill_id"]
    right = pd.DataFrame({"key": key.astype(str).to_numpy(), "answer": ref["answer"].to_numpy(),
                          "reference_share": ref["share"].to_numpy(), "reference_base": ref["base"].to_numpy()})
    frame = right.merge(org, on="key", how="left")
    frame["name"] = frame["name"].fillna(frame["answer"])
    # A figure the org's filters count nobody for (no whole reporting group inside them) is hidden too.
    counted_nobody = frame["org_share"].isna() & frame["key"].isin(org["key"])
    frame["suppressed"] = frame["suppressed"].fillna(False).astype(bool) | counted_nobody
    return BesideReferenceFrame.validate(frame[list(BesideReferenceFrame.to_schema().columns)])


def _of_kind(frame: pd.DataFrame, kind: str) -> pd.DataFrame:
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    return frame[frame["skill_id"].isna()] if kind == "cloud" else frame[frame["skill_id"].notna()]
