"""Load one export as one batch: read it once, decide what it is, map its columns (remembered per
layout, else suggested), validate, and write it in one transaction in which identity is re-resolved
over everything loaded. A dry run stops before writing and creates nothing."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from analysis import audit
from analysis.access import LOCAL_USER, Actor
from analysis.errors import IngestError, MappingIncomplete
from analysis.ingest import identity, readers, roster, sessions, survey, write
from analysis.ingest import mapping as mappings
from analysis.ingest.write import IngestReport
from analysis.store import Store

# A session log is read, parsed and written this many rows at a time, so that a million
# sessions never sit in memory at once; smaller exports come whole.
CHUNK_ROWS = 50_000
# DuckDB's own memory during a session log's load (its default is 80% of the machine's memory);
# past it DuckDB spills to a temporary file beside the database, deleted when the load ends. A
# million-session log peaked at 1.53 GB of process memory by default and 1.40 GB with 1 GB here.
INGEST_DUCKDB_MEMORY = "1GB"


@dataclass
class Prepared:
    """An export read once: its first rows (all of them for all but long session logs), what kind
    of file it is, its content hash, and, for a long file, the rest of its rows still to read."""

    raw: readers.RawExport
    kind: str
    digest: str
    rest: Iterator[readers.RawExport] | None = None

    @property
    def name(self) -> str:
        return self.raw.file_name

    def chunks(self) -> Iterator[readers.RawExport]:
        """Every row, chunk by chunk (once: the rest is read as it goes)."""
        yield self.raw
        if self.rest is not None:
            rest, self.rest = self.rest, None
            yield from rest

    def whole(self) -> readers.RawExport:
        """Every row in one export (what kinds other than session logs are parsed from)."""
        parts = list(self.chunks())
        if len(parts) == 1:
            return parts[0]
        first = parts[0]
        self.raw = readers.RawExport(
            file_name=first.file_name,
            format=first.format,
            format_label=first.format_label,
            encoding=first.encoding,
            delimiter=first.delimiter,
            columns=first.columns,
            frame=pd.concat([p.frame for p in parts]),
            layout_key=first.layout_key,
            notes=first.notes,
            rejected=pd.concat([p.rejected for p in parts], ignore_index=True),
        )
        return self.raw


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def kind_of(raw: readers.RawExport, kind: str | None = None) -> str:
    """What an export is: detected, or the user's choice checked against what it looks like."""
    if kind is None:
        return readers.detect_kind(raw)
    readers.require_kind(raw, kind)
    return kind


def prepare(path: str | Path, file_name: str | None = None, kind: str | None = None) -> Prepared:
    """Read a file (the command line's path: the user's own file, read in this process) and
    decide what it is; raise IngestError in plain words when it is unusable."""
    path = Path(path)
    name = file_name or path.name
    data = readers.read_file(path, name)
    digest = content_hash(data)
    chunks = readers.read_export_chunks(data, name, CHUNK_ROWS)
    del data  # the reader holds the text while it goes; nothing else keeps the bytes
    first = next(chunks)
    prepared = Prepared(first, kind_of(first, kind), digest, chunks)
    if prepared.kind != "sessions":
        prepared.whole()
    return prepared


def prepared_upload(raw: readers.RawExport, digest: str, kind: str | None = None) -> Prepared:
    """An upload the Upload page's worker process already read (from memory, under limits)."""
    return Prepared(raw, kind_of(raw, kind), digest)


def as_kind(prepared: Prepared, kind: str) -> Prepared:
    """The same rows offered as another kind of file (refused when they plainly are not)."""
    if kind == prepared.kind:
        return prepared
    raw = prepared.whole() if kind != "sessions" else prepared.raw
    return Prepared(raw, kind_of(raw, kind), prepared.digest, prepared.rest)


def remembered_mapping(store: Store | None, prepared: Prepared) -> mappings.Mapping | None:
    """The mapping saved for this layout by an earlier load, if any."""
    if store is None or not store.exists:
        return None
    found = store.scalar(
        "SELECT mapping_json FROM layout_mappings WHERE layout_key = $k AND kind = $kind",
        {"k": prepared.raw.layout_key, "kind": prepared.kind},
    )
    if not found:
        return None
    return mappings.from_json(prepared.kind, json.loads(found), prepared.raw)[0]


