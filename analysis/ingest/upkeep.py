"""Changes to what is already loaded: undoing a load, re-scoring stored texts after a rubric edit,
programme events and the sample flag. Each is one transaction; identity is re-resolved after an
undo so that the remaining data alone decides who is who."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from analysis import audit, elements
from analysis.access import LOCAL_USER, Actor
from analysis.errors import IngestError
from analysis.ingest import identity
from analysis.ingest.write import insert_frame, note_evidence, text_evidence
from analysis.model import ELEMENT_LABELS, ELEMENTS, SOURCE_LABELS, Treated
from analysis.store import Store, execute

# Tables whose rows hang off a session or a survey response, with the column naming it.
_CHILDREN = (
    ("sessions", "session_id"),
    ("survey_responses", "response_id"),
    ("survey_answers", "response_id"),
    ("survey_comments", "response_id"),
    ("response_segments", "response_id"),
    ("element_evidence", "parent_id"),
)
# Everything a load adds, in the order an undo deletes it.
_BATCH_TABLES = (
    "element_evidence",
    "survey_answers",
    "survey_comments",
    "response_segments",
    "survey_responses",
    "sessions",
    "roster_entries",
    "item_elements",
    "rejected_rows",
    "batch_rows",
    "ingest_batches",
)


def remove_batch(store: Store, batch_id: int, actor: Actor = LOCAL_USER) -> dict[str, int]:
    """Undo a load: delete everything it added, except rows another load also contained, which
    that load keeps (so undoing one of two overlapping exports loses nothing the other holds).
    Returns rows removed per table."""
    with store.write() as con:
        removed = remove_batch_in(con, batch_id, actor)
        identity.resolve(con)
    return removed


def remove_batch_in(con: Any, batch_id: int, actor: Actor = LOCAL_USER) -> dict[str, int]:
    """remove_batch inside a write the caller holds (and re-resolves identity after)."""
    removed: dict[str, int] = {}
    exists = execute(
        con, "SELECT count(*) FROM ingest_batches WHERE batch_id = $b", {"b": batch_id}
    ).fetchone()
    if not exists or not exists[0]:
        raise IngestError(f"There is no load {batch_id} to remove.")
    audit.record_undo(con, actor, batch_id)
    execute(
        con,
        "CREATE TEMP TABLE _handover AS "
        "SELECT mine.row_key, min(other.batch_id) AS new_batch "
        "FROM batch_rows AS mine JOIN batch_rows AS other "
        "ON other.row_key = mine.row_key AND other.batch_id <> mine.batch_id "
        "WHERE mine.batch_id = $b GROUP BY mine.row_key",
        {"b": batch_id},
    )
    for table, column in _CHILDREN:
        execute(
            con,
            f"UPDATE {table} AS t SET batch_id = h.new_batch FROM _handover AS h "  # noqa: S608
            f"WHERE t.batch_id = $b AND t.{column} = h.row_key",
            {"b": batch_id},
        )
    execute(con, "DROP TABLE _handover")
    for table in _BATCH_TABLES:
        count = execute(
            con,
            f"SELECT count(*) FROM {table} WHERE batch_id = $b",  # noqa: S608 (fixed names)
            {"b": batch_id},
        ).fetchone()
        execute(con, f"DELETE FROM {table} WHERE batch_id = $b", {"b": batch_id})  # noqa: S608
        removed[table] = int(count[0]) if count else 0
    return removed


# What a person calls the rows an undo removes (the other tables are bookkeeping).
_REMOVED_WORDS = (
    ("sessions", "session", "sessions"),
    ("survey_responses", "survey response", "survey responses"),
    ("survey_answers", "answer", "answers"),
    ("survey_comments", "comment", "comments"),
    ("roster_entries", "roster row", "roster rows"),
    ("rejected_rows", "row set aside", "rows set aside"),
)


def removed_in_words(removed: dict[str, int]) -> str:
    """Rows removed per table (remove_batch's result) as a person counts them: "2 sessions"."""
    parts = [
        f"{removed[table]:,} {one if removed[table] == 1 else many}"
        for table, one, many in _REMOVED_WORDS
        if removed.get(table)
    ]
    if not parts:
        return "no rows of its own (another load holds every row it had)"
    return ", ".join(parts[:-1]) + (" and " if len(parts) > 1 else "") + parts[-1]


def rescore_text(
    store: Store, rubric: dict[str, Any] | None = None, actor: Actor = LOCAL_USER
) -> int:
    """Re-run text detection over every stored note and comment (after a rubric edit).
    Returns how many texts were scored."""
    with store.write() as con:
        comments = execute(
            con,
            "SELECT c.response_id || '/' || c.item_id AS text_id, c.response_id AS parent_id, "
            "c.comment_text AS text, c.batch_id, r.mentor_id, r.response_date AS observed_on, "
            "r.respondent_role, r.respondent_hash "
            "FROM survey_comments c JOIN survey_responses r USING (response_id)",
        ).df()
        execute(
            con, "DELETE FROM element_evidence WHERE source IN ('session_note', 'survey_comment')"
        )
        # Each text keeps the load that brought it, so undoing that load still removes it.
        notes = note_evidence(con, None, rubric)
        if not comments.empty:
            found = elements.classify_frame(comments[["text_id", "text"]], rubric).join(
                comments.drop(columns=["text"]).set_index("text_id"), on="text_id"
            )
            evidence = text_evidence(
                found["batch_id"],
                "survey_comment",
                found,
                found["observed_on"],
                found["respondent_role"],
                found["respondent_hash"],
            )
            evidence["mentor_id"] = found["mentor_id"]
            insert_frame(con, "element_evidence", evidence)
        digest = elements.rubric_hash(rubric or elements.load_rubric())
        execute(con, "INSERT OR REPLACE INTO meta VALUES ('rubric_hash', $h)", {"h": digest})
        audit.record(
            con,
            actor,
            audit.RESCORE,
            f"Re-read {notes + len(comments)} notes and comments with the rubric {digest[:12]}.",
        )
    return notes + len(comments)


def rubric_is_current(store: Store) -> bool:
    """Whether the stored notes and comments were read with the rubric in analysis/rubric.json."""
    stored = store.scalar("SELECT value FROM meta WHERE key = 'rubric_hash'")
    return stored is None or stored == elements.rubric_hash(elements.load_rubric())


def add_program_event(
    store: Store,
    day: date,
    label: str,
    treated: Treated | None = None,
    actor: Actor = LOCAL_USER,
) -> None:
    """Record a program event (e.g. a mentor training) to mark on trend charts; with `treated`,
    whom it applied to, so its impact can be measured."""
    text = label.strip()
    if not text:
        raise IngestError("Give the event a short name, e.g. 'Mentor training'.")
    with store.write() as con:
        execute(
            con,
            "INSERT INTO program_events (event_date, label, treated_json) VALUES ($d, $l, $t)",
            {"d": day, "l": text[:200], "t": treated.to_json() if treated else None},
        )
        who = f" for {treated.describe()}" if treated else ""
        audit.record(con, actor, audit.EVENT, f"Added the event '{text[:200]}' on {day}{who}.")


def set_target(
    store: Store,
    element: str,
    source: str,
    target_pct: float | None,
    actor: Actor = LOCAL_USER,
) -> None:
    """Set (or, with None, clear) what the program aims for: the share of `source`'s
    observations showing `element`, in percent."""
    if element not in ELEMENTS:
        raise IngestError(f"There is no element called {element!r}.")
    if source not in SOURCE_LABELS:
        raise IngestError(f"There is no source called {source!r}.")
    if target_pct is not None and not 0 <= float(target_pct) <= 100:
        raise IngestError("A target is a share between 0 and 100 percent.")
    what = f"{ELEMENT_LABELS[element]}, {SOURCE_LABELS[source].lower()}"
    with store.write() as con:
        execute(
            con,
            "DELETE FROM element_targets WHERE element = $e AND source_kind = $s",
            {"e": element, "s": source},
        )
        if target_pct is None:
            audit.record(con, actor, audit.TARGET, f"Cleared the target for {what}.")
            return
        execute(
            con,
            "INSERT INTO element_targets VALUES ($e, $s, $t, $by, $on)",
            {
                "e": element,
                "s": source,
                "t": round(float(target_pct), 1),
                "by": actor.email,
                "on": datetime.now(UTC).replace(tzinfo=None),
            },
        )
        audit.record(
            con, actor, audit.TARGET, f"Set the target for {what} to {float(target_pct):.0f}%."
        )


def clear_sample_flag(store: Store, actor: Actor = LOCAL_USER) -> None:
    with store.write() as con:
        clear_sample_flag_in(con, actor)


def clear_sample_flag_in(con: Any, actor: Actor = LOCAL_USER) -> None:
    """clear_sample_flag inside a write the caller holds."""
    execute(con, "DELETE FROM meta WHERE key = 'is_sample'")
    audit.record(con, actor, audit.SAMPLE, "The database is no longer marked as the sample.")
