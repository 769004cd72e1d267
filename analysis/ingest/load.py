"""The one write path: a parsed export becomes one batch in one transaction, with duplicates
skipped, set-aside rows kept with their reasons, and element evidence derived."""

from __future__ import annotations

import hashlib
import hmac
import json
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from analysis import audit, elements
from analysis.access import LOCAL_USER, Actor
from analysis.errors import IngestError, MappingIncomplete
from analysis.ingest import readers, roster, sessions, survey
from analysis.store import Store, execute

KIND_LABELS = {"survey": "survey export", "sessions": "session log", "roster": "participant roster"}


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
    rejected: pd.DataFrame = field(default_factory=pd.DataFrame)
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "format": self.format,
            "rows_read": self.rows_read,
            "rows_loaded": self.rows_loaded,
            "rows_rejected": self.rows_rejected,
            "duplicates_skipped": self.duplicates_skipped,
            "batch_id": self.batch_id,
        }

    def sentence(self) -> str:
        if self.already_loaded:
            return (
                f"{self.file}: this exact file was already loaded (batch {self.batch_id}); "
                "nothing was added."
            )
        parts = [
            f"{self.file} ({self.format_label}): {self.rows_loaded} of {self.rows_read} rows loaded"
        ]
        if self.duplicates_skipped:
            parts.append(f"{self.duplicates_skipped} already in the database and skipped")
        if self.rows_rejected:
            parts.append(f"{self.rows_rejected} set aside (see the reasons)")
        text = ", ".join(parts)
        if self.batch_id is not None and self.rows_loaded:
            text += f" as batch {self.batch_id}"
        return text + "."


def content_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def name_key(name: str) -> str:
    """How names are matched: case, accents and spacing forgiven."""
    decomposed = unicodedata.normalize("NFKD", str(name))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(plain.casefold().split())


def pseudonym(key: bytes, text: str) -> str:
    """A keyed hash: recognises the same person again without keeping who they are."""
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest()[:24]


def initials(name: str) -> str:
    return "".join(part[0].upper() + "." for part in str(name).split()[:3] if part) or "?"


def _short_hash(*parts: object) -> str:
    joined = "\x1f".join("" if p is None else str(p) for p in parts)
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()[:24]


# What belongs to one file, not to its layout: never carried over to the next wave.
PER_FILE_KEYS = frozenset({"survey_date", "wave", "invited_count"})


def remembered_mapping(store: Store, layout_key: str) -> dict[str, Any] | None:
    """The mapping saved for this layout by an earlier load, if any."""
    found = store.scalar(
        "SELECT mapping_json FROM layout_mappings WHERE layout_key = $k", {"k": layout_key}
    )
    return json.loads(found) if found else None


def prepare(
    store: Store, path: Path, file_name: str | None = None, kind: str | None = None
) -> tuple[readers.RawExport, str]:
    """Read a file and decide what it is; raise IngestError in plain words when it is unusable."""
    raw = readers.read_export(Path(path), file_name)
    if kind is None:
        kind = readers.detect_kind(raw)
    else:
        readers.require_kind(raw, kind)
    return raw, kind


def suggest(
    store: Store, raw: readers.RawExport, kind: str
) -> tuple[dict[str, Any], list[str], list[str]]:
    """The mapping to propose: remembered for this layout, else suggested from the headers.
    Returns (mapping as a dict, roles still missing, notes)."""
    remembered = remembered_mapping(store, raw.layout_key)
    if remembered is not None:
        return (
            remembered,
            still_missing(kind, remembered),
            ["Using the column mapping remembered from an earlier load of this layout."],
        )
    if kind == "survey":
        suggestion = survey.suggest_mapping(raw)
    elif kind == "sessions":
        suggestion = sessions.suggest_session_mapping(raw)
    else:
        suggestion = roster.suggest_roster_mapping(raw)
    return suggestion.mapping.to_dict(), list(suggestion.missing), list(suggestion.notes)


