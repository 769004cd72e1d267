"""Trends: element frequency by month or quarter and by survey wave, with change tests and the
program's events marked on the time axis."""

from datetime import date

import streamlit as st

from analysis.errors import MentoringError
from analysis.ingest.load import add_program_event
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

built = common.chart(f"trend-{grain}", filters)
if filters.source == "both":
    st.caption(
        "Month by month this follows the session notes: survey answers arrive only in survey "
        "months and run higher, so mixing them in would make every wave look like a jump. Survey "
        "answers are compared wave by wave below."
    )
common.chart_block(built, filters, "trend")

latest = (
    built.table.dropna(subset=["frequency_pct"])
    .sort_values("period_start")
    .groupby("element")
    .tail(1)
)
if len(latest):
    st.subheader("Latest period against the one before")
    st.dataframe(
        latest[
            [
                "element",
                "period_start",
                "frequency_pct",
                "observation_count",
                "change_pts",
                "p_value",
                "verdict",
            ]
        ],
        hide_index=True,
        column_config={
            "period_start": st.column_config.DateColumn("Period from"),
            "frequency_pct": st.column_config.NumberColumn("Frequency", format="%.1f%%"),
            "observation_count": "n",
            "change_pts": st.column_config.NumberColumn("Change (points)", format="%+.1f"),
            "p_value": st.column_config.NumberColumn("p-value", format="%.3f"),
        },
    )
    st.caption("Two-proportion z-test against the previous period; 'not enough data' when n < 30.")

st.subheader("By survey wave")
common.chart_block(common.chart("wave-comparison", filters), filters, "waves")

if common.current_actor().is_admin:
    with st.expander("Mark a program event on the time axis (e.g. a mentor training)"):
        with st.form("add-event", clear_on_submit=True):
            day = st.date_input("Date", value=date.today())
            label = st.text_input("What happened", max_chars=200)
            if st.form_submit_button("Add event"):
                try:
                    add_program_event(common.store(), day, label, actor=common.current_actor())
                    st.success("Event added: it now shows on the trend chart.")
                    st.rerun()
                except MentoringError as exc:
                    common.show_error(exc)