def suggest(store: Store | None, prepared: Prepared) -> mappings.MappingSuggestion:
    """The mapping to propose: remembered for this layout, else suggested from the headers."""
    remembered = remembered_mapping(store, prepared)
    if remembered is not None:
        return mappings.MappingSuggestion(
            remembered,
            mappings.still_missing(remembered),
            ["Using the column mapping remembered from an earlier load of this layout."],
        )
    if prepared.kind == "survey":
        return survey.suggest_mapping(prepared.raw)
    if prepared.kind == "sessions":
        return sessions.suggest_session_mapping(prepared.raw)
    return roster.suggest_roster_mapping(prepared.raw)


def _already_loaded(store: Store | None, prepared: Prepared) -> IngestReport | None:
    if store is None or not store.exists:
        return None
    earlier = store.query(
        "SELECT batch_id, kind, format, format_label, rows_read FROM ingest_batches "
        "WHERE content_hash = $h ORDER BY batch_id LIMIT 1",
        {"h": prepared.digest},
    )
    if not len(earlier):
        return None
    row = earlier.iloc[0]
    return IngestReport(
        file=prepared.name,
        kind=str(row["kind"]),
        format=str(row["format"]),
        format_label=str(row["format_label"]),
        rows_read=int(row["rows_read"]),
        duplicates_skipped=int(row["rows_read"]),
        batch_id=int(row["batch_id"]),
        already_loaded=True,
    )


def ingest(
    store: Store | None,
    prepared: Prepared,
    mapping: mappings.Mapping | None = None,
    facts: mappings.FileFacts | None = None,
    progress: Callable[[float], None] | None = None,
    dry_run: bool = False,
    actor: Actor = LOCAL_USER,
) -> IngestReport:
    """Load a prepared export as one batch; the database is unchanged unless everything succeeds.
    A dry run maps and validates only, and needs no database (store may be None). The load is
    recorded in the audit trail under `actor`, whose role is checked inside the transaction."""
    if not dry_run and store is None:
        raise ValueError("a load needs a store")
    facts = facts or mappings.FileFacts()
    earlier = _already_loaded(store, prepared)
    if earlier is not None:
        return earlier
    raw, name = prepared.raw, prepared.name
    notes: list[str] = list(raw.notes)
    previous = None if dry_run else remembered_mapping(store, prepared)
    if mapping is None:
        suggestion = suggest(store, prepared)
        mapping = suggestion.mapping
        notes += suggestion.notes
        gaps = suggestion.missing
        if not gaps and isinstance(mapping, mappings.SurveyMapping):
            gaps = mappings.still_missing(mapping, facts)
        if gaps:
            raise MappingIncomplete(
                f"{name}: could not tell with confidence which columns hold "
                + ", ".join(gaps)
                + ". Map them on the Upload page, or give a mapping file with --mapping."
            )
    else:
        gaps = mappings.still_missing(mapping, facts)
        if gaps:
            raise MappingIncomplete(
                f"{name}: the mapping does not say which columns hold " + ", ".join(gaps) + "."
            )
    if mapping.kind != prepared.kind:
        raise IngestError(f"{name}: a {mapping.kind} mapping was given for a {prepared.kind} file.")
    report = IngestReport(
        file=name,
        kind=prepared.kind,
        format=raw.format,
        format_label=raw.format_label,
        notes=notes,
        mapping=mapping,
        dry_run=dry_run,
    )
    # A dry run on a database not yet made hashes with a throwaway key: nothing is stored.
    key = b"dry-run" if store is None or (dry_run and not store.exists) else store.hash_key()
    if isinstance(mapping, mappings.SurveyMapping):
        if mapping.date_column is None and facts.survey_date is None:
            raise MappingIncomplete(
                f"{name}: no column holds the date of each response. Choose it on the Upload "
                "page, or give the date the survey closed (on the Upload page, or as "
                '"survey_date": "2026-06-30" in the mapping file).'
            )
        parsed_survey = survey.parse_survey(raw, mapping, key, progress=progress)
        if mapping.date_column is None:
            parsed_survey.responses["response_date"] = facts.survey_date
        report.notes += [n for n in parsed_survey.notes if n not in report.notes]
        if dry_run or store is None:
            return _dry(
                report,
                parsed_survey.rows_read,
                len(parsed_survey.responses),
                parsed_survey.rejected,
            )
        comment_evidence = write.classify_comments(parsed_survey)
        with store.write() as con:
            write.write_survey(
                con, report, raw, prepared.digest, mapping, facts, parsed_survey, comment_evidence
            )
            _resolve(con, report)
            audit.record_load(con, actor, report, mapping, previous)
    elif isinstance(mapping, mappings.SessionMapping):
        if dry_run or store is None:
            counted = [sessions.parse_sessions(chunk, mapping) for chunk in prepared.chunks()]
            for parsed in counted:
                report.notes += [n for n in parsed.notes if n not in report.notes]
            return _dry(
                report,
                sum(p.rows_read for p in counted),
                sum(len(p.sessions) for p in counted),
                pd.concat([p.rejected for p in counted], ignore_index=True),
            )
        with store.write() as con, _bounded_memory(con):
            # chunk by chunk inside the one transaction: memory stays bounded, and a failure
            # anywhere leaves the database as it was
            batch_id = write.begin_batch(
                con, report, raw, prepared.digest, mapping, mappings.FileFacts()
            )
            rejected = []
            for chunk in prepared.chunks():
                parsed = sessions.parse_sessions(chunk, mapping)
                report.notes += [n for n in parsed.notes if n not in report.notes]
                write.add_sessions(con, report, batch_id, parsed, key)
                rejected.append(parsed.rejected)
                if progress:
                    progress(min(0.95, report.rows_read / max(1, report.rows_read + 1)))
            write.finish_batch(con, report, pd.concat(rejected, ignore_index=True))
            _resolve(con, report)
            # the notes are read once their sessions are attributed: evidence is written with
            # its mentor, and no row has to be rewritten after
            write.note_evidence(con, batch_id)
            audit.record_load(con, actor, report, mapping, previous)
    else:
        parsed_roster = roster.parse_roster(raw, mapping)
        if dry_run or store is None:
            return _dry(
                report, parsed_roster.rows_read, len(parsed_roster.people), parsed_roster.rejected
            )
        with store.write() as con:
            write.write_roster(con, report, raw, prepared.digest, mapping, parsed_roster, key)
            _resolve(con, report)
            audit.record_load(con, actor, report, mapping, previous)
    return report


