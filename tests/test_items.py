"""Which element a survey question measures, and whether it is worded negatively: hand-stated cases
read by meaning, and floors on question banks written blind to the mapper (the test halves were
never read while writing the patterns)."""

from __future__ import annotations

import pytest

from analysis.ingest.items import suggest_item
from bench.item_mapping_quality import load_banks, outcomes, summary


@pytest.mark.parametrize(
    "question, element, reversed_",
    [
        ("My mentor does not micromanage me", "trust", False),
        ("It is rare that my mentor leaves a decision to me", "trust", True),
        (
            "It's not true that my mentor keeps me away from assignments I might fail at",
            "risk",
            False,
        ),
        ("I seldom feel the need to check my mentee's work at every stage", "trust", False),
        ("My mentor never asks how our mentoring is going", "relationship", True),
        ("My mentor rarely asks what I learned from a project", "learning", True),
        ("Your mentor lets you run client meetings on your own", "trust", False),
        ("My mentor talked me out of applying for the team lead role", "risk", True),
        (
            "We review successes, not just failures, to understand what made them work",
            "learning",
            False,
        ),
        (
            "My mentor doesn't just go through my to-do list; we talk about how I work with people",
            "relationship",
            False,
        ),
    ],
)
def test_negation_double_negation_and_voice_are_read_by_meaning(question, element, reversed_):
    said = suggest_item(question)
    assert (said.element, said.reversed) == (element, reversed_), said.why


@pytest.mark.parametrize(
    "question",
    [
        "My manager encourages me to take risks",
        "I would like my mentor to push me more",
        "I plan to debrief more often with my mentee next quarter",
        "I have a good relationship with my mentor",
        "My mentor completed the risk management training",
        "I use the learning portal every week",
        "My mentor supports me",
        "My mentor challenges me",
        "How likely are you to recommend this programme to a friend?",
    ],
)
def test_questions_that_are_not_the_mentors_behaviour_or_are_unclear_stay_unmapped(question):
    assert suggest_item(question).element is None


@pytest.fixture(scope="module")
def banks():
    frame = outcomes(load_banks())
    return {split: summary(frame[frame["split"] == split]) for split in ("dev", "test")}


def test_the_banks_are_big_blind_and_split(banks):
    assert banks["dev"]["questions"] >= 200 and banks["test"]["questions"] >= 200


def test_held_out_questions_are_rarely_mapped_wrongly(banks):
    # Leaving a question unmapped costs the user a click; mapping it wrongly, or the wrong way
    # round, changes a figure silently. Measured 7.9% on the frozen halves.
    assert banks["test"]["mapped_wrongly_pct"] <= 9.0


def test_held_out_questions_are_mostly_mapped_right(banks):
    # Measured 77.3% right on the frozen halves (96.9% on the questions read while writing the
    # cues: the gap is what hand-written cues overfit).
    assert banks["test"]["right_pct"] >= 76.0
    assert banks["test"]["none_items_kept_unmapped_pct"] >= 90.0
