"""Pure metrics against numbers worked out by hand in each test."""

from datetime import date

import pandas as pd

from analysis import metrics
from analysis.model import Settings

K5 = Settings()


def _counts(rows):
    return pd.DataFrame(
        rows,
        columns=[
            "mentor_id",
            "element",
            "source_kind",
            "observation_count",
            "shown_count",
            "concern_count",
            "respondent_count",
        ],
    )


def _people(rows):
    return pd.DataFrame(rows, columns=["element", "mentor_count", "respondent_count"])


def test_frequency_is_shown_over_all_observations_and_coverage_counts_measured_mentors_only():
    # trust: m1 4 obs 2 shown (50% -> covered), m2 5 obs 1 shown (20%, not covered),
    #        m3 2 obs 2 shown (too few to measure), m4 3 obs 3 (covered), m5 6 obs 0.
    counts = _counts(
        [
            ("m1", "trust", "session", 4, 2, 0, 0),
            ("m2", "trust", "session", 5, 1, 1, 0),
            ("m3", "trust", "session", 2, 2, 0, 0),
            ("m4", "trust", "session", 3, 3, 0, 0),
            ("m5", "trust", "session", 6, 0, 2, 0),
        ]
    )
    people = _people([("trust", 5, 0)])
    summary = metrics.element_summary(counts, people, K5).set_index("element")
    # frequency: (2+1+2+3+0) / (4+5+2+3+6) = 8/20 = 40%
    assert summary.at["trust", "frequency_pct"] == 40.0
    assert summary.at["trust", "observation_count"] == 20
    assert summary.at["trust", "concern_count"] == 3
    # measured: m1, m2, m4, m5 (4 mentors); covered: m1 (2/4 = half), m4 -> 2/4 = 50%
    assert summary.at["trust", "mentors_measured"] == 4
    assert summary.at["trust", "mentors_covered"] == 2
    assert summary.at["trust", "coverage_pct"] == 50.0


def test_a_mentors_survey_and_session_observations_add_up_before_coverage_is_judged():
    # m1: survey 2 obs 0 shown + session 2 obs 2 shown = 4 obs, 2 shown -> measured and covered
    counts = _counts(
        [
            ("m1", "risk", "survey", 2, 0, 0, 2),
            ("m1", "risk", "session", 2, 2, 0, 0),
        ]
        + [(f"x{i}", "risk", "session", 1, 0, 0, 0) for i in range(4)]
    )
    summary = metrics.element_summary(counts, _people([("risk", 5, 6)]), K5).set_index("element")
    assert summary.at["risk", "mentors_measured"] == 1
    assert summary.at["risk", "coverage_pct"] == 100.0
    assert summary.at["risk", "frequency_pct"] == round(100 * 2 / 8, 1)


def test_element_summary_hides_numbers_behind_fewer_than_five_mentors_or_respondents():
    counts = _counts([(f"m{i}", "learning", "survey", 3, 1, 0, 1) for i in range(6)])
    too_few_respondents = metrics.element_summary(counts, _people([("learning", 6, 4)]), K5)
    row = too_few_respondents.set_index("element").loc["learning"]
    assert row["suppressed"] and row["frequency_pct"] is None and row["coverage_pct"] is None
    enough = metrics.element_summary(counts, _people([("learning", 6, 5)]), K5).set_index("element")
    assert enough.at["learning", "frequency_pct"] == round(100 * 6 / 18, 1)


def test_every_element_appears_in_the_summary_even_without_observations():
    summary = metrics.element_summary(_counts([]), _people([]), K5)
    assert list(summary["element"]) == ["trust", "risk", "learning", "relationship"]
    assert summary["frequency_pct"].isna().all()


def _cells(sizes):
    rows = []
    for segment, (mentors, respondents, n, shown) in sizes.items():
        for element in ("trust", "risk"):
            rows.append((segment, element, n, shown, mentors, respondents))
    return pd.DataFrame(
        rows,
        columns=[
            "segment_value",
            "element",
            "observation_count",
            "shown_count",
            "mentor_count",
            "respondent_count",
        ],
    )


