"""Build the bundled sample database: the real ingest path over the committed sample exports,
written to a temporary file and moved into place so a half-built file is never seen."""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis import audit, keys
from analysis.access import FIRST_RUN, LOCAL_USER, Actor
from analysis.ingest import identity, upkeep
from analysis.ingest.load import content_hash, ingest_file
from analysis.ingest.mapping import FileFacts
from analysis.ingest.upkeep import add_program_event
from analysis.model import Treated
from analysis.sample import TRAINED_COHORTS, TRAINING_DAY
from analysis.store import Store, execute, load_sql

SAMPLE_DIR = Path(__file__).resolve().parent.parent / "data" / "sample"
SAMPLE_EVENT = "Mentor training: stretch assignments and debriefs"


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
            SAMPLE_EVENT,
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
    flag: str | None = store.scalar("SELECT value FROM meta WHERE key = 'is_sample'")
    return flag == "1"


@dataclass(frozen=True)
class SampleRemoval:
    """What removing the sample took away: its loads (file names), the rows they held per table
    (as upkeep.remove_batch counts them), its programme events, and how many other loads stayed."""

    loads: tuple[str, ...]
    removed: dict[str, int]
    events: int
    kept_loads: int

    def sentence(self) -> str:
        if not self.loads and not self.events:
            return "No load of the bundled sample was found: nothing was removed."
        what = upkeep.removed_in_words(self.removed)
        files = ", ".join(self.loads)
        said = f"Removed the sample data: {len(self.loads)} loads ({files}) with {what}"
        if self.events:
            said += f", and its programme event ('{SAMPLE_EVENT}')"
        said += "."
        if self.kept_loads:
            said += f" Your own {self.kept_loads} load{'s' if self.kept_loads != 1 else ''} stayed."
        return said


def sample_loads(store: Store, sample_dir: Path = SAMPLE_DIR) -> pd.DataFrame:
    """batch_id and file_name of each load that is one of the bundled sample's exports (by content,
    so a user's own file of the same name is never taken for it)."""
    hashes = [content_hash(path.read_bytes()) for path in sample_files(sample_dir)]
    return store.query(load_sql("sample_loads"), {"hashes": hashes})


def remove_sample(
    store: Store, actor: Actor = LOCAL_USER, sample_dir: Path = SAMPLE_DIR
) -> SampleRemoval:
    """Remove the bundled sample in one transaction: each of its loads (undone as
    upkeep.remove_batch undoes one, so other loads keep what they also hold), its programme
    event, and the mark that the database is the sample. Loads of the user's own files stay."""
    hashes = [content_hash(path.read_bytes()) for path in sample_files(sample_dir)]
    removed: dict[str, int] = {}
    with store.write() as con:
        loads = execute(con, load_sql("sample_loads"), {"hashes": hashes}).df()
        for batch_id in loads["batch_id"]:
            for table, count in upkeep.remove_batch_in(con, int(batch_id), actor).items():
                removed[table] = removed.get(table, 0) + count
        event = {"event_date": TRAINING_DAY, "label": SAMPLE_EVENT}
        found = execute(con, load_sql("program_event_count"), event).fetchone()
        events = int(found[0]) if found else 0
        if events:
            audit.record(con, actor, audit.EVENT, f"Removed the sample's event '{SAMPLE_EVENT}'.")
            execute(con, load_sql("write/delete_program_event"), event)
        upkeep.clear_sample_flag_in(con, actor)
        identity.resolve(con)
        left = execute(con, load_sql("load_count")).fetchone()
    return SampleRemoval(
        tuple(str(name) for name in loads["file_name"]),
        removed,
        events,
        int(left[0]) if left else 0,
    )
