"""Removing the bundled sample takes exactly the sample (its loads, found by content, and its
programme event) in one transaction, keeps the user's own loads, and says what it removed; an
undo is reported in the words a person counts rows in."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis import audit
from analysis.access import ADMIN, VIEWER, Actor
from analysis.bootstrap import SAMPLE_EVENT, is_sample, remove_sample, sample_loads
from analysis.errors import AccessDenied
from analysis.ingest import upkeep
from analysis.ingest.load import ingest_file
from analysis.store import Store
from tests.conftest import SMALL, copy_database

DANA = Actor("dana.lee@example.com", ADMIN)


@pytest.fixture
def sample_store(sample_db: Path, tmp_path: Path) -> Store:
    return Store(copy_database(sample_db, tmp_path / "sample-copy.duckdb"))


def test_removing_the_sample_removes_its_loads_and_event_and_says_so(sample_store: Store):
    sessions = sample_store.scalar("SELECT count(*) FROM sessions")
    responses = sample_store.scalar("SELECT count(*) FROM survey_responses")
    removal = remove_sample(sample_store, actor=DANA)
    assert len(removal.loads) == 6 and removal.events == 1 and removal.kept_loads == 0
    assert removal.removed["sessions"] == sessions
    assert removal.removed["survey_responses"] == responses
    for table in ("ingest_batches", "element_evidence", "sessions", "program_events", "mentors"):
        assert sample_store.scalar(f"SELECT count(*) FROM {table}") == 0, table  # noqa: S608
    assert not is_sample(sample_store)
    said = removal.sentence()
    assert said.startswith("Removed the sample data: 6 loads (participants.csv, sessions.csv, ")
    assert f"{sessions:,} sessions" in said and f"{responses:,} survey responses" in said
    assert f"its programme event ('{SAMPLE_EVENT}')" in said
    # each undone load, the event and the flag are in the trail, under who did it
    trail = audit.trail(sample_store)
    mine = trail[trail["actor_email"] == DANA.email]
    assert sorted(mine["action"].value_counts().items()) == [
        (audit.EVENT, 1),
        (audit.SAMPLE, 1),
        (audit.UNDO, 6),
    ]


def test_the_users_own_loads_stay_when_the_sample_goes(sample_store: Store):
    own = ingest_file(sample_store, SMALL / "sessions.csv", actor=DANA)
    assert own.batch_id not in set(sample_loads(sample_store)["batch_id"])
    removal = remove_sample(sample_store, actor=DANA)
    assert removal.kept_loads == 1
    assert "Your own 1 load stayed." in removal.sentence()
    left = sample_store.query("SELECT batch_id, file_name FROM ingest_batches")
    assert left["batch_id"].tolist() == [own.batch_id]
    assert sample_store.scalar("SELECT count(*) FROM sessions") == 8  # the small log's own


def test_a_viewer_cannot_remove_the_sample_and_nothing_changes(sample_store: Store):
    version = sample_store.data_version()
    with pytest.raises(AccessDenied):
        remove_sample(sample_store, actor=Actor("lee@example.com", VIEWER))
    assert sample_store.data_version() == version
    assert is_sample(sample_store)
    assert sample_store.scalar("SELECT count(*) FROM ingest_batches") == 6


@pytest.mark.parametrize(
    "removed, expected",
    [
        ({"sessions": 2, "element_evidence": 8, "batch_rows": 2}, "2 sessions"),
        (
            {"survey_responses": 1, "survey_answers": 4, "survey_comments": 1},
            "1 survey response, 4 answers and 1 comment",
        ),
        (
            {"sessions": 0, "ingest_batches": 1},
            "no rows of its own (another load holds every row it had)",
        ),
    ],
)
def test_an_undo_is_counted_in_plain_words(removed, expected):
    assert upkeep.removed_in_words(removed) == expected
