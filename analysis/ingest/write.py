"""Parsed exports become rows, inside the caller's transaction: the batch record, the facts with
the references they were loaded with (mentees only as keyed hashes and initials), the row keys the
file held (for undo), the element evidence, and the rows set aside with their reasons."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import duckdb
import pandas as pd

from analysis import elements
from analysis.ingest import mapping as mappings
from analysis.ingest.identity import email_key, initials, name_key, per_value, pseudonym
from analysis.ingest.readers import RawExport
from analysis.ingest.roster import ParsedRoster
from analysis.ingest.sessions import ParsedSessions
from analysis.ingest.survey import ParsedSurvey
from analysis.store import execute, load_sql


@dataclass
class IngestReport:
    """What happened to one file, in numbers and in words."""

    file: str
    kind: str
    format: str
    format_label: str
    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    duplicates_skipped: int = 0
    batch_id: int | None = None
    already_loaded: bool = False
    dry_run: bool = False
    mapping: mappings.Mapping | None = None
    rejected: pd.DataFrame = field(default_factory=pd.DataFrame)
    notes: list[str] = field(default_factory=list)
    unattributed: pd.DataFrame = field(default_factory=pd.DataFrame)

    def to_json(self) -> dict[str, Any]:
        document: dict[str, Any] = {
            "file": self.file,
            "kind": self.kind,
            "format": self.format,
            "rows_read": self.rows_read,
            "rows_loaded": self.rows_loaded,
            "rows_rejected": self.rows_rejected,
            "duplicates_skipped": self.duplicates_skipped,
            "batch_id": self.batch_id,
            "unattributed_rows": int(self.unattributed["row_count"].sum())
            if len(self.unattributed)
            else 0,
        }
        if self.dry_run:
            document["dry_run"] = True
        if isinstance(self.mapping, mappings.SurveyMapping):
            document["mapping"] = {
                "items": [
                    {"question": i.question, "element": i.element, "reversed": i.reversed}
                    for i in self.mapping.items
                ]
            }
        return document

    def sentence(self) -> str:
        if self.already_loaded:
            return (
                f"{self.file}: this exact file was already loaded (load {self.batch_id}); "
                "nothing was added."
            )
        verb = "would load" if self.dry_run else "loaded"
        parts = [
            f"{self.file} ({self.format_label}): {self.rows_loaded} of {self.rows_read} rows {verb}"
        ]
        if self.duplicates_skipped:
            parts.append(f"{self.duplicates_skipped} already in the database and skipped")
        if self.rows_rejected:
            parts.append(f"{self.rows_rejected} set aside (see the reasons)")
        text = ", ".join(parts)
        if self.dry_run:
            text += " (a dry run: nothing was loaded)"
        elif self.batch_id is not None and self.rows_loaded:
            text += f" as load {self.batch_id}"
        return text + "."


_INSERTABLE = {
    "rejected_rows",
    "roster_entries",
    "sessions",
    "survey_responses",
    "survey_answers",
    "survey_comments",
    "response_segments",
    "item_elements",
    "element_evidence",
    "batch_rows",
}


def insert_frame(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame) -> None:
    """Append a frame whose columns are named exactly as the table's (our names, never a header)."""
    if table not in _INSERTABLE:
        raise ValueError(f"not an insertable table: {table}")
    if frame.empty:
        return
    con.register("_incoming", frame)
    columns = ", ".join(frame.columns)
    execute(con, f"INSERT INTO {table} ({columns}) SELECT {columns} FROM _incoming")  # noqa: S608
    con.unregister("_incoming")


