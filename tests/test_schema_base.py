"""schemas.base.Frame and schemas.dtypes.Text give pandera's own verdicts, only faster.

The oracle is pandera itself: the same model validated through ``to_schema().validate`` (pandera's
coercion, pandera's ``str`` check). Each frame must pass both ways with equal results, or fail
both ways.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pandera.errors
import pandera.pandas as pa
import pytest
from pandas.testing import assert_frame_equal
from pandera.typing import Series

from schemas.base import Frame, lossless_casts
from schemas.dtypes import Text
from schemas.metrics import CloudSplitFrame, WaveFrame


class Counts(Frame):
    name: Series[Text] = pa.Field(nullable=True, description="a label")
    n: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=0, description="a count")
    wave_id: Series[int] = pa.Field(description="an id")
    share: Series[float] = pa.Field(nullable=True, ge=0, le=1, description="a share")
    flag: Series[bool] = pa.Field(description="a flag")

    class Config:
        coerce = True
        strict = True


class PlainStr(pa.DataFrameModel):  # pandera's own str, for Text's oracle
    name: Series[str] = pa.Field(nullable=True, description="a label")


class TextOnly(Frame):
    name: Series[Text] = pa.Field(nullable=True, description="a label")


def frame(**overrides) -> pd.DataFrame:
    base = {
        "name": pd.Series(["a", "b", None], dtype="str"),
        "n": pd.array([1, None, 3], dtype="Int64"),
        "wave_id": np.array([1, 2, 3], dtype="int64"),
        "share": [0.5, np.nan, 1.0],
        "flag": [True, False, True],
    }
    return pd.DataFrame({**base, **overrides})


CASES = {
    "declared dtypes": frame(),
    "int32 ids (DuckDB INTEGER)": frame(wave_id=np.array([1, 2, 3], dtype="int32")),
    "float counts (DuckDB HUGEINT sums, NaN where hidden)": frame(n=[1.0, np.nan, 3.0]),
    "int64 counts": frame(n=np.array([1, 2, 3], dtype="int64")),
    "object text with None": frame(name=pd.Series(["a", None, "c"], dtype=object)),
    "integer shares": frame(share=np.array([0, 1, 1], dtype="int64")),
    "a non-integral count": frame(n=[1.5, 2.0, 3.0]),
    "a negative count": frame(n=pd.array([1, -2, 3], dtype="Int64")),
    "a share above 1": frame(share=[0.5, 1.5, 1.0]),
    "float ids": frame(wave_id=[1.0, 2.0, 3.0]),
    "object flags with a missing value": frame(flag=pd.Series([True, None, False], dtype=object)),
    "numbers as text": frame(name=pd.Series([1, 2, 3], dtype="int64")),
    "text ids": frame(wave_id=pd.Series(["1", "2", "x"], dtype=object)),
    "a missing column": frame().drop(columns="share"),
    "an extra column": frame(extra=[1, 2, 3]),
}
WHEN = {  # WaveFrame's date column: DuckDB hands over microseconds, the schema says nanoseconds
    "microseconds": pd.Series(pd.to_datetime(["2024-01-01 00:00", None, "2025-06-30 12:00"]).astype("datetime64[us]")),
    "seconds": pd.Series(pd.to_datetime(["2024-01-01 00:00", None, "2025-06-30 12:00"]).astype("datetime64[s]")),
    "beyond nanoseconds": pd.Series(np.array(["2024-01-01", "2800-01-01", "NaT"], dtype="datetime64[us]")),
    "text dates": pd.Series(["2024-01-01", None, "2025-06-30"], dtype=object),
}


@pytest.mark.parametrize("case", list(WHEN))
def test_datetime_columns_match_pandera_coercion(case):
    data = pd.DataFrame({"wave_id": [1, 2, 3], "label": ["a", "b", "c"], "survey_date": WHEN[case],
                         "seq": [1, 2, 3], "prev_wave_id": pd.array([None, 1, 2], dtype="Int64")})
    ours, theirs = outcome(WaveFrame.validate, data), outcome(WaveFrame.to_schema().validate, data)
    assert ours[0] == theirs[0], case
    if ours[0] == "passed":
        assert_frame_equal(ours[1], theirs[1], check_exact=True)


def outcome(validate, data: pd.DataFrame):
    try:
        return "passed", validate(data.copy())
    except (pandera.errors.SchemaError, pandera.errors.SchemaErrors) as exc:
        return "failed", type(exc).__name__


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("lazy", [False, True])
def test_frame_validate_matches_pandera_coercion(case, lazy):
    data = CASES[case]
    ours = outcome(lambda d: Counts.validate(d, lazy=lazy), data)
    theirs = outcome(lambda d: Counts.to_schema().validate(d, lazy=lazy), data)
    assert ours[0] == theirs[0], case
    if ours[0] == "passed":
        assert_frame_equal(ours[1], theirs[1], check_exact=True)
    else:
        assert ours[1] == theirs[1]


class Narrow(Frame):
    small: Series[pa.Int8] = pa.Field(description="a small integer")
    mid: Series[pd.Int32Dtype] = pa.Field(nullable=True, description="a nullable 32-bit integer")
    unsigned: Series[pa.UInt64] = pa.Field(description="a non-negative integer")
    big: Series[pd.Int64Dtype] = pa.Field(nullable=True, description="a nullable 64-bit integer")

    class Config:
        coerce = True


def narrow(**overrides) -> pd.DataFrame:
    base = {"small": np.array([1, 2], dtype="int8"), "mid": pd.array([1, None], dtype="Int32"),
            "unsigned": np.array([1, 2], dtype="uint64"), "big": pd.array([1, None], dtype="Int64")}
    return pd.DataFrame({**base, **overrides})


NARROW_CASES = {  # casts that would wrap or overflow must give pandera's verdict, not a wrapped value
    "declared": narrow(),
    "int64 that fits int8": narrow(small=np.array([1, 2], dtype="int64")),
    "int64 300 into int8": narrow(small=np.array([300, 2], dtype="int64")),
    "int64 2**40 into Int32": narrow(mid=np.array([2**40, 1], dtype="int64")),
    "int16 into Int32": narrow(mid=np.array([7, 1], dtype="int16")),
    "int64 -1 into uint64": narrow(unsigned=np.array([-1, 2], dtype="int64")),
    "uint8 into uint64": narrow(unsigned=np.array([1, 2], dtype="uint8")),
    "inf into Int64": narrow(big=[np.inf, 1.0]),
    "1e30 into Int64": narrow(big=[1e30, 1.0]),
    "Int32 into Int64": narrow(big=pd.array([5, None], dtype="Int32")),
    "float into int8": narrow(small=[1.0, 2.0]),
}


@pytest.mark.parametrize("case", list(NARROW_CASES))
@pytest.mark.filterwarnings("ignore:invalid value encountered in cast:RuntimeWarning")  # 1e30, by design
def test_integer_casts_match_pandera_and_never_wrap(case):
    data = NARROW_CASES[case]
    ours, theirs = outcome(Narrow.validate, data), outcome(Narrow.to_schema().validate, data)
    assert ours[0] == theirs[0], case
    if ours[0] == "passed":
        assert_frame_equal(ours[1], theirs[1], check_exact=True)


def test_duplicate_column_names_go_to_pandera():
    data = pd.concat([frame(), frame()[["share"]]], axis=1)
    assert lossless_casts(Counts.to_schema(), data) is None
    assert outcome(Counts.validate, data)[0] == outcome(Counts.to_schema().validate, data)[0]


def test_verdicts_are_not_all_alike():
    """The corpus has both outcomes and exercises both paths (not vacuous)."""
    verdicts = {case: outcome(Counts.validate, data)[0] for case, data in CASES.items()}
    assert {"passed", "failed"} == set(verdicts.values())
    assert verdicts["float counts (DuckDB HUGEINT sums, NaN where hidden)"] == "passed"
    assert verdicts["a non-integral count"] == "failed"
    schema = Counts.to_schema()
    assert lossless_casts(schema, CASES["declared dtypes"]) == {}
    assert set(lossless_casts(schema, CASES["int32 ids (DuckDB INTEGER)"])) == {"wave_id"}
    assert lossless_casts(schema, CASES["object flags with a missing value"]) is None  # pandera decides
    assert lossless_casts(schema, CASES["float ids"]) is None  # float -> int64 would truncate


@pytest.mark.parametrize("case", list(CASES))
def test_inplace_validation_matches_pandera_inplace(case):
    """inplace=True: the same verdict as pandera's, the caller's own frame returned and left with the
    dtypes pandera's in-place coercion would give it (the ingest validates millions of answers so)."""
    ours_data, theirs_data = CASES[case].copy(), CASES[case].copy()
    try:
        ours = Counts.validate(ours_data, lazy=True, inplace=True)
    except pandera.errors.SchemaErrors:
        ours = None
    try:
        theirs = Counts.to_schema().validate(theirs_data, lazy=True, inplace=True)
    except pandera.errors.SchemaErrors:
        theirs = None
    assert (ours is None) == (theirs is None), case
    if ours is not None:
        assert ours is ours_data and theirs is theirs_data
        assert_frame_equal(ours_data, theirs_data, check_exact=True)


