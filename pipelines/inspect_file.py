"""What a file looks like before anything is loaded: the upload page's detection summary."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from pipelines import taxonomy
from pipelines.detect import ROLES, ColumnGuess, auto_profile, profile_from_guesses
from pipelines.headers import split_headers
from pipelines.profile import Profile
from pipelines.read_file import read_any


@dataclass
class Inspection:
    kind: str
    encoding: str | None
    delimiter: str | None
    header_rows: int
    header_style: str
    layout: str
    responses: int
    columns: int
    profile: Profile  # the auto-detected profile (read settings are reused when a mapping is edited)
    guesses: list[ColumnGuess]

    def guesses_frame(self) -> pd.DataFrame:
        return pd.DataFrame([{"column": g.column, "role": g.role, "skill": g.skill, "confidence": g.confidence,
                              "separator": g.separator, "sample answers": g.sample} for g in self.guesses])


def inspect_file(path: str | Path, profile: Profile | None = None) -> Inspection:
    """Read a file and guess its mapping; raises read_file.FileRefused for unreadable files."""
    raw = read_any(path, encoding=profile.encoding if profile else None, delimiter=profile.delimiter if profile else None,
                   sheet=profile.sheet if profile else None)
    det = auto_profile(raw, taxonomy.builtin())
    prof = profile or det.profile
    sheet = split_headers(raw, prof.header_rows, prof.header_style, prof.name_row)
    return Inspection(raw.kind, raw.encoding, raw.delimiter, prof.header_rows, prof.header_style, prof.layout,
                      sheet.data.num_rows + len(raw.ragged), len(sheet.columns), det.profile, det.columns)


def profile_from_frame(edited: pd.DataFrame, base: Profile, name: str = "edited") -> Profile:
    """The profile a person's edits to the mapping table describe."""
    guesses = []
    for row in edited.to_dict("records"):
        role = row.get("role") if row.get("role") in ROLES else "ignore"
        skill = row.get("skill") or None
        separator = row.get("separator") or None
        guesses.append(ColumnGuess(str(row["column"]), str(row["column"]), role,
                                   skill if isinstance(skill, str) else None, 1.0, "",
                                   separator if isinstance(separator, str) else None))
    profile = profile_from_guesses(guesses, base)
    profile.name = name
    if base.layout == "long":
        profile.layout, profile.long_skill, profile.long_level = "long", base.long_skill, base.long_level
    return profile
