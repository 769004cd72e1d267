"""The pseudonym key, kept apart from the data: where it comes from ($MENTORING_HASH_KEY, else a
key file beside the database, readable by its owner only), how the file is made, and which stored
columns hold keyed hashes of people. The database file itself never holds the key."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import tempfile
from pathlib import Path

from analysis.errors import StoreError

KEY_ENV = "MENTORING_HASH_KEY"
KEY_BYTES = 32

# Every stored column that holds a keyed hash (a pseudonym) of a person, or is built from one.
# Without the key these cannot be matched against a list of names or emails; with it they can.
# Work on identity that adds a hashed column (say, a hashed respondent email) adds it here, so that
# tests/test_keys.py (the dictionary attack) and SECURITY.md cover it.
PSEUDONYM_COLUMNS: tuple[tuple[str, str], ...] = (
    ("roster_entries", "name_key"),  # a mentee's HMAC(name, case/accents/spacing forgiven)
    ("roster_entries", "email_key"),  # a mentee's HMAC(email); mentors' are in clear
    ("sessions", "mentee_key"),  # HMAC(the mentee's name or email as the log gives it)
    ("sessions", "mentee_id"),  # "mentee:" + one of the above
    ("sessions", "pair_id"),  # mentor_id + "|" + mentee_id
    ("mentees", "mentee_id"),
    ("pairs", "pair_id"),
    ("pairs", "mentee_id"),
    ("survey_responses", "respondent_hash"),  # HMAC(email), or of the identity columns without one
    ("element_evidence", "respondent_hash"),
)


def key_path(db_path: Path) -> Path:
    """Where a database's key file lives: X.duckdb.key beside X.duckdb."""
    return db_path.with_name(db_path.name + ".key")


def key_check(key: bytes) -> str:
    """A fingerprint kept in the database: tells the right key from a wrong one (a key file that
    belongs to another database) and says nothing about the key itself."""
    return hmac.new(key, b"mentoring-program-health key check", hashlib.sha256).hexdigest()[:16]


def new_key() -> bytes:
    return secrets.token_bytes(KEY_BYTES)


def _parse(text: str, where: str) -> bytes:
    try:
        key = bytes.fromhex(text.strip())
    except ValueError:
        key = b""
    if len(key) != KEY_BYTES:
        raise StoreError(
            f"The pseudonym key in {where} is not {KEY_BYTES * 2} hexadecimal characters. Restore it "
            "from your backup of the key (it cannot be made up again)."
        )
    return key


def key_from_environment() -> bytes | None:
    text = os.environ.get(KEY_ENV)
    return _parse(text, f"${KEY_ENV}") if text else None


def read_key_file(path: Path) -> bytes | None:
    """The key in `path`, or None when there is no such file. A key file others can read is made
    owner-only on the spot."""
    try:
        text = path.read_text(encoding="ascii")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise StoreError(f"Could not read the pseudonym key file {path}: {exc}.") from exc
    if path.stat().st_mode & 0o077:
        os.chmod(path, 0o600)
    return _parse(text, str(path))


def write_key_file(path: Path, key: bytes) -> bytes:
    """Create `path` holding `key`, owner-only, all at once: the file appears complete or not at
    all, and never replaces one that exists. Returns the key the file holds afterwards (another
    process may have created it first)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=".key-", dir=path.parent)  # mode 0600
    try:
        with os.fdopen(handle, "w", encoding="ascii") as out:
            out.write(key.hex() + "\n")
            out.flush()
            os.fsync(out.fileno())
        try:
            os.link(temp, path)
        except FileExistsError:
            existing = read_key_file(path)
            if existing is None:
                raise StoreError(
                    f"The key file {path} was removed while being read; try again."
                ) from None
            return existing
    finally:
        os.unlink(temp)
    return key
