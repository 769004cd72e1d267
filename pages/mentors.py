"""Mentors (for program admins): one mentor against the population, self-view against mentees'
view, the evidence behind each figure, and who to coach on what."""

import streamlit as st

from analysis import charts, readiness, views
from analysis.access import ADMIN
from analysis.model import DEFAULT_SETTINGS, ELEMENT_LABELS, ELEMENTS
from pages import common

common.route_through_dashboard()
common.require_role(ADMIN, "The Mentors page (it names mentors and shows what was written)")

k = DEFAULT_SETTINGS.anonymity_min
COACHING_ROWS = 60
st.title("Mentors")
st.caption(
    "For program admins: this page names mentors. Mentees and survey respondents are never named."
)
filters = common.current_filters()
ready = common.read(readiness.mentors, filters)
common.cannot_answer([ready.message()] if ready.message() else [])

st.subheader("Who to coach on what")
coaching = common.read(views.coaching, filters)
tests_run = coaching.attrs.get("tests_run", 0)
st.caption(
    "Each mentor is compared like for like: their session notes with every other mentor's notes, "
    "their mentees' ratings with every other mentor's ratings (only when at least "
    f"{k} mentees answered, or {readiness.COACHING_MIN_NOTES} notes were logged). A mentor is "
    "listed only when their rate is below the benchmark beyond what chance produces: "
    f"{tests_run:,} comparisons of {ready.comparable:,} of {ready.mentors:,} mentors were tested "
    "and corrected together (Benjamini-Hochberg), so at most about 1 in 20 rows listed here is "
    "there by chance. Rates are partially pooled: a mentor with few observations is pulled towards "
    "the programme's rate."
)
if ready.comparable:
    element_choice = st.multiselect(
        "Elements",
        ELEMENTS,
        format_func=ELEMENT_LABELS.get,
        key="coach-elements",
        placeholder="All elements",
    )
    listed = coaching[coaching["element"].isin(element_choice)] if element_choice else coaching
    if listed.empty:
        st.write(
            "No mentor is below the benchmark beyond chance"
            + (" on the chosen elements." if element_choice else ".")
        )
    else:
        st.dataframe(
            listed[
                [
                    "mentor_name",
                    "label",
                    "source_label",
                    "rate_pct",
                    "low_pct",
                    "high_pct",
                    "benchmark_pct",
                    "observation_count",
                    "q_value",
                ]
            ].head(COACHING_ROWS),
            hide_index=True,
            column_config={
                "mentor_name": "Mentor",
                "label": "Element",
                "source_label": "From",
                "rate_pct": st.column_config.NumberColumn("Mentor's rate", format="%.0f%%"),
                "low_pct": st.column_config.NumberColumn("95% low", format="%.0f%%"),
                "high_pct": st.column_config.NumberColumn("95% high", format="%.0f%%"),
                "benchmark_pct": st.column_config.NumberColumn("Other mentors", format="%.0f%%"),
                "observation_count": "Observations",
                "q_value": st.column_config.NumberColumn(
                    "q-value",
                    format="%.3f",
                    help="The false discovery rate at which this row is listed",
                ),
            },
            key="coaching-list",
        )
        if len(listed) > COACHING_ROWS:
            st.caption(f"The first {COACHING_ROWS} of {len(listed):,} rows, lowest q-value first.")

st.subheader("One mentor")
if ready.people.empty:
    st.stop()  # said above: no mentors match these filters
labels = ready.labels()
options = list(labels)
asked = st.query_params.get("mentor")  # read before the selectbox checks it against the options
mentor_id = st.selectbox(
    "Mentor",
    options,
    index=options.index(ready.default_mentor()),
    format_func=labels.get,
    key="mentor",
    bind="query-params",
)
if asked and asked != labels[mentor_id]:
    # The link's mentor is not among those in view (or no longer exists): say so without
    # repeating what the link held.
    st.info(
        f"The mentor in this link is not among the mentors in view ({filters.describe()}), so "
        f"the page opens on {labels[mentor_id]}.",
        icon=":material/link_off:",
    )
name = ready.people.set_index("mentor_id").at[mentor_id, "display_name"]
detail = common.read(views.mentor_detail, filters, mentor_id)
scorecard = charts.mentor_scorecard_tested(
    detail.rates,
    detail.population,
    name,
    coaching[coaching["mentor_id"] == mentor_id],
    bool(ready.people.set_index("mentor_id").at[mentor_id, "comparable"]),
)
if scorecard.data:
    st.plotly_chart(scorecard, theme=None, key="scorecard")
    with st.expander("Numbers behind the scorecard"):
        common.table(
            detail.rates[
                [
                    "element",
                    "source_kind",
                    "rate_pct",
                    "low_pct",
                    "high_pct",
                    "raw_pct",
                    "shown_count",
                    "observation_count",
                    "concern_count",
                ]
            ],
            rate_pct=st.column_config.NumberColumn("Rate (partially pooled)", format="%.1f%%"),
            low_pct=st.column_config.NumberColumn("95% low", format="%.1f%%"),
            high_pct=st.column_config.NumberColumn("95% high", format="%.1f%%"),
            raw_pct=st.column_config.NumberColumn("Raw rate", format="%.1f%%"),
        )
else:
    st.info(ready.gap(mentor_id), icon=":material/info:")

st.markdown(
    "**Self-view against mentees' view** (favourable survey answers: "
    f"{common.read(readiness.favourable).short()})"
)
if detail.mentee_view_hidden and scorecard.data:
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
