"""Whether the data in view can answer each page's question: the counts behind the sentences,
checked against numbers worked out by hand or counted independently from the raw tables, and the
favourable answers named in the surveys' own labels."""

from __future__ import annotations

import inspect
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from analysis import estimates, readiness
from analysis.ingest.load import ingest_file
from analysis.queries import Filters
from analysis.readiness import FavourableWording
from analysis.store import Store
from tests.conftest import ROOT

IDENTITY = ROOT / "tests" / "data" / "identity"


def _counts(rows: list[tuple[str, str, str, int, int]]) -> pd.DataFrame:
    """(mentor, element, source, observations, respondents) -> mentor_source_counts rows."""
    return pd.DataFrame(
        [
            {
                "mentor_id": m,
                "element": e,
                "source_kind": s,
                "observation_count": n,
                "shown_count": n // 2,
                "concern_count": 0,
                "respondent_count": r,
            }
            for m, e, s, n, r in rows
        ],
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


def _directory(*people: tuple[str, str]) -> pd.DataFrame:
    return pd.DataFrame(
        [{"mentor_id": m, "display_name": n, "email": f"{m}@example.org"} for m, n in people]
    )


DIRECTORY = _directory(("b", "Ben"), ("a", "Ana"), ("c", "Chen"), ("d", "Dara"))
BOTH = ("mentee_rating", "session_note")


def test_the_coaching_note_minimum_is_the_one_the_coaching_list_uses():
    default = inspect.signature(estimates.coaching).parameters["min_notes"].default
    assert readiness.COACHING_MIN_NOTES == default == 10


def test_a_pulse_where_no_mentor_has_five_mentees_cannot_rank_mentors():
    counts = _counts(
        [
            ("a", "trust", "mentee_rating", 4, 4),
            ("a", "risk", "mentee_rating", 3, 3),
            ("b", "trust", "mentee_rating", 2, 2),
        ]
    )
    ready = readiness.mentor_readiness(counts, DIRECTORY, BOTH)
    assert (ready.mentors, ready.comparable) == (4, 0)
    by_id = ready.people.set_index("mentor_id")
    assert by_id["respondent_count"].to_dict() == {"b": 2, "a": 4, "c": 0, "d": 0}
    # No session notes anywhere: the sentence names only what the ratings lack.
    assert ready.message() == (
        "0 of 4 mentors have 5 or more mentees answering: this data cannot compare mentors with "
        "each other, so no one can be listed for coaching."
    )


def test_enough_mentees_or_enough_notes_make_a_mentor_comparable():
    counts = _counts(
        [
            ("a", "trust", "mentee_rating", 6, 5),  # five mentees: comparable, shown
            ("b", "trust", "mentee_rating", 2, 2),
            ("b", "trust", "session_note", 12, 0),  # twelve notes: comparable, shown
            ("c", "trust", "session_note", 9, 0),  # nine notes: shown, not tested
        ]
    )
    ready = readiness.mentor_readiness(counts, DIRECTORY, BOTH)
    by_id = ready.people.set_index("mentor_id")
    assert by_id["comparable"].to_dict() == {"b": True, "a": True, "c": False, "d": False}
    assert by_id["shows"].to_dict() == {"b": True, "a": True, "c": True, "d": False}
    assert ready.comparable == 2 and ready.message() == ""


def test_the_mentor_dropdown_opens_on_the_first_mentor_by_name_with_something_to_show():
    counts = _counts([("c", "trust", "session_note", 3, 0), ("d", "trust", "session_note", 4, 0)])
    # Ana and Ben come first by name but have nothing in view.
    directory = DIRECTORY.sort_values("display_name")
    assert readiness.mentor_readiness(counts, directory, BOTH).default_mentor() == "c"
    # Nobody can be shown: the first with anything at all in view, then the first by name.
    only_ratings = _counts([("d", "trust", "mentee_rating", 2, 2)])
    assert readiness.mentor_readiness(only_ratings, directory, BOTH).default_mentor() == "d"
    assert readiness.mentor_readiness(_counts([]), directory, BOTH).default_mentor() == "a"


def test_namesakes_get_labels_that_name_one_mentor_each():
    directory = _directory(("k1", "Kai Nakamura"), ("k2", "Kai Nakamura"), ("z", "Zoe"))
    labels = readiness.mentor_readiness(_counts([]), directory, BOTH).labels()
    assert labels == {
        "k1": "Kai Nakamura (k1@example.org)",
        "k2": "Kai Nakamura (k2@example.org)",
        "z": "Zoe",
    }


@pytest.mark.parametrize(
    "rows, sources, expected",
    [
        (
            [("a", "trust", "mentee_rating", 3, 3)],
            BOTH,
            "Fewer than 5 mentees answered about Ana, and none of their session notes are in "
            "view: nothing about this mentor can be shown without pointing at the mentees who "
            "answered.",
        ),
        (
            [("a", "trust", "mentee_rating", 3, 3)],
            ("mentee_rating",),
            "Fewer than 5 mentees answered about Ana: nothing about this mentor can be shown "
            "without pointing at the mentees who answered.",
        ),
        (
            [("a", "trust", "mentee_rating", 9, 6)],
            ("session_note",),
            "None of Ana's session notes are in view; their other evidence is left out by the "
            "sidebar's 'Evidence from' choice.",
        ),
        (
            [("a", "trust", "self_assessment", 4, 1)],
            BOTH,
            "Only Ana's own self-assessment or survey comments are in view: a scorecard needs "
            "session notes or ratings from 5 or more mentees.",
        ),
        (
            [],
            BOTH,
            "Nothing about Ana is in this view: no session notes or survey answers in this "
            "period and these filters.",
        ),
        ([("a", "trust", "session_note", 2, 0)], BOTH, ""),
    ],
)
def test_an_empty_scorecard_gives_its_one_real_cause(rows, sources, expected):
    ready = readiness.mentor_readiness(_counts(rows), DIRECTORY, sources)
    assert ready.gap("a") == expected


def test_mentor_readiness_on_the_small_program_matches_the_raw_survey_rows(small_store: Store):
    """Counted again straight from survey_responses: each mentor's distinct mentee respondents
    (Ana and Femi 3, the others 1 or none; see test_small_program's table)."""
    raw = small_store.query(
        "SELECT m.display_name, count(DISTINCT r.respondent_hash) AS n "
        "FROM mentors AS m LEFT JOIN survey_responses AS r "
        "ON r.mentor_id = m.mentor_id AND r.respondent_role = 'mentee' "
        "GROUP BY m.display_name"
    ).set_index("display_name")["n"]
    ready = readiness.mentors(small_store, Filters())
    found = ready.people.set_index("display_name")["respondent_count"]
    assert found.sort_index().to_dict() == raw.sort_index().to_dict()
    assert raw["Ana Moreno"] == 3 and raw["Femi Adeyemi"] == 3
    assert ready.mentors == 6 and ready.comparable == 0
    assert ready.message().startswith("0 of 6 mentors have 5 or more mentees answering")
    assert ready.default_mentor() == ready.people["mentor_id"].iloc[0]  # Ana, first by name


def _trend(rows: list[tuple[str, float | None, float | None, str]]) -> pd.DataFrame:
    """(period, pct, p_value, reason) per element 'trust'."""
    return pd.DataFrame(
        [
            {
                "period_start": pd.Timestamp(p),
                "element": "trust",
                "pct": pct,
                "p_value": pv,
                "reason": reason,
            }
            for p, pct, pv, reason in rows
        ]
    )


@pytest.mark.parametrize(
    "rows, expected",
    [
        ([], "No session notes are in view, so there is no trend to draw."),
        (
            [("2026-05-01", None, None, "fewer than 5 mentors"), ("2026-06-01", None, None, "")],
            "Every month in view is hidden (fewer than 5 mentors), so there is no trend to show.",
        ),
        (
            [("2026-06-01", 40.0, None, "")],
            "Only one month (June 2026) has session notes in view: a trend needs at least two "
            "months.",
        ),
        (
            [("2026-05-01", 40.0, None, ""), ("2026-06-01", 50.0, None, "")],
            "No two months in a row have 30 or more session notes each, so no change from one "
            "month to the next can be tested: the lines show levels only.",
        ),
        ([("2026-05-01", 40.0, None, ""), ("2026-06-01", 50.0, 0.2, "")], None),
    ],
)
def test_a_trend_says_when_it_cannot_show_a_change(rows, expected):
    frame = _trend(rows) if rows else pd.DataFrame()
    said = readiness.trend_messages(frame, "month", "session_note")
    assert said == ([expected] if expected else [])


def test_one_survey_wave_cannot_be_compared():
    waves = pd.DataFrame(
        {"wave": ["2026 Q2", "2026 Q2"], "element": ["trust", "risk"], "pct": [70.0, 40.0]}
    )
    assert readiness.wave_messages(waves) == [
        "Only one survey wave (2026 Q2) is in view: waves cannot be compared yet."
    ]
    both = pd.concat([waves, waves.assign(wave="2026 Q4")])
    assert readiness.wave_messages(both) == []


def _cells(rows: list[tuple[str, float | None, str]]) -> pd.DataFrame:
    """(department, frequency_pct, reason) for one element."""
    return pd.DataFrame(
        [{"department": d, "element": "trust", "frequency_pct": f, "reason": r} for d, f, r in rows]
    )


def test_a_group_the_users_own_filter_left_alone_is_outside_the_filter_not_hidden():
    said = readiness.segment_messages(_cells([("Sales", 36.0, "")]), "department", ("Sales",))
    assert said == [
        "Only Sales is in view: the department filter leaves out every other department, so "
        "there is nothing to compare it with. Clear that filter to compare departments."
    ]
    assert not any("hidden" in line for line in said)


def test_a_single_group_in_the_data_has_nothing_to_be_compared_with():
    cells = _cells([("2026 Spring", 62.0, "")]).rename(columns={"department": "cohort"})
    said = readiness.segment_messages(cells, "cohort")
    assert said == [
        "Only 2026 Spring is in view: the data holds no other cohort to compare it with."
    ]


def test_hidden_groups_keep_the_privacy_rules_reason():
    reason = "fewer than 5 mentors are in this view"
    every = _cells([("Finance", None, reason), ("Sales", None, reason)])
    assert readiness.segment_messages(every, "department") == [
        f"Every department in view is under the anonymity minimum ({reason}): this view cannot "
        "compare departments."
    ]
    one = _cells([("Finance", None, "fewer than 5"), ("Sales", 36.0, "")])
    assert readiness.segment_messages(one, "department") == [
        "Only Sales is large enough to show; the other 1 department in view is hidden (fewer "
        "than 5), so departments cannot be compared."
    ]
    two = _cells([("Finance", 30.0, ""), ("Sales", 36.0, "")])
    assert readiness.segment_messages(two, "department") == []


def test_a_filtered_group_that_is_also_hidden_gives_both_causes_the_filter_first():
    cells = _cells([("Sales", None, "fewer than 5 mentors are in this view")])
    said = readiness.segment_messages(cells, "department", ("Sales",))
    assert said[0].startswith("Only Sales is in view: the department filter leaves out")
    assert said[1] == (
        "Sales is hidden to protect anonymity (fewer than 5 mentors are in this view)."
    )


def test_an_elements_view_the_privacy_rule_hides_says_so_not_that_nothing_matches():
    hidden = pd.DataFrame(
        {
            "source_label": ["Mentees' ratings"] * 2,
            "pct": [None, None],
            "reason": ["fewer than 5 mentors are in this view"] * 2,
        }
    )
    assert readiness.element_messages(hidden, "Sales") == [
        "This view is hidden to protect anonymity: fewer than 5 mentors are in this view."
    ]
    empty = hidden.assign(source_label="Session notes", reason="no data")
    assert readiness.element_messages(empty, "June") == [
        "No session notes match these filters (June). Widen the period or clear a filter."
    ]


def test_pair_activity_without_any_session_is_not_called_at_risk():
    numbers = {"mentor_count": 8, "mentors_without_sessions": 8, "pair_count": 5}
    assert readiness.health_messages(numbers) == [
        "No session is logged for any of the 8 mentors in view: pair activity cannot be "
        "measured until a session log is loaded."
    ]
    assert readiness.health_messages({"mentor_count": 8, "mentors_without_sessions": 2}) == []


def _answers(item: str, text: str, given: list[tuple[str, float]]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"item_id": item, "item_text": text, "answer_raw": a, "score_01": s, "answer_count": 3}
            for a, s in given
        ]
    )


