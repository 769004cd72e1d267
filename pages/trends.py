"""Trends: element shares by month or quarter with their intervals, changes called only beyond
chance (the view's tests corrected together), survey waves compared, and the impact of a
programme event on the mentors it applied to (difference-in-differences)."""

from datetime import date

import pandas as pd
import streamlit as st

from analysis import charts, queries, readiness, snapshots, views
from analysis.errors import MentoringError
from analysis.ingest.upkeep import add_program_event
from analysis.model import ELEMENT_LABELS, ELEMENTS, SOURCE_LABELS, Treated
from pages import common

common.route_through_dashboard()

st.title("Trends")
filters = common.current_filters()
grain = st.segmented_control(
    "Period",
    ["month", "quarter"],
    default="month",
    key="trend-grain",
    format_func=str.title,
    required=True,
)

built = common.read(snapshots.trend, filters, grain)
if filters.source == "both":
    st.caption(
        "Over time this follows the session notes: survey answers arrive only in survey months, "
        "so they are compared wave by wave below."
    )
said = readiness.trend_messages(
    common.read(views.trend, filters, grain), grain, filters.trend_source()
)
common.cannot_answer(said)
if built.figure.data or not said:  # an empty chart would only repeat the sentence above
    common.chart_block(built, filters, "trend")

tested = built.table.dropna(subset=["p_value"]) if len(built.table) else built.table
if len(tested):
    called = tested[tested["verdict"].isin(["up", "down"])]
    st.subheader("Changes from one period to the next")
    st.markdown(
        f"**{len(tested)} changes were tested** (each element, each period against the one "
        "before) and corrected together with the Benjamini-Hochberg procedure: a change is called "
        f"up or down only when its q-value is below 0.05. **{len(called)} "
        f"{'is' if len(called) == 1 else 'are'} called.** Testing many changes at once makes "
        "some look significant by chance alone; the correction keeps those out."
    )
    latest = tested.sort_values("period_start").groupby("element").tail(1)
    st.dataframe(
        pd.concat([called, latest])
        .drop_duplicates()[
            [
                "element",
                "period_start",
                "pct",
                "change_pts",
                "change_low",
                "change_high",
                "p_value",
                "q_value",
                "verdict",
            ]
        ]
        .assign(element=lambda f: f["element"].map(ELEMENT_LABELS)),
        hide_index=True,
        column_config={
            "element": "Element",
            "period_start": st.column_config.DateColumn("Period from"),
            "pct": st.column_config.NumberColumn("Share", format="%.1f%%"),
            "change_pts": st.column_config.NumberColumn("Change (points)", format="%+.1f"),
            "change_low": st.column_config.NumberColumn("95% low", format="%+.1f"),
            "change_high": st.column_config.NumberColumn("95% high", format="%+.1f"),
            "p_value": st.column_config.NumberColumn("p", format="%.3f"),
            "q_value": st.column_config.NumberColumn("q (corrected)", format="%.3f"),
            "verdict": "Verdict",
        },
    )

st.subheader("By survey wave")
st.caption(f"Mentees' ratings, wave by wave. {common.read(readiness.favourable).sentence()}")
waves = common.read(snapshots.wave_comparison, filters)
said = readiness.wave_messages(waves.table)
common.cannot_answer(said)
if waves.figure.data or not said:
    common.chart_block(waves, filters, "waves")

