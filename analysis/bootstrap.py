"""Build the bundled sample database: the real ingest path over the committed sample exports,
written to a temporary file and moved into place so a half-built file is never seen."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import pandas as pd

from analysis import keys
from analysis.access import FIRST_RUN
from analysis.ingest.load import ingest_file
from analysis.ingest.mapping import FileFacts
from analysis.ingest.upkeep import add_program_event
from analysis.model import Treated
from analysis.sample import TRAINED_COHORTS, TRAINING_DAY
from analysis.store import Store

SAMPLE_DIR = Path(__file__).resolve().parent.parent / "data" / "sample"


def sample_files(sample_dir: Path = SAMPLE_DIR) -> list[Path]:
    """The sample's exports (any order gives the same database: identity is resolved over all)."""
    roster = sorted(sample_dir.glob("participants*.csv"))
    logs = sorted(sample_dir.glob("sessions*.csv"))
    surveys = sorted(sample_dir.glob("mentee-feedback-*.csv")) + sorted(
        sample_dir.glob("mentor-self-assessment-*.csv")
    )
    return roster + logs + surveys


def _wave_of(path: Path) -> str | None:
    found = re.search(r"(\d{4}-\d{2})$", path.stem)
    return found.group(1) if found else None


def _invited(roster: pd.DataFrame, survey_file: Path) -> int:
    """Everyone in the roster with the form's role whose pairing had started by the wave."""
    wave_month = pd.Timestamp(f"{_wave_of(survey_file)}-28")
    if survey_file.name.startswith("mentee-feedback"):
        mentees = roster[roster["Role"] == "Mentee"]
        return int((pd.to_datetime(mentees["Start Date"]) <= wave_month).sum())
    return int((roster["Role"] == "Mentor").sum())


def build_sample_database(target: Path, sample_dir: Path = SAMPLE_DIR) -> Path:
    """Create `target` from the sample exports unless it already exists. Safe when two dashboard
    sessions start at once: each builds its own temporary file and the first to finish wins."""
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(prefix=".building-", suffix=".duckdb", dir=target.parent)
    os.close(handle)
    os.remove(temp_name)
    temp = Path(temp_name)
    try:
        # the key goes straight to where the finished database will look for it
        store = Store(temp, key_file=keys.key_path(target))
        roster = pd.read_csv(sample_dir / "participants.csv", dtype=str)
        for path in sample_files(sample_dir):
            survey = path.name.startswith(("mentee-feedback", "mentor-self"))
            facts = (
                FileFacts(invited_count=_invited(roster, path), wave=_wave_of(path))
                if survey
                else None
            )
            ingest_file(store, path, facts=facts, actor=FIRST_RUN)
        add_program_event(
            store,
            TRAINING_DAY,
            "Mentor training: stretch assignments and debriefs",
            Treated(cohorts=tuple(sorted(TRAINED_COHORTS))),
            actor=FIRST_RUN,
        )
        with store.write() as con:
            con.execute("INSERT OR REPLACE INTO meta VALUES ('is_sample', '1')")
        if not target.exists():
            os.replace(temp, target)
    finally:
        for leftover in (temp, Path(str(temp) + ".wal")):
            if leftover.exists():
                leftover.unlink()
    return target


def is_sample(store: Store) -> bool:
    return store.scalar("SELECT value FROM meta WHERE key = 'is_sample'") == "1"
