"""Segments: element frequency by department, cohort or location, with small groups suppressed."""

import streamlit as st

from analysis.model import DEFAULT_SETTINGS
from pages import common

common.route_through_dashboard()

st.title("Segments")
filters = common.current_filters()
segment = st.segmented_control(
    "Compare by",
    ["department", "cohort", "location"],
    default="department",
    key="segment",
    format_func=str.title,
    required=True,
)
built = common.chart(f"segments-{segment}", filters)
common.chart_block(built, filters, "segments")
k = DEFAULT_SETTINGS.anonymity_min
st.caption(
    f"Cells behind fewer than {k} mentors (or, with survey answers, fewer than {k} respondents) read "
    f"'fewer than {k}'. When one cell in a column is hidden, the next smallest is hidden too, so it "
    "cannot be worked out from the total."
)
