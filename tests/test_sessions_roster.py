"""Session logs and rosters as platforms and spreadsheets write them (tests/data/formats): columns
found by their wording, durations and meeting formats normalised, unreadable rows set aside with
the reason, and re-uploads de-duplicated."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from analysis.ingest import readers, roster, sessions
from analysis.ingest.load import ingest_file
from analysis.store import Store
from tests.conftest import ROOT

FORMATS = ROOT / "tests" / "data" / "formats"


def test_session_columns_are_found_by_their_wording():
    raw = readers.read_export(FORMATS / "sessions_platform.csv")
    assert readers.detect_kind(raw) == "sessions"
    suggestion = sessions.suggest_session_mapping(raw)
    assert suggestion.missing == []
    assert suggestion.mapping == sessions.SessionMapping(
        date="Date of meeting",
        mentor="Mentor",
        mentor_email="Mentor e-mail",
        mentee="Mentee",
        duration="Length",
        format="Mode",
        notes=["Topics discussed", "Reflection"],
        session_id="Meeting ID",
    )


def test_a_spreadsheet_log_without_ids_is_recognised_too():
    raw = readers.read_export(FORMATS / "sessions_spreadsheet.csv")
    assert readers.detect_kind(raw) == "sessions"
    mapping = sessions.suggest_session_mapping(raw).mapping
    assert (mapping.date, mapping.mentor, mapping.mentee, mapping.duration, mapping.format) == (
        "When",
        "Mentor name",
        "Mentee name",
        "Duration",
        "Format",
    )
    assert mapping.session_id is None and mapping.notes == ["Notes"]


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("45", 45.0),
        ("45 min", 45.0),
        ("30 mins", 30.0),
        ("45 minutes", 45.0),
        ("1h 30m", 90.0),
        ("1 hr", 60.0),
        ("2 hrs", 120.0),
        ("1.5 hours", 90.0),
        ("0:45", 45.0),
        ("1:00:00", 60.0),
    ],
)
def test_durations_in_any_common_spelling_become_minutes(text: str, minutes: float):
    assert sessions.parse_minutes(pd.Series([text], dtype="string")).iloc[0] == minutes


@pytest.mark.parametrize("text", ["", "soon", "about an hour"])
def test_an_unreadable_duration_is_missing_not_zero(text: str):
    assert math.isnan(sessions.parse_minutes(pd.Series([text], dtype="string")).iloc[0])


def test_platform_log_loads_with_formats_durations_and_reasons(tmp_path: Path):
    store = Store(tmp_path / "fresh.duckdb")
    report = ingest_file(store, FORMATS / "sessions_platform.csv")
    # 7 rows: M-4 (31/02/2026), M-6 (no mentor) and M-7 (12 hours) set aside, 4 loaded
    assert (report.kind, report.rows_read, report.rows_loaded, report.rows_rejected) == (
        "sessions",
        7,
        4,
        3,
    )
    rejected = report.rejected.fillna({"column": ""})
    assert rejected[["row_number", "column", "reason"]].values.tolist() == [
        [5, "Date of meeting", "Row 5: the date '31/02/2026' could not be read"],
        [7, "", "Row 7: no mentor is named"],
        [8, "Length", "Row 8: the duration '12 hours' is not between 0 minutes and 8 hours"],
    ]
    stored = store.query(
        "SELECT session_id, duration_min, format, notes FROM sessions ORDER BY session_id"
    )
    assert stored.session_id.tolist() == ["ref:M-1", "ref:M-2", "ref:M-3", "ref:M-5"]
    # 45 min, 1h 30m, 0:45, 1.5 hours
    assert stored.duration_min.tolist() == [45.0, 90.0, 45.0, 90.0]
    # Zoom, Face to face, Slack, Coffee
    assert stored.format.tolist() == ["video", "in person", "chat", "in person"]
    # the topic and the two-line reflection, kept together with their line breaks
    assert stored.notes.iloc[0] == "Pricing deck\nLeft the how to her.\nChecked in on Friday."
    assert store.query("SELECT count(*) AS n FROM rejected_rows").n.iloc[0] == 3


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        ("Microsoft Teams", "video"),
        ("Video call", "video"),
        ("In-person", "in person"),
        ("Phone", "phone"),
        ("WhatsApp chat", "chat"),
        ("Walk", "other"),
    ],
)
def test_meeting_formats_are_normalised(mode: str, expected: str):
    raw = readers.read_export(FORMATS / "sessions_platform.csv")
    raw.frame["Mode"] = mode
    parsed = sessions.parse_sessions(raw, sessions.suggest_session_mapping(raw).mapping)
    assert set(parsed.sessions["format"]) == {expected}


def test_a_later_overlapping_session_export_adds_only_new_sessions(tmp_path: Path):
    store = Store(tmp_path / "fresh.duckdb")
    ingest_file(store, FORMATS / "sessions_platform.csv")
    lines = (FORMATS / "sessions_platform.csv").read_text(encoding="utf-8").splitlines()
    later = tmp_path / "sessions-june.csv"
    extra = "M-8,2026-06-01,Ana Moreno,ana.moreno@example.org,Mentee One,30,Zoom,Debrief,"
    later.write_text("\n".join([*lines, extra]) + "\n", encoding="utf-8")
    report = ingest_file(store, later)
    # M-1, M-2, M-3 and M-5 are already there; M-8 is new; the same 3 rows are set aside again
    assert (report.rows_read, report.rows_loaded, report.duplicates_skipped) == (8, 1, 4)
    assert report.rows_rejected == 3
    assert store.query("SELECT count(*) AS n FROM sessions").n.iloc[0] == 5


def test_sessions_without_ids_are_deduplicated_by_their_content(tmp_path: Path):
    store = Store(tmp_path / "fresh.duckdb")
    report = ingest_file(store, FORMATS / "sessions_spreadsheet.csv")
    # the 11/05 session was typed twice
    assert (report.rows_read, report.rows_loaded, report.duplicates_skipped) == (4, 3, 1)
    # 25/05/2026 can only be day-first, so the column is read day-first: 4 May, 11 May, 25 May
    dates = store.query("SELECT session_date FROM sessions ORDER BY session_date").session_date
    assert [str(d)[:10] for d in dates] == ["2026-05-04", "2026-05-11", "2026-05-25"]
    lines = (FORMATS / "sessions_spreadsheet.csv").read_text(encoding="utf-8").splitlines()
    resaved = tmp_path / "sessions-resaved.csv"
    resaved.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    again = ingest_file(store, resaved)
    assert not again.already_loaded
    assert (again.rows_loaded, again.duplicates_skipped) == (0, 4)


def test_roster_columns_are_found_by_their_wording():
    raw = readers.read_export(FORMATS / "roster.csv")
    assert readers.detect_kind(raw) == "roster"
    suggestion = roster.suggest_roster_mapping(raw)
    assert suggestion.missing == []
    assert suggestion.mapping == roster.RosterMapping(
        name="Full name",
        email="E-mail",
        role="Participant type",
        department="Team",
        location="Office",
        cohort="Intake",
        mentor="Assigned mentor",
        started_on="Paired since",
    )


def test_roster_loads_people_and_pairs_and_sets_aside_unknown_roles(tmp_path: Path):
    store = Store(tmp_path / "fresh.duckdb")
    report = ingest_file(store, FORMATS / "roster.csv")
    # Ana and Ben (Mentor, mentor), Mentee One and Mentee Two (Mentee, Protégé); Sam is an
    # Observer and the last row has neither name nor email
    assert (report.kind, report.rows_read, report.rows_loaded, report.rows_rejected) == (
        "roster",
        6,
        4,
        2,
    )
    assert report.rejected["reason"].tolist() == [
        "Row 6: the role is neither Mentor nor Mentee",
        "Row 7: no name or email",
    ]
    mentors = store.query("SELECT mentor_id, department, location FROM mentors ORDER BY 1")
    assert mentors.values.tolist() == [
        ["mentor:ana.moreno@example.org", "Sales", "London"],
        ["mentor:ben.okafor@example.org", "Finance", "Toronto"],
    ]
    # mentees are kept as initials only; pairs found by the mentor's email or name
    assert sorted(store.query("SELECT display_name FROM mentees").display_name) == ["M.O.", "M.T."]
    pairs = store.query("SELECT mentor_id, started_on FROM pairs ORDER BY mentor_id")
    assert pairs.mentor_id.tolist() == [
        "mentor:ana.moreno@example.org",
        "mentor:ben.okafor@example.org",
    ]
    assert [str(d)[:10] for d in pairs.started_on] == ["2026-04-01", "2026-04-15"]


def test_a_resaved_roster_adds_nobody_twice(tmp_path: Path):
    store = Store(tmp_path / "fresh.duckdb")
    ingest_file(store, FORMATS / "roster.csv")
    resaved = tmp_path / "roster-resaved.csv"
    resaved.write_bytes((FORMATS / "roster.csv").read_bytes().replace(b"\n", b"\r\n"))
    report = ingest_file(store, resaved)
    assert (report.rows_loaded, report.duplicates_skipped) == (0, 4)
    assert store.query("SELECT count(*) AS n FROM pairs").n.iloc[0] == 2


def test_a_session_log_kept_in_excel_loads_with_real_date_cells(tmp_path: Path):
    """Spreadsheets store dates as date cells and minutes as numbers, not as text."""
    import datetime as dt

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["Date", "Mentor", "Mentee", "Duration (mins)", "Format", "Topics / notes"])
    sheet.append(
        [
            dt.datetime(2026, 5, 4),
            "Ana Moreno",
            "Mentee One",
            45,
            "Video",
            "Left the client call entirely to her.",
        ]
    )
    sheet.append(
        [
            dt.datetime(2026, 5, 11),
            "Ana Moreno",
            "Mentee One",
            30.0,
            "In person",
            "Blameless review of the launch: what would you do differently next time?",
        ]
    )
    sheet.append([dt.date(2026, 5, 18), "Ben Okafor", "Mentee Three", None, "Teams chat", ""])
    sheet.append(["not a date", "Ben Okafor", "Mentee Three", 30, "Video", ""])
    path = tmp_path / "sessions.xlsx"
    book.save(path)

    store = Store(tmp_path / "xl.duckdb")
    report = ingest_file(store, path)
    assert (report.kind, report.rows_read, report.rows_loaded, report.rows_rejected) == (
        "sessions",
        4,
        3,
        1,
    )
    assert report.format_label.endswith("(Excel)")
    assert "date" in report.rejected["reason"].iloc[0].lower()
    stored = store.query("SELECT session_date, duration_min FROM sessions ORDER BY session_date")
    assert [str(d)[:10] for d in stored["session_date"]] == [
        "2026-05-04",
        "2026-05-11",
        "2026-05-18",
    ]
    assert stored["duration_min"].tolist()[:2] == [45.0, 30.0]
    assert pd.isna(stored["duration_min"].iloc[2])
    shown = store.query("SELECT element FROM element_evidence WHERE value = 1 ORDER BY element")[
        "element"
    ].tolist()
    assert shown == ["learning", "trust"]


def test_a_session_log_loads_with_duckdbs_memory_capped_and_the_cap_lifted_after(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """DuckDB may use at most INGEST_DUCKDB_MEMORY while a session log loads (its default is most
    of the machine's memory), and has its default back once the load has committed."""
    from analysis.ingest import load, write

    def limit(con) -> str:
        return con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0]

    store = Store(tmp_path / "fresh.duckdb")
    with store.connect() as con:
        default = limit(con)
    seen = []
    add_sessions = write.add_sessions

    def watched(con, *args, **kwargs):
        seen.append(limit(con))
        return add_sessions(con, *args, **kwargs)

    monkeypatch.setattr(write, "add_sessions", watched)
    report = ingest_file(store, FORMATS / "sessions_platform.csv")
    assert report.rows_loaded > 0
    assert seen == ["953.6 MiB"] and load.INGEST_DUCKDB_MEMORY == "1GB"
    with store.connect() as con:
        assert limit(con) == default != "953.6 MiB"
