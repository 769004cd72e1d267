"""Answer scales: which scale a column is on, and each answer rescaled to 0..1 by hand
((value - lowest) / (highest - lowest)); non-answers are left out, never counted as zero."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from analysis.ingest import likert


def one(answer: str, scale: str) -> tuple[float, bool]:
    scored, unknown = likert.score(pd.Series([answer], dtype="string"), scale)
    return float(scored.iloc[0]), bool(unknown.iloc[0])


@pytest.mark.parametrize(
    ("answer", "scale", "expected"),
    [
        ("Strongly disagree", "agree5", 0.0),
        ("Disagree", "agree5", 0.25),
        ("Neither agree nor disagree", "agree5", 0.5),
        ("Agree", "agree5", 0.75),
        ("Strongly agree", "agree5", 1.0),
        ("5 - Strongly agree", "agree5", 1.0),
        ("Strongly disagree", "agree7", 0.0),
        ("Somewhat disagree", "agree7", 2 / 6),
        ("Neither agree nor disagree", "agree7", 3 / 6),
        ("Somewhat agree", "agree7", 4 / 6),
        ("Agree", "agree7", 5 / 6),
        ("Strongly agree", "agree7", 1.0),
        ("Never", "frequency5", 0.0),
        ("Rarely", "frequency5", 0.25),
        ("Sometimes", "frequency5", 0.5),
        ("Often", "frequency5", 0.75),
        ("Always", "frequency5", 1.0),
        ("1", "numeric5", 0.0),
        ("4", "numeric5", 0.75),
        ("6", "numeric7", 5 / 6),
        ("0", "numeric10", 0.0),
        ("8", "numeric10", 0.8),
        ("10", "numeric10", 1.0),
    ],
)
def test_each_answer_is_rescaled_over_its_scale(answer: str, scale: str, expected: float):
    assert one(answer, scale) == (pytest.approx(expected), False)


@pytest.mark.parametrize(
    ("answer", "scale", "favourable"),
    [
        ("Agree", "agree5", True),
        ("Neither agree nor disagree", "agree5", False),
        ("Somewhat agree", "agree7", False),  # 4/6 is below three quarters
        ("Agree", "agree7", True),
        ("Often", "frequency5", True),
        ("Sometimes", "frequency5", False),
        ("5", "numeric7", False),  # 4/6
        ("6", "numeric7", True),
        ("7", "numeric10", False),
        ("8", "numeric10", True),
    ],
)
def test_favourable_means_the_top_quarter_of_the_scale(answer: str, scale: str, favourable: bool):
    assert (one(answer, scale)[0] >= 0.75) is favourable


@pytest.mark.parametrize(
    "answer",
    ["  STRONGLY   agree ", "strongly agree", "Strongly Agree\t", "Strongly\u00a0agree"],
)
def test_case_and_spacing_are_forgiven(answer: str):
    assert one(answer, "agree5") == (1.0, False)


@pytest.mark.parametrize(
    "answer",
    ["", "   ", "N/A", "n/a", "NA", "Prefer not to say", "Don't know", "Don\u2019t know", "-"],
)
@pytest.mark.parametrize("scale", ["agree5", "agree7", "frequency5", "numeric10"])
def test_non_answers_are_left_out_not_scored_zero(answer: str, scale: str):
    scored, unknown = one(answer, scale)
    assert math.isnan(scored) and not unknown


@pytest.mark.parametrize(
    ("answer", "scale"),
    [("Agre", "agree5"), ("Mostly agree", "agree5"), ("6", "numeric5"), ("11", "numeric10")],
)
def test_an_unknown_label_is_flagged_not_guessed(answer: str, scale: str):
    scored, unknown = one(answer, scale)
    assert math.isnan(scored) and unknown


def test_flags_point_at_the_rows_that_hold_unknown_labels():
    values = pd.Series(["Agree", "Agre", "", "Strongly agree"], index=[2, 3, 4, 5], dtype="string")
    scored, unknown = likert.score(values, "agree5")
    assert unknown[unknown].index.tolist() == [3]
    assert scored.round(2).tolist()[::3] == [0.75, 1.0]


@pytest.mark.parametrize(
    ("answers", "header", "scale"),
    [
        (["Agree", "Strongly agree", "Disagree", "N/A"], "", "agree5"),
        (["Agree", "Somewhat agree", "Strongly disagree"], "", "agree7"),
        (["Agree", "Strongly agree", "Disagree"], "", "agree5"),  # no 7-point-only label seen
        (["Never", "Often", "Always", "Don't know"], "", "frequency5"),
        (["1", "3", "5", ""], "", "numeric5"),
        (["1", "3", "5"], "How true is this? (1 = not at all, 7 = completely)", "numeric7"),
        (["2", "6", "7"], "", "numeric7"),
        (["0", "3", "5"], "", "numeric10"),
        (["5", "7", "9"], "Rate your mentor (0-10)", "numeric10"),
        (["  strongly AGREE", "agree ", "Agre"], "", "agree5"),  # one typo does not hide the scale
    ],
)
def test_a_columns_scale_is_told_from_its_answers_and_header(
    answers: list[str], header: str, scale: str
):
    assert likert.detect_scale(pd.Series(answers, dtype="string"), header) == scale


@pytest.mark.parametrize(
    "answers",
    [
        ["", "N/A", "Prefer not to say"],  # nobody answered
        ["Ana Moreno", "Ben Okafor", "Chen Wei"],  # names
        ["39.7392", "39.7392", "51.5074"],  # a latitude is not "39 - 7392"
        ["04.05.2026", "05.05.2026", "13.05.2026"],  # a day-first date is not "4 - 05.2026"
        ["2.5", "3.5", "4.5"],  # averages, not answers
        ["100", "100", "87"],  # Qualtrics' Progress
    ],
)
def test_a_column_that_is_not_a_scale_question_has_no_scale(answers: list[str]):
    assert likert.detect_scale(pd.Series(answers, dtype="string")) is None
