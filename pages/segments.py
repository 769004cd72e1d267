"""Segments: element frequency by department, cohort or location, with small groups suppressed."""

from dataclasses import replace

import streamlit as st

from analysis import queries, readiness, snapshots, views
from analysis.model import DEFAULT_SETTINGS, ELEMENT_LABELS, ELEMENTS
from pages import common

common.route_through_dashboard()

# Evidence can be narrowed by the roster's segments (they are sidebar filters too).
FILTER_FIELD = {"department": "departments", "cohort": "cohorts", "location": "locations"}

st.title("Segments")
filters = common.current_filters()
choices = common.read(queries.segment_choices)
segment = st.segmented_control(
    "Compare by",
    choices,
    default="department",
    key="segment",
    format_func=lambda s: queries.segment_label(s).capitalize(),
    required=True,
)
built = common.read(snapshots.segments, filters, segment)
label = queries.segment_label(segment)
shown_groups = sorted(
    str(v) for v in built.table.loc[built.table["frequency_pct"].notna(), label].unique()
)
if built.figure.data:  # an empty chart says why itself
    narrowed_by = getattr(filters, FILTER_FIELD[segment]) if segment in FILTER_FIELD else ()
    common.cannot_answer(readiness.segment_messages(built.table, label, narrowed_by))
common.chart_block(built, filters, "segments")
k = DEFAULT_SETTINGS.anonymity_min
st.caption(
    f"Cells behind fewer than {k} mentors (or, with survey answers, fewer than {k} respondents) read "
    f"'fewer than {k}'. When one cell in a column is hidden, the next smallest is hidden too, so it "
    "cannot be worked out from the total. Mentors' department, cohort and location come from the "
    'roster; segments named "respondents\' ..." come from a column in a survey and count only '
    "that survey's answers and comments."
)

# With every group hidden there is no cell to open (the message above says why).
if segment in FILTER_FIELD and built.figure.data and shown_groups:
    st.subheader("The evidence behind a cell")
    if not common.current_actor().is_admin:
        st.write(
            "The notes, comments and answers behind each cell are shown to the dashboard's "
            "admins only: they are what mentees and mentors wrote."
        )
    else:
        st.caption(
            f"Choose a {label} and an element: the notes, comments and answers behind that cell."
        )
        left, right = st.columns(2)
        value = left.selectbox(label.capitalize(), shown_groups, key="segments-value")
        element = right.selectbox(
            "Element", ELEMENTS, format_func=ELEMENT_LABELS.get, key="segments-element"
        )
        narrowed = replace(filters, **{FILTER_FIELD[segment]: (value,)})
        common.evidence_table(common.read(views.evidence, narrowed, element, 1))
