"""Overview: the headline figures and how often each of the four elements shows up."""

import html

import streamlit as st

from analysis.model import ELEMENT_LABELS, ELEMENTS
from pages import common

common.route_through_dashboard()

st.title("Mentoring program health")
common.sample_banner()
filters = common.current_filters()

headline = common.view("headline", filters)
if headline.as_of is None:
    st.warning(
        "Nothing has been loaded yet. Open **Upload** to add survey exports and session logs."
    )
    st.stop()

counts = headline.counts
st.caption(
    f"Figures as of {headline.as_of:%d %b %Y}, the latest day with data. {filters.describe()}."
)
cols = st.columns(5)
cols[0].metric("Mentors", f"{counts['mentor_count']:,}")
cols[1].metric("Mentees", f"{counts['mentee_count']:,}")
cols[2].metric(
    "Active pairs",
    f"{counts['active_pair_count']:,}",
    help="Pairs with a session in the last 30 days.",
)
cols[3].metric("Sessions, last 30 days", f"{counts['sessions_last_30_days']:,}")
cols[4].metric("Survey responses", f"{counts['response_count']:,}", help="In the chosen period.")

built = common.chart("element-overview", filters)


def _show_clicked_element() -> None:
    """A click on an element's bar opens its evidence below."""
    point = common.clicked_point("overview")
    element = common.LABEL_TO_ELEMENT.get(html.unescape(str((point or {}).get("y"))))
    if element:
        st.session_state["overview-element"] = element


evidence_shown = common.current_actor().is_admin
common.chart_block(
    built, filters, "overview", on_click=_show_clicked_element if evidence_shown else None
)
if evidence_shown:
    st.caption("Click a bar to see the notes and comments behind it (below).")

summary = common.view("element_overview", filters)
st.subheader("How these numbers were derived")
st.markdown(
    "**Frequency** is the share of observations in which the element shows up: an observation is an "
    "answer to one of the element's survey items (favourable when in the top quarter of its scale) "
    "or a session note or survey comment (the element is detected in the text). **Coverage** is, "
    "of the mentors with at least 3 observations of the element, the share in whose observations it "
    "shows up at least half the time. Mentors' self-assessments are kept apart (see Elements). "
    "See **Methodology** for the full rules."
)
rows = []
for element in ELEMENTS:
    row = summary.set_index("element").loc[element]
    if row["suppressed"]:
        rows.append(
            f"- **{ELEMENT_LABELS[element]}**: hidden (fewer than the anonymity minimum of people)."
        )
        continue
    rows.append(
        f"- **{ELEMENT_LABELS[element]}**: {row['shown_count']:,} of {row['observation_count']:,} "
        f"observations = **{row['frequency_pct']}%**; {row['mentors_covered']} of "
        f"{row['mentors_measured']} measured mentors = **{row['coverage_pct']}%** coverage; "
        f"{row['concern_count']:,} concerns (the opposite described)."
    )
st.markdown("\n".join(rows))
with st.expander("Which survey questions, notes and comments feed each element"):
    st.dataframe(
        common.view("element_sources", filters),
        hide_index=True,
        column_config={
            "element": "Element",
            "source": "From",
            "item_text": st.column_config.TextColumn("Question", width="large"),
            "observation_count": "Observations",
            "shown_count": "Shown in",
            "frequency_pct": st.column_config.NumberColumn("Frequency", format="%.1f%%"),
            "concern_count": "Concerns",
            "reason": "Hidden because",
        },
    )
    st.caption(
        "A survey question counts as shown when its answer is in the top quarter of its scale; "
        "notes and comments when the rubric finds the element (see Methodology). Mentors' "
        "self-assessments are not included here."
    )

st.subheader("See the evidence behind a figure")
if not evidence_shown:
    st.write(
        "The notes, comments and answers behind each figure are shown to the dashboard's admins "
        "only: they are what mentees and mentors wrote."
    )
    st.stop()
left, right = st.columns([1, 1])
element = left.selectbox(
    "Element", ELEMENTS, format_func=ELEMENT_LABELS.get, key="overview-element"
)
kind = right.radio(
    "Show",
    ["shown", "concerns"],
    horizontal=True,
    key="overview-kind",
    format_func={"shown": "Where it shows up", "concerns": "Concerns (the opposite)"}.get,
)
snippets = common.view("evidence", filters, element, 1 if kind == "shown" else -1)
common.evidence_table(snippets)
