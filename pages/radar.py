"""Tech radar: every skill placed from the survey (ring from coverage, movement since the last wave)."""
from urllib.parse import urlencode

import streamlit as st

from analytics.radar import RING_NAMES, TEXT, RadarRulesError, byor_csv, load_rules, tech_radar
from analytics.radar_chart import radar_png, radar_svg
from analytics.report import report_html, report_pdf
from pages import _common as ui

ui.ensure_shell()
ctx = ui.page_start("Tech radar", "Each skill placed by the survey itself: the ring from how many of those who "
                    "answered are at the proficient level, the shape from how it moved since the previous wave.")
if ctx is None:
    st.stop()
try:
    rules = load_rules()
except RadarRulesError as exc:
    st.error(f"Radar settings (data/radar.yaml): {exc}")
    st.stop()


def coverage_link() -> str:
    """Each blip opens the Skill coverage page on its area, with this page's other filters."""
    params = {key: st.query_params.get_all(key) for key in st.query_params if key != "area"}
    query = urlencode(params, doseq=True)
    return "coverage?" + (query + "&" if query else "") + "area={area_id}"


radar = ui.load(tech_radar, ctx, rules=rules)
if radar["ring"].isna().all():
    st.info("No skill can be placed for this selection: nobody answered, or every skill has fewer answers than "
            "the minimum group size.")
    st.stop()
wave, prev = radar["wave_label"].iloc[0], radar["prev_wave_label"].iloc[0]
lang = ctx.filters.lang

with ui.section("Radar"):
    title = f"{TEXT[lang]['title']} {wave}"
    # Markdown, not st.html: st.html's sanitiser drops SVG; the SVG is ours, its names escaped.
    st.markdown(radar_svg(radar, RING_NAMES[lang], title, lang, link=coverage_link()), unsafe_allow_html=True)
    st.caption(f"Read: Adopt at the centre means at least {rules.adopt:.0%} of those who answered are at level "
               f"{ctx.settings.threshold}+; Trial at least {rules.trial:.0%}; Assess is below that but at least "
               f"{rules.assess_interest:.0%} of the selection want to learn it; Hold is the rest. Triangles moved in "
               f"or out since {prev or 'the previous wave'}; a ringed blip is new. Click a blip for its area's figures.")
    hidden = int(radar["ring"].isna().sum())
    if hidden:
        st.caption(f"{hidden} skill{'s are' if hidden != 1 else ' is'} not placed: nobody in the selection answered, "
                   "or fewer people than the minimum group size did.")
    svg_file = radar_svg(radar, RING_NAMES[lang], title, lang)
    cols = st.columns(3)
    cols[0].download_button("Radar as SVG", svg_file, file_name=f"radar_{wave}.svg", mime="image/svg+xml",
                            key="radar_svg", icon=":material/download:")
    cols[1].download_button("Radar as PNG", lambda: radar_png(svg_file), file_name=f"radar_{wave}.png",
                            mime="image/png", key="radar_png", icon=":material/download:")
    cols[2].download_button("Build-your-own-radar CSV", byor_csv(radar, ctx.settings.threshold, prev, lang),
                            file_name=f"radar_{wave}.csv", mime="text/csv", key="radar_byor",
                            icon=":material/download:", help="name, ring, quadrant, isNew, description: the "
                            "columns thoughtworks' build-your-own-radar reads.")

with ui.section("Blips"):
    ui.table(radar, "radar_blips", f"radar_blips_{wave}.csv",
             columns=["skill_name", "area_name", "quadrant", "ring", "prev_ring", "movement", "coverage",
                      "prev_coverage", "delta", "interest", "n_answered", "suppressed"],
             column_config={"coverage": ui.PERCENT, "prev_coverage": ui.PERCENT, "delta": ui.PERCENT,
                            "interest": ui.PERCENT, "quadrant": "Quadrant", "ring": "Ring",
                            "prev_ring": "Ring (previous)", "movement": "Movement"})

with ui.section("Wave report"):
    st.caption(f"One page to send on: the headline, top gaps, single points of knowledge, the cloud split, the movers "
               f"and this radar for the whole organisation in wave {wave} (the people filters do not apply), in the "
               "language chosen under Skill names. From the command line: python -m analytics.report (docs/radar.md).")
    report_cols, db, settings = st.columns(2), ctx.db, ctx.settings
    report_cols[0].download_button("Report as HTML", lambda: report_html(db, wave, settings, lang),
                            file_name=f"skills_report_{wave}.html", mime="text/html", key="report_html",
                            icon=":material/download:")
    report_cols[1].download_button("Report as PDF", lambda: report_pdf(report_html(db, wave, settings, lang)),
                            file_name=f"skills_report_{wave}.pdf", mime="application/pdf", key="report_pdf",
                            icon=":material/download:")
