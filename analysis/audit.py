"""The audit trail: one line per load, undo, mapping change, re-score, program event, target or
export,
with who did it and when. Recording is also where the actor's role is checked, inside the
transaction of the change, so a refused or failed change leaves neither data nor a line."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import duckdb
import pandas as pd

from analysis import access
from analysis.access import Actor
from analysis.store import Store, execute, load_sql

if TYPE_CHECKING:
    from analysis.ingest.mapping import Mapping
    from analysis.ingest.write import IngestReport

LOAD = "load"
UNDO = "undo"
MAPPING = "mapping"
RESCORE = "re-score"
EVENT = "program event"
SAMPLE = "sample flag"
TARGET = "target"
EXPORT = "export"

# Exports of aggregates are open to viewers; everything that changes the data is for admins.
NEEDS_ROLE: dict[str, str] = {
    LOAD: access.ADMIN,
    UNDO: access.ADMIN,
    MAPPING: access.ADMIN,
    RESCORE: access.ADMIN,
    EVENT: access.ADMIN,
    SAMPLE: access.ADMIN,
    TARGET: access.ADMIN,
    EXPORT: access.VIEWER,
}
_WHAT = {
    LOAD: "loading a file",
    UNDO: "undoing a load",
    MAPPING: "changing a column mapping",
    RESCORE: "re-scoring notes and comments",
    EVENT: "changing program events",
    SAMPLE: "removing the sample data",
    TARGET: "setting targets",
    EXPORT: "exporting",
}


def record(
    con: duckdb.DuckDBPyConnection, actor: Actor, action: str, detail: str, role: str | None = None
) -> None:
    """Check that `actor` may do `action` (AccessDenied otherwise, which rolls the surrounding
    write back), then add its line to the trail on `con`. `role` asks for more than the
    action's usual role (an export with mentor names needs an admin)."""
    access.require(actor, role or NEEDS_ROLE[action], _WHAT[action])
    execute(
        con,
        load_sql("record_audit"),
        {
            "happened_at": datetime.now(UTC).replace(tzinfo=None),
            "actor_email": actor.email,
            "actor_role": actor.role or "none",
            "action": action,
            "detail": detail,
        },
    )


def record_load(
    con: duckdb.DuckDBPyConnection,
    actor: Actor,
    report: IngestReport,
    mapping: Mapping,
    previous_mapping: Mapping | None,
) -> None:
    """A load, and a second line when it replaced the column mapping remembered for the file's
    layout with a different one (a first mapping is part of the load's line)."""
    from analysis.ingest import mapping as mappings

    detail = report.sentence()
    if previous_mapping is None:
        detail += " Its column mapping is now remembered for this layout."
    record(con, actor, LOAD, detail)
    if previous_mapping is not None:
        before, kept = mappings.to_json(previous_mapping), mappings.to_json(mapping)
        changed = sorted(
            key
            for key in set(before) | set(kept)
            if json.dumps(before.get(key), sort_keys=True)
            != json.dumps(kept.get(key), sort_keys=True)
        )
        if changed:
            record(
                con,
                actor,
                MAPPING,
                f"{report.file}: the remembered column mapping for this layout changed "
                f"({', '.join(changed)}).",
            )


def record_undo(con: duckdb.DuckDBPyConnection, actor: Actor, batch_id: int) -> None:
    """An undo, named by what the load was (call before its rows are deleted)."""
    row = execute(con, load_sql("batch_summary"), {"batch_id": batch_id}).fetchone()
    file_name, kind, rows_loaded = row if row else ("?", "?", 0)
    record(
        con,
        actor,
        UNDO,
        f"Removed load {batch_id}: {file_name} ({kind}, {rows_loaded} rows loaded).",
    )


def record_export(store: Store, actor: Actor, what: str, names: bool = False) -> None:
    """An export (a download or a file written by the command line). It changes no data, so it
    is one statement of its own and leaves the data version (and every cache) alone."""
    detail = what + (" With mentor names." if names else "")
    with store.connect() as con:
        record(con, actor, EXPORT, detail, role=access.ADMIN if names else None)


def trail(store: Store, limit: int = 500) -> pd.DataFrame:
    """The audit trail, newest first."""
    return store.query(load_sql("audit_trail"), {"limit": limit})