AGREE = [
    ("Strongly disagree", 0.0),
    ("Disagree", 0.25),
    ("Neither agree nor disagree", 0.5),
    ("Agree", 0.75),
]


@pytest.mark.parametrize(
    "given, expected",
    [
        # Nobody answered "Strongly agree", yet it counts: the scale says so.
        (_answers("q1", "trusts me", AGREE), FavourableWording(("Agree or Strongly agree",))),
        (
            _answers("q1", "often?", [("Never", 0.0), ("Sometimes", 0.5), ("Often", 0.75)]),
            FavourableWording(("Often or Always",)),
        ),
        # A negatively worded question: the stored score is already turned round.
        (
            _answers("q2", "checks every detail", [(a, 1.0 - s) for a, s in AGREE]),
            FavourableWording((), ("Disagree or Strongly disagree",)),
        ),
        (
            _answers("q3", "Rate 1-5", [("1", 0.0), ("3", 0.5), ("5", 1.0)]),
            FavourableWording(("4 or 5 on a 1-5 scale",)),
        ),
        (
            _answers("q4", "0 to 10", [("0", 0.0), ("7", 0.7), ("10", 1.0)]),
            FavourableWording(("8, 9 or 10 on a 0-10 scale",)),
        ),
        # The survey's own spelling is kept.
        (
            _answers("q5", "trusts me", [("Strongly Agree", 1.0), ("Disagree", 0.25)]),
            FavourableWording(("Agree or Strongly Agree",)),
        ),
        (pd.DataFrame(columns=["item_id", "item_text", "answer_raw", "score_01"]), None),
    ],
)
def test_favourable_answers_are_named_with_the_surveys_labels(given, expected):
    found = readiness.favourable_wording(given.assign(answer_count=3))
    assert found == (expected or FavourableWording(()))


def test_the_sentence_names_plain_and_negatively_worded_questions_apart():
    wording = FavourableWording(
        ("Agree or Strongly agree", "Often or Always"), ("Disagree or Strongly disagree",)
    )
    assert wording.short() == "Agree or Strongly agree; Often or Always"
    assert wording.sentence() == (
        "A survey answer counts as favourable when it is Agree or Strongly agree, or Often or "
        "Always (Disagree or Strongly disagree on questions worded negatively)."
    )
    assert "positive end of its scale" in FavourableWording(()).sentence()
    assert "top quarter" not in FavourableWording(()).sentence()


def test_a_real_pulse_with_negatively_worded_questions(tmp_path: Path):
    store = Store(tmp_path / "pulse.duckdb")
    for name in ("roster.csv", "mentoring-pulse.csv"):
        ingest_file(store, IDENTITY / name)
    assert readiness.favourable(store) == FavourableWording(
        ("Agree or Strongly agree",), ("Disagree or Strongly disagree",)
    )
    # Twelve answers spread over six mentors: nobody has five mentees answering.
    ready = readiness.mentors(store, Filters(start=date(2026, 1, 1)))
    assert ready.comparable == 0 and ready.message().startswith("0 of 8 mentors have 5 or more")
