"""The DuckDB file: where it lives, its schema and migrations, the one execute() chokepoint,
short-lived connections, and one transaction per write."""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

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


class Store:
    """One DuckDB file. Connections are opened per unit of work and closed right after, so that
    another process (the command line, a second dashboard) can take its turn with the file.
    With `create=False` (commands that only read or change existing data) a missing file is an
    error that names the path, and nothing is created."""

    def __init__(
        self, path: str | os.PathLike[str], busy_timeout_s: float = 15.0, create: bool = True
    ) -> None:
        self.path = Path(path)
        self.busy_timeout_s = busy_timeout_s
        self.create = create

    @property
    def exists(self) -> bool:
        return self.path.exists()

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection with an up-to-date schema; waits while another program holds the file."""
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
                con = duckdb.connect(str(self.path))
                break
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
        try:
            self._migrate(con)
            yield con
        finally:
            con.close()

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
                execute(
                    con,
                    "INSERT INTO meta VALUES ('hash_key', $k), ('data_version', '0')",
                    {"k": secrets.token_hex(32)},
                )
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

    def hash_key(self) -> bytes:
        """The per-database key for hashing respondents' identities (never leaves the file)."""
        return bytes.fromhex(self.scalar("SELECT value FROM meta WHERE key = 'hash_key'"))
