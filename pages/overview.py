"""Overview: the headline figures and how often each of the four elements shows up."""

import html

import pandas as pd
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

levels = common.view("by_source", filters)
st.subheader("How these numbers were derived")
st.markdown(
    "Each source is reported as itself. **Mentees' ratings**: of the answers to the survey "
    "questions mapped to an element, the share that are favourable (Agree or Strongly agree on an "
    "agreement scale, Often or Always on a frequency scale; for a negatively worded question, the "
    "disagreeing answers). **Session notes**: the share of notes in which the element is described "
    "(read by the rubric, see Methodology). The range after each figure is its 95% interval, "
    "computed so that many observations of the same mentor count as what they are: one mentor. "
    "Mentors' self-assessments are kept apart (see Elements)."
)
rows = []
for row in levels[levels["source"].isin(filters.level_sources())].itertuples():
    if row.suppressed or pd.isna(row.pct):
        why = row.reason if row.reason and row.reason != "no data" else "no data in view"
        rows.append(f"- **{row.label}**, {row.source_label.lower()}: not shown ({why}).")
        continue
    rows.append(
        f"- **{row.label}**, {row.source_label.lower()}: {int(row.shown_count):,} of "
        f"{int(row.observation_count):,} = **{row.pct:.1f}%** (95% interval {row.ci_low:.1f}-"
        f"{row.ci_high:.1f}%) from {int(row.mentors)} mentors; {int(row.concern_count):,} "
        "describe the opposite."
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
        "A survey question counts as shown when its answer is favourable on its own scale; "
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
