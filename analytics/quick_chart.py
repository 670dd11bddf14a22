"""The console's quick chart: a plotly figure from a query result and the analyst's picks."""
from __future__ import annotations

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

# chart type -> (plotly express function, needs a y column)
CHART_TYPES = {
    "bar": (px.bar, True),
    "line": (px.line, True),
    "scatter": (px.scatter, True),
    "area": (px.area, True),
    "box": (px.box, True),
    "histogram": (px.histogram, False),
}
MAX_COLOUR_GROUPS = 50  # more colours than this is unreadable, and slow to draw


class ChartError(ValueError):
    """The picks don't make a chart; ``str()`` is one line for the analyst."""


def numeric_columns(frame: pd.DataFrame) -> list[str]:
    return [str(c) for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(frame[c])]


def build(frame: pd.DataFrame, kind: str, x: str, y: str | None = None, colour: str | None = None) -> go.Figure:
    """A ``kind`` chart of ``frame`` with ``x`` (and ``y``) on the axes and ``colour`` splitting series."""
    if kind not in CHART_TYPES:
        raise ChartError(f"unknown chart type {kind!r}; pick one of {', '.join(CHART_TYPES)}")
    draw, needs_y = CHART_TYPES[kind]
    if frame.empty:
        raise ChartError("the result has no rows to chart")
    for label, column in (("x", x), ("y", y), ("colour", colour)):
        if column is not None and column not in frame.columns:
            raise ChartError(f"{label} column {column!r} is not in the result")
    if needs_y and y is None:
        raise ChartError(f"a {kind} chart needs a y column")
    if y is not None and y not in numeric_columns(frame):
        raise ChartError(f"y column {y!r} is not numeric; pick a number column (or a histogram without y)")
    if colour is not None and frame[colour].nunique(dropna=False) > MAX_COLOUR_GROUPS:
        raise ChartError(f"colour column {colour!r} has more than {MAX_COLOUR_GROUPS} values; pick a coarser one")
    args = {"x": x, "color": colour}
    if needs_y or y is not None:
        args["y"] = y
    try:
        return draw(frame, **args)
    except (ValueError, TypeError, KeyError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ChartError(f"cannot draw this chart: {first[:200]}") from None
