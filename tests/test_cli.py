"""The command line as a scheduler or a script would use it: mapping files, remembered mappings,
plain refusals, the sample generator."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from analysis import sample, views
from analysis.ingest import load
from analysis.model import Settings
from analysis.queries import Filters
from analysis.store import Store
from tests.conftest import ROOT

# A plain CSV no tool wrote: nothing says which column is the mentor, when people answered, or which
# question measures what, so nothing may be guessed.
ODD = "Rater,Coach,Q1,Q2\nr1,Ana Moreno,Agree,Disagree\nr2,Ana Moreno,Strongly agree,Agree\n"
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


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "analysis", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


def _mapping_file(tmp_path: Path, csv: Path, mapping: dict) -> Path:
    """The document the Upload page's 'Save this mapping' button writes."""
    prepared = load.prepare(csv)
    target = tmp_path / "mapping.json"
    target.write_text(
        json.dumps(
            {"layout_key": prepared.raw.layout_key, "kind": prepared.kind, "mapping": mapping}
        ),
        encoding="utf-8",
    )
    return target


def test_without_a_mapping_the_command_stops_and_names_what_it_could_not_map(tmp_path: Path):
    odd = tmp_path / "odd.csv"
    odd.write_text(ODD, encoding="utf-8")
    db = tmp_path / "program.duckdb"
    result = _cli("ingest", str(odd), "--db", str(db))
    assert result.returncode == 2
    assert "the mentor being rated" in result.stderr
    assert "which questions measure which element" in result.stderr
    assert "--mapping" in result.stderr
    assert result.stderr.count("odd.csv:") == 1
    assert "Traceback" not in result.stderr
    # A database the command created but loaded nothing into is not left behind.
    assert not db.exists()


@pytest.mark.slow
def test_a_saved_mapping_file_loads_unattended_and_is_remembered_for_the_next_wave(
    tmp_path: Path,
):
    odd = tmp_path / "odd.csv"
    odd.write_text(ODD, encoding="utf-8")
    db = tmp_path / "program.duckdb"
    mapping = _mapping_file(tmp_path, odd, ODD_MAPPING)
    first = _cli("ingest", str(odd), "--db", str(db), "--mapping", str(mapping), "--json")
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout)["rows_loaded"] == 2

    # Two mentee answers for Ana: trust Agree (0.75) and Strongly agree (1.0) are both favourable;
    # risk Disagree (0.25) is not, Agree (0.75) is: trust 2/2 = 100%, risk 1/2 = 50%. One mentor
    # and two respondents sit under the anonymity minimum of 5, so the check lowers it to 1.
    summary = views.summary(Store(db))
    trust = summary["elements"]["trust"]
    # hidden at the default 5, counts as well as percentages
    assert trust["suppressed"] and trust["frequency_pct"] is None
    assert trust["observation_count"] is None
    assert trust["by_source"]["mentee_rating"]["n"] is None
    shown = views.element_overview(Store(db), Filters(), Settings(anonymity_min=1))
    frequency = shown.set_index("element")["frequency_pct"]
    assert frequency[["trust", "risk"]].tolist() == [100.0, 50.0]
    assert frequency[["learning", "relationship"]].isna().all()  # nothing observed
    dates = Store(db).query("SELECT DISTINCT response_date FROM survey_responses")
    assert pd.to_datetime(dates["response_date"]).dt.date.tolist() == [date(2026, 6, 30)]

    # The next wave, same layout, new answers: no mapping file needed any more.
    wave2 = tmp_path / "odd-wave2.csv"
    wave2.write_text(ODD.replace("r1,", "r3,").replace("r2,", "r4,"), encoding="utf-8")
    second = _cli("ingest", str(wave2), "--db", str(db), "--json")
    # The columns map themselves, but the first wave's closing date is not carried over.
    assert second.returncode == 2
    assert "the response date (or the date the survey closed)" in second.stderr
    dated = {**ODD_MAPPING, "survey_date": "2026-12-15"}
    mapping2 = _mapping_file(tmp_path, wave2, dated)
    third = _cli("ingest", str(wave2), "--db", str(db), "--mapping", str(mapping2), "--json")
    assert third.returncode == 0, third.stderr
    assert json.loads(third.stdout)["rows_loaded"] == 2


