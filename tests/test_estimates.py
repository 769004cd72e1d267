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


def _levels(pct: float, low: float, high: float, n: int, deff: float, mentors: int) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "element": "trust",
                "source": "session_note",
                "pct": pct,
                "ci_low": low,
                "ci_high": high,
                "observation_count": n,
                "design_effect": deff,
                "mentors": mentors,
            },
            {
                "element": "risk",
                "source": "session_note",
                "pct": None,
                "ci_low": None,
                "ci_high": None,
                "observation_count": None,
                "design_effect": None,
                "mentors": None,
            },
        ]
    )


def test_a_level_is_against_its_target_only_beyond_chance_and_the_gap_reads_off_the_interval():
    targets = pd.DataFrame(
        {"element": ["trust", "risk"], "source": ["session_note"] * 2, "target_pct": [30.0, 50.0]}
    )
    # 40% of 400 notes from 20 mentors, design effect 2: effective n 200, se = sqrt(.24/200)
    frame = estimates.against_targets(_levels(40.0, 33.0, 47.0, 400, 2.0, 20), targets)
    trust = frame.set_index("element").loc["trust"]
    z = 0.10 / np.sqrt(0.4 * 0.6 / 200)
    from scipy import stats as sps

    assert trust["vs_target_q"] == pytest.approx(2 * sps.t.sf(z, 19))
    assert trust["vs_target"] == "above target"
    assert trust["vs_target_pts"] == pytest.approx(10.0)
    assert (trust["vs_target_low"], trust["vs_target_high"]) == pytest.approx((3.0, 17.0))
    # a hidden level is not compared with its target
    assert frame.set_index("element").loc["risk", "vs_target"] == "not shown"
    # 40% against 38%: within noise
    close = estimates.against_targets(
        _levels(40.0, 33.0, 47.0, 400, 2.0, 20), targets.assign(target_pct=[38.0, 50.0])
    )
    assert close.set_index("element").loc["trust", "vs_target"] == (
        "not distinguishable from the target"
    )
    none = estimates.against_targets(_levels(40.0, 33.0, 47.0, 400, 2.0, 20), targets.iloc[0:0])
    assert none.set_index("element").loc["trust", "vs_target"] == "no target"


def test_a_change_since_the_last_period_pairs_each_mentor_with_themselves():
    def counts(rows: list[tuple[str, int, int]]) -> pd.DataFrame:
        return pd.DataFrame(
            [(m, "trust", "session_note", n, s) for m, s, n in rows],
            columns=["mentor_id", "element", "source_kind", "observation_count", "shown_count"],
        )

    before = counts([("a", 2, 20), ("b", 4, 20), ("c", 6, 20)])
    now = counts([("a", 6, 20), ("b", 8, 20), ("d", 10, 20)])
    frame = estimates.call_changes(estimates.period_changes(now, before, ["session_note"]))
    trust = frame.set_index("element").loc["trust"]
    expected = stats.clustered_difference(
        np.array([2, 4, 6, 0]),
        np.array([20, 20, 20, 0]),
        np.array([6, 8, 0, 10]),
        np.array([20, 20, 0, 20]),
    )
    assert trust["change_pts"] == pytest.approx(40.0 - 20.0)
    assert (trust["change_low"], trust["change_high"]) == pytest.approx(
        (expected.ci_low, expected.ci_high)
    )
    assert trust["p_value"] == pytest.approx(expected.p)
    # the other three elements have no observations: no test, and they do not dilute the one
    assert trust["q_value"] == pytest.approx(expected.p)
    assert set(frame.loc[frame["element"] != "trust", "change"]) == {"not enough data"}
    # under 30 observations in a period: not tested at all
    small = estimates.period_changes(now.head(1), before, ["session_note"])
    assert small["p_value"].isna().all()
