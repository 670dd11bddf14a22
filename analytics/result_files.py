"""Console results as files: CSV (formula-safe, via analytics.export), Parquet and JSON."""
from __future__ import annotations

import base64
import datetime as dt
import decimal
import io
import json
import math

import pyarrow as pa
import pyarrow.parquet as pq

from analytics.export import neutralise_formulas, to_csv_bytes
from analytics.sandbox import QueryResult, SandboxError, one_line

__all__ = ["ExportError", "csv_bytes", "csv_text", "json_text", "parquet_bytes"]


class ExportError(SandboxError):
    """The result can't be written in that format; ``str()`` is one line."""

    label = "export failed"


def csv_bytes(result: QueryResult) -> bytes:
    """For the download button: UTF-8 with BOM (spreadsheets), formula cells neutralised."""
    return to_csv_bytes(result.frame)


def csv_text(result: QueryResult) -> str:
    """For stdout: plain UTF-8 text, formula cells neutralised all the same (it often ends up in a .csv)."""
    return neutralise_formulas(result.frame).to_csv(index=False)


def parquet_bytes(result: QueryResult) -> bytes:
    """Parquet of the result's Arrow table; types Parquet lacks (intervals) are written as text."""
    table = result.table
    columns = [
        pa.array([None if v is None else str(v) for v in col.to_pylist()], pa.string())
        if pa.types.is_interval(col.type) else col
        for col in table.columns
    ]
    table = pa.Table.from_arrays(columns, names=table.column_names)
    buffer = io.BytesIO()
    try:
        pq.write_table(table, buffer)
    except (pa.ArrowException, ValueError, TypeError) as exc:
        raise ExportError(f"Parquet can't hold this result: {one_line(exc)}; cast the column in SQL") from None
    return buffer.getvalue()


def json_text(result: QueryResult) -> str:
    """A JSON array of row objects; exact values (no formula quoting), dates as ISO text, NaN as null."""
    return json.dumps(_finite(result.table.to_pylist()), default=_plain, ensure_ascii=False, allow_nan=False)


def _finite(value: object) -> object:
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


def _plain(value: object) -> object:
    """What json can't write by itself."""
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    return str(value)  # UUID, timedelta, intervals ...