def begin_batch(
    con: duckdb.DuckDBPyConnection,
    report: IngestReport,
    raw: RawExport,
    digest: str,
    mapping: mappings.Mapping,
    facts: mappings.FileFacts,
) -> int:
    """Number the load (never reusing a number), record it, and remember the layout's mapping."""
    batch_id = int(
        execute(
            con, "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'next_batch_id'"
        ).fetchall()[0][0]
    )
    execute(
        con,
        "UPDATE meta SET value = CAST($next AS TEXT) WHERE key = 'next_batch_id'",
        {"next": batch_id + 1},
    )
    report.batch_id = batch_id
    # The rubric the stored texts were read with: set by the first load, changed only by a rescore,
    # so an edited rubric shows up as "stored texts were read with an older rubric".
    execute(
        con,
        "INSERT INTO meta SELECT 'rubric_hash', $h "
        "WHERE NOT EXISTS (SELECT 1 FROM meta WHERE key = 'rubric_hash')",
        {"h": elements.rubric_hash(elements.load_rubric())},
    )
    now = datetime.now(UTC).replace(tzinfo=None)
    execute(
        con,
        "INSERT INTO ingest_batches VALUES ($batch_id, $file_name, $hash, $kind, $format, "
        "$format_label, $layout_key, 0, 0, 0, 0, $invited, $wave, $loaded_at)",
        {
            "batch_id": batch_id,
            "file_name": report.file,
            "hash": digest,
            "kind": report.kind,
            "format": raw.format,
            "format_label": raw.format_label,
            "layout_key": raw.layout_key,
            "invited": facts.invited_count,
            "wave": facts.wave,
            "loaded_at": now,
        },
    )
    execute(
        con,
        "INSERT OR REPLACE INTO layout_mappings VALUES ($k, $kind, $m, $t)",
        {
            "k": raw.layout_key,
            "kind": report.kind,
            "m": json.dumps(mappings.to_json(mapping), sort_keys=True),
            "t": now,
        },
    )
    return batch_id


def finish_batch(
    con: duckdb.DuckDBPyConnection, report: IngestReport, rejected: pd.DataFrame
) -> None:
    report.rejected = rejected.reset_index(drop=True)
    if len(rejected):
        frame = pd.DataFrame(
            {
                "batch_id": report.batch_id,
                "row_number": pd.to_numeric(rejected["row_number"], errors="coerce").astype(
                    "Int64"
                ),
                "column_name": rejected["column"].astype("string"),
                "reason": rejected["reason"].astype("string"),
                "raw_value": rejected["raw_value"].astype("string"),
            }
        )
        insert_frame(con, "rejected_rows", frame)
    execute(
        con,
        "UPDATE ingest_batches SET rows_read = $read, rows_loaded = $loaded, "
        "rows_rejected = $rejected, duplicates_skipped = $dups WHERE batch_id = $b",
        {
            "read": report.rows_read,
            "loaded": report.rows_loaded,
            "rejected": report.rows_rejected,
            "dups": report.duplicates_skipped,
            "b": report.batch_id,
        },
    )


def rejected_row_count(rejected: pd.DataFrame) -> int:
    return int(rejected["row_number"].nunique()) if len(rejected) else 0


def _short_hash(*parts: object) -> str:
    joined = "\x1f".join("" if p is None or p is pd.NA else str(p) for p in parts)
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()[:24]


def _record_rows(con: duckdb.DuckDBPyConnection, batch_id: int, keys: pd.Series) -> None:
    """Every row key the file held, duplicates of earlier loads included (see remove_batch)."""
    insert_frame(
        con,
        "batch_rows",
        pd.DataFrame({"batch_id": batch_id, "row_key": keys.drop_duplicates().astype(str)}),
    )


def _fresh(con: duckdb.DuckDBPyConnection, table: str, key: str, ids: pd.Series) -> pd.Series:
    """Which of `ids` are not yet in `table` (mask aligned with ids)."""
    probe = pd.DataFrame({"id": ids.astype(str).drop_duplicates()})
    con.register("_probe", probe)
    known = execute(
        con,
        f"SELECT p.id FROM _probe AS p JOIN {table} AS t ON t.{key} = p.id",  # noqa: S608 (fixed)
    ).df()["id"]
    con.unregister("_probe")
    return ~ids.astype(str).isin(set(known))


def mentor_reference(refs: pd.Series, emails: pd.Series | None = None) -> pd.DataFrame:
    """A mentor as the file names them: (display, name_key, email). An email, when given or when
    the name column holds one, identifies; the name is kept to match files that only have names."""
    text = refs.fillna("").astype(str).str.strip()
    given = (
        per_value(emails.fillna("").astype(str), email_key)
        if emails is not None
        else pd.Series("", index=refs.index)
    )
    ref_is_email = text.str.contains("@", regex=False)
    email = given.where(
        given.str.contains("@", regex=False), per_value(text, email_key).where(ref_is_email, "")
    )
    names = text.where(~ref_is_email, "")
    return pd.DataFrame(
        {
            "mentor_display": text.where(text != "", email.str.split("@").str[0]),
            "mentor_name_key": per_value(names, name_key).where(names != "", None),
            "mentor_email": email.where(email != "", None),
        },
        index=refs.index,
    )


