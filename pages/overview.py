"""Overview: the headline figures for the selected wave and filters."""
import streamlit as st

from analytics.cloud import cloud_preferred_split
from analytics.coverage import top_gaps
from analytics.overview import overview_headline, respondent_trend
from analytics.trends import movers
from pages import _charts as charts
from pages import _common as ui
from schemas import i18n

ui.ensure_shell()
ctx = ui.page_start("Overview", "Where the organisation stands in the selected wave, and what changed since the last one.")
if ctx is None:
    st.stop()
t = i18n.translator(ctx.filters.lang)

with ui.section("Headline"):
    head = ui.load(overview_headline, ctx).iloc[0]
    since = f"since {head['prev_wave_label']}" if head["prev_wave_label"] else ""
    cols = st.columns(4)
    cols[0].metric("Respondents", "hidden" if head["suppressed"] else int(head["n_respondents"]),
                   help=f"People who answered wave {head['wave_label']} and match the filters.")
    cols[1].metric("Response rate", ui.pct(head["response_rate"]),
                   help="Respondents / invited headcount (data/headcount.yaml); – when the headcount is unknown.")
    cols[2].metric("Org coverage index", ui.pct(head["coverage_index"]), ui.pp(head["coverage_index_delta"]),
                   help=t("Mean coverage across the skill areas shown: the share of people at or above the "
                          "threshold in each area. The change {since} is over the {n} areas both waves asked the "
                          "same skills of.").format(since=since, n=head["n_areas_compared"]))
    cols[3].metric("Single points of knowledge", "–" if head["suppressed"] else int(head["n_single_points"]),
                   delta_color="off", help=f"Skills with at most {ctx.settings.single_point_max_bench} person at or "
                                           "above the threshold. See Skill coverage for the list.")

if head["prev_wave_label"] and head["n_areas_compared"] == 0 and not head["suppressed"]:
    st.caption(t("No change is shown for the index: {prev} and {wave} asked different skills of every area, "
                 "so their figures are not comparable.").format(prev=head["prev_wave_label"], wave=head["wave_label"]))

with ui.section("Respondents and response rate"):
    trend = ui.load(respondent_trend, ctx)
    ui.chart(charts.respondents(trend), "Read: bar height is how many people answered each wave; a falling bar "
             "means fewer voices behind the figures.", key="overview_respondents")

left, right = st.columns(2)
with left, ui.section("Top gaps against target"):
    gaps = ui.load(top_gaps, ctx, limit=5)
    if gaps.empty:
        st.success("Every area shown is at or above its target (or has no target in data/targets.yaml).")
    else:
        ui.chart(charts.gaps(gaps), "Read: the bar is today's coverage, the red tick the target; the longer the "
                 "distance, the bigger the gap.", key="overview_gaps")
        ui.table(gaps, "overview_gaps", "top_gaps.csv", columns=["area_name", "coverage", "target", "gap", "n_answered"],
                 column_config={"coverage": ui.PERCENT, "target": ui.PERCENT, "gap": ui.PERCENT})

with right, ui.section("Cloud preference in brief"):
    split = ui.load(cloud_preferred_split, ctx, by="all")
    ui.chart(charts.provider_split(split, "Preferred cloud provider", "Selection"),
             "Read: each person names one preferred provider, so the segments add up to 100%.",
             key="overview_cloud")

with ui.section(f"Biggest movers since {head['prev_wave_label'] or 'the previous wave'}"):
    moved = ui.load(movers, ctx, population="all", limit=5)
    if moved.empty:
        st.info(t("No skill moved beyond the noise: a mover needs a change of more than {pp} pp between the two "
                  "waves, with 95% intervals that do not overlap, on a skill both waves asked.").format(
            pp=f"{ctx.settings.min_change * 100:g}"))
    else:
        ui.chart(charts.deltas(moved, "Skills whose coverage moved most", "skill_name", "Skill"),
                 "Read: green bars rose since the previous wave, red bars fell; length is the change in points.",
                 key="overview_movers")
        ui.table(moved, "overview_movers", "movers.csv",
                 columns=["skill_name", "area_name", "direction", "prev_coverage", "coverage", "delta_pp", "question"],
                 column_config={"prev_coverage": ui.PERCENT, "coverage": ui.PERCENT, "delta_pp": ui.POINTS})
