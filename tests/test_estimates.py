"""Per-source estimates from per-mentor counts, on tables small enough to check by hand: levels
hidden behind too few people, changes called only when they survive the view's correction,
coaching that compares like with like and respects the anonymity rule, and impact."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis import estimates, stats
from analysis.model import Settings


def _counts(rows: list[tuple[str, str, str, int, int, int]]) -> pd.DataFrame:
    return pd.DataFrame(
        rows,
        columns=[
            "mentor_id",
            "element",
            "source_kind",
            "observation_count",
            "shown_count",
            "respondent_count",
        ],
    ).assign(concern_count=0)


def _people(counts: pd.DataFrame) -> pd.DataFrame:
    return counts.groupby(["element", "source_kind"], as_index=False).agg(
        mentor_count=("mentor_id", "nunique"), respondent_count=("respondent_count", "sum")
    )


def test_a_source_behind_fewer_than_five_mentors_keeps_its_row_but_not_its_numbers():
    counts = _counts(
        [(f"m{i}", "trust", "session_note", 10, 4, 0) for i in range(4)]
        + [(f"m{i}", "trust", "mentee_rating", 6, 3, 2) for i in range(6)]
    )
    levels = estimates.source_levels(counts, _people(counts)).set_index(["element", "source"])
    notes = levels.loc[("trust", "session_note")]
    assert notes["suppressed"] and notes["reason"] == "fewer than 5 mentors"
    assert pd.isna(notes["pct"]) and pd.isna(notes["observation_count"])
    ratings = levels.loc[("trust", "mentee_rating")]
    # 6 mentors, 12 respondents: shown; 18 of 36, every mentor alike -> design effect 1
    assert ratings["pct"] == pytest.approx(50.0) and ratings["observation_count"] == 36
    assert ratings["design_effect"] == 1.0


def _periods(values: dict[str, list[tuple[int, int]]]) -> pd.DataFrame:
    """{period: [(shown, total) per mentor]} for one element and source."""
    rows = []
    for period, mentors in values.items():
        for i, (shown, total) in enumerate(mentors):
            rows.append(
                {
                    "period_start": pd.Timestamp(period),
                    "mentor_id": f"m{i}",
                    "element": "trust",
                    "source_kind": "session_note",
                    "observation_count": total,
                    "shown_count": shown,
                    "respondent_count": 0,
                }
            )
    return pd.DataFrame(rows)


def test_a_change_is_called_only_when_it_survives_the_views_correction():
    # 8 mentors, 10 notes each per month: from 2 of 10 to 8 of 10 for everyone (clear), then flat.
    frame = _periods(
        {
            "2026-01-01": [(2, 10)] * 4 + [(3, 10)] * 4,
            "2026-02-01": [(8, 10)] * 4 + [(7, 10)] * 4,
            "2026-03-01": [(8, 10)] * 4 + [(7, 10)] * 4,
        }
    )
    trend = estimates.trend_by_source(frame, Settings(), ("session_note",))
    assert trend["verdict"].tolist() == ["first period", "up", "no clear change"]
    tested = trend.dropna(subset=["p_value"])
    assert tested["q_value"].tolist() == pytest.approx(
        stats.bh_qvalues(tested["p_value"].to_numpy()).tolist()
    )
    assert trend["change_pts"].iloc[1] == pytest.approx(50.0)


def test_periods_with_too_few_observations_are_not_tested():
    frame = _periods({"2026-01-01": [(1, 3)] * 5, "2026-02-01": [(3, 3)] * 5})
    trend = estimates.trend_by_source(frame, Settings(), ("session_note",))
    # 15 notes a month: under the 30 a change test needs
    assert trend["verdict"].tolist() == ["first period", "not enough data"]
    assert trend["p_value"].isna().all()


def test_coaching_names_only_the_mentor_who_is_below_beyond_chance():
    rng = np.random.default_rng(1)
    rows = [(f"m{i}", "risk", "session_note", 60, int(rng.binomial(60, 0.3)), 0) for i in range(30)]
    rows.append(("low", "risk", "session_note", 60, 2, 0))  # 3% against about 30%
    flagged = estimates.coaching(_counts(rows))
    assert flagged["mentor_id"].tolist() == ["low"]
    assert flagged.attrs["tests_run"] == 31
    assert flagged["benchmark_pct"].iloc[0] == pytest.approx(
        100 * sum(r[4] for r in rows[:-1]) / (60 * 30)
    )
    # partially pooled: shown above the raw 3%
    assert flagged["rate_pct"].iloc[0] > 100 * 2 / 60


def test_a_mentors_ratings_are_not_tested_behind_fewer_than_five_mentees():
    rows = [(f"m{i}", "trust", "mentee_rating", 15, 12, 5) for i in range(10)]
    rows.append(("few", "trust", "mentee_rating", 12, 0, 4))  # 0 of 12, but only 4 mentees
    flagged = estimates.coaching(_counts(rows))
    assert "few" not in set(flagged["mentor_id"])
    assert flagged.attrs["tests_run"] == 10


def test_impact_per_element_matches_the_statistics_and_corrects_the_four_tests():
    rows = []
    for i in range(6):
        treated = i < 3
        for after, shown in ((False, 3 + i % 2), (True, (8 if treated else 4) + i % 2)):
            rows.append(
                {
                    "mentor_id": f"m{i}",
                    "element": "risk",
                    "source_kind": "session_note",
                    "after": after,
                    "observation_count": 10,
                    "shown_count": shown,
                }
            )
    cells = pd.DataFrame(rows)
    frame = estimates.impact(cells, {"m0", "m1", "m2"}).set_index("element")
    direct = stats.difference_in_differences(
        np.array([True, True, True, False, False, False]),
        np.array([3, 4, 3, 4, 3, 4]),
        np.full(6, 10),
        np.array([8, 9, 8, 5, 4, 5]),
        np.full(6, 10),
    )
    assert frame.at["risk", "effect_pts"] == pytest.approx(direct.effect_pts)
    assert frame.at["risk", "effect_pts"] == pytest.approx(40.0)
    assert pd.isna(frame.at["trust", "effect_pts"])  # no trust observations at all