def still_missing(kind: str, mapping: dict[str, Any]) -> list[str]:
    """What a (possibly user-edited) mapping still lacks before the file can load, in words."""
    checks: list[tuple[str, object]]
    if kind == "survey":
        items = mapping.get("items") or {}
        checks = [
            ("the mentor being rated", mapping.get("mentor_column")),
            (
                "the response date (or the date the survey closed)",
                mapping.get("date_column") or mapping.get("survey_date"),
            ),
            (
                "who answered (mentee or the mentor themself)",
                mapping.get("role_column") or mapping.get("fixed_role"),
            ),
            (
                "which questions measure which element (or a comment column)",
                any((v.get("element") if isinstance(v, dict) else v) for v in items.values())
                or mapping.get("comment_columns"),
            ),
        ]
    elif kind == "sessions":
        checks = [
            ("the session date", mapping.get("date")),
            ("the mentor", mapping.get("mentor") or mapping.get("mentor_email")),
        ]
    else:
        checks = [
            ("names", mapping.get("name") or mapping.get("email")),
            ("roles", mapping.get("role")),
        ]
    return [label for label, value in checks if not value]


def ingest_file(
    store: Store,
    path: str | Path,
    file_name: str | None = None,
    kind: str | None = None,
    mapping: dict[str, Any] | None = None,
    invited_count: int | None = None,
    wave: str | None = None,
    progress: Any = None,
    actor: Actor = LOCAL_USER,
) -> IngestReport:
    """Load one export as one batch. The database is unchanged unless everything succeeds."""
    path = Path(path)
    shown_name = file_name or path.name
    digest = content_hash(path)
    earlier = store.query(
        "SELECT batch_id, kind, format, format_label, rows_read FROM ingest_batches "
        "WHERE content_hash = $h ORDER BY batch_id LIMIT 1",
        {"h": digest},
    )
    if len(earlier):
        row = earlier.iloc[0]
        return IngestReport(
            file=shown_name,
            kind=str(row["kind"]),
            format=str(row["format"]),
            format_label=str(row["format_label"]),
            rows_read=int(row["rows_read"]),
            duplicates_skipped=int(row["rows_read"]),
            batch_id=int(row["batch_id"]),
            already_loaded=True,
        )
    raw, kind = prepare(store, path, shown_name, kind)
    previous_mapping = remembered_mapping(store, raw.layout_key)
    notes: list[str] = list(getattr(raw, "notes", []) or [])
    if mapping is None:
        mapping, missing, suggestion_notes = suggest(store, raw, kind)
        notes += suggestion_notes
        if missing:
            raise MappingIncomplete(
                f"{shown_name}: could not tell with confidence which columns hold "
                + ", ".join(missing)
                + ". Map them on the Upload page, or give a mapping file with --mapping."
            )
    else:
        gaps = still_missing(kind, mapping)
        if gaps:
            raise MappingIncomplete(
                f"{shown_name}: the mapping does not say which columns hold "
                + ", ".join(gaps)
                + "."
            )
    if invited_count is not None:
        mapping = {**mapping, "invited_count": invited_count}
    if wave is not None:
        mapping = {**mapping, "wave": wave}

    report = IngestReport(
        file=shown_name, kind=kind, format=raw.format, format_label=raw.format_label, notes=notes
    )
    hash_key = store.hash_key()
    if kind == "survey":
        survey_date = _survey_date(shown_name, mapping)
        parsed_survey = survey.parse_survey(
            raw, survey.SurveyMapping.from_dict(mapping), hash_key, progress=progress
        )
        if survey_date is not None:
            parsed_survey.responses["response_date"] = survey_date
        report.notes += [n for n in parsed_survey.notes if n not in report.notes]
        comment_evidence = _classify_comments(parsed_survey)
        with store.write() as con:
            _write_survey(
                con, report, raw, digest, mapping, parsed_survey, comment_evidence, hash_key
            )
            audit.record_load(con, actor, report, mapping, previous_mapping)
    elif kind == "sessions":
        parsed_sessions = sessions.parse_sessions(
            raw, sessions.SessionMapping.from_dict(mapping), progress=progress
        )
        report.notes += [n for n in parsed_sessions.notes if n not in report.notes]
        with store.write() as con:
            _write_sessions(con, report, raw, digest, mapping, parsed_sessions, hash_key)
            audit.record_load(con, actor, report, mapping, previous_mapping)
    elif kind == "roster":
        parsed_roster = roster.parse_roster(raw, roster.RosterMapping.from_dict(mapping))
        with store.write() as con:
            _write_roster(con, report, raw, digest, mapping, parsed_roster, hash_key)
            audit.record_load(con, actor, report, mapping, previous_mapping)
    else:
        raise IngestError(f"Unknown kind of file '{kind}': choose survey, sessions or roster.")
    return report


