"""pipelines.validate.validate_frame: failing rows become row-level problems, reported from the
frame as it was given, even though the frame is validated (and coerced) in place."""
from __future__ import annotations

import numpy as np
import pandas as pd

from pipelines.validate import validate_frame
from schemas.canonical import AnswerRows, InterestRows


def test_problems_come_from_the_frame_as_given():
    frame = pd.DataFrame({"source_row": np.array([2, 3, 4], dtype="int32"),
                          "skill_id": pd.Series(["docker", None, "terraform"], dtype=object)})
    valid, problems = validate_frame(InterestRows, frame)
    assert valid["skill_id"].tolist() == ["docker", "terraform"]
    assert valid["source_row"].tolist() == [2, 4]
    assert problems["source_row"].tolist() == [3]
    assert problems["source_row"].dtype == "int32"  # as given, not as coerced
    [reason] = problems["reason"].tolist()
    assert "(skill" not in reason  # a missing skill is no skill to name


def test_an_answer_out_of_range_names_its_skill_and_spreadsheet_column():
    frame = pd.DataFrame({"source_row": np.array([2, 2, 3], dtype="int32"),
                          "skill_id": pd.Categorical(["docker", "terraform", "docker"]),
                          "level": np.array([4, 7, 1], dtype="int8")})
    valid, problems = validate_frame(AnswerRows, frame, {"terraform": "Rate [Terraform]"})
    assert len(valid) == 2 and set(valid["level"]) == {4, 1}
    assert problems[["source_row", "column_name", "value"]].values.tolist() == [[2, "Rate [Terraform]", "7"]]
    assert problems["reason"].iloc[0] == "level above 4 (levels are 0-4: is the scale declared right?) (skill terraform)"