def write_survey(
    con: duckdb.DuckDBPyConnection,
    report: IngestReport,
    raw: RawExport,
    digest: str,
    mapping: mappings.SurveyMapping,
    facts: mappings.FileFacts,
    parsed: ParsedSurvey,
    comment_evidence: pd.DataFrame,
) -> None:
    batch_id = begin_batch(con, report, raw, digest, mapping, facts)
    responses = parsed.responses.drop_duplicates("response_id")
    within_file_dups = len(parsed.responses) - len(responses)
    fresh = responses[_fresh(con, "survey_responses", "response_id", responses["response_id"])]
    fresh = fresh.copy()
    report.rows_read = int(parsed.rows_read)
    report.rows_rejected = rejected_row_count(parsed.rejected)
    report.duplicates_skipped = within_file_dups + (len(responses) - len(fresh))
    report.rows_loaded = len(fresh)
    _record_rows(con, batch_id, responses["response_id"])
    if not fresh.empty:
        refs = mentor_reference(
            fresh["mentor_ref"], fresh["self_email"] if mapping.mentor_match == "name" else None
        )
        fresh = fresh.join(refs)
        fresh["batch_id"] = batch_id
        fresh["layout_key"] = raw.layout_key
        fresh["wave"] = facts.wave
        fresh["response_date"] = pd.to_datetime(fresh["response_date"]).dt.date
        insert_frame(
            con,
            "survey_responses",
            fresh[
                [
                    "response_id",
                    "batch_id",
                    "layout_key",
                    "wave",
                    "respondent_hash",
                    "respondent_ref_kind",
                    "respondent_role",
                    "mentor_display",
                    "mentor_name_key",
                    "mentor_email",
                    "response_date",
                ]
            ],
        )
        keep = set(fresh["response_id"])
        answers = parsed.answers[parsed.answers["response_id"].isin(keep)].copy()
        answers["batch_id"] = batch_id
        insert_frame(
            con,
            "survey_answers",
            answers[
                [
                    "response_id",
                    "batch_id",
                    "item_id",
                    "item_text",
                    "element",
                    "reversed",
                    "answer_raw",
                    "score_01",
                ]
            ],
        )
        comments = parsed.comments[parsed.comments["response_id"].isin(keep)].copy()
        comments = comments.rename(columns={"text": "comment_text"})
        comments["batch_id"] = batch_id
        insert_frame(
            con,
            "survey_comments",
            comments[["response_id", "batch_id", "item_id", "item_text", "comment_text"]],
        )
        segments = parsed.segments[parsed.segments["response_id"].isin(keep)].copy()
        segments["batch_id"] = batch_id
        insert_frame(
            con, "response_segments", segments[["response_id", "batch_id", "segment", "value"]]
        )
        _write_survey_evidence(con, batch_id, fresh, answers, comment_evidence, keep)
    items = pd.DataFrame(
        {
            "layout_key": raw.layout_key,
            "item_id": [i.column for i in mapping.items],
            "item_text": [i.question for i in mapping.items],
            "element": [i.element for i in mapping.items],
            "reversed": [i.reversed for i in mapping.items],
            "batch_id": batch_id,
        }
    )
    insert_frame(con, "item_elements", items)
    finish_batch(con, report, parsed.rejected)


def _write_survey_evidence(
    con: duckdb.DuckDBPyConnection,
    batch_id: int,
    responses: pd.DataFrame,
    answers: pd.DataFrame,
    comment_evidence: pd.DataFrame,
    keep: set[str],
) -> None:
    who = responses.set_index("response_id")[
        ["response_date", "respondent_role", "respondent_hash"]
    ]
    scored = answers[answers["element"].notna()].join(who, on="response_id")
    if not scored.empty:
        evidence = pd.DataFrame(
            {
                "batch_id": batch_id,
                "source": "survey_item",
                "source_id": scored["response_id"] + "/" + scored["item_id"],
                "parent_id": scored["response_id"],
                "observed_on": scored["response_date"],
                "respondent_role": scored["respondent_role"],
                "respondent_hash": scored["respondent_hash"],
                "element": scored["element"],
                # the favourable rule is applied when reading, so a changed threshold needs no reload
                "value": 0,
                "score_01": scored["score_01"].astype("float64"),
                "evidence": '"' + scored["item_text"] + '": ' + scored["answer_raw"],
            }
        )
        insert_frame(con, "element_evidence", evidence)
    if not comment_evidence.empty:
        ids = comment_evidence["text_id"].str.split("/", n=1).str[0]
        mask = ids.isin(keep)
        found = comment_evidence[mask].assign(parent_id=ids[mask]).join(who, on="parent_id")
        insert_frame(
            con,
            "element_evidence",
            text_evidence(
                batch_id,
                "survey_comment",
                found,
                found["response_date"],
                found["respondent_role"],
                found["respondent_hash"],
            ),
        )


