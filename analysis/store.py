"""The DuckDB file: where it lives, its schema and migrations, the one execute() chokepoint,
short-lived connections, one transaction per write, and the pseudonym key kept outside it."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from analysis import keys
from analysis.errors import StoreBusy, StoreError, StoreMissing

DEFAULT_DB = Path(__file__).resolve().parent.parent / "data" / "mentoring.duckdb"
ENV_VAR = "MENTORING_DB"

Params = Mapping[str, Any] | None


def resolve_db_path(cli_value: str | os.PathLike[str] | None = None) -> Path:
    """--db wins, then $MENTORING_DB, then data/mentoring.duckdb."""
    if cli_value:
        return Path(cli_value)
    if os.environ.get(ENV_VAR):
        return Path(os.environ[ENV_VAR])
    return DEFAULT_DB


def _migrations() -> list[tuple[int, str]]:
    folder = resources.files("analysis") / "sql" / "migrations"
    found = []
    for entry in folder.iterdir():
        if entry.name.endswith(".sql"):
            found.append((int(entry.name.split("_", 1)[0]), entry.read_text(encoding="utf-8")))
    return sorted(found)


def load_sql(name: str) -> str:
    """The text of analysis/sql/NAME.sql."""
    return (resources.files("analysis") / "sql" / f"{name}.sql").read_text(encoding="utf-8")


def execute(
    con: duckdb.DuckDBPyConnection, sql: str, params: Params = None
) -> duckdb.DuckDBPyConnection:
    """Every statement runs here: values are bound, never formatted in; driver errors become ours."""
    try:
        return con.execute(sql, dict(params) if params else None)
    except duckdb.Error as exc:
        raise StoreError(f"The database refused a query: {exc}") from exc


def _is_lock_conflict(exc: duckdb.Error) -> bool:
    return "lock" in str(exc).lower()


# Databases whose key has been looked for in this process. The lock keeps every other connection of
# this process out while an old database's key moves out (the file is replaced meanwhile).
_key_placed: set[Path] = set()
_placement_lock = threading.Lock()


class _Shared:
    """One open connection to a file, shared by the overlapping sessions of this process."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.con: duckdb.DuckDBPyConnection | None = None
        self.users = 0


_shared: dict[Path, _Shared] = {}
_shared_lock = threading.Lock()


def _shared_for(path: Path) -> _Shared:
    with _shared_lock:
        return _shared.setdefault(path, _Shared())


