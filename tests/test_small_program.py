"""The hand-checkable program in tests/data/small, loaded by the real ingest into a real DuckDB
file, against numbers worked out by hand (see the comments)."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import pytest

from analysis import queries, views
from analysis.errors import IngestError, StoreBusy
from analysis.ingest.load import ingest_file
from analysis.ingest.upkeep import remove_batch
from analysis.queries import Filters
from analysis.store import Store
from tests.conftest import ROOT, SMALL

# Favourable (Agree or Strongly agree) by response, items trust / risk / learning / relationship:
#  R1 Ana   ✓ ✗ ✓ ✗      R6 Eve   ✗ ✗ ✗ ✓
#  R2 Ana   ✓ ✗ NA ✓     R7 Femi  ✓ ✗ ✓ ✗
#  R3 Ben   ✓ ✓ ✗ ✓      R8 Femi  ✓ ✗ ✓ ✓
#  R4 Chen  ✗ ✗ ✓ ✗      R9 Ana   ✓ ✓ ✓ ✓
#  R5 Dara  ✓ ✓ -- ✓     R10 Femi ✗ ✓ ✗ ✗
EXPECTED_ELEMENTS = {
    "trust": {
        "frequency_pct": 70.0,
        "coverage_pct": 100.0,
        "mentors_measured": 2,
        "observation_count": 10,
    },
    "risk": {
        "frequency_pct": 40.0,
        "coverage_pct": 0.0,
        "mentors_measured": 2,
        "observation_count": 10,
    },
    "learning": {
        "frequency_pct": 62.5,
        "coverage_pct": 100.0,
        "mentors_measured": 1,
        "observation_count": 8,
    },
    "relationship": {
        "frequency_pct": 60.0,
        "coverage_pct": 50.0,
        "mentors_measured": 2,
        "observation_count": 10,
    },
}


@pytest.mark.slow
def test_summary_json_matches_the_hand_computation(small_db: Path):
    result = subprocess.run(
        [sys.executable, "-m", "analysis", "summary", "--db", str(small_db), "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    document = json.loads(result.stdout)
    assert document["mentor_count"] == 6
    assert document["session_count"] == 8
    assert document["response_count"] == 10
    pooled = {
        element: {k: v for k, v in figures.items() if k not in ("by_source", "suppressed")}
        for element, figures in document["elements"].items()
    }
    assert pooled == EXPECTED_ELEMENTS
    for element, per_mentor in MENTEE_ANSWERS_BY_MENTOR.items():
        ratings = document["elements"][element]["by_source"]["mentee_rating"]
        assert ratings == _clustered_by_hand(per_mentor)
        # no session notes in the fixture and no self-assessments: each source stands empty
        assert document["elements"][element]["by_source"]["session_note"] == {
            "pct": None,
            "ci_low": None,
            "ci_high": None,
            "n": None,
            "mentors": None,
        }


# Favourable / answered per mentor (Ana, Ben, Chen, Dara, Eve, Femi), from the table above.
MENTEE_ANSWERS_BY_MENTOR = {
    "trust": [(3, 3), (1, 1), (0, 1), (1, 1), (0, 1), (2, 3)],
    "risk": [(1, 3), (1, 1), (0, 1), (1, 1), (0, 1), (1, 3)],
    "learning": [(2, 2), (0, 1), (1, 1), (0, 0), (0, 1), (2, 3)],
    "relationship": [(2, 3), (1, 1), (0, 1), (1, 1), (1, 1), (1, 3)],
}


def _clustered_by_hand(per_mentor: list[tuple[int, int]]) -> dict[str, float | int]:
    """The share and its mentor-clustered 95% interval, the long way: the linearised variance of
    the ratio over mentors, the design effect against independent answers, Wilson's interval at
    the effective n with Student's t over mentors - 1 degrees of freedom."""
    from scipy.stats import t

    answered = [(y, n) for y, n in per_mentor if n]
    big_n = sum(n for _, n in answered)
    p = sum(y for y, _ in answered) / big_n
    m = len(answered)
    variance = m / (m - 1) * sum((y - p * n) ** 2 for y, n in answered) / big_n**2
    effective = big_n / max(1.0, variance / (p * (1 - p) / big_n))
    z = t.ppf(0.975, m - 1)
    centre = (p + z * z / (2 * effective)) / (1 + z * z / effective)
    half = (
        z / (1 + z * z / effective) * (p * (1 - p) / effective + z * z / (4 * effective**2)) ** 0.5
    )
    return {
        "pct": round(100 * p, 1),
        "ci_low": round(100 * (centre - half), 1),
        "ci_high": round(100 * (centre + half), 1),
        "n": big_n,
        "mentors": m,
    }


