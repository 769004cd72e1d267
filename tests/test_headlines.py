"""Chart titles on the Elements, Segments and Mentors pages claim only what the statistics
support, and never call a group hidden that the user's own filter left out."""

from __future__ import annotations

import pandas as pd

from analysis import charts


def _cells(rows: list[tuple[str, float | None, bool]]) -> pd.DataFrame:
    """(group, share, suppressed) for the four elements alike."""
    return pd.DataFrame(
        [
            {
                "segment_value": group,
                "element": element,
                "frequency_pct": pct,
                "ci_low": None if pct is None else pct - 4,
                "ci_high": None if pct is None else pct + 4,
                "observation_count": None if pct is None else 400,
                "suppressed": hidden,
            }
            for group, pct, hidden in rows
            for element in ("trust", "risk", "learning", "relationship")
        ]
    )


def test_a_single_group_left_by_the_filter_is_not_called_hidden():
    title = charts.segment_headline(_cells([("Sales", 36.0, False)]), "department")
    assert title == "Only Sales is in view, so there is no other department to compare it with"
    assert "hidden" not in title


def test_real_suppression_is_still_called_hidden():
    one = charts.segment_headline(
        _cells([("Sales", 36.0, False), ("Finance", None, True)]), "department"
    )
    assert one == (
        "Only Sales is large enough to show; every other department in view is hidden to protect "
        "anonymity"
    )
    alone = charts.segment_headline(_cells([("Sales", None, True)]), "department")
    assert alone == "Sales is hidden to protect anonymity"
    every = charts.segment_headline(
        _cells([("Sales", None, True), ("Finance", None, True)]), "department"
    )
    assert every == "Every department is too small to show on its own"


def test_the_spread_title_ranks_no_element_without_a_test():
    rates = pd.DataFrame(
        [
            {"mentor_id": f"m{i}", "element": element, "rate_pct": base + spread * (i % 4)}
            for i in range(20)
            for element, base, spread in (
                ("trust", 40, 3),
                ("risk", 20, 3),
                ("learning", 30, 4),  # a slightly wider middle half
                ("relationship", 35, 3),
            )
        ]
    )
    title = (
        charts.rate_distribution(rates).layout.title.text.replace("<br>", " ").replace("<br>", " ")
    )
    for word in ("most", "Learning", "learning", "Trust", "Risk"):
        assert word not in title
    assert title.startswith("The middle half of mentors spans ") and "(20 mentors)" in title


def _scorecard_rows() -> tuple[pd.DataFrame, pd.DataFrame]:
    mentor = pd.DataFrame(
        {
            "element": ["trust", "risk"],
            "source_kind": ["session_note", "session_note"],
            "rate_pct": [20.0, 30.0],
            "low_pct": [12.0, 22.0],
            "high_pct": [29.0, 38.0],  # trust's interval lies below everyone's 34%
            "raw_pct": [18.0, 30.0],
            "shown_count": [9, 15],
            "observation_count": [50, 50],
        }
    )
    population = pd.DataFrame(
        {"element": ["trust", "risk"], "source": ["session_note"] * 2, "pct": [34.0, 31.0]}
    )
    return mentor, population


def test_the_scorecard_title_follows_the_corrected_coaching_tests_not_one_interval():
    mentor, population = _scorecard_rows()
    # Its own interval is below the programme, but the coaching list (every mentor's tests
    # corrected together) does not list it: no claim.
    untested = (
        charts.mentor_scorecard(mentor, population, "Ana")
        .layout.title.text.replace("<br>", " ")
        .replace("<br>", " ")
    )
    assert "below all mentors" in untested  # what the title said before
    title = charts.mentor_scorecard_tested(
        mentor, population, "Ana", mentor.iloc[0:0], compared=True
    ).layout.title.text.replace("<br>", " ")
    assert title == "Ana: no element is below other mentors beyond what chance produces"
    flagged = mentor.iloc[[0]].assign(benchmark_pct=35.0, q_value=0.012)
    title = charts.mentor_scorecard_tested(
        mentor, population, "Ana", flagged, compared=True
    ).layout.title.text.replace("<br>", " ")
    assert title == (
        "Ana: trust &amp; confidence in session notes is below other mentors beyond chance "
        "(20% [12-29] vs 35%, q = 0.012)"
    )
    title = charts.mentor_scorecard_tested(
        mentor, population, "Ana", mentor.iloc[0:0], compared=False
    ).layout.title.text.replace("<br>", " ")
    assert title == "Ana: too few observations to compare with other mentors yet"
