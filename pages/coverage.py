"""Skill coverage: where we are thin, which skills hang on one or two people, and who is learning."""
import dataclasses

import streamlit as st

from analytics.coverage import (
    area_coverage,
    area_team_coverage,
    bench_depth,
    level_distribution,
    single_points_of_knowledge,
    upskilling_pipeline,
)
from analytics.forecast import coverage_forecast
from analytics.reference import beside_reference, populations
from pages import _charts as charts
from pages import _common as ui

ui.ensure_shell()
ctx = ui.page_start("Skill coverage", "Coverage = the share of the people who answered who are at or above the "
                    "proficient level (set in the sidebar).")
if ctx is None:
    st.stop()

with ui.section("Coverage by area and team"):
    cells = ui.load(area_team_coverage, ctx)
    if cells.empty:
        st.info("No area was answered by the selected people.")
    else:
        ui.chart(charts.heatmap(cells, "team", "area_name", "Area coverage by team", "Team", "Skill area"),
                 "Read: darker cells have more people at or above the threshold; 'hidden' cells describe too few "
                 "people to show (or would let one be worked out); 'Other teams' holds the people of groups "
                 "that span several small teams.", key="coverage_heatmap")
        ui.table(cells, "coverage_heatmap", "area_team_coverage.csv",
                 columns=["area_name", "team", "n_answered", "n_proficient", "coverage", "suppressed"],
                 column_config={"coverage": ui.PERCENT})

with ui.section("Level distribution per skill"):
    names = ctx.options.area_names(ctx.filters.track)
    allowed: list[str] = list(ctx.filters.areas) or list(names)
    area_names = ctx.options.area_names()
    area = st.selectbox("Area", allowed, format_func=lambda a: area_names.get(a, a), key="coverage_likert_area")
    dist = ui.load(level_distribution, ctx, dataclasses.replace(ctx.filters, areas=(area,))) if area else None
    if dist is None or dist.empty:
        st.info("Nobody in the selection answered a skill of this area.")
    else:
        ui.chart(charts.likert(dist, ctx.settings.threshold),
                 "Read: the bar's right side (blues) is the share at or above the threshold, the left side "
                 "the share below; hidden skills have fewer answers than the minimum group size.",
                 key="coverage_likert")
        ui.table(dist, "coverage_likert", "level_distribution.csv",
                 columns=["skill_name", "level", "level_label", "n", "share", "n_answered", "suppressed"],
                 column_config={"share": ui.PERCENT})

with ui.section("Bench depth and single points of knowledge"):
    spok = ui.load(single_points_of_knowledge, ctx)
    limit = ctx.settings.single_point_max_bench
    if spok.empty:
        st.success(f"No skill depends on {limit} person or fewer.")
    else:
        st.warning(f"{len(spok)} skill{'s' if len(spok) != 1 else ''} with at most {limit} person at or above the "
                   "threshold: a departure or an absence would leave them uncovered.")
    bench = ui.load(bench_depth, ctx)
    ui.table(bench, "coverage_bench", "bench_depth.csv",
             columns=["skill_name", "area_name", "n_answered", "bench", "single_point", "suppressed"])
    st.caption("Read: bench is how many people could cover the skill today; 0 with answers means nobody who "
               "answered is at the threshold.")

with ui.section("Gap to target per area"):
    cover = ui.load(area_coverage, ctx)
    if cover["target"].isna().all():
        st.info("No area has a target: add them to data/targets.yaml.")
    else:
        ui.chart(charts.gaps(cover), "Read: bars short of the red tick are below target; the distance is "
                 "the gap to close.", key="coverage_gaps")
    ui.table(cover, "coverage_areas", "area_coverage.csv",
             columns=["area_name", "track", "n_answered", "n_proficient", "coverage", "target", "gap", "suppressed"],
             column_config={"coverage": ui.PERCENT, "target": ui.PERCENT, "gap": ui.PERCENT})

with ui.section("Upskilling pipeline"):
    pipe = ui.load(upskilling_pipeline, ctx)
    if pipe.empty:
        st.info("Nobody in the selection said they want to learn a skill in this wave.")
    else:
        ui.chart(charts.pipeline(pipe.head(20)), "Read: orange is people who want to learn the skill and are not "
                 "yet at the threshold - the people who could close a gap next.", key="coverage_pipeline")
        ui.table(pipe, "coverage_pipeline", "upskilling_pipeline.csv",
                 columns=["skill_name", "area_name", "n_interested", "n_pipeline", "suppressed"])

with ui.section("Coverage forecast"):
    ahead = ui.load(coverage_forecast, ctx)
    st.caption("How it is computed: the pace is the average change per wave in each area's coverage among the people "
               "who answered both waves of each pair, so joiners and leavers don't count as learning. The forecast is "
               "today's coverage plus one or two waves of that pace; the whiskers are 90% intervals from how many "
               "people the figures rest on. 'Want to learn' is the upskilling pipeline, the room the pace has to run "
               "in. A projection, not a promise: it assumes the pace holds.")
    if ahead["pace"].notna().any():
        ui.chart(charts.forecast(ahead), "Read: blue is now, orange one wave ahead, grey two; the whisker is the range "
                 "the next figure would plausibly fall in; the red tick is the target.", key="coverage_forecast")
    else:
        st.info("Only one wave so far: a pace needs the same people in two waves.")
    ui.table(ahead, "coverage_forecast_table", "coverage_forecast.csv",
             columns=["area_name", "coverage", "pace", "forecast_1", "low_1", "high_1", "forecast_2", "low_2",
                      "high_2", "target", "outlook_text", "pipeline", "n_pairs", "suppressed"],
             column_config={c: ui.PERCENT for c in ("coverage", "pace", "forecast_1", "low_1", "high_1",
                                                    "forecast_2", "low_2", "high_2", "target")}
             | {"outlook_text": "Outlook", "pipeline": "Want to learn, below threshold", "n_pairs": "Wave pairs"})

with ui.section("Beside a public survey"):
    refs = populations("skills")
    labels = dict(zip(refs["population"], refs["label"], strict=True))
    choice = st.selectbox("Public population", [None, *labels], format_func=lambda p: labels.get(p, "None"),
                          key="coverage_reference", help="Figures computed from public survey files (data/reference/).")
    if choice:
        beside = ui.load(beside_reference, ctx, kind="skills", population=choice)
        st.caption(f"Context, not a target: {labels[choice]}. Our side is skill coverage (at or above the threshold); "
                   "the public share is of people who used the tool at all, so ours is a stricter measure.")
        ui.chart(charts.beside_reference(beside, "Skill coverage beside a public survey", "Us (coverage)",
                                         "Public survey (used it)"),
                 "Read: blue is our coverage, grey the share of the public population who used the tool; blank "
                 "blue bars are skills we did not ask about or whose group is too small to show.",
                 key="coverage_reference_chart")
        ui.table(beside, "coverage_reference_table", f"coverage_beside_{choice}.csv",
                 columns=["name", "org_share", "reference_share", "reference_base", "suppressed"],
                 column_config={"name": "Skill", "org_share": ui.PERCENT, "reference_share": ui.PERCENT,
                                "reference_base": "Public respondents"})