def text_evidence(
    batch_id: int | pd.Series,
    source: str,
    found: pd.DataFrame,
    observed_on: pd.Series,
    role: pd.Series | str,
    respondent_hash: pd.Series | None,
) -> pd.DataFrame:
    """element_evidence rows for classified texts (`found`: text_id, parent_id, element, value,
    evidence); the rubric's reading is the value, so there is no score. The mentor is filled in
    by identity resolution."""
    return pd.DataFrame(
        {
            "batch_id": batch_id,
            "source": source,
            "source_id": found["text_id"],
            "parent_id": found["parent_id"],
            "observed_on": observed_on,
            "respondent_role": role,
            "respondent_hash": respondent_hash,
            "element": found["element"],
            "value": found["value"].astype("int8"),
            "score_01": None,
            "evidence": found["evidence"],
        }
    )


def classify_comments(parsed: ParsedSurvey) -> pd.DataFrame:
    comments = parsed.comments
    if comments.empty:
        return pd.DataFrame(columns=["text_id", "element", "value", "evidence"])
    frame = pd.DataFrame(
        {"text_id": comments["response_id"] + "/" + comments["item_id"], "text": comments["text"]}
    )
    return elements.classify_frame(frame)


def mentee_reference(refs: pd.Series, key: bytes) -> pd.DataFrame:
    """A mentee as a log names them: only a keyed hash of the email or name, and initials."""
    text = refs.fillna("").astype(str).str.strip()

    def reference(t: str) -> tuple[str | None, str | None, str | None]:
        if not t:
            return None, None, None
        is_email = "@" in t
        normalised = email_key(t) if is_email else name_key(t)
        return (
            "email" if is_email else "name",
            pseudonym(key, normalised) if normalised else None,
            initials(t.split("@")[0].replace(".", " ")),
        )

    found = per_value(text, reference)
    return pd.DataFrame(
        {
            "mentee_ref_kind": [r[0] for r in found],
            "mentee_key": [r[1] for r in found],
            "mentee_display": [r[2] for r in found],
        },
        index=refs.index,
    )


def add_sessions(
    con: duckdb.DuckDBPyConnection,
    report: IngestReport,
    batch_id: int,
    parsed: ParsedSessions,
    key: bytes,
) -> None:
    """One chunk of a session log into batch `batch_id` (begun by begin_batch; the caller ends
    it with finish_batch): sessions not already stored and their row keys. The notes are read
    for evidence once the load's sessions are all in and attributed (note_evidence). The
    report's counts add up over the chunks."""
    frame = parsed.sessions.copy()
    report.rows_read += int(parsed.rows_read)
    report.rows_rejected += rejected_row_count(parsed.rejected)
    if frame.empty:
        return
    refs = mentor_reference(frame["mentor_ref"], frame["mentor_email"])
    frame = frame.drop(columns=["mentor_email"]).join(refs)
    frame = frame.join(mentee_reference(frame["mentee_ref"], key))
    frame["session_date"] = pd.to_datetime(frame["session_date"]).dt.date
    has_ref = frame["session_ref"].notna() & (frame["session_ref"].astype("string").str.len() > 0)
    # Without the platform's own id, a session is who met whom when, for how long, about what:
    # from the file's own references, so the same row gets the same id in any load order.
    missing = frame[~has_ref]
    fallback = pd.Series(
        [
            "row:" + _short_hash(d, me, mn, ek, du, n)
            for d, me, mn, ek, du, n in zip(
                missing["session_date"],
                missing["mentor_email"],
                missing["mentor_name_key"],
                missing["mentee_key"],
                missing["duration_min"],
                missing["notes"],
                strict=True,
            )
        ],
        index=missing.index,
        dtype=object,
    )
    frame["session_id"] = ("ref:" + frame["session_ref"].astype("string")).where(
        has_ref, fallback.reindex(frame.index)
    )
    _record_rows(con, batch_id, frame["session_id"])
    before = len(frame)
    frame = frame.drop_duplicates("session_id")
    fresh = frame[_fresh(con, "sessions", "session_id", frame["session_id"])].copy()
    report.duplicates_skipped += (before - len(frame)) + (len(frame) - len(fresh))
    report.rows_loaded += len(fresh)
    if fresh.empty:
        return
    fresh["batch_id"] = batch_id
    insert_frame(
        con,
        "sessions",
        fresh[
            [
                "session_id",
                "batch_id",
                "mentor_display",
                "mentor_name_key",
                "mentor_email",
                "mentee_ref_kind",
                "mentee_key",
                "mentee_display",
                "session_date",
                "duration_min",
                "format",
                "notes",
            ]
        ],
    )