def test_one_small_cell_forces_the_next_smallest_to_be_hidden_too():
    cells = _cells(
        {"A": (3, 0, 12, 6), "B": (8, 0, 30, 10), "C": (9, 0, 40, 20), "D": (12, 0, 60, 30)}
    )
    out = metrics.suppress_cells(cells, K5)
    hidden = set(out.loc[out["suppressed"], "segment_value"])
    assert hidden == {"A", "B"}
    reasons = out.drop_duplicates("segment_value").set_index("segment_value")["reason"]
    assert reasons["A"] == "fewer than 5"
    assert reasons["B"] == "hidden so a small group cannot be worked out"
    assert out.loc[out["suppressed"], "frequency_pct"].isna().all()
    assert out.loc[out["suppressed"], "shown_count"].isna().all()


def test_a_suppressed_cell_cannot_be_recovered_from_the_total_and_the_shown_cells():
    cells = _cells(
        {"A": (2, 0, 7, 1), "B": (6, 0, 20, 9), "C": (7, 0, 25, 5), "D": (30, 0, 200, 90)}
    )
    published_total = cells.groupby("element")[["shown_count", "observation_count"]].sum()
    out = metrics.suppress_cells(cells, K5)
    for element in ("trust", "risk"):
        column = out[out["element"] == element]
        unknown = column[column["suppressed"]]
        # An attacker subtracts the shown cells from the published total: what is left is the sum
        # of the hidden cells, which pins one down only if exactly one is hidden.
        assert len(unknown) >= 2
        left_over = (
            published_total.at[element, "shown_count"] - column["shown_count"].dropna().sum()
        )
        assert left_over == 1 + 9
        assert left_over not in set(cells.loc[cells["element"] == element, "shown_count"])


def test_respondents_under_threshold_hide_a_cell_even_with_many_mentors():
    cells = _cells({"A": (9, 3, 40, 20), "B": (9, 9, 40, 20), "C": (9, 9, 40, 20)})
    out = metrics.suppress_cells(cells, K5)
    assert set(out.loc[out["suppressed"], "segment_value"]) == {"A", "B"}


def test_program_health_counts_active_at_risk_and_silent_mentors_by_hand():
    as_of = date(2026, 6, 30)
    pairs = pd.DataFrame(
        {
            "pair_id": ["p1", "p2", "p3", "p4"],
            "started_on": [date(2026, 1, 1)] * 3 + [date(2026, 4, 1)],
            "last_session_on": [date(2026, 6, 20), date(2026, 5, 1), date(2026, 6, 1), None],
            "sessions_in_window": [6, 1, 2, 0],
        }
    )
    gaps = pd.DataFrame({"pair_id": ["p1"] * 3, "gap_days": [10, 14, 30]})
    mentors = pd.DataFrame({"mentor_id": ["a", "b", "c"], "session_count": [5, 0, 3]})
    numbers = metrics.program_health(pairs, gaps, mentors, as_of, K5)
    # days since: p1 10 (active), p2 60 (at risk), p3 29 (active), p4 never met: from 1 Apr = 90 (at risk)
    assert numbers["active_pair_count"] == 2
    assert numbers["at_risk_pair_count"] == 2
    # 9 sessions in 90 days over 4 pairs over 3 months = 0.75
    assert numbers["sessions_per_pair_per_month"] == 0.75
    assert numbers["median_days_between_sessions"] == 14.0
    assert numbers["mentors_without_sessions"] == 1
    at_risk = metrics.at_risk_pairs(pairs, as_of, K5)
    assert list(at_risk["pair_id"]) == ["p4", "p2"]


def test_cooccurrence_lift_is_joint_over_product_of_marginals():
    pairs = pd.DataFrame(
        {
            "element_a": ["learning"],
            "element_b": ["trust"],
            "both_count": [10],
            "a_count": [20],
            "b_count": [25],
            "text_count": [100],
        }
    )
    # P(both)=0.10, P(a)P(b)=0.2*0.25=0.05 -> lift 2.0
    assert metrics.cooccurrence_lift(pairs)["lift"].iloc[0] == 2.0
