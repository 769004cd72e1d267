"""Shared fixtures: databases built in tmp_path from committed text files by the real ingest code."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from analysis.ingest.load import ingest_file
from analysis.ingest.mapping import FileFacts
from analysis.keys import key_path
from analysis.store import Store

ROOT = Path(__file__).resolve().parent.parent
SMALL = ROOT / "tests" / "data" / "small"
SMALL_FILES = ["participants.csv", "sessions.csv", "mentee-feedback.csv"]


def build_small(path: Path) -> Store:
    store = Store(path)
    for name in SMALL_FILES:
        facts = FileFacts(invited_count=12) if name.startswith("mentee") else None
        ingest_file(store, SMALL / name, facts=facts)
    return store


def copy_database(source: Path, target: Path) -> Path:
    """A copy of a database as a backup restores it: the file and, kept apart, its key file."""
    shutil.copy(source, target)
    shutil.copy(key_path(source), key_path(target))
    return target


@pytest.fixture(scope="session")
def _small_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("small") / "small.duckdb"
    build_small(path)
    return path


@pytest.fixture
def small_db(_small_template: Path, tmp_path: Path) -> Path:
    """A fresh copy of the hand-checkable program (6 mentors, 10 pairs, 8 sessions, 10 responses)."""
    return copy_database(_small_template, tmp_path / "small.duckdb")


@pytest.fixture
def small_store(small_db: Path) -> Store:
    return Store(small_db)


@pytest.fixture(scope="session")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled sample program, built once per test run by the real first-run path."""
    from analysis.bootstrap import build_sample_database

    return build_sample_database(tmp_path_factory.mktemp("sample") / "sample.duckdb")
