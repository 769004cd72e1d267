"""Pure derived numbers: element frequency and mentor coverage, change tests, anonymity
suppression, coaching priorities and program health. DataFrames in, DataFrames out."""

from __future__ import annotations

from datetime import date

import pandas as pd

from analysis.model import DEFAULT_SETTINGS, ELEMENT_LABELS, ELEMENTS, Settings


def share_pct(shown: float, total: float) -> float | None:
    """Percentage with one decimal, or None when there is nothing to divide by."""
    return None if not total else round(100.0 * shown / total, 1)


def group_too_small(
    mentor_count: int, respondent_count: int, settings: Settings = DEFAULT_SETTINGS
) -> bool:
    """A group is shown only when at least `anonymity_min` mentors stand behind it, and, when survey
    answers are part of it, at least `anonymity_min` distinct respondents."""
    k = settings.anonymity_min
    return mentor_count < k or 0 < respondent_count < k


def element_summary(
    counts: pd.DataFrame, people: pd.DataFrame, settings: Settings = DEFAULT_SETTINGS
) -> pd.DataFrame:
    """Per element: frequency (share of observations showing it) and coverage (share of measured
    mentors showing it at least `mentor_shown_share` of the time), with every n behind them.

    `counts` has rows per mentor and element (observation_count, shown_count, concern_count),
    possibly split further by source;
    `people` has per element the distinct mentor_count and respondent_count."""
    per_mentor = counts.groupby(["mentor_id", "element"], as_index=False)[
        ["observation_count", "shown_count", "concern_count"]
    ].sum()
    rows = []
    for element in ELEMENTS:
        mine = per_mentor[per_mentor["element"] == element]
        observations = int(mine["observation_count"].sum())
        shown = int(mine["shown_count"].sum())
        concerns = int(mine["concern_count"].sum())
        measured = mine[mine["observation_count"] >= settings.min_observations_per_mentor]
        covered = int(
            (
                measured["shown_count"]
                >= settings.mentor_shown_share * measured["observation_count"]
            ).sum()
        )
        who = people[people["element"] == element]
        mentor_count = int(who["mentor_count"].iloc[0]) if len(who) else 0
        respondent_count = int(who["respondent_count"].iloc[0]) if len(who) else 0
        hidden = observations > 0 and group_too_small(mentor_count, respondent_count, settings)
        rows.append(
            {
                "element": element,
                "label": ELEMENT_LABELS[element],
                "observation_count": observations,
                "shown_count": shown,
                "concern_count": concerns,
                "frequency_pct": None if hidden else share_pct(shown, observations),
                "mentors_observed": mentor_count,
                "mentors_measured": len(measured),
                "mentors_covered": covered,
                "coverage_pct": None if hidden else share_pct(covered, len(measured)),
                "respondent_count": respondent_count,
                "suppressed": hidden,
            }
        )
    return pd.DataFrame(rows)


def suppress_cells(
    cells: pd.DataFrame,
    settings: Settings = DEFAULT_SETTINGS,
    withheld: dict[str, str] | None = None,
) -> pd.DataFrame:
    """Hide heatmap cells behind too few people (and the rows `withheld` names, with the reason
    the privacy rule gave), then hide enough others that no hidden cell can be worked out from the
    shown cells and the element's total (complementary suppression).

    Input: segment_value, element, observation_count, shown_count, mentor_count, respondent_count.
    Output adds `suppressed`, `reason` and a `frequency_pct` that is None where suppressed."""
    frame = cells.copy()
    withheld = withheld or {}
    frame["suppressed"] = [
        group_too_small(int(m), int(r), settings) or value in withheld
        for m, r, value in zip(
            frame["mentor_count"], frame["respondent_count"], frame["segment_value"], strict=True
        )
    ]
    frame["reason"] = [
        withheld.get(value) or (f"fewer than {settings.anonymity_min}" if hide else "")
        for value, hide in zip(frame["segment_value"], frame["suppressed"], strict=True)
    ]
    # A segment row hidden for one element is hidden for all: its size is the same person count.
    hidden_rows = set(frame.loc[frame["suppressed"], "segment_value"])
    changed = True
    while changed:
        changed = False
        for element in frame["element"].unique():
            column = frame[frame["element"] == element]
            hidden_here = column["segment_value"].isin(hidden_rows)
            if hidden_here.sum() == 1 and len(column) > 1:
                # One hidden cell = total minus the shown ones: hide the smallest shown cell too.
                candidates = column[~hidden_here].sort_values(
                    ["observation_count", "segment_value"]
                )
                hidden_rows.add(candidates["segment_value"].iloc[0])
                changed = True
    primary = frame["suppressed"].copy()
    frame["suppressed"] = frame["segment_value"].isin(hidden_rows)
    frame.loc[frame["suppressed"] & ~primary, "reason"] = (
        "hidden so a small group cannot be worked out"
    )
    frame.loc[frame["suppressed"] & primary & (frame["reason"] == ""), "reason"] = (
        f"fewer than {settings.anonymity_min}"
    )
    frame["frequency_pct"] = [
        None if hide else share_pct(s, n)
        for hide, s, n in zip(
            frame["suppressed"], frame["shown_count"], frame["observation_count"], strict=True
        )
    ]
    for column in ("observation_count", "shown_count"):
        frame[column] = frame[column].astype("Int64").mask(frame["suppressed"])
    return frame


