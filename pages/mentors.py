"""Mentors (for program admins): one mentor against the population, self-view against mentees'
view, the evidence behind each figure, and who to coach on what."""

import streamlit as st

from analysis import charts
from analysis.access import ADMIN
from analysis.model import DEFAULT_SETTINGS, ELEMENT_LABELS, ELEMENTS
from pages import common

common.route_through_dashboard()
common.require_role(ADMIN, "The Mentors page (it names mentors and shows what was written)")

k = DEFAULT_SETTINGS.anonymity_min
st.title("Mentors")
st.caption(
    "For program admins: this page names mentors. Mentees and survey respondents are never named."
)
filters = common.current_filters()

st.subheader("Who to coach on what")
st.caption(
    "Mentors whose rate is confidently below all mentors' rate: ranked by how far the top of their 95% "
    "interval sits below the population, so a low rate on few observations does not outrank a clearly "
    "low rate on many. Concerns break ties."
)
coaching = common.view("coaching", filters)
if coaching.empty:
    st.write("No mentor is confidently below the population on any element.")
else:
    st.dataframe(
        coaching[
            [
                "mentor_name",
                "label",
                "rate_pct",
                "population_pct",
                "gap_pts",
                "confident_gap_pts",
                "observation_count",
                "concern_count",
            ]
        ].head(40),
        hide_index=True,
        column_config={
            "mentor_name": "Mentor",
            "label": "Element",
            "rate_pct": st.column_config.NumberColumn("Mentor's rate", format="%.0f%%"),
            "population_pct": st.column_config.NumberColumn("All mentors", format="%.0f%%"),
            "gap_pts": st.column_config.NumberColumn("Gap (points)", format="%.0f"),
            "confident_gap_pts": st.column_config.NumberColumn(
                "Gap beyond 95% interval", format="%.0f"
            ),
            "observation_count": "Observations",
            "concern_count": "Concerns",
        },
    )

st.subheader("One mentor")
directory = common.view("mentor_list", filters)
if directory.empty:
    st.warning("No mentors match these filters.")
    st.stop()
names = dict(zip(directory["mentor_id"], directory["display_name"], strict=True))
first = coaching["mentor_id"].iloc[0] if len(coaching) else directory["mentor_id"].iloc[0]
mentor_id = st.selectbox(
    "Mentor", list(names), index=list(names).index(first), format_func=names.get, key="mentor"
)
detail = common.view("mentor_detail", filters, mentor_id)
scorecard = charts.mentor_scorecard(detail.rates, detail.population, names[mentor_id])
if scorecard.data:
    st.plotly_chart(scorecard, theme=None, key="scorecard")
else:
    st.info(
        f"No observations of {names[mentor_id]} match these filters "
        f"({filters.describe()}). Widen the period or clear a filter.",
        icon=":material/filter_alt_off:",
    )
with st.expander("Numbers behind the scorecard"):
    st.dataframe(
        detail.rates[
            [
                "element",
                "rate_pct",
                "low_pct",
                "high_pct",
                "shown_count",
                "observation_count",
                "concern_count",
                "survey_hidden",
            ]
        ],
        hide_index=True,
    )

st.markdown("**Self-view against mentees' view** (favourable survey answers)")
if detail.mentee_view_hidden:
    st.info(
        f"Fewer than {k} mentees answered about this mentor, so their view is not shown, and this "
        "mentor's figures above use session notes only."
    )
st.dataframe(
    detail.views_compared.assign(element=detail.views_compared["element"].map(ELEMENT_LABELS)),
    hide_index=True,
    column_config={
        "element": "Element",
        "mentee_pct": st.column_config.NumberColumn("Mentees' view", format="%.0f%%"),
        "mentee_n": "Mentee answers",
        "self_pct": st.column_config.NumberColumn("Self-assessment", format="%.0f%%"),
        "self_n": "Self answers",
    },
)

st.markdown("**The evidence behind these figures**")
element = st.selectbox("Element", ELEMENTS, format_func=ELEMENT_LABELS.get, key="mentor-element")
shown_tab, concern_tab = st.tabs(["Where it shows up", "Concerns"])
with shown_tab:
    common.evidence_table(detail.evidence[detail.evidence["element"] == element])
with concern_tab:
    common.evidence_table(detail.concerns[detail.concerns["element"] == element])