def test_a_mapping_for_another_layout_is_refused_plainly(tmp_path: Path):
    odd = tmp_path / "odd.csv"
    odd.write_text(ODD, encoding="utf-8")
    other = tmp_path / "other.csv"
    other.write_text("Who,Mentor,A1\nx,Ana Moreno,Agree\n", encoding="utf-8")
    mapping = _mapping_file(tmp_path, other, ODD_MAPPING)
    db = tmp_path / "program.duckdb"
    before = db.exists()
    result = _cli("ingest", str(odd), "--db", str(db), "--mapping", str(mapping))
    assert result.returncode == 2
    assert "no mapping for this file's layout" in result.stderr
    assert db.exists() == before


def test_the_sample_generator_is_deterministic_and_scales(tmp_path: Path):
    def digest(folder: Path) -> dict[str, str]:
        return {
            p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())
        }

    sample.generate(tmp_path / "a", mentors=20, seed=7)
    sample.generate(tmp_path / "b", mentors=20, seed=7)
    sample.generate(tmp_path / "c", mentors=20, seed=8)
    assert digest(tmp_path / "a") == digest(tmp_path / "b")
    assert digest(tmp_path / "a") != digest(tmp_path / "c")
    result = _cli("sample", "--out", str(tmp_path / "d"), "--mentors", "40", "--seed", "7")
    assert result.returncode == 0, result.stderr
    roster = (tmp_path / "d" / "participants.csv").read_text(encoding="utf-8").splitlines()
    mentors = [line for line in roster[1:] if ",Mentor," in line]
    assert len(mentors) == 40


def test_the_committed_sample_is_what_the_generator_writes(tmp_path: Path):
    written = sample.generate(tmp_path / "sample")
    for path in written:
        committed = ROOT / "data" / "sample" / path.name
        assert committed.read_bytes() == path.read_bytes(), f"{path.name} differs: regenerate it"


@pytest.mark.slow
def test_a_rubric_edit_rescores_the_stored_notes(tmp_path: Path):
    log = tmp_path / "sessions.csv"
    log.write_text(
        "Session ID,Meeting Date,Mentor Name,Mentee Name,Notes\n"
        "P-1,2026-06-01,Ana Moreno,Mentee One,We ran a premortem on the pricing launch.\n"
        "P-2,2026-06-08,Ana Moreno,Mentee One,Went through the budget.\n",
        encoding="utf-8",
    )
    db = tmp_path / "program.duckdb"
    assert _cli("ingest", str(log), "--db", str(db)).returncode == 0
    store = Store(db)
    shown = (
        "SELECT source_id, evidence FROM element_evidence WHERE element = 'learning' AND value = 1"
    )
    assert store.query(shown).empty  # the shipped rubric does not know "premortem"

    rubric = json.loads((ROOT / "analysis" / "rubric.json").read_text(encoding="utf-8"))
    rubric["elements"]["learning"]["shown"].append("pre-?mortem")
    edited = tmp_path / "rubric.json"
    edited.write_text(json.dumps(rubric), encoding="utf-8")
    result = _cli("rescore", "--db", str(db), "--rubric", str(edited))
    assert result.returncode == 0, result.stderr
    assert "Re-scored 2 notes and comments" in result.stdout

    found = store.query(shown)
    assert found["source_id"].tolist() == ["ref:P-1"]  # the log's own session id
    assert found["evidence"].tolist() == ["We ran a premortem on the pricing launch"]
    # Undoing the load still takes the re-scored evidence with it.
    assert _cli("remove", "1", "--db", str(db)).returncode == 0
    assert store.scalar("SELECT count(*) FROM element_evidence") == 0