@contextmanager
def _bounded_memory(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """DuckDB's memory capped for one load, then back to its default (the setting is the whole
    database's, so other readers of the same file in this process share it meanwhile)."""
    con.execute("SET memory_limit = ?", [INGEST_DUCKDB_MEMORY])
    try:
        yield
    finally:
        with suppress(duckdb.Error):  # an aborted transaction refuses it; the load is undone
            con.execute("RESET memory_limit")


def _dry(report: IngestReport, rows_read: int, rows: int, rejected: pd.DataFrame) -> IngestReport:
    report.rows_read = int(rows_read)
    report.rows_loaded = int(rows)
    report.rows_rejected = write.rejected_row_count(rejected)
    report.rejected = rejected.reset_index(drop=True)
    return report


def _resolve(con: duckdb.DuckDBPyConnection, report: IngestReport) -> None:
    """Re-derive who is who over everything, and say what this load left unclear."""
    resolution = identity.resolve(con)
    mine = resolution.ambiguous[resolution.ambiguous["batch_id"] == report.batch_id]
    report.unattributed = mine.reset_index(drop=True)
    if len(mine):
        count = int(mine["row_count"].sum())
        report.notes.append(
            f"{count} {'row names' if count != 1 else 'row names'} a mentor who cannot be told "
            "apart from a namesake and is held as unattributed (not counted for anyone): "
            + "; ".join(
                f"'{r.reference}' ({r.row_count} {'row' if r.row_count == 1 else 'rows'}) could be "
                f"{r.candidates}"
                for r in mine.itertuples()
            )
            + ". Add the mentor's email to the export, or the respondent's email and a roster "
            "that pairs them, to attribute these."
        )
    outside = resolution.unrostered[resolution.unrostered["batch_id"] == report.batch_id]
    if len(outside):
        count = len(outside)
        one = count == 1
        report.notes.append(
            f"{count} {'mentor' if one else 'mentors'} named in this file "
            f"{'is' if one else 'are'} not in the participant roster and "
            f"{'is' if one else 'are'} shown as 'Unassigned' to a department, cohort and location."
        )
    if report.kind == "roster" and len(resolution.conflicts):
        report.notes.append(
            "The loaded rosters disagree about "
            + "; ".join(f"{r.reference}: {r.candidates}" for r in resolution.conflicts.itertuples())
            + "."
        )


def ingest_file(
    store: Store | None,
    path: str | Path,
    file_name: str | None = None,
    kind: str | None = None,
    mapping: mappings.Mapping | None = None,
    facts: mappings.FileFacts | None = None,
    progress: Callable[[float], None] | None = None,
    dry_run: bool = False,
    actor: Actor = LOCAL_USER,
) -> IngestReport:
    """Read and load one export file as one batch (see ingest)."""
    return ingest(store, prepare(path, file_name, kind), mapping, facts, progress, dry_run, actor)