st.header("Did a programme event make a difference?")
st.markdown(
    "Compare the mentors an event applied to (a training, say) with the other mentors, before and "
    "after: the **difference-in-differences** is how much more the treated mentors changed than "
    "the others did. Each mentor is compared with themself (fixed effects), and the interval "
    "counts mentors, not notes. Before the event the two groups' lines should run together (the "
    "*pre-trend*): if they already diverged, the difference is not the event's doing."
)
events = common.read(queries.program_events)
with_group = events[events["treated_json"].notna()] if len(events) else events
options = [
    (pd.Timestamp(r.event_date).date(), str(r.label), Treated.from_json(r.treated_json))
    for r in with_group.itertuples()
]
left, right = st.columns([2, 1])
choice = left.selectbox(
    "Event",
    range(len(options) + 1),
    index=len(options) - 1 if options else 0,
    format_func=lambda i: (
        "Another date and group..."
        if i == len(options)
        else f"{options[i][1]} ({options[i][0]:%d %b %Y}): {options[i][2].describe()}"
    ),
    key="impact-event",
)
source = right.radio(
    "Measured in",
    ["session_note", "mentee_rating"],
    format_func=SOURCE_LABELS.get,
    key="impact-source",
)
if choice == len(options):
    day = st.date_input("Event date", value=None, key="impact-date")
    groups = common.read(queries.filter_options)
    cols = st.columns(3)
    treated = Treated(
        departments=tuple(cols[0].multiselect("Departments it applied to", groups["departments"])),
        cohorts=tuple(cols[1].multiselect("Cohorts it applied to", groups["cohorts"])),
        locations=tuple(cols[2].multiselect("Locations it applied to", groups["locations"])),
        emails=tuple(
            line.strip()
            for line in st.text_area(
                "Or the mentors it applied to, one email per line", key="impact-emails"
            ).splitlines()
            if line.strip()
        ),
    )
    label = "This event"
else:
    day, label, treated = options[choice]
if day is None or treated == Treated():
    st.info("Choose the event's date and whom it applied to.", icon=":material/event:")
else:
    result = common.read(views.impact, filters, day, treated, source)
    st.plotly_chart(
        charts.impact(result.effects, f"{label} ({day:%d %b %Y})"), theme=None, key="impact-chart"
    )
    st.dataframe(
        result.effects[
            [
                "label",
                "effect_pts",
                "ci_low",
                "ci_high",
                "p",
                "q",
                "treated_mentors",
                "control_mentors",
            ]
        ],
        hide_index=True,
        column_config={
            "label": "Element",
            "effect_pts": st.column_config.NumberColumn("Effect (points)", format="%+.1f"),
            "ci_low": st.column_config.NumberColumn("95% low", format="%+.1f"),
            "ci_high": st.column_config.NumberColumn("95% high", format="%+.1f"),
            "p": st.column_config.NumberColumn("p", format="%.3f"),
            "q": st.column_config.NumberColumn("q (4 tests corrected)", format="%.3f"),
            "treated_mentors": "Treated mentors",
            "control_mentors": "Other mentors",
        },
    )
    st.caption(
        "Only mentors seen both before and after the event count. An effect is called when its "
        "q-value (the four elements corrected together) is below 0.05."
    )
    element = st.selectbox(
        "Pre-trend for", ELEMENTS, format_func=ELEMENT_LABELS.get, key="impact-element"
    )
    st.plotly_chart(
        charts.impact_series(result.series, day, element), theme=None, key="impact-series"
    )

if common.current_actor().is_admin:
    with st.expander("Record a programme event (e.g. a mentor training)"):
        with st.form("add-event", clear_on_submit=True):
            event_day = st.date_input("Date", value=date.today())
            event_label = st.text_input("What happened", max_chars=200)
            groups = common.read(queries.filter_options)
            cols = st.columns(3)
            who = Treated(
                departments=tuple(cols[0].multiselect("Departments", groups["departments"])),
                cohorts=tuple(cols[1].multiselect("Cohorts", groups["cohorts"])),
                locations=tuple(cols[2].multiselect("Locations", groups["locations"])),
            )
            if st.form_submit_button("Add event"):
                try:
                    add_program_event(
                        common.store(),
                        event_day,
                        event_label,
                        None if who == Treated() else who,
                        actor=common.current_actor(),
                    )
                    st.success("Event added: it now shows on the trend chart.")
                    st.rerun()
                except MentoringError as exc:
                    common.show_error(exc)