def test_validate_does_not_change_the_callers_frame():
    data = CASES["int32 ids (DuckDB INTEGER)"].copy()
    Counts.validate(data)
    assert data["wave_id"].dtype == "int32"


TEXT_CASES = {
    "str": pd.DataFrame({"name": pd.Series(["a", None], dtype="str")}),
    "object strings": pd.DataFrame({"name": pd.Series(["a", "b"], dtype=object)}),
    "object mixed": pd.DataFrame({"name": pd.Series(["a", 3], dtype=object)}),
    "ints": pd.DataFrame({"name": [1, 2]}),
    "empty str": pd.DataFrame({"name": pd.Series([], dtype="str")}),
    "all missing": pd.DataFrame({"name": pd.Series([None, None], dtype="str")}),
}


@pytest.mark.parametrize("case", list(TEXT_CASES))
def test_text_dtype_gives_pandera_str_verdicts(case):
    data = TEXT_CASES[case]
    ours = outcome(lambda d: TextOnly.to_schema().validate(d), data)
    theirs = outcome(lambda d: PlainStr.to_schema().validate(d), data)
    assert ours[0] == theirs[0], case
    if ours[0] == "passed":
        assert_frame_equal(ours[1], theirs[1])


def test_metric_frames_from_duckdb_take_the_cheap_path():
    """What the dashboards hand over: DuckDB's INTEGER ids and HUGEINT sums are cast losslessly."""
    import duckdb

    waves = duckdb.sql("""
        SELECT wave_id::INTEGER AS wave_id, 'w' || wave_id AS label, NULL::TIMESTAMP AS survey_date,
               wave_id::INTEGER AS seq, NULLIF(wave_id - 1, 0)::INTEGER AS prev_wave_id
        FROM range(1, 4) t(wave_id)
    """).df()
    assert lossless_casts(WaveFrame.to_schema(), waves) is not None
    assert_frame_equal(WaveFrame.validate(waves), WaveFrame.to_schema().validate(waves))
    split = duckdb.sql("""
        SELECT 'preferred' AS kind, 'All' AS "group", 0 AS group_order, 'AWS' AS provider,
               sum(x)::HUGEINT AS n_base, sum(x) AS n_respondents, 0.5 AS share, false AS suppressed
        FROM range(3) t(x)
    """).df()
    assert lossless_casts(CloudSplitFrame.to_schema(), split) is not None
    assert_frame_equal(CloudSplitFrame.validate(split), CloudSplitFrame.to_schema().validate(split))
