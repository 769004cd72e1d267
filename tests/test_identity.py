"""One person, one record: who is who is resolved from all the data, whatever order the files
arrive in; namesakes are told apart by the respondent's own pairing or left unattributed and
reported, never guessed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from analysis import queries
from analysis.ingest.load import ingest_file
from analysis.ingest.mapping import FileFacts
from analysis.ingest.upkeep import remove_batch
from analysis.store import Store
from tests.conftest import ROOT

IDENTITY = ROOT / "tests" / "data" / "identity"
SAMPLE = ROOT / "data" / "sample"
NAMESAKE_FILES = ["roster.csv", "feedback.csv", "self-assessment.csv", "sessions.csv"]


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "analysis", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )


def _load(db: Path, files: list[Path]) -> None:
    result = _cli("ingest", *map(str, files), "--db", str(db))
    assert result.returncode == 0, result.stderr


def _outputs(db: Path, tmp: Path) -> tuple[str, bytes, bytes]:
    """What a user would compare: the summary and the per-mentor exports."""
    summary = _cli("summary", "--json", "--db", str(db))
    assert summary.returncode == 0, summary.stderr
    exports = []
    for chart in ("rate-distribution", "mentor-heatmap"):
        out = tmp / f"{db.stem}-{chart}.csv"
        done = _cli(
            "export",
            "--format",
            "csv",
            "--chart",
            chart,
            "--include-mentor-names",
            "--out",
            str(out),
            "--db",
            str(db),
        )
        assert done.returncode == 0, done.stderr
        exports.append(out.read_bytes())
    return summary.stdout, exports[0], exports[1]


SAMPLE_ORDERS = {
    "alphabetical (surveys before the roster)": sorted(SAMPLE.glob("*.csv")),
    "roster last": [
        SAMPLE / "sessions.csv",
        *sorted(SAMPLE.glob("mentee-feedback-*.csv")),
        *sorted(SAMPLE.glob("mentor-self-*.csv")),
        SAMPLE / "participants.csv",
    ],
    "sessions first": [
        SAMPLE / "sessions.csv",
        SAMPLE / "participants.csv",
        *sorted(SAMPLE.glob("mentor-self-*.csv"), reverse=True),
        *sorted(SAMPLE.glob("mentee-feedback-*.csv"), reverse=True),
    ],
}


@pytest.mark.slow
def test_the_sample_loaded_in_any_order_gives_identical_figures_and_exports(tmp_path: Path):
    outputs = {}
    for number, (order, files) in enumerate(SAMPLE_ORDERS.items()):
        db = tmp_path / f"order{number}.duckdb"
        _load(db, files)
        outputs[order] = _outputs(db, tmp_path)
    first = next(iter(outputs.values()))
    for order, produced in outputs.items():
        assert produced == first, f"{order} differs"
    document = json.loads(first[0])
    roster = (SAMPLE / "participants.csv").read_text(encoding="utf-8")
    assert document["mentor_count"] == roster.count(",Mentor,") == 150


@pytest.mark.slow
def test_undoing_the_roster_and_loading_it_again_gives_the_same_figures(tmp_path: Path):
    db = tmp_path / "sample.duckdb"
    _load(db, SAMPLE_ORDERS["alphabetical (surveys before the roster)"])
    before = _outputs(db, tmp_path)
    store = Store(db)
    roster_batch = int(
        store.scalar("SELECT batch_id FROM ingest_batches WHERE file_name = 'participants.csv'")
    )
    remove_batch(store, roster_batch)
    without = json.loads(_cli("summary", "--json", "--db", str(db)).stdout)
    # Without the roster, mentors are still one record each (sessions carry their emails), but
    # nobody has a department any more.
    assert without["mentor_count"] == 150
    assert store.scalar("SELECT count(*) FROM mentors WHERE department IS NOT NULL") == 0
    _load(db, [SAMPLE / "participants.csv"])
    assert _outputs(db, tmp_path) == before
    # load numbers are never reused after an undo
    numbers = store.query("SELECT batch_id FROM ingest_batches ORDER BY batch_id")["batch_id"]
    assert roster_batch not in set(numbers) and max(numbers) == 7


def _plain(values) -> list[str | None]:
    return [None if v is None or v != v else v for v in values]


# Six of the 24 orders, with every file once first and once last.
NAMESAKE_ORDERS = [
    ("roster.csv", "feedback.csv", "self-assessment.csv", "sessions.csv"),
    ("feedback.csv", "self-assessment.csv", "sessions.csv", "roster.csv"),
    ("self-assessment.csv", "sessions.csv", "roster.csv", "feedback.csv"),
    ("sessions.csv", "roster.csv", "feedback.csv", "self-assessment.csv"),
    ("feedback.csv", "roster.csv", "sessions.csv", "self-assessment.csv"),
    ("sessions.csv", "feedback.csv", "self-assessment.csv", "roster.csv"),
]


@pytest.mark.parametrize("order", NAMESAKE_ORDERS)
def test_namesakes_are_told_apart_by_pairing_in_every_load_order(tmp_path: Path, order):
    store = Store(tmp_path / "namesakes.duckdb")
    for name in order:
        ingest_file(store, IDENTITY / name)
    attributed = store.query(
        "SELECT r.respondent_role, r.mentor_display, m.email, a.answer_raw "
        "FROM survey_responses AS r LEFT JOIN mentors AS m USING (mentor_id) "
        "JOIN survey_answers AS a USING (response_id) "
        "WHERE a.item_text LIKE '%decide how%' ORDER BY r.respondent_role, a.answer_raw, m.email"
    )
    mentee = attributed[attributed["respondent_role"] == "mentee"]
    # Stated by hand from the files: one@ and two@ are Sam Lee (sam.lee@)'s mentees, three@ is
    # Sam Lee (sam.lee2@)'s; stranger@ is in no roster, so "Sam Lee" stays unattributed; four@
    # names Chen Wei, a unique name, which stands even though the roster pairs four@ elsewhere.
    expected = {
        ("Sam Lee", "Agree"): ["sam.lee@example.org", "sam.lee@example.org"],  # one@, two@
        ("sam  lee", "Strongly agree"): ["sam.lee2@example.org"],  # three@
        ("Sam Lee", "Disagree"): [None],  # stranger@
        ("Ana Moreno", "Agree"): ["ana.moreno@example.org"],
        ("Chen Wei", "Agree"): ["chen.wei@example.org"],
    }
    found: dict[tuple[str, str], list[str | None]] = {}
    for row in mentee.itertuples():
        shown = "Sam Lee" if row.mentor_display == "SAM LEE" else row.mentor_display
        found.setdefault((shown, row.answer_raw), []).extend(_plain([row.email]))
    assert {k: sorted(v, key=str) for k, v in found.items()} == expected
    # Self-assessments are matched on the respondent's own email, not the shared name.
    selves = attributed[attributed["respondent_role"] == "mentor_self"]
    assert dict(zip(selves["answer_raw"], selves["email"], strict=True)) == {
        "Always": "sam.lee2@example.org",
        "Sometimes": "sam.lee@example.org",
    }
    # Sessions: the roster pairs Mentee Three with sam.lee2@ and Mentee One with sam.lee@.
    sessions = store.query(
        "SELECT s.session_id, m.email FROM sessions AS s LEFT JOIN mentors AS m USING (mentor_id) "
        "ORDER BY s.session_id"
    )
    assert dict(zip(sessions["session_id"], _plain(sessions["email"]), strict=True)) == {
        "ref:T-1": "sam.lee2@example.org",
        "ref:T-2": "sam.lee@example.org",
        "ref:T-3": None,
        "ref:T-4": "ana.moreno@example.org",
    }


def test_what_stays_ambiguous_is_reported_with_the_names_involved(tmp_path: Path):
    store = Store(tmp_path / "namesakes.duckdb")
    ingest_file(store, IDENTITY / "roster.csv")
    report = ingest_file(store, IDENTITY / "feedback.csv")
    assert report.unattributed[["reference", "row_count"]].to_dict("records") == [
        {"reference": "Sam Lee", "row_count": 1}
    ]
    candidates = report.unattributed["candidates"].iloc[0]
    assert "sam.lee@example.org, Sales" in candidates
    assert "sam.lee2@example.org, Finance" in candidates
    said = " ".join(report.notes)
    assert "1 row names a mentor who cannot be told apart" in said and "'Sam Lee'" in said
    issues = queries.identity_issues(store)
    assert issues[issues["kind"] == "ambiguous"]["row_count"].tolist() == [1]
    # An unattributed response counts for nobody: 5 of 6 responses reach a mentor's figures.
    attributed = store.scalar(
        "SELECT count(DISTINCT parent_id) FROM element_evidence "
        "WHERE mentor_id IS NOT NULL AND source = 'survey_item'"
    )
    assert attributed == 5


def test_a_survey_loaded_before_its_roster_is_attributed_once_the_roster_arrives(tmp_path: Path):
    store = Store(tmp_path / "late-roster.duckdb")
    report = ingest_file(store, IDENTITY / "feedback.csv")
    # Without a roster "Sam Lee" is one name-only person: nothing tells two people apart yet.
    assert report.unattributed.empty
    assert store.scalar("SELECT count(*) FROM mentors WHERE display_name = 'Sam Lee'") == 1
    ingest_file(store, IDENTITY / "roster.csv")
    assert store.scalar("SELECT count(*) FROM mentors WHERE display_name = 'Sam Lee'") == 2
    assert store.scalar("SELECT count(*) FROM survey_responses WHERE mentor_id IS NULL") == 1
    assert store.scalar("SELECT count(*) FROM mentors WHERE mentor_id = 'mentor:sam lee'") == 0


def test_a_name_in_the_survey_and_an_email_in_the_log_are_one_mentor(tmp_path: Path):
    log = tmp_path / "log.csv"
    log.write_text(
        "Meeting Date,Mentor Name,Mentor Email,Mentee Name,Notes\n"
        "2026-05-01,Rosa Diaz,rosa.diaz@example.org,Kim Park,\n",
        encoding="utf-8",
    )
    survey = tmp_path / "survey.csv"
    survey.write_text(
        "Timestamp,Who is your mentor? (full name),How much do you agree with each statement about "
        "your mentor? [My mentor gives me stretch assignments]\n"
        "6/1/2026 9:00:00,Rosa  Diaz,Agree\n",
        encoding="utf-8",
    )
    for files in ([survey, log], [log, survey]):
        store = Store(tmp_path / f"{files[0].stem}-first.duckdb")
        for path in files:
            ingest_file(store, path)
        assert store.query("SELECT mentor_id FROM mentors")["mentor_id"].tolist() == [
            "mentor:rosa.diaz@example.org"
        ]
        assert store.scalar("SELECT count(*) FROM survey_responses WHERE mentor_id IS NULL") == 0


def test_an_overlapping_export_keeps_its_rows_when_the_earlier_load_is_undone(tmp_path: Path):
    store = Store(tmp_path / "overlap.duckdb")
    first = ingest_file(store, IDENTITY / "sessions.csv")
    longer = tmp_path / "sessions-longer.csv"
    longer.write_text(
        (IDENTITY / "sessions.csv").read_text(encoding="utf-8")
        + "T-5,2026-05-05,Ana Moreno,Mentee Five,45,\n",
        encoding="utf-8",
    )
    second = ingest_file(store, longer)
    assert (second.rows_loaded, second.duplicates_skipped) == (1, 4)
    remove_batch(store, int(first.batch_id))
    # The second export held all five sessions: undoing the first loses none of them.
    assert store.scalar("SELECT count(*) FROM sessions") == 5
    remove_batch(store, int(second.batch_id))
    assert store.scalar("SELECT count(*) FROM sessions") == 0


def test_the_same_files_give_the_same_people_whatever_wave_labels_say(tmp_path: Path):
    one, two = Store(tmp_path / "a.duckdb"), Store(tmp_path / "b.duckdb")
    for name in NAMESAKE_FILES:
        ingest_file(one, IDENTITY / name)
    for name in reversed(NAMESAKE_FILES):
        facts = FileFacts(wave="W1") if name == "feedback.csv" else None
        ingest_file(two, IDENTITY / name, facts=facts)
    query = "SELECT * FROM mentors ORDER BY mentor_id"
    assert one.query(query).equals(two.query(query))
    # mentees are keyed hashes under each database's own key: compare what they stand for
    pairs = "SELECT mentor_id, started_on FROM pairs ORDER BY ALL"
    assert one.query(pairs).equals(two.query(pairs))
