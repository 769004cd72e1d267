"""Program health: activity of the mentoring pairs, pairs at risk, response rates."""

from dataclasses import replace

import streamlit as st

from analysis import readiness, snapshots, views
from analysis.model import DEFAULT_SETTINGS
from pages import common

common.route_through_dashboard()

st.title("Program health")
filters = common.current_filters()
with st.expander("Thresholds"):
    left, right = st.columns(2)
    active_days = left.number_input(
        "A pair is active with a session in the last ... days",
        min_value=1,
        max_value=365,
        value=DEFAULT_SETTINGS.active_pair_days,
        key="active_days",
        bind="query-params",
    )
    at_risk_days = right.number_input(
        "A pair is at risk after ... days without a session",
        min_value=1,
        max_value=730,
        value=DEFAULT_SETTINGS.at_risk_days,
        key="at_risk_days",
        bind="query-params",
    )
s = replace(DEFAULT_SETTINGS, active_pair_days=int(active_days), at_risk_days=int(at_risk_days))
health = common.read(views.program_health, filters, settings=s)
if health.as_of is None:
    st.warning("No session logs or surveys loaded yet. Open **Upload** to add them.")
    st.stop()

numbers = health.numbers
st.caption(f"As of {health.as_of:%d %b %Y}, the latest day with data.")
said = readiness.health_messages(numbers)
common.cannot_answer(said)
if not said:
    cols = st.columns(5)
    cols[0].metric(
        "Active pairs",
        f"{numbers['active_pair_count']} of {numbers['pair_count']}",
        help=f"A session in the last {s.active_pair_days} days.",
    )
    cols[1].metric(
        "Sessions per pair per month",
        numbers["sessions_per_pair_per_month"] or "n/a",
        help="Sessions in the last 90 days / pairs / 3.",
    )
    cols[2].metric("Median days between sessions", numbers["median_days_between_sessions"] or "n/a")
    cols[3].metric(
        "Pairs at risk",
        numbers["at_risk_pair_count"],
        help=f"No session for {s.at_risk_days}+ days.",
    )
    cols[4].metric(
        "Mentors with no sessions",
        f"{numbers['mentors_without_sessions']} of {numbers['mentor_count']}",
    )

    st.subheader("Pairs at risk")
    names = common.current_actor().is_admin and st.toggle(
        "Show mentor names",
        value=False,
        key="health-names",
        help="For program admins. Off by default so the page can be shown on a screen.",
    )
    built = common.read(snapshots.pairs_at_risk, filters, settings=s, include_names=names)
    common.chart_block(built, filters, "at-risk")
    if len(health.at_risk):
        table = health.at_risk[
            ["mentor_name", "last_session_on", "days_since_last_session", "session_count"]
        ]
        common.table(table if names else table.drop(columns=["mentor_name"]))

    st.subheader("Mentors with no sessions at all")
    if health.mentors_without_sessions.empty:
        st.write("Every mentor has logged at least one session.")
    else:
        table = health.mentors_without_sessions[["mentor_name", "department", "cohort", "location"]]
        common.table(table if names else table.drop(columns=["mentor_name"]))

st.subheader("Survey response rates")
if health.response_rates.empty:
    st.write("Give the number of people invited when you upload a survey to see its response rate.")
else:
    common.table(
        health.response_rates[
            ["wave", "file_name", "response_count", "invited_count", "response_rate_pct"]
        ],
        response_rate_pct=st.column_config.NumberColumn("Response rate", format="%.1f%%"),
    )