def test_program_health_matches_the_hand_computation(small_store: Store):
    health = views.program_health(small_store, Filters())
    assert health.as_of == date(2026, 6, 28)
    assert health.numbers == {
        "pair_count": 10,
        "active_pair_count": 3,  # Ana-One (8 days), Ben-Three (0), Femi-Seven (17)
        "sessions_per_pair_per_month": 0.27,  # 8 sessions in 90 days / 10 pairs / 3
        "median_days_between_sessions": 14.0,  # gaps 14, 36 (Ana-One) and 10 (Femi-Seven)
        "at_risk_pair_count": 6,  # Ana-Two (79 days) and five pairs that never met
        "mentors_without_sessions": 2,  # Dara, Eve
        "mentor_count": 6,
    }
    assert health.response_rates["response_rate_pct"].tolist() == [round(100 * 10 / 12, 1)]


def test_headline_counts_match_the_hand_computation(small_store: Store):
    headline = views.headline(small_store, Filters())
    assert headline.counts["sessions_last_30_days"] == 4  # 1, 11, 20 and 28 June
    assert headline.counts["active_pair_count"] == 3
    assert headline.counts["mentee_count"] == 10


def test_segment_filter_narrows_every_number(small_store: Store):
    sales = Filters(departments=("Sales",))
    counts = queries.headline_counts(small_store, sales, date(2026, 6, 28))
    assert counts["mentor_count"] == 3 and counts["response_count"] == 5
    # Sales has 3 mentors: below the anonymity minimum, so element figures are hidden
    overview = views.element_overview(small_store, sales)
    assert overview["suppressed"].all() and overview["frequency_pct"].isna().all()


def test_reupload_of_same_export_adds_nothing(small_store: Store):
    before = small_store.query("SELECT count(*) AS n FROM survey_answers")["n"].iloc[0]
    report = ingest_file(small_store, SMALL / "mentee-feedback.csv")
    assert report.already_loaded and report.rows_loaded == 0
    assert small_store.query("SELECT count(*) AS n FROM survey_answers")["n"].iloc[0] == before


def test_overlapping_export_adds_only_the_new_responses(small_store: Store, tmp_path: Path):
    lines = (SMALL / "mentee-feedback.csv").read_text(encoding="utf-8").splitlines()
    newer = tmp_path / "mentee-feedback-later.csv"
    extra = lines[1].replace("6/1/2026 9:00:00", "6/20/2026 9:00:00").replace("e1@", "e11@")
    newer.write_text("\n".join([*lines, extra]) + "\n", encoding="utf-8")
    report = ingest_file(small_store, newer)
    assert (report.rows_read, report.rows_loaded, report.duplicates_skipped) == (11, 1, 10)
    assert views.summary(small_store)["response_count"] == 11


def test_removing_a_batch_takes_away_exactly_what_it_added(small_store: Store):
    history = queries.ingest_history(small_store)
    survey_batch = int(history.loc[history["kind"] == "survey", "batch_id"].iloc[0])
    remove_batch(small_store, survey_batch)
    assert views.summary(small_store)["response_count"] == 0
    assert small_store.query("SELECT count(*) AS n FROM element_evidence")["n"].iloc[0] == 0
    assert views.summary(small_store)["session_count"] == 8


def test_a_failed_ingest_leaves_the_database_file_unchanged(small_db: Path, tmp_path: Path):
    store = Store(small_db)
    with store.connect() as con:
        con.execute("CHECKPOINT")
    before = small_db.read_bytes()
    broken = tmp_path / "broken.csv"
    broken.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    with pytest.raises(IngestError):
        ingest_file(store, broken)
    with store.connect() as con:
        con.execute("CHECKPOINT")
    assert small_db.read_bytes() == before


def test_an_error_inside_the_write_transaction_rolls_everything_back(small_store: Store):
    versions = small_store.data_version()
    with pytest.raises(RuntimeError), small_store.write() as con:
        con.execute("DELETE FROM survey_answers")
        raise RuntimeError("simulated failure mid-batch")
    assert small_store.query("SELECT count(*) AS n FROM survey_answers")["n"].iloc[0] == 38
    assert small_store.data_version() == versions


def test_respondents_names_and_emails_are_never_stored_in_clear(small_db: Path):
    con = duckdb.connect(str(small_db), read_only=True)
    try:
        for (table,) in con.execute("SELECT table_name FROM information_schema.tables").fetchall():
            text = " ".join(
                str(v) for row in con.execute(f'SELECT * FROM "{table}"').fetchall() for v in row
            )
            for identity in ("e1@example.org", "Mentee One", "mentee one"):
                assert identity not in text, (table, identity)
    finally:
        con.close()


