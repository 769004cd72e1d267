"""The audit trail, against a real DuckDB file: every write leaves exactly one line naming who did
it, in the same transaction, so a refused or failed write leaves neither data nor a line."""

from __future__ import annotations

import getpass
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from analysis import audit, elements
from analysis.access import ADMIN, LOCAL_USER, VIEWER, Actor
from analysis.errors import AccessDenied, IngestError, StoreError
from analysis.ingest import load, upkeep
from analysis.ingest import mapping as mappings
from analysis.store import Store
from tests.conftest import ROOT

DANA = Actor("dana.lee@example.com", ADMIN)
LEE = Actor("lee@example.com", VIEWER)

JULY = (
    "Session ID,Meeting Date,Mentor Name,Mentee Name,Duration (min),Meeting Type,Notes\n"
    "J-1,2026-07-01,Ana Moreno,Mentee One,30,Video,Left the client call entirely to her.\n"
    "J-2,2026-07-02,Ben Okafor,Mentee Three,45,In person,\n"
)
ODD_HEADER = "Rater,Coach,Q1,Q2\n"
ODD_MAPPING = {
    "mentor_column": "Coach",
    "mentor_match": "name",
    "fixed_role": "mentee",
    "respondent_columns": ["Rater"],
    "items": {
        "Q1": {"element": "trust", "scale": "agree5"},
        "Q2": {"element": "risk", "scale": "agree5"},
    },
    "survey_date": "2026-06-30",
}


def _lines(store: Store) -> list[tuple[str, str, str, str]]:
    """(who, role, action, detail), oldest first."""
    trail = audit.trail(store)
    return [
        (r.actor_email, r.actor_role, r.action, r.detail)
        for r in trail.iloc[::-1].itertuples(index=False)
    ]


def _new_lines(store: Store, before: int) -> list[tuple[str, str, str, str]]:
    return _lines(store)[before:]


def _july(tmp_path: Path) -> Path:
    path = tmp_path / "july.csv"
    path.write_text(JULY, encoding="utf-8")
    return path


def test_the_test_program_was_loaded_by_the_local_user(small_store: Store):
    # conftest loads three files without naming anyone: the default actor is the local user.
    assert [(who, action) for who, _, action, _ in _lines(small_store)] == [
        ("local user", "load"),
        ("local user", "load"),
        ("local user", "load"),
    ]


def test_a_load_records_one_line_with_who_loaded_what(small_store: Store, tmp_path: Path):
    before = len(_lines(small_store))
    report = load.ingest_file(small_store, _july(tmp_path), actor=DANA)
    (line,) = _new_lines(small_store, before)
    assert line[:3] == ("dana.lee@example.com", "admin", "load")
    assert line[3].startswith("july.csv (")
    assert f"2 of 2 rows loaded as load {report.batch_id}" in line[3]
    assert "column mapping is now remembered" in line[3]  # a layout never seen before


def test_the_same_file_again_changes_nothing_and_records_nothing(
    small_store: Store, tmp_path: Path
):
    load.ingest_file(small_store, _july(tmp_path), actor=DANA)
    before = len(_lines(small_store))
    again = load.ingest_file(small_store, _july(tmp_path), actor=DANA)
    assert again.already_loaded
    assert _new_lines(small_store, before) == []


def test_an_undo_records_one_line_naming_the_load(small_store: Store, tmp_path: Path):
    report = load.ingest_file(small_store, _july(tmp_path), actor=DANA)
    before = len(_lines(small_store))
    upkeep.remove_batch(small_store, report.batch_id, actor=DANA)
    assert _new_lines(small_store, before) == [
        (
            "dana.lee@example.com",
            "admin",
            "undo",
            f"Removed load {report.batch_id}: july.csv (sessions, 2 rows loaded).",
        )
    ]


def test_a_rescore_records_one_line_with_how_many_texts(small_store: Store, tmp_path: Path):
    load.ingest_file(small_store, _july(tmp_path), actor=DANA)
    before = len(_lines(small_store))
    count = upkeep.rescore_text(small_store, actor=DANA)
    assert count == 1  # one session note in July; the small program has none
    rubric = elements.rubric_hash(elements.load_rubric())[:12]
    assert _new_lines(small_store, before) == [
        (
            "dana.lee@example.com",
            "admin",
            "re-score",
            f"Re-read 1 notes and comments with the rubric {rubric}.",
        )
    ]