def _classify_comments(parsed: survey.ParsedSurvey) -> pd.DataFrame:
    comments = parsed.comments
    if comments.empty:
        return pd.DataFrame(columns=["text_id", "element", "value", "evidence"])
    frame = pd.DataFrame(
        {"text_id": comments["response_id"] + "/" + comments["item_id"], "text": comments["text"]}
    )
    return elements.classify_frame(frame)


def _begin_batch(
    con: duckdb.DuckDBPyConnection,
    report: IngestReport,
    raw: readers.RawExport,
    digest: str,
    mapping: dict[str, Any],
) -> int:
    batch_id = int(
        execute(con, "SELECT coalesce(max(batch_id), 0) + 1 FROM ingest_batches").fetchone()[0]
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
            "invited": mapping.get("invited_count"),
            "wave": mapping.get("wave"),
            "loaded_at": datetime.now(UTC).replace(tzinfo=None),
        },
    )
    execute(
        con,
        "INSERT OR REPLACE INTO layout_mappings VALUES ($k, $kind, $m, $t)",
        {
            "k": raw.layout_key,
            "kind": report.kind,
            "m": json.dumps(
                {k: v for k, v in mapping.items() if k not in PER_FILE_KEYS}, sort_keys=True
            ),
            "t": datetime.now(UTC).replace(tzinfo=None),
        },
    )
    return batch_id


