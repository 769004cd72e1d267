"""Overview: the headline figures and how often each of the four elements shows up."""

import html

import pandas as pd
import streamlit as st

from analysis import queries, snapshots, views
from analysis.errors import MentoringError
from analysis.ingest import upkeep
from analysis.model import ELEMENT_LABELS, ELEMENTS, SOURCE_LABELS
from pages import common

common.route_through_dashboard()

st.title("Mentoring program health")
common.sample_banner()
filters = common.current_filters()

headline = common.read(views.headline, filters)
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

built = common.read(snapshots.element_overview, filters)


def _targets_form() -> None:
    """What the program aims for, per element and source; blank means no target."""
    saved = st.session_state.pop("targets-saved", None)
    if saved:
        st.success(saved)
    current = common.read(queries.element_targets)
    now = {(r.element, r.source): r.target_pct for r in current.itertuples()}
    with st.form("targets"):
        st.write(
            "The share of observations you aim for, per element and source (a target for "
            "mentees' ratings is not one for session notes). Leave a box empty for no target."
        )
        chosen = {}
        for source in ("mentee_rating", "session_note"):
            cols = st.columns(len(ELEMENTS))
            for col, element in zip(cols, ELEMENTS, strict=True):
                chosen[(element, source)] = col.number_input(
                    f"{ELEMENT_LABELS[element]}, {SOURCE_LABELS[source].lower()} (%)",
                    min_value=0.0,
                    max_value=100.0,
                    step=5.0,
                    value=now.get((element, source)),
                    key=f"target-{element}-{source}",
                )
        if not st.form_submit_button("Save targets"):
            return
    changed = [(key, value) for key, value in chosen.items() if value != now.get(key)]
    try:
        for (element, source), value in changed:
            upkeep.set_target(common.store(), element, source, value, common.current_actor())
    except MentoringError as exc:
        common.show_error(exc)
        return
    st.session_state["targets-saved"] = (
        f"Saved {len(changed)} target{'s' if len(changed) != 1 else ''}: they are drawn on the "
        "charts and compared above."
        if changed
        else "No target changed."
    )
    st.rerun()


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

st.subheader("Against target and since the last period")
table, compared, tests = common.read(views.standing, filters)
st.dataframe(
    table,
    hide_index=True,
    column_config={
        "element": "Element",
        "source": "From",
        "level": st.column_config.TextColumn(
            "Now (95% interval)", help="The share, and the range it is 95% sure to lie in."
        ),
        "target": "Target",
        "against_target": st.column_config.TextColumn(
            "Against target", help="Above or below only when the whole interval is."
        ),
        "change": st.column_config.TextColumn(
            "Change", help="In percentage points, with its 95% interval."
        ),
        "why_hidden": "Not shown because",
    },
)
said = [f"**{SOURCE_LABELS[source]}**: {what}." for source, what in compared.items() if what]
st.caption(
    "Changes compare " + " ".join(said) + f" The {tests} comparisons in this table are corrected "
    "together (Benjamini-Hochberg), so a change or a gap to target is called only when chance "
    "alone would rarely produce it."
)
if common.current_actor().is_admin:
    with st.expander("Set targets (admins)"):
        _targets_form()

levels = common.read(views.by_source, filters)
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
        common.read(views.element_sources, filters),
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
snippets = common.read(views.evidence, filters, element, 1 if kind == "shown" else -1)
common.evidence_table(snippets)