def test_program_events_and_the_sample_flag_record_one_line_each(small_store: Store):
    before = len(_lines(small_store))
    upkeep.add_program_event(small_store, date(2026, 3, 2), "Mentor training", actor=DANA)
    upkeep.clear_sample_flag(small_store, actor=DANA)
    assert _new_lines(small_store, before) == [
        (
            "dana.lee@example.com",
            "admin",
            "program event",
            "Added the event 'Mentor training' on 2026-03-02.",
        ),
        (
            "dana.lee@example.com",
            "admin",
            "sample flag",
            "The database is no longer marked as the sample.",
        ),
    ]


def _load_with(store: Store, path: Path, mapping: dict, actor: Actor) -> None:
    """Load with a mapping given as the Upload page saves it (per-file answers included)."""
    prepared = load.prepare(path)
    typed, facts = mappings.from_json("survey", mapping, prepared.raw)
    load.ingest(store, prepared, typed, facts, actor=actor)


@pytest.mark.slow
def test_a_changed_column_mapping_is_recorded_beside_the_load(small_store: Store, tmp_path: Path):
    first = tmp_path / "wave1.csv"
    first.write_text(ODD_HEADER + "r1,Ana Moreno,Agree,Disagree\n", encoding="utf-8")
    second = tmp_path / "wave2.csv"
    second.write_text(ODD_HEADER + "r2,Ben Okafor,Agree,Agree\n", encoding="utf-8")
    _load_with(small_store, first, ODD_MAPPING, DANA)
    before = len(_lines(small_store))
    # The same survey next wave, mapped the same way: a load, and no mapping change.
    same = {**ODD_MAPPING, "survey_date": "2026-09-30", "wave": "2026-Q3"}
    third = tmp_path / "wave3.csv"
    third.write_text(ODD_HEADER + "r3,Ana Moreno,Agree,Agree\n", encoding="utf-8")
    _load_with(small_store, third, same, DANA)
    assert [action for _, _, action, _ in _new_lines(small_store, before)] == ["load"]
    # Next, Q2 is said to measure learning instead of risk: the load and a mapping line.
    before = len(_lines(small_store))
    changed = {
        **ODD_MAPPING,
        "items": {**ODD_MAPPING["items"], "Q2": {"element": "learning", "scale": "agree5"}},
    }
    _load_with(small_store, second, changed, LOCAL_USER)
    lines = _new_lines(small_store, before)
    assert [(who, action) for who, _, action, _ in lines] == [
        ("local user", "load"),
        ("local user", "mapping"),
    ]
    assert lines[1][3] == (
        "wave2.csv: the remembered column mapping for this layout changed (items)."
    )


def test_a_viewer_cannot_load_undo_or_rescore_and_nothing_changes(
    small_store: Store, tmp_path: Path
):
    report = load.ingest_file(small_store, _july(tmp_path), actor=DANA)
    before = len(_lines(small_store))
    version = small_store.data_version()
    other = tmp_path / "other.csv"
    other.write_text(JULY.replace("J-", "K-"), encoding="utf-8")
    with pytest.raises(AccessDenied, match="loading a file needs the admin role"):
        load.ingest_file(small_store, other, actor=LEE)
    with pytest.raises(AccessDenied, match="undoing a load needs the admin role"):
        upkeep.remove_batch(small_store, report.batch_id, actor=LEE)
    with pytest.raises(AccessDenied, match="re-scoring"):
        upkeep.rescore_text(small_store, actor=LEE)
    with pytest.raises(AccessDenied):
        upkeep.add_program_event(small_store, date(2026, 3, 2), "Training", actor=LEE)
    with pytest.raises(AccessDenied):
        upkeep.clear_sample_flag(small_store, actor=Actor("kim@elsewhere.net", None))
    assert _new_lines(small_store, before) == []
    assert small_store.data_version() == version
    assert small_store.scalar("SELECT count(*) FROM sessions WHERE session_id LIKE 'ref:K-%'") == 0
    assert small_store.scalar(
        "SELECT count(*) FROM ingest_batches WHERE batch_id = $b", {"b": report.batch_id}
    )
    assert small_store.scalar("SELECT count(*) FROM program_events") == 0


