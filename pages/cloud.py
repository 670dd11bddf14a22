"""Cloud preference: the AWS / GCP / Azure split, and our coverage of each provider's services."""
import streamlit as st

from analytics.cloud import cloud_parity_matrix, cloud_preferred_split, cloud_uses_share
from analytics.reference import beside_reference, populations
from pages import _charts as charts
from pages import _common as ui

ui.ensure_shell()
ctx = ui.page_start("Cloud preference", "Which cloud people prefer and use, and how well we cover each provider's "
                    "services.")
if ctx is None:
    st.stop()

by = st.radio("Break down by", ["team", "wave"], format_func={"team": "Team (selected wave)",
              "wave": "Wave (all waves)"}.get, horizontal=True, key="cloud_by")
group_title = "Team" if by == "team" else "Wave"

with ui.section("Preferred provider"):
    preferred = ui.load(cloud_preferred_split, ctx, by=by)
    if preferred.empty:
        st.info("Nobody in the selection answered the preferred-provider question.")
    else:
        ui.chart(charts.provider_split(preferred, f"Preferred provider by {group_title.lower()}", group_title),
                 "Read: one preferred provider per person, so each bar adds up to 100%; hidden groups are too "
                 "small to show.", key="cloud_preferred")
        ui.table(preferred, "cloud_preferred", f"cloud_preferred_by_{by}.csv",
                 columns=["group", "provider", "n_base", "n_respondents", "share", "suppressed"],
                 column_config={"share": ui.PERCENT})

with ui.section("Providers in use"):
    uses = ui.load(cloud_uses_share, ctx, by=by)
    if uses.empty:
        st.info("Nobody in the selection answered the providers-in-use question.")
    else:
        ui.chart(charts.provider_split(uses, f"Providers in use by {group_title.lower()}", group_title, stacked=False),
                 "Read: share of those who answered who use each provider; people use several, so bars add up "
                 "to more than 100%.", key="cloud_uses")
        ui.table(uses, "cloud_uses", f"cloud_uses_by_{by}.csv",
                 columns=["group", "provider", "n_base", "n_respondents", "share", "suppressed"],
                 column_config={"share": ui.PERCENT})

with ui.section("Service parity matrix"):
    parity = ui.load(cloud_parity_matrix, ctx)
    ui.chart(charts.heatmap(parity, "provider", "category_name", "Coverage per service category and provider",
                            "Provider", "Service category"),
             "Read: each row is a kind of service (VM, storage ...); compare across a row to see whether we could "
             "run it as well on one provider as on another. Blank: nobody answered.", key="cloud_parity")
    ui.table(parity, "cloud_parity", "cloud_parity_matrix.csv",
             columns=["category_name", "provider", "n_answered", "n_proficient", "coverage", "suppressed"],
             column_config={"coverage": ui.PERCENT})

with ui.section("Beside a public survey"):
    refs = populations("cloud")
    labels = dict(zip(refs["population"], refs["label"], strict=True))
    choice = st.selectbox("Public population", [None, *labels], format_func=lambda p: labels.get(p, "None"),
                          key="cloud_reference", help="Figures computed from public survey files (data/reference/).")
    if choice:
        beside = ui.load(beside_reference, ctx, kind="cloud", population=choice)
        st.caption(f"Context, not a target: {labels[choice]}. Our side is the share of those who answered the "
                   "providers-in-use question who use each provider; the public question was worded differently "
                   "and asked of different people.")
        ui.chart(charts.beside_reference(beside, "Providers in use: us and a public survey", "Us", "Public survey"),
                 "Read: blue is our selection, grey the public population; a difference describes who we are as much "
                 "as what we lack.", key="cloud_reference_chart")
        ui.table(beside, "cloud_reference_table", f"cloud_beside_{choice}.csv",
                 columns=["name", "org_share", "reference_share", "reference_base", "suppressed"],
                 column_config={"name": "Provider", "org_share": ui.PERCENT, "reference_share": ui.PERCENT,
                                "reference_base": "Public respondents"})
