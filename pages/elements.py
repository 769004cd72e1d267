"""Elements: each element's frequency and coverage, the spread across mentors, which elements
appear together, and mentees' view against mentors' self-assessment."""

import streamlit as st

from analysis import readiness, snapshots, views
from analysis.model import DEFAULT_SETTINGS, ELEMENT_LABELS, SOURCE_LABELS
from pages import common

common.route_through_dashboard()

st.title("The four elements")
filters = common.current_filters()

overview = common.read(snapshots.element_overview, filters)
said = readiness.element_messages(overview.table, filters.describe())
if said:
    common.cannot_answer(said)
    st.stop()
st.markdown(
    "Each source is reported as itself: mentees' ratings (the share of answers that are "
    "favourable) and session notes (the share of notes showing the element) measure different "
    "things and are never added into one ratio. The interval is the 95% range that respects "
    "clustering (many observations per mentor)."
)
common.table(
    # the levels only: targets and the change since the last period are the Overview's table
    overview.table[[*snapshots.LEVEL_COLUMNS, "reason"]],
    **{
        "label": "Element",
        "source_label": "From",
        "pct": st.column_config.NumberColumn("Shows up in", format="%.1f%%"),
        "ci_low": st.column_config.NumberColumn("95% low", format="%.1f%%"),
        "ci_high": st.column_config.NumberColumn("95% high", format="%.1f%%"),
        "shown_count": "Shown in",
        "observation_count": "Observations",
        "mentors": "Mentors",
        "coverage_pct": st.column_config.NumberColumn(
            "Coverage",
            format="%.0f%%",
            help="Estimated share of mentors whose own rate is at least the coverage threshold",
        ),
        "concern_count": "Concerns",
        "reason": "Hidden because",
    },
)
st.markdown(
    f"**Coverage at other thresholds** (coverage counts mentors whose own, partially pooled rate "
    f"reaches the threshold; the default is {DEFAULT_SETTINGS.mentor_shown_share:.0%})"
)
sensitivity = common.read(views.coverage_sensitivity, filters)
if len(sensitivity):
    st.dataframe(
        sensitivity.assign(
            element=sensitivity["element"].map(ELEMENT_LABELS),
            source=sensitivity["source"].map(SOURCE_LABELS),
        ),
        hide_index=True,
        column_config={"element": "Element", "source": "From"}
        | {
            f"at_{t}": st.column_config.NumberColumn(f"At {t}%", format="%.0f%%")
            for t in (30, 40, 50, 60, 70)
        },
    )

st.subheader("How mentors differ")
spread = common.read(readiness.mentors, filters).spread_message(filters.trend_source())
if spread:
    common.cannot_answer([spread])  # the spread and the mentor-by-element chart alike
else:
    st.caption(
        "Each mentor's rate, partially pooled (a mentor with few observations is pulled towards "
        "the programme's rate, so chance does not make anyone look extreme); the box is the "
        "middle half of mentors, the whiskers 90% of them."
    )
    common.chart_block(common.read(snapshots.rate_distribution, filters), filters, "distribution")

    st.subheader("Mentor by element")
    names = common.current_actor().is_admin and st.toggle(
        "Show mentor names",
        value=False,
        key="elements-names",
        help="For program admins. Off by default so the page can be shown on a screen.",
    )
    common.chart_block(
        common.read(snapshots.mentor_heatmap, filters, include_names=names), filters, "heatmap"
    )

st.subheader("Which elements appear together")
st.caption(
    "In session notes and survey comments. Lift above 1: the two show up together more than chance."
)
common.chart_block(common.read(snapshots.cooccurrence, filters), filters, "cooccurrence")

st.subheader("Perception gap: mentors' self-assessment vs their mentees' view")
st.caption(
    "Survey answers only, paired: each mentor's own answers against their own mentees' answers in "
    f"the same survey round, each side favourable by its own scale ({common.read(readiness.favourable).short()})."
    " A positive gap means mentors rate themselves higher than their mentees do."
)
common.chart_block(common.read(snapshots.perception_gap, filters), filters, "gap")
