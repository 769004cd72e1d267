"""Exports the importers were not built on (tests/data/formats-probe, rebuilt by its
make_probe.py): a Qualtrics frequency matrix with a preview and an unfinished response, a
SurveyMonkey matrix on an extent scale, a Google Forms grid, a Microsoft Forms workbook with Rating
and 7-point Likert questions. Expected mappings and counts are worked out by hand from the rows.

Favourable = the answer rescaled to 0..1 is at least 0.75: Often / Always, To a great / very great
extent, 4-5 of 1-5 stars, Agree / Strongly agree on 7 points; for a negatively worded item the
scale is turned over (Never / Rarely, Not at all / To a small extent, Disagree / Strongly disagree)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analysis.ingest import likert, load, readers
from analysis.ingest.load import ingest_file
from analysis.ingest.survey import parse_survey, suggest_mapping
from analysis.store import Store
from tests.conftest import ROOT
from tests.test_formats import favourable_by_element

PROBE = ROOT / "tests" / "data" / "formats-probe"
KEY = b"k" * 32


def _elements(file: str) -> dict[str, tuple[str | None, bool, str | None]]:
    """question -> (element, reversed, scale) as suggested for the file."""
    raw = load.prepare(PROBE / file).raw
    return {
        i.question: (i.element, i.reversed, i.scale) for i in suggest_mapping(raw).mapping.items
    }


def test_a_qualtrics_frequency_matrix_maps_each_statement_to_its_element():
    assert _elements("qualtrics_matrix_frequency.csv") == {
        "Agrees what good looks like and by when - then lets me decide how to do my work": (
            "trust",
            False,
            "frequency5",
        ),
        "Tells me exactly how to do each task": ("trust", True, "frequency5"),
        "Puts me forward for assignments that are a stretch for me": ("risk", False, "frequency5"),
        "Talks through what went wrong without looking for someone to blame": (
            "learning",
            False,
            "frequency5",
        ),
        "Asks what I would do differently next time": ("learning", False, "frequency5"),
        "Asks how our mentoring sessions are going for me": ("relationship", False, "frequency5"),
        "The mentoring platform is easy to use": (None, False, "agree5"),
        "I would recommend the programme to a colleague": (None, False, "agree5"),
    }


def test_a_matrix_statement_holding_a_dash_keeps_its_words_and_its_question():
    raw = readers.read_export(PROBE / "qualtrics_matrix_frequency.csv")
    column = raw.column("Q5_1")
    assert column.header == "How often does your mentor do the following?"
    assert (
        column.sub
        == "Agrees what good looks like and by when - then lets me decide how to do my work"
    )


def test_qualtrics_metadata_and_recipients_are_never_items_segments_or_comments():
    raw = load.prepare(PROBE / "qualtrics_matrix_frequency.csv").raw
    mapping = suggest_mapping(raw).mapping
    assert (mapping.mentor_column, mapping.date_column, mapping.response_id_column) == (
        "Q2",
        "EndDate",
        "ResponseId",
    )
    assert mapping.fixed_role == "mentee"
    assert mapping.respondent_columns == [
        "RecipientLastName",
        "RecipientFirstName",
        "RecipientEmail",
    ]
    assert mapping.segment_columns == {"Q3": "location"}
    assert mapping.comment_columns == ["Q7"]


def test_a_survey_preview_is_set_aside_and_an_unfinished_response_counts_with_a_note(
    tmp_path: Path,
):
    store = Store(tmp_path / "fresh.duckdb")
    report = ingest_file(store, PROBE / "qualtrics_matrix_frequency.csv")
    assert (report.rows_read, report.rows_loaded, report.rows_rejected) == (6, 5, 1)
    assert list(report.rejected["raw_value"]) == ["Survey Preview"]
    assert "Survey Preview" in report.rejected["reason"].iloc[0]
    assert any("1 response(s) were recorded before" in note for note in report.notes)
    # Rows 1-5 (the preview left out; row 5 unfinished answered only the first two statements):
    # trust  Q5_1 Always Sometimes Often Often Never 3/5; Q5_2 reversed Rarely Often Never
    #        Sometimes Always 2/5 -> 5/10
    # risk   Often Sometimes Always Rarely 2/4
    # learning Q5_4 Often Never Always Sometimes 2/4; Q5_5 Sometimes Rarely Always Often 2/4 -> 4/8
    # relationship Often Sometimes Always Rarely 2/4
    assert favourable_by_element(store) == {
        "trust": (5, 10),
        "risk": (2, 4),
        "learning": (4, 8),
        "relationship": (2, 4),
    }


def test_a_numeric_values_export_marks_previews_by_their_code():
    raw = readers.read_export(PROBE / "qualtrics_matrix_frequency.csv")
    raw.frame["Status"] = raw.frame["Status"].replace({"IP Address": "0", "Survey Preview": "1"})
    parsed = parse_survey(raw, suggest_mapping(raw).mapping, KEY)
    assert len(parsed.responses) == 5 and list(parsed.rejected["raw_value"]) == ["1"]


def test_no_recipient_name_email_or_ip_address_reaches_the_database(tmp_path: Path):
    store = Store(tmp_path / "fresh.duckdb")
    ingest_file(store, PROBE / "qualtrics_matrix_frequency.csv")
    with store.connect() as con:
        tables = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()]
        text = "\n".join(
            str(row)
            for table in tables
            for row in con.execute(f'SELECT * FROM "{table}"').fetchall()
        )
    for clear in (
        "aisha.khan@example.org",
        "Khan",
        "Nowak",
        "Bruno",
        "198.51.100.1",
        "Test Mentor",
    ):
        assert clear not in text


def test_a_surveymonkey_matrix_on_an_extent_scale_is_read_as_a_scale_not_as_comments():
    assert _elements("surveymonkey_extent.csv") == {
        "Give you room to work out your own approach": ("trust", False, "extent5"),
        "Check in on every small step of your work": ("trust", True, "extent5"),
        "Encourage you to take on challenges you are not sure you can do": (
            "risk",
            False,
            "extent5",
        ),
        "Help you reflect on setbacks without blame": ("learning", False, "extent5"),
        "Help you think about how you work with colleagues and stakeholders": (
            "relationship",
            False,
            "extent5",
        ),
    }
    mapping = suggest_mapping(load.prepare(PROBE / "surveymonkey_extent.csv").raw).mapping
    assert mapping.comment_columns == ["What is one thing your mentor could do differently?"]
    assert mapping.segment_columns == {"Which cohort are you in?": "cohort"}
    assert mapping.respondent_columns == ["Email Address", "First Name", "Last Name"]
    assert mapping.fixed_role == "mentee"


@pytest.mark.parametrize(
    ("answer", "score"),
    [
        ("Not at all", 0.0),
        ("To a small extent", 0.25),
        ("To a little extent", 0.25),
        ("To some extent", 0.5),
        ("To a moderate extent", 0.5),
        ("To a great extent", 0.75),
        ("To a large extent", 0.75),
        ("To a very great extent", 1.0),
    ],
)
def test_extent_answers_score_along_their_scale(answer: str, score: float):
    values = likert.score(pd.Series([answer]), "extent5")[0]
    assert values.iloc[0] == score


def test_the_surveymonkey_extent_export_loads_with_the_hand_counted_favourable_answers(
    tmp_path: Path,
):
    store = Store(tmp_path / "fresh.duckdb")
    report = ingest_file(store, PROBE / "surveymonkey_extent.csv")
    assert (report.format, report.rows_loaded, report.rows_rejected) == ("surveymonkey", 4, 0)
    # extent 0..4 per row: Aisha 4 1 3 4 2 | Bruno 1 4 0 2 1 | Celia 3 0 4 3 4 | Chen 2 2 2 - 3
    # trust: room 4 1 3 2 -> 2/4; checks every step (reversed) 1 4 0 2 -> 2/4; 4/8
    # risk 3 0 4 2 -> 2/4; learning 4 2 3 (blank) -> 2/3; relationship 2 1 4 3 -> 2/4
    assert favourable_by_element(store) == {
        "trust": (4, 8),
        "risk": (2, 4),
        "learning": (2, 3),
        "relationship": (2, 4),
    }


def test_a_google_forms_grid_loads_with_the_hand_counted_favourable_answers(tmp_path: Path):
    assert _elements("google_forms_grid.csv") == {
        "My mentor trusts me to get on with things my own way": ("trust", False, "frequency5"),
        "My mentor steps in and takes over when I am struggling": ("trust", True, "frequency5"),
        "My mentor backs me when I try something new and it doesn't work out": (
            "risk",
            False,
            "frequency5",
        ),
        "My mentor helps me learn from mistakes without judging me": (
            "learning",
            False,
            "frequency5",
        ),
        "My mentor encourages me to mentor others in turn": ("relationship", False, "frequency5"),
        "How easy is the mentoring app to use? (1 = very hard, 5 = very easy)": (
            None,
            False,
            "numeric5",
        ),
    }
    store = Store(tmp_path / "fresh.duckdb")
    report = ingest_file(store, PROBE / "google_forms_grid.csv")
    assert (report.format, report.rows_loaded) == ("google_forms", 4)
    # trust: Always Rarely Often Sometimes 2/4; takes over (reversed) Rarely Often Never
    # Sometimes 2/4 -> 4/8; risk Often Sometimes Always Never 2/4; learning Always Rarely Often
    # Sometimes 2/4; relationship Sometimes Never Often Rarely 1/4
    assert favourable_by_element(store) == {
        "trust": (4, 8),
        "risk": (2, 4),
        "learning": (2, 4),
        "relationship": (1, 4),
    }


def test_a_microsoft_forms_likert_statement_without_a_somewhat_answer_is_read_on_seven_points():
    items = _elements("microsoft_forms_rating.xlsx")
    assert items == {
        "How well does your mentor let you make your own decisions about your work?": (
            "trust",
            False,
            "numeric5",
        ),
        "How well does your mentor support you when you take a calculated risk?": (
            "risk",
            False,
            "numeric5",
        ),
        "How useful is the mentoring app for booking sessions?": (None, False, "numeric5"),
        "My mentor and I debrief after things go wrong, focusing on what to learn rather than "
        "who is at fault": ("learning", False, "agree7"),
        "My mentor discourages me from volunteering for unfamiliar work": ("risk", True, "agree7"),
        "My mentor takes an interest in how I handle relationships with my team": (
            "relationship",
            False,
            "agree7",
        ),
    }
    raw = load.prepare(PROBE / "microsoft_forms_rating.xlsx").raw
    parsed = parse_survey(raw, suggest_mapping(raw).mapping, KEY)
    debrief = parsed.answers[parsed.answers["element"] == "learning"]
    # Agree is the 6th of 7 points: 5/6, not the 4th of 5 (0.75)
    assert dict(zip(debrief["answer_raw"], debrief["score_01"], strict=True)) == {
        "Agree": pytest.approx(5 / 6),
        "Disagree": pytest.approx(1 / 6),
        "Strongly agree": 1.0,
        "Neutral": 0.5,
    }


def test_the_microsoft_forms_workbook_loads_with_the_hand_counted_favourable_answers(
    tmp_path: Path,
):
    store = Store(tmp_path / "fresh.duckdb")
    report = ingest_file(store, PROBE / "microsoft_forms_rating.xlsx")
    assert (report.format, report.rows_loaded) == ("microsoft_forms", 4)
    # trust stars 5 2 4 3 -> 2/4; risk stars 4 3 5 2 -> 2/4 and discourages (reversed, 7-point)
    # SD, Somewhat agree, SD, Somewhat disagree -> 2/4 -> 4/8; learning Agree Disagree SA Neutral
    # 2/4; relationship Somewhat agree, Somewhat disagree, Agree, Neutral -> 1/4
    assert favourable_by_element(store) == {
        "trust": (2, 4),
        "risk": (4, 8),
        "learning": (2, 4),
        "relationship": (1, 4),
    }
