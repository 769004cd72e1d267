"""Survey exports exactly as Qualtrics, SurveyMonkey, Google Forms, Microsoft Forms and Excel write
them (tests/data/formats), loaded by the real ingest into a fresh DuckDB file, against counts worked
out by hand; and files that are not exports, refused in plain words with the database untouched.

Favourable = the answer rescaled to 0..1 over its scale is at least 0.75: Agree / Strongly agree on
5 points, Agree / Strongly agree on 7 (Somewhat agree is 4/6), Often / Always, 4-5 of 1-5, 6-7 of
1-7, 8-10 of 0-10. Blank, N/A, Don't know and Prefer not to say are not answers."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from analysis.errors import IngestError, MentoringError
from analysis.ingest import mapping as mappings
from analysis.ingest import readers
from analysis.ingest.load import ingest_file
from analysis.model import DEFAULT_SETTINGS
from analysis.queries import Filters
from analysis.store import Store, load_sql
from tests.conftest import ROOT

FORMATS = ROOT / "tests" / "data" / "formats"
ALL_ROLES = ("mentee", "mentor_self", "mentor_log")
TRUST_ITEM = "My mentor tells me the result and the deadline, then leaves the how to me"


@dataclass(frozen=True)
class Export:
    file: str
    format: str
    format_label: str
    encoding: str
    delimiter: str | None
    rows_read: int
    rows_loaded: int
    rows_rejected: int
    # element -> (favourable answers, answers), counted by hand in the comment above each case
    favourable: dict[str, tuple[int, int]]


EXPORTS = [
    # Rows: Ana SA N A D | Ben A A dk SD | Chen D SA A N | Dara pnts D SD A | Ana SA - A SA
    # trust SA A D SA (pnts left out) 3/4; risk N A SA D (blank left out) 2/4;
    # learning A A SD A (Don't know left out) 3/4; relationship D SD N A SA 2/5
    Export(
        "qualtrics_choice_text.csv",
        "qualtrics",
        "Qualtrics CSV",
        "utf-8-sig",
        ",",
        5,
        5,
        0,
        {"trust": (3, 4), "risk": (2, 4), "learning": (3, 4), "relationship": (2, 5)},
    ),
    # Recode values 1-5: Ana 5 3 4 2 | Ben 4 4 - 1 | Chen 2 5 4 3 | Dara - 2 1 4 | Eve 5 - 4 5
    # trust 5 4 2 5 -> 3/4; risk 3 4 5 2 -> 2/4; learning 4 4 1 4 -> 3/4; relationship 2 1 3 4 5 -> 2/5
    Export(
        "qualtrics_numeric_values.csv",
        "qualtrics",
        "Qualtrics CSV",
        "utf-8-sig",
        ",",
        5,
        5,
        0,
        {"trust": (3, 4), "risk": (2, 4), "learning": (3, 4), "relationship": (2, 5)},
    ),
    # Ana SA A N A | Ben D SA A A | Chen A D SD N | Dara N/A A A SA
    # trust SA D A 2/3; risk A SA D A 3/4; learning N A SD A 2/4; relationship A A N SA 3/4
    Export(
        "qualtrics_legacy.csv",
        "qualtrics_legacy",
        "Qualtrics CSV (legacy two-row layout)",
        "utf-8",
        ",",
        4,
        4,
        0,
        {"trust": (2, 3), "risk": (3, 4), "learning": (2, 4), "relationship": (3, 4)},
    ),
    # Ana A A SA N | Ben SA N/A D A | Chen D SD A A | Dara A N N/A SA | Ana N A A D
    # trust A SA D A N 3/5; risk A SD N A 2/4; learning SA D A A 3/4; relationship N A A SA D 3/5
    Export(
        "surveymonkey.csv",
        "surveymonkey",
        "SurveyMonkey CSV",
        "utf-8",
        ",",
        5,
        5,
        0,
        {"trust": (3, 5), "risk": (2, 4), "learning": (3, 4), "relationship": (3, 5)},
    ),
    # the same answers as surveymonkey.csv, written by make_xlsx.py
    Export(
        "surveymonkey.xlsx",
        "surveymonkey",
        "SurveyMonkey (Excel)",
        "xlsx",
        None,
        5,
        5,
        0,
        {"trust": (3, 5), "risk": (2, 4), "learning": (3, 4), "relationship": (3, 5)},
    ),
    # Ana SA A A D | Ben A D dk A | Chen N SA A A | Dara D A SD N | Eve A pnts A SA | Femi SA N D A
    # | row 8 Ana 'Agre' ... set aside whole.
    # trust SA A N D A SA 4/6; risk A D SA A N 3/5; learning A A SD A D 3/5; relationship D A A N SA A 4/6
    Export(
        "google_forms.csv",
        "google_forms",
        "Google Forms CSV",
        "utf-8",
        ",",
        7,
        6,
        1,
        {"trust": (4, 6), "risk": (3, 5), "learning": (3, 5), "relationship": (4, 6)},
    ),
    # Ana A SA N A | Ben SD A A - | Chen A N SA D | Dara SA D A A
    # trust A SD A SA 3/4; risk SA A N D 2/4; learning N A SA A 3/4; relationship A D A 2/3
    Export(
        "microsoft_forms.xlsx",
        "microsoft_forms",
        "Microsoft Forms (Excel)",
        "xlsx",
        None,
        4,
        4,
        0,
        {"trust": (3, 4), "risk": (2, 4), "learning": (3, 4), "relationship": (2, 3)},
    ),
    # the same answers, opened in Excel and saved as CSV (dates without seconds)
    Export(
        "microsoft_forms.csv",
        "microsoft_forms",
        "Microsoft Forms CSV",
        "utf-8",
        ",",
        4,
        4,
        0,
        {"trust": (3, 4), "risk": (2, 4), "learning": (3, 4), "relationship": (2, 3)},
    ),
    # 1-7, favourable 6 or 7: Ana 7 5 6 4 | Ben 6 6 - 7 | Chen 3 7 5 6 | Dara 5 2 7 N/A
    # trust 7 6 3 5 2/4; risk 5 6 7 2 2/4; learning 6 5 7 2/3; relationship 4 7 6 2/3
    Export(
        "plain.csv",
        "plain",
        "Table with one header row CSV",
        "utf-8",
        ",",
        4,
        4,
        0,
        {"trust": (2, 4), "risk": (2, 4), "learning": (2, 3), "relationship": (2, 3)},
    ),
    # Ana A A D SA | Ben N SA A A | Chen SA D dk D | Dara D A A N
    # trust A N SA D 2/4; risk A SA D A 3/4; learning D A A 2/3; relationship SA A D N 2/4
    Export(
        "plain.xlsx",
        "plain",
        "Table with one header row (Excel)",
        "xlsx",
        None,
        4,
        4,
        0,
        {"trust": (2, 4), "risk": (3, 4), "learning": (2, 3), "relationship": (2, 4)},
    ),
    # 0-10, favourable 8-10: José 10 7 8 - | Zoë 6 9 8 3 | Chen 8 0 N/A 10 | Ana 5 8 9 7
    # trust 10 6 8 5 2/4; risk 7 9 0 8 2/4; learning 8 8 9 3/3; relationship 3 10 7 1/3
    Export(
        "excel_unicode_text.txt",
        "plain",
        "Table with one header row CSV",
        "utf-16",
        "\t",
        4,
        4,
        0,
        {"trust": (2, 4), "risk": (2, 4), "learning": (3, 3), "relationship": (1, 3)},
    ),
    # Often/Always favourable: José Al O S R | Zoë O N O Al | François S Al dk O | Chen R O Al N
    # trust Al O S R 2/4; risk O N Al O 3/4; learning S O Al 2/3; relationship R Al O N 2/4
    Export(
        "windows_1252_semicolon.csv",
        "plain",
        "Table with one header row CSV",
        "windows-1252",
        ";",
        4,
        4,
        0,
        {"trust": (2, 4), "risk": (3, 4), "learning": (2, 3), "relationship": (2, 4)},
    ),
    # 7 points, Agree / Strongly agree favourable: Ana SA SwA A N | Ben A SwD SA SwA
    # | Chen SwA SA D A | Dara N A pnts SD
    # trust SA A SwA N 2/4; risk SwA SwD SA A 2/4; learning A SA D 2/3; relationship N SwA A SD 1/4
    Export(
        "utf8_bom_agree7.csv",
        "plain",
        "Table with one header row CSV",
        "utf-8-sig",
        ",",
        4,
        4,
        0,
        {"trust": (2, 4), "risk": (2, 4), "learning": (2, 3), "relationship": (1, 4)},
    ),
]
BY_FILE = {export.file: export for export in EXPORTS}


def favourable_by_element(store: Store) -> dict[str, tuple[int, int]]:
    """(favourable, answered) survey items per element, read through the observations query the
    summary is built on (survey items only, so comment scoring by the editable rubric stays out)."""
    params = {
        **Filters(roles=ALL_ROLES).params(),
        "sources": ["survey_item"],
        "favourable": DEFAULT_SETTINGS.favourable_threshold,
    }
    observations = store.query(load_sql("observations"), params)
    grouped = observations.groupby("element")["value"].agg(["sum", "count"])
    return {element: (int(row["sum"]), int(row["count"])) for element, row in grouped.iterrows()}


def db_bytes(store: Store) -> bytes:
    with store.connect() as con:
        con.execute("CHECKPOINT")
    return hashlib.sha256(store.path.read_bytes()).digest()


@pytest.mark.parametrize("export", EXPORTS, ids=lambda e: e.file)
def test_each_export_is_recognised_with_its_encoding_and_separator(export: Export):
    raw = readers.read_export(FORMATS / export.file)
    assert (raw.format, raw.format_label) == (export.format, export.format_label)
    assert (raw.encoding, raw.delimiter) == (export.encoding, export.delimiter)
    assert len(raw.frame) + len(raw.rejected) == export.rows_read
    assert readers.detect_kind(raw) == "survey"


@pytest.mark.parametrize("export", EXPORTS, ids=lambda e: e.file)
def test_each_export_loads_with_the_hand_counted_favourable_answers(export: Export, tmp_path: Path):
    store = Store(tmp_path / "fresh.duckdb")
    report = ingest_file(store, FORMATS / export.file)
    assert (report.kind, report.format, report.format_label) == (
        "survey",
        export.format,
        export.format_label,
    )
    assert (report.rows_read, report.rows_loaded, report.rows_rejected) == (
        export.rows_read,
        export.rows_loaded,
        export.rows_rejected,
    )
    assert report.duplicates_skipped == 0
    assert favourable_by_element(store) == export.favourable


@pytest.mark.parametrize("export", EXPORTS, ids=lambda e: e.file)
def test_a_second_upload_of_the_same_file_adds_nothing(export: Export, tmp_path: Path):
    store = Store(tmp_path / "fresh.duckdb")
    ingest_file(store, FORMATS / export.file)
    before = db_bytes(store)
    again = ingest_file(store, FORMATS / export.file)
    assert again.already_loaded and again.rows_loaded == 0
    assert again.duplicates_skipped == export.rows_read
    assert db_bytes(store) == before


@pytest.mark.parametrize(
    "file", ["qualtrics_choice_text.csv", "surveymonkey.csv", "microsoft_forms.csv"]
)
def test_a_resaved_copy_of_an_export_adds_nothing(file: str, tmp_path: Path):
    store = Store(tmp_path / "fresh.duckdb")
    first = ingest_file(store, FORMATS / file)
    # different bytes (line endings), same responses: caught by the tool's response ids
    copy = tmp_path / f"copy-{file}"
    copy.write_bytes((FORMATS / file).read_bytes().replace(b"\r\n", b"\n"))
    second = ingest_file(store, copy)
    assert not second.already_loaded
    assert (second.rows_loaded, second.duplicates_skipped) == (0, first.rows_loaded)
    assert favourable_by_element(store) == BY_FILE[file].favourable


@pytest.mark.slow
def test_summary_json_shows_the_hand_computed_frequency_for_google_forms(tmp_path: Path):
    db = tmp_path / "fresh.duckdb"
    ingest_file(Store(db), FORMATS / "google_forms.csv")
    result = subprocess.run(
        [sys.executable, "-m", "analysis", "summary", "--db", str(db), "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    document = json.loads(result.stdout)
    # 6 responses about 6 mentors from 6 respondents: enough people to show the figures;
    # each mentor has one observation per element, fewer than the 3 needed to be "measured"
    assert (document["response_count"], document["mentor_count"]) == (6, 6)
    pooled = {
        element: {k: v for k, v in figures.items() if k not in ("by_source", "suppressed")}
        for element, figures in document["elements"].items()
    }
    ratings = {e: f["by_source"]["mentee_rating"] for e, f in document["elements"].items()}
    assert [ratings[e]["pct"] for e in ratings] == [66.7, 60.0, 60.0, 66.7]
    assert [ratings[e]["n"] for e in ratings] == [6, 5, 5, 6]
    assert all(r["ci_low"] < r["pct"] < r["ci_high"] for r in ratings.values())
    assert pooled == {
        "trust": {
            "frequency_pct": 66.7,  # 4 of 6
            "coverage_pct": None,
            "mentors_measured": 0,
            "observation_count": 6,
        },
        "risk": {
            "frequency_pct": 60.0,  # 3 of 5
            "coverage_pct": None,
            "mentors_measured": 0,
            "observation_count": 5,
        },
        "learning": {
            "frequency_pct": 60.0,  # 3 of 5
            "coverage_pct": None,
            "mentors_measured": 0,
            "observation_count": 5,
        },
        "relationship": {
            "frequency_pct": 66.7,  # 4 of 6
            "coverage_pct": None,
            "mentors_measured": 0,
            "observation_count": 6,
        },
    }


def test_an_unknown_answer_label_is_reported_with_its_row_and_column(tmp_path: Path):
    report = ingest_file(Store(tmp_path / "fresh.duckdb"), FORMATS / "google_forms.csv")
    assert len(report.rejected) == 1
    row = report.rejected.iloc[0]
    column = f"How much do you agree with each statement about your mentor? [{TRUST_ITEM}]"
    assert (row["row_number"], row["column"], row["raw_value"]) == (8, column, "Agre")
    assert row["reason"] == (
        f"Row 8, column '{column}': 'Agre' is not a recognised answer on the 5-point agreement scale"
    )


def test_a_comment_with_quoted_line_breaks_is_kept_whole(tmp_path: Path):
    store = Store(tmp_path / "fresh.duckdb")
    ingest_file(store, FORMATS / "qualtrics_choice_text.csv")
    comments = store.query(
        "SELECT comment_text FROM survey_comments ORDER BY comment_text"
    ).comment_text.tolist()
    # blank and "N/A" comments are not comments; Qualtrics' own columns (recorded date, latitude,
    # recipient names and emails) are never read as comments
    assert comments == [
        'Keep the weekly check-ins.\nMaybe add a "what went well" round,\nthen plan the next one.',
        "Line one\r\nLine two",
    ]


@pytest.mark.parametrize(
    ("file", "names"),
    [
        ("excel_unicode_text.txt", {"José Müller", "Zoë Ångström", "Chen Wei", "Ana Moreno"}),
        (
            "windows_1252_semicolon.csv",
            {"José Müller", "Zoë Ångström", "François Lefèvre", "Chen Wei"},
        ),
    ],
)
def test_accented_mentor_names_survive_the_encoding(file: str, names: set[str], tmp_path: Path):
    store = Store(tmp_path / "fresh.duckdb")
    ingest_file(store, FORMATS / file)
    assert set(store.query("SELECT display_name FROM mentors").display_name) == names


@pytest.mark.parametrize(
    ("file", "dates"),
    [
        # 13.05.2026 and 14.05.2026 can only be day-first, so the whole column is read that way
        (
            "windows_1252_semicolon.csv",
            [date(2026, 5, 4), date(2026, 5, 5), date(2026, 5, 13), date(2026, 5, 14)],
        ),
        # Excel's CSV drops the seconds: "5/4/2026 9:12"
        (
            "microsoft_forms.csv",
            [date(2026, 5, 4), date(2026, 5, 5), date(2026, 5, 6), date(2026, 5, 7)],
        ),
        # "2026/05/04 9:12:33 AM GMT+1", and one respondent at GMT+5:30
        (
            "google_forms.csv",
            [date(2026, 5, d) for d in (4, 4, 5, 5, 6, 6)],
        ),
        # "05/08/2026 12:01:00 PM"
        ("surveymonkey.csv", [date(2026, 5, d) for d in (4, 5, 6, 7, 8)]),
        # real Excel date-times
        ("microsoft_forms.xlsx", [date(2026, 5, d) for d in (4, 5, 6, 7)]),
    ],
)
def test_response_dates_are_read_in_the_tools_own_format(
    file: str, dates: list[date], tmp_path: Path
):
    store = Store(tmp_path / "fresh.duckdb")
    ingest_file(store, FORMATS / file)
    stored = store.query("SELECT response_date FROM survey_responses ORDER BY response_date")
    assert [d.date() if hasattr(d, "date") else d for d in stored.response_date] == dates


def test_qualtrics_identity_columns_are_hashed_not_kept(tmp_path: Path):
    raw = readers.read_export(FORMATS / "qualtrics_choice_text.csv")
    from analysis.ingest.survey import suggest_mapping

    mapping = suggest_mapping(raw).mapping
    assert mapping.respondent_columns == [
        "RecipientLastName",
        "RecipientFirstName",
        "RecipientEmail",
    ]
    assert (mapping.mentor_column, mapping.date_column, mapping.response_id_column) == (
        "Q1",
        "EndDate",
        "ResponseId",
    )
    assert mapping.comment_columns == ["Q3"] and mapping.segment_columns == {}
    assert [i.column for i in mapping.items] == ["Q2_1", "Q2_2", "Q2_3", "Q2_4"]


WRONG_FILES = [
    (
        "session_log_offered_as_survey.csv",
        "survey",
        ["looks like a session log", "not a survey export", "Choose 'Session log' instead"],
    ),
    ("image_renamed.csv", None, ["is a PNG image", "not a CSV or Excel export"]),
    ("empty.csv", None, ["empty.csv is empty", "Export the responses again"]),
    (
        "qualtrics_header_only.csv",
        None,
        ["has column headers but no responses", "date range or filters"],
    ),
    (
        "ragged.csv",
        None,
        [
            "most rows do not have the same number of values as the header",
            "with 'commas' between values",
            "Export it again",
        ],
    ),
]


@pytest.mark.parametrize(("file", "kind", "phrases"), WRONG_FILES, ids=lambda v: str(v))
def test_a_file_that_is_not_a_usable_export_is_refused_in_plain_words(
    file: str, kind: str | None, phrases: list[str], tmp_path: Path
):
    store = Store(tmp_path / "program.duckdb")
    ingest_file(store, FORMATS / "plain.csv")
    before = db_bytes(store)
    with pytest.raises(IngestError) as caught:
        ingest_file(store, FORMATS / file, kind=kind)
    assert isinstance(caught.value, MentoringError)
    message = str(caught.value)
    for phrase in phrases:
        assert phrase in message
    for jargon in ("Traceback", "Exception", "codec", "dtype", "NoneType"):
        assert jargon not in message
    assert db_bytes(store) == before


def test_a_single_ragged_row_is_set_aside_with_the_reason(tmp_path: Path):
    lines = (FORMATS / "plain.csv").read_text(encoding="utf-8").splitlines()
    extra = "2026-05-08,Eve Adams,Sales,6,6,6,6,unquoted, comma"
    one_ragged = tmp_path / "one-ragged.csv"
    one_ragged.write_text("\n".join([*lines, extra]) + "\n", encoding="utf-8")
    report = ingest_file(Store(tmp_path / "fresh.duckdb"), one_ragged)
    assert (report.rows_read, report.rows_loaded, report.rows_rejected) == (5, 4, 1)
    assert report.rejected["reason"].tolist() == ["Row 6 has 9 values but the header has 7 columns"]


def test_duplicate_headers_are_named_apart_and_either_can_be_mapped(tmp_path: Path):
    raw = readers.read_export(FORMATS / "duplicate_headers.csv")
    assert raw.notes == [
        "Two columns are both called 'My mentor tells me the result and the deadline'; the second "
        "is shown as 'My mentor tells me the result and the deadline (2)'."
    ]
    store = Store(tmp_path / "fresh.duckdb")
    second = "My mentor tells me the result and the deadline (2)"
    mapping = {
        "mentor_column": "Mentor",
        "date_column": "Date",
        "fixed_role": "mentee",
        "items": {second: {"element": "trust", "scale": "agree5"}},
    }
    typed, _ = mappings.from_json("survey", mapping, raw)
    report = ingest_file(store, FORMATS / "duplicate_headers.csv", mapping=typed)
    assert (report.rows_read, report.rows_loaded) == (2, 2)
    # only the second column: Strongly agree, Agree -> 2 of 2
    assert favourable_by_element(store) == {"trust": (2, 2)}


def test_a_mapping_file_given_to_the_command_line_decides_the_items(tmp_path: Path):
    db = tmp_path / "fresh.duckdb"
    raw = readers.read_export(FORMATS / "plain.csv")
    scale = " (1 = strongly disagree, 7 = strongly agree)"
    mapping_file = tmp_path / "survey-mapping.json"
    mapping_file.write_text(
        json.dumps(
            {
                "layout_key": raw.layout_key,
                "kind": "survey",
                "mapping": {
                    "mentor_column": "Mentor",
                    "date_column": "Response date",
                    "fixed_role": "mentee",
                    "segment_columns": {"Department": "department"},
                    "items": {
                        TRUST_ITEM + scale: {"element": "trust", "scale": "numeric7"},
                        # the learning item is read as risk by this program's own choice
                        "My mentor asks what I will do differently next time" + scale: "risk",
                    },
                },
            }
        ),
        encoding="utf-8",
    )
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "analysis",
            "ingest",
            str(FORMATS / "plain.csv"),
            "--db",
            str(db),
            "--json",
            "--mapping",
            str(mapping_file),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    line = json.loads(result.stdout)
    assert (line["format"], line["rows_read"], line["rows_loaded"]) == ("plain", 4, 4)
    # trust 7 6 3 5 -> 2/4; the learning column as risk: 6 - 5 7 -> 2/3; nothing else mapped
    assert favourable_by_element(Store(db)) == {"trust": (2, 4), "risk": (2, 3)}
