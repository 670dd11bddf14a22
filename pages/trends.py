"""Trends: are we getting better wave over wave?"""
import streamlit as st

from analytics.trends import area_coverage_trend, area_deltas, movers, withheld_deltas
from pages import _charts as charts
from pages import _common as ui
from schemas import i18n

ui.ensure_shell()
ctx = ui.page_start("Trends", "Area coverage across every wave (the wave filter picks the wave compared with "
                    "the one before it).")
if ctx is None:
    st.stop()
t = i18n.translator(ctx.filters.lang)

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
        ui.chart(charts.trend_lines(trend), t("Read: a rising line means a larger share at or above the threshold; "
                 "the bars are 95% intervals (short for many answers, long for few); gaps in a line are hidden "
                 "waves (too few people)."), key="trends_lines")
        ui.table(trend, "trends_table", f"area_trend_{population}.csv",
                 columns=["wave_label", "area_name", "n_answered", "coverage", "ci_low", "ci_high", "prev_coverage",
                          "delta_pp", "n_skills_asked", "prev_n_skills_asked", "comparable", "suppressed"],
                 column_config={"coverage": ui.PERCENT, "ci_low": ui.PERCENT, "ci_high": ui.PERCENT,
                                "prev_coverage": ui.PERCENT, "delta_pp": ui.POINTS})

with ui.section("Change against the previous wave"):
    changes = ui.load(area_deltas, ctx, population=population)
    if changes.empty:
        st.info(t("Nothing to compare: the selected wave has no previous wave, its figures are hidden, or the two "
                  "waves did not ask the same skills of any area."))
    else:
        ui.chart(charts.deltas(changes, "Change in area coverage", "area_name", "Skill area"),
                 "Read: green areas improved since the previous wave, red ones slipped.", key="trends_deltas")
    for row in ui.load(withheld_deltas, ctx, population=population).itertuples():
        st.caption(t("{area}: change withheld, because the two waves asked different skills of this area "
                     "({now} asked now, {before} before, {common} in both).").format(
            area=row.area_name, now=row.n_skills_asked, before=row.prev_n_skills_asked, common=row.n_skills_common))

with ui.section("Biggest risers and fallers"):
    moved = ui.load(movers, ctx, population=population, limit=5)
    if moved.empty:
        st.info(t("No skill moved beyond the noise: a mover needs a change of more than {pp} pp between the two "
                  "waves, with 95% intervals that do not overlap, on a skill both waves asked.").format(
            pp=f"{ctx.settings.min_change * 100:g}"))
    else:
        ui.table(moved, "trends_movers", f"movers_{population}.csv",
                 columns=["skill_name", "area_name", "direction", "prev_coverage", "coverage", "delta_pp", "question",
                          "prev_n_answered", "n_answered"],
                 column_config={"prev_coverage": ui.PERCENT, "coverage": ui.PERCENT, "delta_pp": ui.POINTS})