class Store:
    """One DuckDB file. Connections are opened per unit of work and closed right after, so that
    another process (the command line, a second dashboard) can take its turn with the file.
    With `create=False` (commands that only read or change existing data) a missing file is an
    error that names the path, and nothing is created."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        busy_timeout_s: float = 15.0,
        key_file: Path | None = None,
        create: bool = True,
    ) -> None:
        self.path = Path(path)
        self.busy_timeout_s = busy_timeout_s
        self.create = create
        self.key_file = key_file or keys.key_path(self.path)
        self._key_notice: str | None = None

    @property
    def exists(self) -> bool:
        return self.path.exists()

    def _open(self) -> duckdb.DuckDBPyConnection:
        """Open the file, waiting while another program holds it."""
        if not self.create and not self.path.exists():
            raise StoreMissing(
                f"There is no database at {self.path}. Load exports into it first "
                f"(python -m analysis ingest FILE... --db {self.path}), or check the path."
            )
        self.path.parent.mkdir(parents=True, exist_ok=True)
        deadline = time.monotonic() + self.busy_timeout_s
        delay = 0.05
        while True:
            try:
                return duckdb.connect(str(self.path))
            except duckdb.Error as exc:
                if not _is_lock_conflict(exc):
                    raise StoreError(f"Could not open the database {self.path}: {exc}") from exc
                if time.monotonic() >= deadline:
                    raise StoreBusy(
                        f"The database {self.path.name} is in use by another program (the dashboard "
                        "or another load). Nothing was changed; try again in a minute."
                    ) from exc
                time.sleep(delay)
                delay = min(delay * 2, 0.5)

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection with an up-to-date schema; waits while another program holds the file.
        Inside a session() of this process it is a cursor of the session's open connection
        (about 0.3 ms instead of opening the file, tens of milliseconds)."""
        shared = _shared_for(self.path.resolve()) if self.path.exists() else None
        if shared is not None and shared.con is not None:
            with self.session():  # holds the shared connection open while the cursor works
                assert shared.con is not None
                with shared.lock:
                    cursor = shared.con.cursor()
                try:
                    yield cursor
                finally:
                    cursor.close()
            return
        self._keep_key_outside()
        con = self._open()
        try:
            self._migrate(con)
            yield con
        finally:
            con.close()

    @contextmanager
    def session(self) -> Iterator[None]:
        """Within, every read and write of this file in this process (by any Store of it) takes a
        cursor of one open connection. The file is closed when the last overlapping session ends,
        so between page runs another program (the command line) can take its turn with it."""
        shared = _shared_for(self.path.resolve())
        with shared.lock:
            if shared.con is None:
                self._keep_key_outside()
                con = self._open()
                try:
                    self._migrate(con)
                except BaseException:
                    con.close()
                    raise
                shared.con = con
            shared.users += 1
        try:
            yield
        finally:
            with shared.lock:
                shared.users -= 1
                if shared.users == 0 and shared.con is not None:
                    shared.con.close()
                    shared.con = None

    def move_key_out(self) -> str | None:
        """Databases made before the key moved out hold it in their own file: move it out (once,
        on the first connection of each process). Returns what was done, in words, or None."""
        if self.path.exists():
            self._keep_key_outside()
        notice, self._key_notice = self._key_notice, None
        return notice

    def _keep_key_outside(self, again: bool = False) -> None:
        marker = self.path.resolve()
        if marker in _key_placed and not again:
            return
        with _placement_lock:
            if marker in _key_placed and not again:
                return
            if self.path.exists():
                con = self._open()
                try:
                    legacy = _legacy_key(con)
                    if legacy is not None:
                        self._move_key_out(con, legacy)
                finally:
                    con.close()
            _key_placed.add(marker)

    def _move_key_out(self, con: duckdb.DuckDBPyConnection, key: bytes) -> None:
        """Put the database's own key where keys live now, and rewrite the file without it: a row
        deleted in place stays readable in the file's free blocks, so the rows are copied into a
        new file that the key never touches, which then takes the old one's place."""
        name, key_file = self.path.name, self.key_file
        from_environment = keys.key_from_environment()
        if from_environment is not None and from_environment != key:
            raise StoreError(
                f"{name} still holds its own pseudonym key, and ${keys.KEY_ENV} holds a different "
                f"one. Unset {keys.KEY_ENV} and open the database once: its key moves to {key_file}. "
                f"Then set {keys.KEY_ENV} to that file's contents if you keep the key there."
            )
        if from_environment is None and keys.write_key_file(key_file, key) != key:
            raise StoreError(
                f"{name} still holds its own pseudonym key, but {key_file} exists and holds another "
                "(it belongs to another database). Move that file aside and open the database again."
            )
        scrubbed = self.path.with_name(self.path.name + ".moving-key")
        leftovers = (scrubbed, scrubbed.with_name(scrubbed.name + ".wal"))
        for leftover in leftovers:
            leftover.unlink(missing_ok=True)
        try:
            execute(con, "CHECKPOINT")
            source = str(execute(con, "SELECT current_database()").fetchall()[0][0])
            tables = execute(
                con,
                "SELECT table_name FROM duckdb_tables() WHERE database_name = $db",
                {"db": source},
            ).fetchall()
            execute(con, "ATTACH $path AS key_scrub", {"path": str(scrubbed)})
            # Names cannot be bound: these are DuckDB's own (the database, our tables), quoted.
            execute(con, f"COPY FROM DATABASE {_quoted(source)} TO key_scrub (SCHEMA)")
            execute(con, "BEGIN TRANSACTION")
            for (table,) in tables:
                # the key is never written to the new file, not even as a row deleted later
                keep = " WHERE key <> 'hash_key'" if table == "meta" else ""
                execute(
                    con,
                    f"INSERT INTO key_scrub.{_quoted(table)} "  # noqa: S608
                    f"SELECT * FROM {_quoted(source)}.{_quoted(table)}{keep}",
                )
            execute(
                con,
                "INSERT INTO key_scrub.meta VALUES ('key_check', $check)",
                {"check": keys.key_check(key)},
            )
            execute(con, "COMMIT")
            execute(con, "DETACH key_scrub")
            # still holding the old file's lock, so no other program sees it half-way
            os.replace(scrubbed, self.path)
        finally:
            for leftover in leftovers:
                leftover.unlink(missing_ok=True)
        where = f"${keys.KEY_ENV}" if from_environment is not None else str(key_file)
        self._key_notice = (
            f"The pseudonym key of {name} was kept inside the database file, so the file alone "
            f"could re-identify people. It now lives only in {where}, and the file was rewritten "
            "without it. Back up the key apart from the database: without it, new loads cannot "
            "recognise people loaded before. Copies of the database made before today still hold "
            "the key: delete them, or guard them like the key."
        )

    def _migrate(self, con: duckdb.DuckDBPyConnection) -> None:
        has_meta = execute(
            con,
            "SELECT count(*) FROM information_schema.tables WHERE table_name = 'meta'",
        ).fetchone()
        current = 0
        if has_meta and has_meta[0]:
            row = execute(con, "SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
            current = int(row[0]) if row else 0
        pending = [(v, sql) for v, sql in _migrations() if v > current]
        if not pending:
            return
        execute(con, "BEGIN TRANSACTION")
        try:
            for version, sql in pending:
                con.execute(sql)
                execute(
                    con,
                    "INSERT OR REPLACE INTO meta VALUES ('schema_version', $v)",
                    {"v": str(version)},
                )
            if current == 0:
                execute(con, "INSERT INTO meta VALUES ('data_version', '0')")
            elif current < 2:
                # Mentors, mentees and pairs became derived data: derive them for the old facts.
                from analysis.ingest import identity

                identity.resolve(con)
            execute(con, "COMMIT")
        except Exception:
            execute(con, "ROLLBACK")
            raise

    def query(self, sql: str, params: Params = None) -> pd.DataFrame:
        """Run one read query and return its rows."""
        with self.connect() as con:
            return execute(con, sql, params).df()

    def scalar(self, sql: str, params: Params = None) -> Any:
        with self.connect() as con:
            row = execute(con, sql, params).fetchone()
        return row[0] if row else None

    @contextmanager
    def write(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """One transaction: everything inside commits together or the file is left as it was.
        Each committed write bumps data_version so cached views know to refresh."""
        with self.connect() as con:
            execute(con, "BEGIN TRANSACTION")
            try:
                yield con
                execute(
                    con,
                    "UPDATE meta SET value = CAST(CAST(value AS BIGINT) + 1 AS TEXT) "
                    "WHERE key = 'data_version'",
                )
                execute(con, "COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise

    def data_version(self) -> int:
        """A number that changes whenever the data changes (cache key for views)."""
        return int(self.scalar("SELECT value FROM meta WHERE key = 'data_version'"))

    def version_key(self) -> tuple[str, int, int]:
        """Names this file's current data: path, file identity (a file put back in its place is
        another file) and data version. Reading the version first makes a missing file the plain
        "no database" error, not a failed stat."""
        version = self.data_version()
        return str(self.path), self.path.stat().st_ino, version

    def hash_key(self) -> bytes:
        """The key of the keyed hashes that stand for people: $MENTORING_HASH_KEY, else the key file
        beside the database (made, owner-only, by the first load). The database keeps only a check
        that tells the right key from a wrong one."""
        if self.scalar("SELECT count(*) FROM meta WHERE key = 'hash_key'"):
            # an older copy of the database was put back while this process ran
            self._keep_key_outside(again=True)
        key = keys.key_from_environment() or keys.read_key_file(self.key_file)
        with self.connect() as con:
            if key is None and not _key_check(con):
                # a database's first load makes its key
                key = keys.write_key_file(self.key_file, keys.new_key())
            if key is not None:
                execute(
                    con,
                    "INSERT INTO meta SELECT 'key_check', $check "
                    "WHERE NOT EXISTS (SELECT 1 FROM meta WHERE key = 'key_check')",
                    {"check": keys.key_check(key)},
                )
            stored = _key_check(con)
        if key is None:
            raise StoreError(
                f"The pseudonym key of {self.path.name} is missing: neither ${keys.KEY_ENV} nor "
                f"{self.key_file} holds it. Restore the key file from your backup; without it, new "
                "loads cannot recognise people loaded before. Nothing was changed."
            )
        if keys.key_check(key) != stored:
            raise StoreError(
                f"The pseudonym key in {'$' + keys.KEY_ENV if keys.key_from_environment() else self.key_file} "
                f"does not belong to {self.path.name} (it was made for another database). Restore "
                "this database's own key from your backup. Nothing was changed."
            )
        return key


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _key_check(con: duckdb.DuckDBPyConnection) -> str | None:
    row = execute(con, "SELECT value FROM meta WHERE key = 'key_check'").fetchone()
    return str(row[0]) if row else None


def _legacy_key(con: duckdb.DuckDBPyConnection) -> bytes | None:
    """The key an older database keeps in its own meta table, if it still does."""
    has_meta = execute(
        con, "SELECT count(*) FROM information_schema.tables WHERE table_name = 'meta'"
    ).fetchone()
    if not has_meta or not has_meta[0]:
        return None
    row = execute(con, "SELECT value FROM meta WHERE key = 'hash_key'").fetchone()
    return bytes.fromhex(row[0]) if row else None
