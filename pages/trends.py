"""Trends: are we getting better wave over wave?"""
import streamlit as st

from analytics.trends import area_coverage_trend, area_deltas, movers
from pages import _charts as charts
from pages import _common as ui

ui.ensure_shell()
ctx = ui.page_start("Trends", "Area coverage across every wave (the wave filter picks the wave compared with "
                    "the one before it).")
if ctx is None:
    st.stop()

population = st.radio(
    "Compare", ["all", "cohort"], horizontal=True, key="trends_population",
    format_func={"all": "All respondents of each wave", "cohort": "Only people present in both waves"}.get,
    help="The cohort view removes joiners and leavers, so a change means the same people changed.",
)

COHORT_WHOLE_ORG = ("The cohort comparison is shown for the whole organisation only: with team, role or location "
                    "filters, the people who joined or left a group could be worked out. Clear those filters to "
                    "see it.")
if population == "cohort" and ctx.filters.people_filtered:
    st.info(COHORT_WHOLE_ORG)

with ui.section("Area coverage per wave"):
    trend = ui.load(area_coverage_trend, ctx, population=population)
    if trend.empty and population == "cohort" and ctx.filters.people_filtered:
        pass  # explained above
    elif trend.empty:
        st.info("No earlier wave to compare with yet." if population == "cohort" else "No area data.")
    else:
        ui.chart(charts.trend_lines(trend), "Read: a rising line means a larger share at or above the threshold; "
                 "gaps in a line are hidden waves (too few people).", key="trends_lines")
        ui.table(trend, "trends_table", f"area_trend_{population}.csv",
                 columns=["wave_label", "area_name", "n_answered", "coverage", "prev_coverage", "delta", "suppressed"],
                 column_config={"coverage": ui.PERCENT, "prev_coverage": ui.PERCENT, "delta": ui.PERCENT})

with ui.section("Change against the previous wave"):
    changes = ui.load(area_deltas, ctx, population=population)
    if changes.empty:
        st.info("Nothing to compare: the selected wave has no previous wave, or its figures are hidden.")
    else:
        ui.chart(charts.deltas(changes, "Change in area coverage", "area_name", "Skill area"),
                 "Read: green areas improved since the previous wave, red ones slipped.", key="trends_deltas")

with ui.section("Biggest risers and fallers"):
    moved = ui.load(movers, ctx, population=population, limit=5)
    if moved.empty:
        st.info("No skill moved between the two waves (or there is no earlier wave).")
    else:
        ui.table(moved, "trends_movers", f"movers_{population}.csv",
                 columns=["skill_name", "area_name", "direction", "prev_coverage", "coverage", "delta",
                          "prev_n_answered", "n_answered"],
                 column_config={"prev_coverage": ui.PERCENT, "coverage": ui.PERCENT, "delta": ui.PERCENT})