PULSE = ROOT / "tests" / "data" / "identity" / "mentoring-pulse.csv"
# Written from the outside in: items worded as published mentoring instruments word them, four
# negatively (agreeing means the mentor does the opposite), four about the programme or the mentor
# as a person, which measure none of the elements.
PULSE_ITEMS = [
    ("My mentor trusts me to decide how to approach my assignments", "trust", False),
    ("My mentor checks every detail of my work before I can move on", "trust", True),
    (
        "Once we agree on the goal and the date, my mentor lets me choose my own approach",
        "trust",
        False,
    ),
    ("My mentor gives me stretch assignments", "risk", False),
    ("My mentor encourages me to take on challenges I am not sure I can handle", "risk", False),
    ("My mentor steers me towards safe, familiar tasks", "risk", True),
    ("My mentor helps me reflect on setbacks", "learning", False),
    ("After a project, my mentor and I discuss what I would do differently", "learning", False),
    ("My mentor treats my mistakes as failures rather than as chances to learn", "learning", True),
    ("My mentor and I agreed on how and when we would meet", "relationship", False),
    ("My mentor helps me understand how I work with my colleagues", "relationship", False),
    ("Our meetings only cover the status of my tasks", "relationship", True),
    ("Overall, I am satisfied with the mentoring programme", None, False),
    ("The mentoring platform is easy to use", None, False),
    ("My mentor has strong technical expertise", None, False),
    ("How likely are you to recommend the mentoring programme to a colleague?", None, False),
]


def test_a_dry_run_maps_a_realistic_survey_item_by_item_and_creates_nothing(tmp_path: Path):
    db = tmp_path / "not" / "yet" / "there.duckdb"
    result = _cli("ingest", str(PULSE), "--dry-run", "--json", "--db", str(db))
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert (report["kind"], report["format"], report["dry_run"]) == (
        "survey",
        "microsoft_forms",
        True,
    )
    assert (report["rows_read"], report["rows_loaded"], report["batch_id"]) == (12, 12, None)
    assert [(i["question"], i["element"], i["reversed"]) for i in report["mapping"]["items"]] == (
        PULSE_ITEMS
    )
    assert not (tmp_path / "not").exists()


def test_a_dry_run_on_an_existing_database_changes_nothing(small_db: Path):
    before = small_db.read_bytes()
    result = _cli("ingest", str(PULSE), "--dry-run", "--db", str(small_db))
    assert result.returncode == 0, result.stderr
    assert "would load" in result.stdout and "nothing was loaded" in result.stdout
    assert small_db.read_bytes() == before


def test_a_reversed_item_counts_disagreeing_answers_as_favourable(tmp_path: Path):
    store = Store(tmp_path / "pulse.duckdb")
    load.ingest_file(store, PULSE)
    answers = pd.read_csv(PULSE, dtype=str)
    checked = PULSE_ITEMS[1][0]  # "checks every detail": trust, worded negatively
    by_hand = int(answers[checked].isin(["Disagree", "Strongly disagree"]).sum())
    stored = store.scalar(
        "SELECT count(*) FILTER (WHERE e.score_01 >= 0.75) FROM element_evidence AS e "
        "JOIN survey_answers AS a ON e.source_id = a.response_id || '/' || a.item_id "
        "WHERE a.item_text = $q AND a.reversed",
        {"q": checked},
    )
    assert stored == by_hand


@pytest.mark.slow
def test_commands_that_read_never_create_a_database(tmp_path: Path):
    missing = tmp_path / "typo" / "mentoring.duckdb"
    for args in (
        ["summary", "--json"],
        ["history"],
        ["remove", "1"],
        ["rescore"],
        [
            "export",
            "--format",
            "csv",
            "--chart",
            "element-overview",
            "--out",
            str(tmp_path / "x.csv"),
        ],
    ):
        result = _cli(*args, "--db", str(missing))
        assert result.returncode == 2, (args, result.stdout, result.stderr)
        assert str(missing) in result.stderr and "ingest" in result.stderr
        assert not (tmp_path / "typo").exists() and not (tmp_path / "x.csv").exists()