@pytest.mark.slow
def test_a_second_process_gets_a_plain_busy_message_while_the_file_is_held(small_db: Path):
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys; c = duckdb.connect(sys.argv[1]); print('held', flush=True); sys.stdin.read()",
            str(small_db),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(StoreBusy, match="try again"):
            with Store(small_db, busy_timeout_s=0.3).connect():
                pass
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "analysis",
                "ingest",
                str(SMALL / "sessions.csv"),
                "--db",
                str(small_db),
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            env={**__import__("os").environ},
            timeout=120,
        )
    finally:
        holder.communicate("")
    assert result.returncode == 3
    assert "in use by another program" in result.stderr


def test_ingest_json_reports_counts_for_each_file(tmp_path: Path):
    db = tmp_path / "fresh.duckdb"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "analysis",
            "ingest",
            str(SMALL / "participants.csv"),
            str(SMALL / "mentee-feedback.csv"),
            "--db",
            str(db),
            "--json",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    roster, survey = (json.loads(line) for line in result.stdout.splitlines())
    assert roster["rows_read"] == 16 and roster["rows_loaded"] == 16
    assert survey == {
        "file": "mentee-feedback.csv",
        "kind": "survey",
        "format": "google_forms",
        "rows_read": 10,
        "rows_loaded": 10,
        "rows_rejected": 0,
        "duplicates_skipped": 0,
        "batch_id": 2,
        "unattributed_rows": 0,
        "mapping": {
            "items": [
                {
                    "question": "My mentor tells me the result and the deadline, then leaves "
                    "the how to me",
                    "element": "trust",
                    "reversed": False,
                },
                {
                    "question": "My mentor encourages me to take on work that stretches me",
                    "element": "risk",
                    "reversed": False,
                },
                {
                    "question": "My mentor asks what I will do differently next time",
                    "element": "learning",
                    "reversed": False,
                },
                {
                    "question": "My mentor helps me think about how I work with other people",
                    "element": "relationship",
                    "reversed": False,
                },
            ]
        },
    }


def test_an_unusable_file_exits_2_with_a_plain_message_and_changes_nothing(tmp_path: Path):
    db = tmp_path / "fresh.duckdb"
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "analysis", "ingest", str(empty), "--db", str(db)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert "empty" in result.stderr.lower()
    assert "Traceback" not in result.stderr
    assert queries.ingest_history(Store(db)).empty


def test_perception_gap_matches_the_hand_computation_and_self_ratings_stay_out_of_headlines(
    small_store: Store,
):
    from scipy.stats import t

    before = views.summary(small_store)
    ingest_file(small_store, ROOT / "tests" / "data" / "small-self" / "mentor-self-assessment.csv")
    gap = views.perception_gap(small_store, Filters()).set_index("element")
    # Paired by mentor (Ana, Ben, Chen, Dara, Eve, Femi) in the same wave (June 2026): each
    # mentor's one self-assessment answer (Often or Always favourable) against the share of their
    # mentees' answers that are favourable.
    pairs = {
        "trust": [(100, 100), (100, 100), (100, 0), (100, 100), (0, 0), (0, 200 / 3)],
        "risk": [(100, 100 / 3), (100, 100), (0, 0), (0, 100), (100, 0), (0, 100 / 3)],
        # Dara's mentee left learning blank: no pair for Dara
        "learning": [(100, 100), (0, 0), (100, 100), (100, 0), (0, 200 / 3)],
        "relationship": [
            (0, 200 / 3),
            (100, 100),
            (100, 0),
            (100, 100),
            (100, 100),
            (100, 100 / 3),
        ],
    }
    for element, sides in pairs.items():
        gaps = [own - mentees for own, mentees in sides]
        mean = sum(gaps) / len(gaps)
        sd = (sum((g - mean) ** 2 for g in gaps) / (len(gaps) - 1)) ** 0.5
        half = t.ppf(0.975, len(gaps) - 1) * sd / len(gaps) ** 0.5
        assert gap.at[element, "pairs"] == len(gaps)
        assert gap.at[element, "gap_pts"] == pytest.approx(mean)
        assert (gap.at[element, "ci_low"], gap.at[element, "ci_high"]) == pytest.approx(
            (mean - half, mean + half)
        )
    assert gap["gap_pts"].round(1).tolist() == [5.6, 5.6, 6.7, 16.7]
    # Self-ratings never enter the headline figures (nor mentees' ratings or notes).
    after = views.summary(small_store)
    for element in after["elements"]:
        for source in ("mentee_rating", "session_note"):
            assert (
                after["elements"][element]["by_source"][source]
                == before["elements"][element]["by_source"][source]
            )
        assert (
            after["elements"][element]["frequency_pct"]
            == (before["elements"][element]["frequency_pct"])
        )