def _finish_batch(
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
        _insert_frame(con, "rejected_rows", frame)
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


_INSERTABLE = {
    "rejected_rows",
    "mentors",
    "mentees",
    "pairs",
    "sessions",
    "survey_responses",
    "survey_answers",
    "survey_comments",
    "response_segments",
    "item_elements",
    "element_evidence",
}


def _insert_frame(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame) -> None:
    """Append a frame whose columns are named exactly as the table's (our names, never a header)."""
    if table not in _INSERTABLE:
        raise ValueError(f"not an insertable table: {table}")
    if frame.empty:
        return
    con.register("_incoming", frame)
    columns = ", ".join(frame.columns)
    execute(con, f"INSERT INTO {table} ({columns}) SELECT {columns} FROM _incoming")  # noqa: S608
    con.unregister("_incoming")


def _resolve_people(
    con: duckdb.DuckDBPyConnection,
    batch_id: int,
    refs: pd.Series,
    emails: pd.Series | None,
    table: str,
    notes: list[str],
    what: str,
    key: bytes,
) -> pd.Series:
    """Map names or emails to ids, adding people not in the roster (without segments).
    Mentees are survey respondents too, so they are only ever stored as keyed hashes and initials."""
    hidden = table == "mentees"

    def key_of(text: str) -> str:
        return pseudonym(key, text) if hidden else text

    id_col = "mentor_id" if table == "mentors" else "mentee_id"
    if table == "mentors":
        known = execute(
            con, "SELECT mentor_id AS id, name_key, lower(email) AS email FROM mentors"
        ).df()
    else:
        known = execute(con, "SELECT mentee_id AS id, name_key, NULL AS email FROM mentees").df()
    by_email = {
        e: i for e, i in zip(known["email"], known["id"], strict=True) if isinstance(e, str)
    }
    by_name = {n: i for n, i in zip(known["name_key"], known["id"], strict=True)}
    resolved: list[str] = []
    added: dict[str, dict[str, str]] = {}
    email_values = emails if emails is not None else pd.Series([None] * len(refs), index=refs.index)
    for ref, email in zip(refs, email_values, strict=True):
        ref_text = "" if pd.isna(ref) else str(ref).strip()
        email_text = "" if email is None or pd.isna(email) else str(email).strip().lower()
        if "@" in ref_text and not email_text:
            email_text = ref_text.lower()
        found = by_email.get(email_text) if email_text else None
        if found is None and ref_text and "@" not in ref_text:
            found = by_name.get(key_of(name_key(ref_text)))
        if found is None:
            prefix = "mentor" if table == "mentors" else "mentee"
            found = f"{prefix}:{key_of(email_text or name_key(ref_text))}"
            shown = ref_text if "@" not in ref_text else ref_text.split("@")[0]
            added[found] = {
                "display_name": initials(shown) if hidden else (shown or email_text),
                "name_key": key_of(name_key(shown or email_text)),
                "email": email_text,
            }
            if email_text:
                by_email[email_text] = found
            by_name[key_of(name_key(ref_text))] = found
        resolved.append(found)
    if added:
        rows = pd.DataFrame(
            [
                {
                    id_col: pid,
                    "display_name": v["display_name"],
                    "name_key": v["name_key"],
                }
                | ({"email": v["email"] or None} if table == "mentors" else {})
                for pid, v in added.items()
            ]
        )
        rows["batch_id"] = batch_id
        _insert_frame(con, table, rows)
        one = len(added) == 1
        notes.append(
            f"{len(added)} {what[:-1] if one else what} named in this file "
            f"{'is' if one else 'are'} not in the participant roster; "
            f"{'it was' if one else 'they were'} added without department, cohort or location "
            "(shown as 'Unassigned')."
        )
    return pd.Series(resolved, index=refs.index, dtype="string")


def _survey_date(file_name: str, mapping: dict[str, Any]) -> date | None:
    """Exports without a submission-time column need the date the survey ran, given once."""
    if mapping.get("date_column"):
        return None
    given = mapping.get("survey_date")
    if not given:
        raise MappingIncomplete(
            f"{file_name}: no column holds the date of each response. Choose it on the Upload "
            "page, or give the date the survey closed (on the Upload page, or as "
            '"survey_date": "2026-06-30" in the mapping file).'
        )
    try:
        return date.fromisoformat(str(given))
    except ValueError as exc:
        raise MappingIncomplete(
            f"{file_name}: the survey date '{given}' is not a date like 2026-06-30."
        ) from exc


def _write_survey(
    con: duckdb.DuckDBPyConnection,
    report: IngestReport,
    raw: readers.RawExport,
    digest: str,
    mapping: dict[str, Any],
    parsed: survey.ParsedSurvey,
    comment_evidence: pd.DataFrame,
    key: bytes,
) -> None:
    batch_id = _begin_batch(con, report, raw, digest, mapping)
    responses = parsed.responses.drop_duplicates("response_id")
    within_file_dups = len(parsed.responses) - len(responses)
    existing = execute(con, "SELECT response_id FROM survey_responses").df()["response_id"]
    fresh = responses[~responses["response_id"].isin(set(existing))].copy()
    report.rows_read = int(parsed.rows_read)
    report.rows_rejected = (
        int(parsed.rejected["row_number"].nunique()) if len(parsed.rejected) else 0
    )
    report.duplicates_skipped = within_file_dups + (len(responses) - len(fresh))
    report.rows_loaded = len(fresh)
    if not fresh.empty:
        mentor_refs = fresh["mentor_ref"]
        is_email = mentor_refs.astype("string").str.contains("@", regex=False).fillna(False)
        fresh["mentor_id"] = _resolve_people(
            con,
            batch_id,
            mentor_refs,
            mentor_refs.where(is_email),
            "mentors",
            report.notes,
            "mentors",
            key,
        )
        fresh["batch_id"] = batch_id
        fresh["layout_key"] = raw.layout_key
        fresh["wave"] = mapping.get("wave")
        fresh["response_date"] = pd.to_datetime(fresh["response_date"]).dt.date
        _insert_frame(
            con,
            "survey_responses",
            fresh[
                [
                    "response_id",
                    "batch_id",
                    "layout_key",
                    "wave",
                    "respondent_hash",
                    "respondent_role",
                    "mentor_id",
                    "response_date",
                ]
            ],
        )
        keep = set(fresh["response_id"])
        answers = parsed.answers[parsed.answers["response_id"].isin(keep)].copy()
        answers["batch_id"] = batch_id
        _insert_frame(
            con,
            "survey_answers",
            answers[
                [
                    "response_id",
                    "batch_id",
                    "item_id",
                    "item_text",
                    "element",
                    "answer_raw",
                    "score_01",
                ]
            ],
        )
        comments = parsed.comments[parsed.comments["response_id"].isin(keep)].copy()
        comments = comments.rename(columns={"text": "comment_text"})
        comments["batch_id"] = batch_id
        _insert_frame(
            con,
            "survey_comments",
            comments[["response_id", "batch_id", "item_id", "item_text", "comment_text"]],
        )
        segments = parsed.segments[parsed.segments["response_id"].isin(keep)].copy()
        segments["batch_id"] = batch_id
        _insert_frame(
            con, "response_segments", segments[["response_id", "batch_id", "segment", "value"]]
        )
        _write_survey_evidence(con, batch_id, fresh, answers, comment_evidence, keep)
    items = parsed.answers.drop_duplicates("item_id")[["item_id", "item_text", "element"]].copy()
    items["layout_key"] = raw.layout_key
    items["batch_id"] = batch_id
    _insert_frame(
        con, "item_elements", items[["layout_key", "item_id", "item_text", "element", "batch_id"]]
    )
    _finish_batch(con, report, parsed.rejected)


def _write_survey_evidence(
    con: duckdb.DuckDBPyConnection,
    batch_id: int,
    responses: pd.DataFrame,
    answers: pd.DataFrame,
    comment_evidence: pd.DataFrame,
    keep: set[str],
) -> None:
    who = responses.set_index("response_id")[
        ["mentor_id", "response_date", "respondent_role", "respondent_hash"]
    ]
    scored = answers[answers["element"].notna()].join(who, on="response_id")
    if not scored.empty:
        evidence = pd.DataFrame(
            {
                "batch_id": batch_id,
                "source": "survey_item",
                "source_id": scored["response_id"] + "/" + scored["item_id"],
                "mentor_id": scored["mentor_id"],
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
        _insert_frame(con, "element_evidence", evidence)
    if not comment_evidence.empty:
        ids = comment_evidence["text_id"].str.split("/", n=1).str[0]
        mask = ids.isin(keep)
        found = comment_evidence[mask].assign(response_id=ids[mask]).join(who, on="response_id")
        _insert_frame(
            con,
            "element_evidence",
            _text_evidence(
                batch_id,
                "survey_comment",
                found,
                found["response_date"],
                found["respondent_role"],
                found["respondent_hash"],
            ),
        )


def _text_evidence(
    batch_id: int | pd.Series,
    source: str,
    found: pd.DataFrame,
    observed_on: pd.Series,
    role: pd.Series | str,
    respondent_hash: pd.Series | None,
) -> pd.DataFrame:
    """element_evidence rows for classified texts (`found`: text_id, mentor_id, element, value,
    evidence); the rubric's reading is the value, so there is no score."""
    return pd.DataFrame(
        {
            "batch_id": batch_id,
            "source": source,
            "source_id": found["text_id"],
            "mentor_id": found["mentor_id"],
            "observed_on": observed_on,
            "respondent_role": role,
            "respondent_hash": respondent_hash,
            "element": found["element"],
            "value": found["value"].astype("int8"),
            "score_01": None,
            "evidence": found["evidence"],
        }
    )


def _write_sessions(
    con: duckdb.DuckDBPyConnection,
    report: IngestReport,
    raw: readers.RawExport,
    digest: str,
    mapping: dict[str, Any],
    parsed: sessions.ParsedSessions,
    key: bytes,
) -> None:
    batch_id = _begin_batch(con, report, raw, digest, mapping)
    frame = parsed.sessions.copy()
    report.rows_read = int(parsed.rows_read)
    report.rows_rejected = (
        int(parsed.rejected["row_number"].nunique()) if len(parsed.rejected) else 0
    )
    if not frame.empty:
        frame["mentor_id"] = _resolve_people(
            con,
            batch_id,
            frame["mentor_ref"],
            frame.get("mentor_email"),
            "mentors",
            report.notes,
            "mentors",
            key,
        )
        frame["mentee_id"] = _resolve_people(
            con, batch_id, frame["mentee_ref"], None, "mentees", report.notes, "mentees", key
        )
        frame["session_date"] = pd.to_datetime(frame["session_date"]).dt.date
        has_ref = frame["session_ref"].notna() & (
            frame["session_ref"].astype("string").str.len() > 0
        )
        fallback = [
            _short_hash(d, m, e, du, n)
            for d, m, e, du, n in zip(
                frame["session_date"],
                frame["mentor_id"],
                frame["mentee_id"],
                frame["duration_min"],
                frame["notes"],
                strict=True,
            )
        ]
        frame["session_id"] = ("ref:" + frame["session_ref"].astype("string")).where(
            has_ref, pd.Series(["row:" + h for h in fallback], index=frame.index)
        )
    before = len(frame)
    frame = frame.drop_duplicates("session_id") if not frame.empty else frame
    within = before - len(frame)
    if not frame.empty:
        existing = set(execute(con, "SELECT session_id FROM sessions").df()["session_id"])
        fresh = frame[~frame["session_id"].isin(existing)].copy()
    else:
        fresh = frame
    report.duplicates_skipped = within + (len(frame) - len(fresh))
    report.rows_loaded = len(fresh)
    if not fresh.empty:
        fresh["pair_id"] = fresh["mentor_id"] + "|" + fresh["mentee_id"]
        known_pairs = set(execute(con, "SELECT pair_id FROM pairs").df()["pair_id"])
        new_pairs = (
            fresh[~fresh["pair_id"].isin(known_pairs)]
            .groupby(["pair_id", "mentor_id", "mentee_id"], as_index=False)["session_date"]
            .min()
            .rename(columns={"session_date": "started_on"})
        )
        new_pairs["batch_id"] = batch_id
        _insert_frame(
            con, "pairs", new_pairs[["pair_id", "mentor_id", "mentee_id", "started_on", "batch_id"]]
        )
        fresh["batch_id"] = batch_id
        _insert_frame(
            con,
            "sessions",
            fresh[
                [
                    "session_id",
                    "batch_id",
                    "mentor_id",
                    "mentee_id",
                    "pair_id",
                    "session_date",
                    "duration_min",
                    "format",
                    "notes",
                ]
            ],
        )
        _write_note_evidence(con, batch_id, fresh)
    _finish_batch(con, report, parsed.rejected)


def _write_note_evidence(
    con: duckdb.DuckDBPyConnection, batch_id: int, fresh: pd.DataFrame
) -> None:
    notes = fresh[
        fresh["notes"].notna() & (fresh["notes"].astype("string").str.strip().str.len() > 0)
    ]
    if notes.empty:
        return
    found = elements.classify_frame(
        pd.DataFrame({"text_id": notes["session_id"], "text": notes["notes"]})
    )
    who = notes.set_index("session_id")[["mentor_id", "session_date"]]
    found = found.join(who, on="text_id")
    _insert_frame(
        con,
        "element_evidence",
        _text_evidence(batch_id, "session_note", found, found["session_date"], "mentor_log", None),
    )


def _write_roster(
    con: duckdb.DuckDBPyConnection,
    report: IngestReport,
    raw: readers.RawExport,
    digest: str,
    mapping: dict[str, Any],
    parsed: roster.ParsedRoster,
    key: bytes,
) -> None:
    batch_id = _begin_batch(con, report, raw, digest, mapping)
    people = parsed.people.copy()
    report.rows_read = int(parsed.rows_read)
    report.rows_rejected = (
        int(parsed.rejected["row_number"].nunique()) if len(parsed.rejected) else 0
    )
    people["name_key"] = people["name"].map(name_key)
    people["email_key"] = people["email"].astype("string").str.strip().str.lower()
    mentors = people[people["role"] == "mentor"].copy()
    mentees = people[people["role"] == "mentee"].copy()
    mentors["mentor_id"] = ("mentor:" + mentors["email_key"]).where(
        mentors["email_key"].notna() & (mentors["email_key"] != ""), "mentor:" + mentors["name_key"]
    )
    mentees["name_key"] = mentees["name_key"].map(lambda text: pseudonym(key, text))
    has_email = mentees["email_key"].notna() & (mentees["email_key"] != "")
    mentees["mentee_id"] = [
        "mentee:" + pseudonym(key, email) if present else "mentee:" + hashed
        for email, present, hashed in zip(
            mentees["email_key"], has_email, mentees["name_key"], strict=True
        )
    ]
    known_mentors = execute(con, "SELECT mentor_id, name_key FROM mentors").df()
    known_mentees = execute(con, "SELECT mentee_id, name_key FROM mentees").df()
    new_mentors = mentors[
        ~mentors["mentor_id"].isin(set(known_mentors["mentor_id"]))
        & ~mentors["name_key"].isin(set(known_mentors["name_key"]))
    ].drop_duplicates("mentor_id")
    new_mentees = mentees[
        ~mentees["mentee_id"].isin(set(known_mentees["mentee_id"]))
        & ~mentees["name_key"].isin(set(known_mentees["name_key"]))
    ].drop_duplicates("mentee_id")
    report.rows_loaded = len(new_mentors) + len(new_mentees)
    report.duplicates_skipped = len(people) - report.rows_loaded
    _insert_frame(
        con,
        "mentors",
        pd.DataFrame(
            {
                "mentor_id": new_mentors["mentor_id"],
                "display_name": new_mentors["name"],
                "name_key": new_mentors["name_key"],
                "email": new_mentors["email_key"],
                "department": new_mentors["department"],
                "location": new_mentors["location"],
                "cohort": new_mentors["cohort"],
                "batch_id": batch_id,
            }
        ),
    )
    _insert_frame(
        con,
        "mentees",
        pd.DataFrame(
            {
                "mentee_id": new_mentees["mentee_id"],
                "display_name": new_mentees["name"].map(initials),
                "name_key": new_mentees["name_key"],
                "department": new_mentees["department"],
                "location": new_mentees["location"],
                "cohort": new_mentees["cohort"],
                "batch_id": batch_id,
            }
        ),
    )
    with_mentor = new_mentees[new_mentees["mentor_ref"].notna() & (new_mentees["mentor_ref"] != "")]
    if not with_mentor.empty:
        ref = with_mentor["mentor_ref"].astype("string")
        is_email = ref.str.contains("@", regex=False).fillna(False)
        mentor_ids = _resolve_people(
            con, batch_id, ref, ref.where(is_email), "mentors", report.notes, "mentors", key
        )
        pairs = pd.DataFrame(
            {
                "pair_id": mentor_ids + "|" + with_mentor["mentee_id"],
                "mentor_id": mentor_ids,
                "mentee_id": with_mentor["mentee_id"],
                "started_on": pd.to_datetime(with_mentor["started_on"], errors="coerce").dt.date,
                "batch_id": batch_id,
            }
        )
        known_pairs = set(execute(con, "SELECT pair_id FROM pairs").df()["pair_id"])
        _insert_frame(con, "pairs", pairs[~pairs["pair_id"].isin(known_pairs)])
    _finish_batch(con, report, parsed.rejected)


def remove_batch(store: Store, batch_id: int, actor: Actor = LOCAL_USER) -> dict[str, int]:
    """Undo a load: delete everything batch_id added. Returns rows removed per table."""
    removed: dict[str, int] = {}
    with store.write() as con:
        exists = execute(
            con, "SELECT count(*) FROM ingest_batches WHERE batch_id = $b", {"b": batch_id}
        )
        if not exists.fetchone()[0]:
            raise IngestError(f"There is no batch {batch_id} to remove.")
        audit.record_undo(con, actor, batch_id)
        for table in (
            "element_evidence",
            "survey_answers",
            "survey_comments",
            "response_segments",
            "survey_responses",
            "sessions",
            "pairs",
            "item_elements",
            "rejected_rows",
            "mentees",
            "mentors",
            "ingest_batches",
        ):
            count = execute(
                con,
                f"SELECT count(*) FROM {table} WHERE batch_id = $b",  # noqa: S608 (fixed names)
                {"b": batch_id},
            ).fetchone()[0]
            execute(con, f"DELETE FROM {table} WHERE batch_id = $b", {"b": batch_id})  # noqa: S608
            removed[table] = int(count)
    return removed


def rescore_text(
    store: Store, rubric: dict[str, Any] | None = None, actor: Actor = LOCAL_USER
) -> int:
    """Re-run text detection over every stored note and comment (after a rubric edit).
    Returns how many texts were scored."""
    with store.write() as con:
        notes = execute(
            con,
            "SELECT session_id AS text_id, notes AS text, batch_id, mentor_id, session_date AS observed_on "
            "FROM sessions WHERE notes IS NOT NULL AND trim(notes) <> ''",
        ).df()
        comments = execute(
            con,
            "SELECT c.response_id || '/' || c.item_id AS text_id, c.comment_text AS text, c.batch_id, "
            "r.mentor_id, r.response_date AS observed_on, r.respondent_role, r.respondent_hash "
            "FROM survey_comments c JOIN survey_responses r USING (response_id)",
        ).df()
        execute(
            con, "DELETE FROM element_evidence WHERE source IN ('session_note', 'survey_comment')"
        )
        for source, texts in (("session_note", notes), ("survey_comment", comments)):
            if texts.empty:
                continue
            found = elements.classify_frame(texts[["text_id", "text"]], rubric).join(
                texts.drop(columns=["text"]).set_index("text_id"), on="text_id"
            )
            # Each text keeps the batch that brought it, so undoing that load still removes it.
            evidence = _text_evidence(
                found["batch_id"],
                source,
                found,
                found["observed_on"],
                found["respondent_role"] if "respondent_role" in found else "mentor_log",
                found["respondent_hash"] if "respondent_hash" in found else None,
            )
            _insert_frame(con, "element_evidence", evidence)
        execute(
            con,
            "INSERT OR REPLACE INTO meta VALUES ('rubric_hash', $h)",
            {"h": elements.rubric_hash(rubric or elements.load_rubric())},
        )
        audit.record(
            con,
            actor,
            audit.RESCORE,
            f"Re-read {len(notes) + len(comments)} notes and comments with the rubric "
            f"{elements.rubric_hash(rubric or elements.load_rubric())[:12]}.",
        )
    return len(notes) + len(comments)


def rubric_is_current(store: Store) -> bool:
    """Whether the stored notes and comments were read with the rubric in analysis/rubric.json."""
    stored = store.scalar("SELECT value FROM meta WHERE key = 'rubric_hash'")
    return stored is None or stored == elements.rubric_hash(elements.load_rubric())


def add_program_event(store: Store, day: date, label: str, actor: Actor = LOCAL_USER) -> None:
    """Record a program event (e.g. a mentor training) to mark on trend charts."""
    text = label.strip()
    if not text:
        raise IngestError("Give the event a short name, e.g. 'Mentor training'.")
    with store.write() as con:
        execute(con, "INSERT INTO program_events VALUES ($d, $l)", {"d": day, "l": text[:200]})
        audit.record(con, actor, audit.EVENT, f"Added the event '{text[:200]}' on {day}.")


def remove_program_event(store: Store, day: date, label: str, actor: Actor = LOCAL_USER) -> None:
    with store.write() as con:
        execute(
            con,
            "DELETE FROM program_events WHERE event_date = $d AND label = $l",
            {"d": day, "l": label},
        )
        audit.record(con, actor, audit.EVENT, f"Removed the event '{label}' on {day}.")


def clear_sample_flag(store: Store, actor: Actor = LOCAL_USER) -> None:
    with store.write() as con:
        execute(con, "DELETE FROM meta WHERE key = 'is_sample'")
        audit.record(con, actor, audit.SAMPLE, "The database is no longer marked as the sample.")