def cooccurrence_lift(pairs: pd.DataFrame) -> pd.DataFrame:
    """Lift of two elements showing up in the same text: P(a and b) / (P(a) P(b)); 1 = independent."""
    frame = pairs.copy()
    total = frame["text_count"].astype("float64")
    expected = (frame["a_count"] / total) * (frame["b_count"] / total)
    frame["lift"] = ((frame["both_count"] / total) / expected).round(2)
    frame["label_a"] = frame["element_a"].map(ELEMENT_LABELS)
    frame["label_b"] = frame["element_b"].map(ELEMENT_LABELS)
    return frame


def program_health(
    pairs: pd.DataFrame,
    gaps: pd.DataFrame,
    mentor_sessions: pd.DataFrame,
    as_of: date,
    settings: Settings = DEFAULT_SETTINGS,
    window_days: int = 90,
) -> dict[str, float | int | None]:
    """The numbers L&D leads watch weekly, counted back from `as_of`.

    - active pairs: a session in the last `active_pair_days` days;
    - sessions per pair per month: sessions in the last `window_days` days across pairs that had
      started by then, per 30-day month;
    - median days between sessions: over consecutive sessions of the same pair;
    - pairs at risk: no session for `at_risk_days` days or more (pairs that never met count from
      their start);
    - mentors with no sessions at all."""
    days_since = _days_since_last_contact(pairs, as_of)
    started = (
        pairs[pd.to_datetime(pairs["started_on"]).dt.date.fillna(as_of) <= as_of]
        if len(pairs)
        else pairs
    )
    months = window_days / 30.0
    per_pair_month = (
        round(float(pairs["sessions_in_window"].sum()) / len(started) / months, 2)
        if len(started)
        else None
    )
    return {
        "pair_count": len(pairs),
        "active_pair_count": int((days_since < settings.active_pair_days).sum()),
        "sessions_per_pair_per_month": per_pair_month,
        "median_days_between_sessions": float(gaps["gap_days"].median()) if len(gaps) else None,
        "at_risk_pair_count": int((days_since >= settings.at_risk_days).sum()),
        "mentors_without_sessions": int((mentor_sessions["session_count"] == 0).sum()),
        "mentor_count": len(mentor_sessions),
    }


def _days_since_last_contact(pairs: pd.DataFrame, as_of: date) -> pd.Series:
    last = pd.to_datetime(pairs["last_session_on"]).fillna(pd.to_datetime(pairs["started_on"]))
    return (pd.Timestamp(as_of) - last).dt.days.fillna(10**6)


def at_risk_pairs(
    pairs: pd.DataFrame, as_of: date, settings: Settings = DEFAULT_SETTINGS
) -> pd.DataFrame:
    """The pairs with no session for `at_risk_days` or more, longest silence first."""
    frame = pairs.copy()
    frame["days_since_last_session"] = _days_since_last_contact(frame, as_of)
    risky = frame[frame["days_since_last_session"] >= settings.at_risk_days]
    return risky.sort_values("days_since_last_session", ascending=False).reset_index(drop=True)


def response_rates(rates: pd.DataFrame) -> pd.DataFrame:
    frame = rates.copy()
    frame["response_rate_pct"] = [
        share_pct(r, i)
        for r, i in zip(frame["response_count"], frame["invited_count"], strict=True)
    ]
    return frame