NOTES_PAGE = 50_000


def note_evidence(
    con: duckdb.DuckDBPyConnection,
    batch_id: int | None = None,
    rubric: dict[str, Any] | None = None,
) -> int:
    """Read the stored session notes of load `batch_id` (None: every load) for element evidence,
    a page at a time so memory stays bounded, each evidence row carrying the load and mentor of
    its session. Returns how many notes were read."""
    after, read = -1, 0
    page_sql, insert_sql = load_sql("write/notes_page"), load_sql("write/note_evidence")
    while True:
        page = execute(
            con, page_sql, {"batch_id": batch_id, "after": after, "page": NOTES_PAGE}
        ).df()
        if page.empty:
            return read
        after, read = int(page["row_id"].iloc[-1]), read + len(page)
        found = elements.classify_frame(
            pd.DataFrame({"text_id": page["row_id"], "text": page["notes"]}), rubric
        )
        found = found.assign(value=found["value"].astype("int8"))
        con.register("_found", found)
        try:
            execute(con, insert_sql)
        finally:
            con.unregister("_found")


def write_roster(
    con: duckdb.DuckDBPyConnection,
    report: IngestReport,
    raw: RawExport,
    digest: str,
    mapping: mappings.RosterMapping,
    parsed: ParsedRoster,
    key: bytes,
) -> None:
    """Every roster row as given; who is who is worked out over all rosters by identity.resolve."""
    batch_id = begin_batch(con, report, raw, digest, mapping, mappings.FileFacts())
    people = parsed.people
    report.rows_read = int(parsed.rows_read)
    report.rows_rejected = rejected_row_count(parsed.rejected)
    names = people["name"].fillna("").map(name_key)
    emails = people["email"].fillna("").map(email_key)
    is_mentee = people["role"] == "mentee"
    mentor_ref = mentor_reference(people["mentor_ref"].fillna(""))

    def hidden(values: pd.Series) -> pd.Series:
        """Mentees answer surveys: only keyed hashes of who they are are stored."""
        hashed = values.map(lambda text: pseudonym(key, text) if text else None)
        return hashed.where(is_mentee, values.where(values != "", None))

    entries = pd.DataFrame(
        {
            "batch_id": batch_id,
            "row_number": pd.Series(people.index, index=people.index).astype("Int64"),
            "role": people["role"],
            "display_name": people["name"].map(initials).where(is_mentee, people["name"]),
            "name_key": hidden(names),
            "email_key": hidden(emails),
            "department": people["department"],
            "location": people["location"],
            "cohort": people["cohort"],
            "mentor_name_key": mentor_ref["mentor_name_key"].where(is_mentee, None),
            "mentor_email": mentor_ref["mentor_email"].where(is_mentee, None),
            "started_on": pd.to_datetime(people["started_on"], errors="coerce").dt.date,
        }
    )
    # Every row is kept (undoing one of two rosters leaves the other whole); the report counts
    # as loaded only the people no earlier roster listed.
    who = entries["role"] + "|" + entries["email_key"].fillna(entries["name_key"]).fillna("")
    known = set(
        execute(
            con,
            "SELECT DISTINCT role || '|' || coalesce(email_key, name_key, '') AS who "
            "FROM roster_entries",
        ).df()["who"]
    )
    fresh = int((~who.isin(known)).sum()) - int(who[~who.isin(known)].duplicated().sum())
    report.rows_loaded = fresh
    report.duplicates_skipped = len(entries) - fresh
    insert_frame(con, "roster_entries", entries)
    finish_batch(con, report, parsed.rejected)
