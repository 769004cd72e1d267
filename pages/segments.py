"""Segments: element frequency by department, cohort or location, with small groups suppressed."""

import streamlit as st

from analysis import queries
from analysis.model import DEFAULT_SETTINGS
from pages import common

common.route_through_dashboard()

st.title("Segments")
filters = common.current_filters()
choices = common.view("segment_choices", filters)
segment = st.segmented_control(
    "Compare by",
    choices,
    default="department",
    key="segment",
    format_func=lambda s: queries.segment_label(s).capitalize(),
    required=True,
)
built = common.chart(f"segments-{segment}", filters)
common.chart_block(built, filters, "segments")
k = DEFAULT_SETTINGS.anonymity_min
st.caption(
    f"Cells behind fewer than {k} mentors (or, with survey answers, fewer than {k} respondents) read "
    f"'fewer than {k}'. When one cell in a column is hidden, the next smallest is hidden too, so it "
    "cannot be worked out from the total. Mentors' department, cohort and location come from the "
    'roster; segments named "respondents\' ..." come from a column in a survey and count only '
    "that survey's answers and comments."
)
