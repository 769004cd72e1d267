"""The pseudonym key lives apart from the database: the file alone re-identifies nobody (a dictionary
attack with every key material in it recovers no one, while the real key recovers nearly everyone),
older databases move their key out once and say so, and a load refuses a missing or wrong key."""

from __future__ import annotations

import csv
import hashlib
import hmac
import re
import shutil
import stat
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from analysis import keys
from analysis.errors import StoreError
from analysis.ingest.identity import name_key
from analysis.ingest.load import ingest_file
from analysis.store import Store
from tests.conftest import ROOT, SMALL, build_small

SAMPLE = ROOT / "data" / "sample"
HEX_TOKEN = re.compile(r"[0-9a-f]{16,}")
HEX_RUN = re.compile(rb"[0-9a-f]{64,}")


@dataclass(frozen=True)
class Person:
    role: str  # mentee, mentor or respondent
    texts: tuple[str, ...]  # every form the ingest hashes: normalised name, email


def _plain(text: str) -> str:
    return " ".join(text.casefold().split())


def dictionary() -> list[Person]:
    """What an attacker holds: the program's roster and the surveys' lists of who answered, in
    every form the ingest hashes (a normalised name, an email, the identity columns joined)."""
    people = []
    with open(SAMPLE / "participants.csv", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            email = row["Email"].strip().lower()
            joined = _plain(row["Email"]) + "\x1f" + _plain(row["Name"])
            people.append(Person(row["Role"].lower(), (name_key(row["Name"]), email, joined)))
    respondents: set[str] = set()
    for survey in SAMPLE.glob("mentee-feedback-*.csv"):
        with open(survey, encoding="utf-8") as handle:
            respondents |= {_plain(row["Email Address"]) for row in csv.DictReader(handle)}
    for survey in SAMPLE.glob("mentor-self-*.csv"):
        with open(survey, encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                # a respondent with an email is known by it (identity resolution), else by the
                # identity columns joined
                respondents |= {
                    _plain(row["Email Address"]),
                    _plain(row["Email Address"]) + "\x1f" + _plain(row["Your name"]),
                }
    people += [Person("respondent", (text,)) for text in sorted(respondents) if text]
    return people


def stored_pseudonyms(db: Path) -> set[str]:
    """Every hash held in a column that holds pseudonyms (ids carry a prefix or join two)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        found: set[str] = set()
        for table, column in keys.PSEUDONYM_COLUMNS:
            for (value,) in con.execute(f"SELECT DISTINCT {column} FROM {table}").fetchall():
                found |= set(HEX_TOKEN.findall(value or ""))
        return found
    finally:
        con.close()


def key_material(db: Path) -> set[bytes]:
    """Everything in the file that could be the key, as the attacker would try it: each hex token
    of 16+ characters in any text value (and each meta value), and each 64-character window of hex
    in the file's raw bytes, where deleted rows may linger; as text and decoded from hex."""
    texts: set[str] = set()
    con = duckdb.connect(str(db), read_only=True)
    try:
        columns = con.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE data_type = 'VARCHAR'"
        ).fetchall()
        for table, column in columns:
            for (value,) in con.execute(f'SELECT DISTINCT "{column}" FROM "{table}"').fetchall():
                texts |= set(HEX_TOKEN.findall(value or ""))
        texts |= {value for (value,) in con.execute("SELECT value FROM meta").fetchall()}
    finally:
        con.close()
    for run in HEX_RUN.findall(db.read_bytes()):
        texts |= {run[i : i + 64].decode() for i in range(len(run) - 63)}
    material = {text.encode() for text in texts}
    material |= {
        bytes.fromhex(text) for text in texts if HEX_TOKEN.fullmatch(text) and len(text) % 2 == 0
    }
    return material


def _hashes(key: bytes, text: str) -> tuple[str, str]:
    # mentees are hashed to 24 hex characters, survey respondents to 32
    digest = hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest()
    return digest[:24], digest[:32]


def dictionary_attack(db: Path) -> dict[str, int]:
    """People recovered, by role, trying every dictionary entry with every key material found in
    the file. A candidate key first meets a few entries; one that recovers any of them (as the real
    key recovers nearly all) then meets the whole dictionary."""
    people, stored = dictionary(), stored_pseudonyms(db)
    probe = [text for person in people if person.role == "mentee" for text in person.texts][:40]
    recovered: dict[str, set[Person]] = {}
    for key in key_material(db):
        if not any(h in stored for text in probe for h in _hashes(key, text)):
            continue
        for person in people:
            if any(h in stored for text in person.texts for h in _hashes(key, text)):
                recovered.setdefault(person.role, set()).add(person)
    return {role: len(found) for role, found in recovered.items()}


@pytest.fixture(scope="module")
def attacked_copy(sample_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled sample database, copied without anything beside it: no key file, no .wal."""
    target = tmp_path_factory.mktemp("stolen") / "mentoring.duckdb"
    shutil.copy(sample_db, target)
    return target


@pytest.mark.slow
def test_a_dictionary_attack_on_the_database_file_alone_recovers_nobody(attacked_copy: Path):
    assert not keys.key_path(attacked_copy).exists()
    assert dictionary_attack(attacked_copy) == {}


@pytest.mark.slow
def test_the_same_attack_with_the_key_beside_the_file_recovers_nearly_everyone(
    sample_db: Path, attacked_copy: Path
):
    # what the attack is worth: put the key into the copy the way older databases kept it
    with_key = attacked_copy.with_name("with-key.duckdb")
    shutil.copy(attacked_copy, with_key)
    key = keys.read_key_file(keys.key_path(sample_db))
    assert key is not None
    con = duckdb.connect(str(with_key))
    con.execute("INSERT INTO meta VALUES ('hash_key', $k)", {"k": key.hex()})
    con.close()
    recovered = dictionary_attack(with_key)
    # all 400 mentees of the roster, all 341 + 132 survey respondents, and the 134 mentors who
    # answered a survey (their names are shown by design; their answers are keyed to them)
    assert recovered == {"mentee": 400, "mentor": 134, "respondent": 473}


def _legacy_database(tmp_path: Path) -> tuple[Path, bytes]:
    """A database as older versions left it: its key in its own meta table, no key file."""
    built = build_small(tmp_path / "built.duckdb").path
    legacy = tmp_path / "legacy.duckdb"
    shutil.copy(built, legacy)
    key = keys.read_key_file(keys.key_path(built))
    assert key is not None
    con = duckdb.connect(str(legacy))
    con.execute("INSERT INTO meta VALUES ('hash_key', $k)", {"k": key.hex()})
    con.execute("DELETE FROM meta WHERE key = 'key_check'")
    con.execute("CHECKPOINT")
    con.close()
    return legacy, key


@pytest.mark.slow
def test_an_older_database_moves_its_key_out_once_and_says_so(tmp_path: Path):
    legacy, key = _legacy_database(tmp_path)
    before = duckdb.connect(str(legacy), read_only=True)
    mentees = before.execute("SELECT * FROM mentees ORDER BY mentee_id").df()
    before.close()
    assert key.hex().encode() in legacy.read_bytes()

    first = subprocess.run(
        [sys.executable, "-m", "analysis", "history", "--db", str(legacy)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert "now lives only in" in first.stderr and str(keys.key_path(legacy)) in first.stderr
    assert "Copies of the database made before today still hold the key" in first.stderr
    again = subprocess.run(
        [sys.executable, "-m", "analysis", "history", "--db", str(legacy)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert again.stderr == ""

    key_file = keys.key_path(legacy)
    assert keys.read_key_file(key_file) == key
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    raw = legacy.read_bytes()
    assert key.hex().encode() not in raw and key not in raw
    store = Store(legacy)
    assert store.scalar("SELECT count(*) FROM meta WHERE key = 'hash_key'") == 0
    assert store.query("SELECT * FROM mentees ORDER BY mentee_id").equals(mentees)
    # the same people are still recognised: a resaved roster adds no one
    resaved = tmp_path / "participants-resaved.csv"
    resaved.write_bytes((SMALL / "participants.csv").read_bytes().replace(b"\n", b"\r\n"))
    report = ingest_file(store, resaved)
    assert report.rows_loaded == 0


def test_deleting_the_key_row_alone_would_leave_it_readable_in_the_file(tmp_path: Path):
    # why the move rewrites the file: DuckDB keeps a deleted value in the file's free blocks
    legacy, key = _legacy_database(tmp_path)
    con = duckdb.connect(str(legacy))
    con.execute("DELETE FROM meta WHERE key = 'hash_key'")
    con.execute("CHECKPOINT")
    con.close()
    assert key.hex().encode() in legacy.read_bytes()
    assert key in key_material(legacy)


def test_a_new_database_keeps_its_key_in_an_owner_only_file_beside_it(tmp_path: Path):
    store = build_small(tmp_path / "program.duckdb")
    key_file = keys.key_path(store.path)
    assert key_file.name == "program.duckdb.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    key = keys.read_key_file(key_file)
    assert key is not None and len(key) == 32
    meta = dict(store.query("SELECT key, value FROM meta").itertuples(index=False))
    assert "hash_key" not in meta and meta["key_check"] == keys.key_check(key)
    assert key.hex().encode() not in store.path.read_bytes()


@pytest.mark.slow
def test_reading_a_database_that_does_not_exist_creates_no_key(tmp_path: Path):
    db = tmp_path / "none.duckdb"
    result = subprocess.run(
        [sys.executable, "-m", "analysis", "summary", "--db", str(db), "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    # a read creates neither the database nor its key (and says so, exit 2)
    assert result.returncode == 2 and str(db) in result.stderr
    assert not db.exists() and not keys.key_path(db).exists()
    # reading a database made by queries alone makes no key either
    Store(db).query("SELECT count(*) FROM mentees")
    assert not keys.key_path(db).exists()
    failed = subprocess.run(
        [
            sys.executable,
            "-m",
            "analysis",
            "ingest",
            str(SMALL / "missing.csv"),
            "--db",
            str(tmp_path / "new.duckdb"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert failed.returncode == 2
    assert (
        not (tmp_path / "new.duckdb").exists()
        and not keys.key_path(tmp_path / "new.duckdb").exists()
    )


def test_the_key_may_come_from_the_environment_instead(tmp_path: Path, monkeypatch):
    key = keys.new_key()
    monkeypatch.setenv(keys.KEY_ENV, key.hex())
    store = build_small(tmp_path / "program.duckdb")
    assert not keys.key_path(store.path).exists()
    expected = "mentee:" + hmac.new(key, b"e1@example.org", hashlib.sha256).hexdigest()[:24]
    assert expected in set(store.query("SELECT mentee_id FROM mentees")["mentee_id"])


@pytest.mark.parametrize("problem", ["missing", "another database's"])
def test_a_load_without_the_right_key_is_refused_and_changes_nothing(problem: str, tmp_path: Path):
    store = build_small(tmp_path / "program.duckdb")
    key_file = keys.key_path(store.path)
    if problem == "missing":
        key_file.unlink()
    else:
        key_file.unlink()
        keys.write_key_file(key_file, keys.new_key())
    before = store.query("SELECT count(*) AS n FROM ingest_batches")["n"].item()
    with pytest.raises(StoreError) as caught:
        ingest_file(store, ROOT / "tests" / "data" / "formats" / "roster.csv")
    expected = "is missing" if problem == "missing" else "does not belong to program.duckdb"
    assert expected in str(caught.value) and "Nothing was changed" in str(caught.value)
    assert store.query("SELECT count(*) AS n FROM ingest_batches")["n"].item() == before


def test_the_dashboard_says_once_that_the_key_moved_out(tmp_path: Path, monkeypatch):
    legacy, key = _legacy_database(tmp_path)
    monkeypatch.setenv("MENTORING_DB", str(legacy))
    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=90)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    said = [i.value for i in at.info if "pseudonym key" in i.value]
    assert len(said) == 1 and str(keys.key_path(legacy)) in said[0]
    assert keys.read_key_file(keys.key_path(legacy)) == key
    at.run()
    assert not [i.value for i in at.info if "pseudonym key" in i.value]


def test_a_key_file_others_can_read_is_made_owner_only_when_read(tmp_path: Path):
    key_file = tmp_path / "restored.duckdb.key"
    key = keys.new_key()
    key_file.write_text(key.hex() + "\n", encoding="ascii")
    key_file.chmod(0o644)  # as a careless restore from a backup might leave it
    assert keys.read_key_file(key_file) == key
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