def test_a_write_that_fails_after_its_line_was_written_takes_the_line_back(
    small_store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    real = audit.record_load

    def record_then_fail(*args, **kwargs):
        real(*args, **kwargs)
        raise StoreError("The disk filled up.")

    monkeypatch.setattr(audit, "record_load", record_then_fail)
    before = len(_lines(small_store))
    batches = small_store.scalar("SELECT count(*) FROM ingest_batches")
    with pytest.raises(StoreError):
        load.ingest_file(small_store, _july(tmp_path), actor=DANA)
    assert _new_lines(small_store, before) == []
    assert small_store.scalar("SELECT count(*) FROM ingest_batches") == batches


def test_an_undo_of_a_load_that_does_not_exist_records_nothing(small_store: Store):
    before = len(_lines(small_store))
    with pytest.raises(Exception, match="no load 99"):
        upkeep.remove_batch(small_store, 99, actor=DANA)
    assert _new_lines(small_store, before) == []


def test_exports_are_recorded_without_touching_the_data_version(small_store: Store):
    before = len(_lines(small_store))
    version = small_store.data_version()
    audit.record_export(small_store, LEE, "The chart 'Trend by month', as trend-month.csv.")
    audit.record_export(small_store, DANA, "Pairs at risk, as pairs-at-risk.csv.", names=True)
    assert _new_lines(small_store, before) == [
        (
            "lee@example.com",
            "viewer",
            "export",
            "The chart 'Trend by month', as trend-month.csv.",
        ),
        (
            "dana.lee@example.com",
            "admin",
            "export",
            "Pairs at risk, as pairs-at-risk.csv. With mentor names.",
        ),
    ]
    assert small_store.data_version() == version  # no cache is thrown away for a download


def test_an_export_with_mentor_names_is_refused_to_a_viewer(small_store: Store):
    before = len(_lines(small_store))
    with pytest.raises(AccessDenied, match="exporting needs the admin role"):
        audit.record_export(small_store, LEE, "Pairs at risk, as pairs-at-risk.csv.", names=True)
    with pytest.raises(AccessDenied):
        audit.record_export(small_store, Actor("kim@elsewhere.net", None), "Anything.")
    assert _new_lines(small_store, before) == []


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "analysis", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.slow
def test_the_command_line_records_its_writes_and_exports_and_shows_the_trail(
    small_db: Path, tmp_path: Path
):
    me = f"command line ({getpass.getuser()})"
    loaded = _cli("ingest", str(_july(tmp_path)), "--db", str(small_db), "--json")
    assert loaded.returncode == 0, loaded.stderr
    out = tmp_path / "overview.csv"
    exported = _cli(
        "export", "--format", "csv", "--chart", "element-overview", "--out", str(out),
        "--db", str(small_db), "--segment", "department=Sales",
    )  # fmt: skip
    assert exported.returncode == 0, exported.stderr
    lines = _lines(Store(small_db))[-2:]
    assert [(who, role, action) for who, role, action, _ in lines] == [
        (me, "admin", "load"),
        (me, "admin", "export"),
    ]
    assert lines[1][3] == f"element-overview as CSV to {out} (department=Sales)."

    history = _cli("history", "--db", str(small_db))
    assert history.returncode == 0, history.stderr
    assert "july.csv" in history.stdout  # the loads first
    assert "Audit trail, newest first (UTC); --audit for all of it:" in history.stdout
    assert f"{me} (admin)  export: element-overview as CSV" in history.stdout
    audit_only = _cli("history", "--audit", "--db", str(small_db))
    assert audit_only.stdout.splitlines()[0] == "Audit trail, newest first (UTC):"
    assert audit_only.stdout.count("local user (admin)  load: ") == 3


def test_a_target_is_set_and_cleared_by_an_admin_with_one_line_each(small_store: Store):
    before = len(_lines(small_store))
    upkeep.set_target(small_store, "risk", "session_note", 30, actor=DANA)
    upkeep.set_target(small_store, "risk", "session_note", 35, actor=DANA)
    assert small_store.query(
        "SELECT element, source_kind, target_pct FROM element_targets"
    ).to_dict("records") == [{"element": "risk", "source_kind": "session_note", "target_pct": 35.0}]
    upkeep.set_target(small_store, "risk", "session_note", None, actor=DANA)
    assert small_store.scalar("SELECT count(*) FROM element_targets") == 0
    assert [line[3] for line in _new_lines(small_store, before)] == [
        "Set the target for Risk-taking, session notes to 30%.",
        "Set the target for Risk-taking, session notes to 35%.",
        "Cleared the target for Risk-taking, session notes.",
    ]


def test_a_viewer_cannot_set_a_target_and_nonsense_is_refused(small_store: Store):
    version = small_store.data_version()
    with pytest.raises(AccessDenied, match="setting targets needs the admin role"):
        upkeep.set_target(small_store, "trust", "mentee_rating", 60, actor=LEE)
    for element, source, value in (
        ("trust", "mentee_rating", 120),
        ("trust", "mentee_rating", -1),
        ("courage", "mentee_rating", 50),
        ("trust", "gossip", 50),
    ):
        with pytest.raises(IngestError):
            upkeep.set_target(small_store, element, source, value, actor=DANA)
    assert small_store.data_version() == version
    assert small_store.scalar("SELECT count(*) FROM element_targets") == 0
