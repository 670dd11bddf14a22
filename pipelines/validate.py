"""pandera validation of the canonical frames: rows that fail become row-level problems."""
from __future__ import annotations

import pandas as pd
import pandera.errors
import pandera.pandas as pa

from pipelines.transform import Canonical
from schemas.canonical import AnswerRows, CloudRows, InterestRows, RespondentRows

_READABLE = {
    "greater_than_or_equal_to(0)": "level below 0 (levels are 0-4)",
    "less_than_or_equal_to(4)": "level above 4 (levels are 0-4: is the scale declared right?)",
    "str_matches": "respondent id could not be derived",
}


def _reason(check: str, column: str) -> str:
    for key, text in _READABLE.items():
        if check.startswith(key):
            return text
    return f"{column}: fails check {check}"


def validate_frame(model: type[pa.DataFrameModel], frame: pd.DataFrame,
                   skill_columns: dict[str, str] | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(valid rows, problems) — every check runs (lazy) and each failing row is reported, not raised.

    `frame` is the caller's to give away: it is validated in place, not copied first (millions of
    answers at org scale). Problems are reported from the frame as it was given, before any cast.
    """
    given = frame.copy(deep=False)  # the columns as given (in-place coercion replaces frame's)
    try:
        return model.validate(frame, lazy=True, inplace=True), _no_problems()
    except pandera.errors.SchemaErrors as exc:
        frame = given
        cases = exc.failure_cases
        row_cases = cases[cases["index"].notna()]
        if len(row_cases) < len(cases):  # a frame-level failure (wrong dtype, missing column) is our bug
            raise
        index = row_cases["index"].astype(frame.index.dtype)
        columns = row_cases["column"].astype(str).to_numpy()
        if skill_columns and "skill_id" in frame:  # name the spreadsheet column, not our field
            skills = frame.loc[index, "skill_id"].astype(str).to_numpy()
            columns = [skill_columns.get(skill, col) for skill, col in zip(skills, columns, strict=True)]
        problems = pd.DataFrame({
            "source_row": frame.loc[index, "source_row"].to_numpy(),
            "column_name": columns,
            "value": row_cases["failure_case"].astype(str).to_numpy(),
            "reason": [_reason(str(c), str(col)) + (f" (skill {skill})" if skill else "") for c, col, skill in zip(
                row_cases["check"], row_cases["column"],
                frame.loc[index, "skill_id"] if "skill_id" in frame else [None] * len(index), strict=True)],
        })
        kept = frame.drop(index=index.unique())
        return model.validate(kept, lazy=True, inplace=True), problems


def _no_problems() -> pd.DataFrame:
    return pd.DataFrame({"source_row": pd.Series(dtype="int64"), "column_name": pd.Series(dtype=object),
                         "value": pd.Series(dtype=object), "reason": pd.Series(dtype=object)})


def validate_canonical(c: Canonical, respondents: pd.DataFrame) -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    """Validated frames keyed by table, and all row-level problems pandera found."""
    frames = {
        "respondents": (RespondentRows, respondents),
        "answers": (AnswerRows, c.answers.rename(columns={"_row": "source_row"})),
        "cloud_preferences": (CloudRows, c.cloud.rename(columns={"_row": "source_row"})),
        "learning_interests": (InterestRows, c.interests.rename(columns={"_row": "source_row"})),
    }
    valid, problems = {}, []
    for name, (model, frame) in frames.items():
        valid[name], found = validate_frame(model, frame.reset_index(drop=True), c.skill_columns)
        problems.append(found)
    return valid, pd.concat(problems, ignore_index=True)
