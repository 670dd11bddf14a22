"""Plotly figures for the dashboards. Every figure has a title and labelled axes; hidden cells
(minimum group size) are drawn as gaps, never as zeros."""
from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

PROVIDER_COLOURS = {"AWS": "#FF9900", "GCP": "#4285F4", "Azure": "#0078D4", "Other": "#9E9E9E", "None": "#D0D0D0"}
LEVEL_COLOURS = ["#b2182b", "#ef8a62", "#fddbc7", "#67a9cf", "#2166ac"]
_MARGIN = {"l": 10, "r": 10, "t": 60, "b": 10}


def _layout(fig: go.Figure, title: str, x: str, y: str, height: int | None = None) -> go.Figure:
    fig.update_layout(title=title, xaxis_title=x, yaxis_title=y, margin=_MARGIN, legend_title_text="",
                      height=height)
    return fig


def respondents(trend: pd.DataFrame) -> go.Figure:
    fig = go.Figure(go.Bar(
        x=trend["wave_label"], y=trend["n_respondents"].astype("Float64").astype(float),
        text=[("hidden" if pd.isna(n) else f"{int(n)}") + ("" if pd.isna(r) else f" ({r:.0%})")
              for n, r in zip(trend["n_respondents"], trend["response_rate"], strict=True)],
        textposition="outside", marker_color="#4c78a8", name="Respondents",
    ))
    fig.update_xaxes(type="category")
    return _layout(fig, "Respondents per wave (response rate in brackets)", "Wave", "Respondents")


def gaps(frame: pd.DataFrame) -> go.Figure:
    fig = go.Figure([
        go.Bar(y=frame["area_name"], x=frame["coverage"], orientation="h", name="Coverage", marker_color="#4c78a8"),
        go.Scatter(y=frame["area_name"], x=frame["target"], mode="markers", name="Target",
                   marker={"symbol": "line-ns-open", "size": 22, "line": {"width": 3}, "color": "#d62728"}),
    ])
    fig.update_xaxes(tickformat=".0%", range=[0, 1])
    fig.update_yaxes(autorange="reversed")
    return _layout(fig, "Area coverage against target", "Share at or above the threshold", "Skill area",
                   height=140 + 36 * len(frame))


def provider_split(frame: pd.DataFrame, title: str, y_title: str, stacked: bool = True) -> go.Figure:
    """Horizontal bars per group: stacked to 100% (preferred) or side by side (uses)."""
    fig = go.Figure()
    for provider, rows in frame.groupby("provider", sort=False):
        fig.add_bar(y=rows["group"], x=rows["share"], orientation="h", name=provider,
                    marker_color=PROVIDER_COLOURS.get(provider),
                    hovertemplate="%{y}: %{x:.0%}<extra>" + provider + "</extra>")
    fig.update_layout(barmode="stack" if stacked else "group")
    fig.update_xaxes(tickformat=".0%", range=[0, 1])
    fig.update_yaxes(type="category", autorange="reversed")
    fig.update_layout(legend={"orientation": "h", "y": -0.25, "traceorder": "normal"})
    groups = frame["group"].nunique()
    return _layout(fig, title, "Share of respondents who answered", y_title,
                   height=200 + (30 if stacked else 16 * frame["provider"].nunique()) * groups)


def heatmap(frame: pd.DataFrame, x: str, y: str, title: str, x_title: str, y_title: str) -> go.Figure:
    """Coverage heatmap from long rows (x, y, coverage); hidden cells are blank and say so."""
    text = np.where(frame["suppressed"], "hidden",
                    np.where(frame["coverage"].isna(), "", (frame["coverage"] * 100).round().astype("Int64").astype(str) + "%"))
    fig = go.Figure(go.Heatmap(
        x=frame[x], y=frame[y], z=frame["coverage"], text=text, texttemplate="%{text}", zmin=0, zmax=1,
        colorscale="Blues", colorbar={"title": "Coverage", "tickformat": ".0%"}, hoverongaps=False,
        hovertemplate=f"{y_title}: %{{y}}<br>{x_title}: %{{x}}<br>Coverage: %{{text}}<extra></extra>",
    ))
    fig.update_xaxes(type="category")
    fig.update_yaxes(type="category", autorange="reversed")
    return _layout(fig, title, x_title, y_title, height=160 + 34 * frame[y].nunique())


def likert(dist: pd.DataFrame, threshold: int) -> go.Figure:
    """Diverging stacked bars: levels below the threshold to the left of zero, the rest right."""
    fig = go.Figure()
    order = list(dict.fromkeys(dist["skill_name"]))
    for level in sorted(dist["level"].unique()):
        rows = dist[dist["level"] == level]
        sign = -1 if level < threshold else 1
        fig.add_bar(y=rows["skill_name"], x=sign * rows["share"], orientation="h", name=rows["level_label"].iloc[0],
                    marker_color=LEVEL_COLOURS[int(level)], customdata=rows["share"],
                    hovertemplate="%{y}: %{customdata:.0%}<extra>" + rows["level_label"].iloc[0] + "</extra>")
    fig.update_layout(barmode="relative", legend={"traceorder": "normal", "orientation": "h", "y": -0.15})
    fig.update_xaxes(tickformat=".0%", range=[-1, 1])
    fig.update_yaxes(categoryorder="array", categoryarray=order, autorange="reversed")
    return _layout(fig, "Level distribution per skill", "Share of those who answered (left: below threshold)",
                   "Skill", height=180 + 28 * len(order))


