"""The base of every schema model: pandera's validation, with coercion done the cheap way when it can be.

A model with ``coerce = True`` makes pandera deep-copy each column's schema and re-assign each
column on every call, even when the column already has its dtype: about half of a dashboard
frame's validation time. So ``validate`` first casts the columns that differ from their declared
dtype in one ``astype``, limited to casts that give exactly what pandera's coercion would and
can't wrap (a wider integer, numbers to floats, integral floats to a nullable Int64, text to
``str``, another datetime unit), then runs the same schema with coercion off. Every check still
runs. Any other difference, or a cast that fails, goes through pandera's own coercion, which
names the values it can't convert. tests/test_schema_base.py holds the two paths side by side.
"""
from __future__ import annotations

import copy
import functools

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandas.api import types


class Frame(pa.DataFrameModel):
    @classmethod
    def validate(cls, check_obj: pd.DataFrame, head: int | None = None, tail: int | None = None,
                 sample: int | None = None, random_state: int | None = None, lazy: bool = False,
                 inplace: bool = False):
        schema = cls.to_schema()
        if schema.coerce:
            casts = lossless_casts(schema, check_obj)
            if casts is not None:
                try:
                    cast = check_obj.astype(casts) if casts else check_obj
                except Exception:  # e.g. 1.5 or inf into an integer: pandera's coercion reports it
                    pass
                else:
                    if inplace:  # as pandera's coercion would, the caller's frame gets the dtypes
                        for name in casts:
                            check_obj[name] = cast[name]
                    else:
                        check_obj = cast
                    schema = _without_coercion(cls)
        return schema.validate(check_obj, head, tail, sample, random_state, lazy, inplace)


def lossless_casts(schema: pa.DataFrameSchema, frame: pd.DataFrame) -> dict[str, object] | None:
    """{column: pandas dtype} for the columns to cast; None when one needs pandera's coercion
    (a column missing, or a cast that could lose or invent values)."""
    if frame.columns.has_duplicates:
        return None
    casts: dict[str, object] = {}
    dtypes = frame.dtypes
    for name, column in schema.columns.items():
        if name not in dtypes.index or column.dtype is None:
            return None
        have, want = dtypes[name], column.dtype.type
        if have == want:  # the exact pandas dtype (pandera's names for datetime64[us] and [ns] agree)
            continue
        if not _lossless(have, want):
            return None
        casts[name] = want
    return casts


def _lossless(have, want) -> bool:
    """True for the casts that give exactly what pandera's coercion gives, and never wrap."""
    if isinstance(want, pd.StringDtype):
        return types.is_object_dtype(have) or types.is_string_dtype(have)
    if isinstance(want, np.dtype) and want.kind == "M":  # naive datetimes: another unit (raises if out of range)
        return isinstance(have, np.dtype) and have.kind == "M"
    if types.is_bool_dtype(want) or types.is_bool_dtype(have):
        return False  # astype(bool) turns a missing value into True
    if types.is_integer_dtype(want):
        target = want.numpy_dtype if isinstance(want, pd.api.extensions.ExtensionDtype) else want
        source = have.numpy_dtype if isinstance(have, pd.api.extensions.ExtensionDtype) else have
        if not isinstance(source, np.dtype):
            return False
        if source.kind in "iu":  # only widening: int64 300 must not wrap into an int8
            return np.can_cast(source, target, casting="safe") and (
                isinstance(want, pd.api.extensions.ExtensionDtype) or not isinstance(have, pd.api.extensions.ExtensionDtype))
        # float into a nullable Int64: pandas raises on a non-integral or out-of-range value
        return source.kind == "f" and isinstance(want, pd.api.extensions.ExtensionDtype) and target == np.int64
    if types.is_float_dtype(want):
        return types.is_numeric_dtype(have) and not isinstance(have, pd.api.extensions.ExtensionDtype)
    return False


@functools.cache
def _without_coercion(model: type[pa.DataFrameModel]) -> pa.DataFrameSchema:
    schema = copy.deepcopy(model.to_schema())
    schema.coerce = False
    for column in schema.columns.values():
        column.coerce = False
    return schema
