"""Elements: each element's frequency and coverage, the spread across mentors, which elements
appear together, and mentees' view against mentors' self-assessment."""

import streamlit as st

from pages import common

common.route_through_dashboard()

st.title("The four elements")
filters = common.current_filters()

overview = common.chart("element-overview", filters)
if overview.table["observation_count"].sum() == 0:
    st.warning("No observations match these filters. Widen the period or clear a filter.")
    st.stop()
st.dataframe(
    overview.table,
    hide_index=True,
    column_config={
        "label": "Element",
        "frequency_pct": st.column_config.NumberColumn("Frequency", format="%.1f%%"),
        "shown_count": "Shown in",
        "observation_count": "Observations",
        "coverage_pct": st.column_config.NumberColumn("Coverage", format="%.1f%%"),
        "mentors_covered": "Mentors covered",
        "mentors_measured": "Mentors measured",
        "concern_count": "Concerns",
    },
)

st.subheader("How mentors differ")
st.caption("Each point is one mentor with at least 3 observations of the element.")
common.chart_block(common.chart("rate-distribution", filters), filters, "distribution")

st.subheader("Mentor by element")
names = common.current_actor().is_admin and st.toggle(
    "Show mentor names",
    value=False,
    key="elements-names",
    help="For program admins. Off by default so the page can be shown on a screen.",
)
common.chart_block(common.chart("mentor-heatmap", filters, include_names=names), filters, "heatmap")

st.subheader("Which elements appear together")
st.caption(
    "In session notes and survey comments. Lift above 1: the two show up together more than chance."
)
common.chart_block(common.chart("cooccurrence", filters), filters, "cooccurrence")

st.subheader("Perception gap: mentees' view vs mentors' self-assessment")
st.caption(
    "Survey answers only. A positive gap means mentors rate themselves higher than their mentees do."
)
common.chart_block(common.chart("perception-gap", filters), filters, "gap")