def pipeline(frame: pd.DataFrame) -> go.Figure:
    fig = go.Figure([
        go.Bar(y=frame["skill_name"], x=frame["n_pipeline"].astype("Float64").astype(float), orientation="h",
               name="Interested, below threshold", marker_color="#f58518"),
        go.Bar(y=frame["skill_name"], x=(frame["n_interested"] - frame["n_pipeline"]).astype("Float64").astype(float),
               orientation="h", name="Interested, already proficient", marker_color="#bab0ac"),
    ])
    fig.update_layout(barmode="stack")
    fig.update_yaxes(autorange="reversed")
    return _layout(fig, "Upskilling pipeline: who wants to learn what", "People", "Skill",
                   height=160 + 26 * len(frame))


def trend_lines(frame: pd.DataFrame) -> go.Figure:
    fig = go.Figure()
    for area, rows in frame.groupby("area_name", sort=False):
        # Error bars: the 95% Wilson interval of each wave's coverage (ci_low / ci_high).
        fig.add_scatter(x=rows["wave_label"], y=rows["coverage"], mode="lines+markers", name=area,
                        connectgaps=False, customdata=rows[["ci_low", "ci_high"]].to_numpy(),
                        error_y={"type": "data", "array": rows["ci_high"] - rows["coverage"],
                                 "arrayminus": rows["coverage"] - rows["ci_low"], "thickness": 1, "width": 3},
                        hovertemplate="%{x}: %{y:.0%} (95%: %{customdata[0]:.0%}-%{customdata[1]:.0%})<extra>"
                                      + area + "</extra>")
    fig.update_xaxes(type="category")
    fig.update_yaxes(tickformat=".0%", range=[0, 1])
    return _layout(fig, "Area coverage per wave", "Wave", "Coverage")


def deltas(frame: pd.DataFrame, title: str, name_col: str, y_title: str) -> go.Figure:
    colours = np.where(frame["delta"] >= 0, "#2ca02c", "#d62728")
    fig = go.Figure(go.Bar(y=frame[name_col], x=frame["delta"] * 100, orientation="h", marker_color=colours,
                           hovertemplate="%{y}: %{x:+.1f} pp<extra></extra>"))
    fig.update_yaxes(autorange="reversed")
    return _layout(fig, title, "Change in coverage (percentage points)", y_title, height=140 + 30 * len(frame))


def beside_reference(frame: pd.DataFrame, title: str, org_label: str, reference_label: str) -> go.Figure:
    """The organisation's share and a public population's share side by side (hidden: a gap)."""
    fig = go.Figure([
        go.Bar(y=frame["name"], x=frame["org_share"], orientation="h", name=org_label, marker_color="#4c78a8",
               hovertemplate="%{y}: %{x:.0%}<extra>" + org_label + "</extra>"),
        go.Bar(y=frame["name"], x=frame["reference_share"], orientation="h", name=reference_label,
               marker_color="#bab0ac", hovertemplate="%{y}: %{x:.0%}<extra>" + reference_label + "</extra>"),
    ])
    fig.update_layout(barmode="group", legend={"orientation": "h", "y": -0.3})
    fig.update_xaxes(tickformat=".0%", range=[0, 1])
    fig.update_yaxes(autorange="reversed")
    return _layout(fig, title, "Share", "", height=200 + 40 * len(frame))


def forecast(frame: pd.DataFrame) -> go.Figure:
    """Per area: coverage now and projected one and two waves ahead, with 90% intervals as whiskers."""
    fig = go.Figure()
    fig.add_scatter(y=frame["area_name"], x=frame["coverage"], mode="markers", name="Now",
                    marker={"color": "#4c78a8", "size": 10}, hovertemplate="%{y}: %{x:.0%}<extra>Now</extra>")
    for h, colour in ((1, "#f58518"), (2, "#bab0ac")):
        centre = frame[f"forecast_{h}"]
        fig.add_scatter(y=frame["area_name"], x=centre, mode="markers", name=f"{h} wave{'s' if h > 1 else ''} ahead",
                        marker={"color": colour, "size": 9, "symbol": "diamond"},
                        error_x={"type": "data", "symmetric": False, "array": frame[f"high_{h}"] - centre,
                                 "arrayminus": centre - frame[f"low_{h}"], "color": colour},
                        hovertemplate="%{y}: %{x:.0%}<extra>" + f"{h} ahead" + "</extra>")
    fig.add_scatter(y=frame["area_name"], x=frame["target"], mode="markers", name="Target",
                    marker={"symbol": "line-ns-open", "size": 20, "line": {"width": 3}, "color": "#d62728"})
    fig.update_xaxes(tickformat=".0%", range=[0, 1])
    fig.update_yaxes(autorange="reversed")
    fig.update_layout(legend={"orientation": "h", "y": -0.2})
    return _layout(fig, "Coverage forecast per area (90% intervals)", "Coverage", "Skill area",
                   height=180 + 36 * len(frame))
