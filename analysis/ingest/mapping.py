"""Which column of an export holds what: one typed object per kind of file, from the suggestion to
the Upload page to the store. JSON only at the edges (the remembered layout, a --mapping file)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from datetime import date
from typing import Any

from analysis.errors import MappingIncomplete
from analysis.ingest.readers import RawExport
from analysis.model import ELEMENTS


@dataclass
class ItemMapping:
    """One scale question: the element it measures (None: none of the four) and whether it is
    worded negatively (agreeing means the mentor does the opposite), so its favourable end is
    the bottom of its scale."""

    column: str
    question: str
    element: str | None = None
    reversed: bool = False
    scale: str | None = None


@dataclass
class SurveyMapping:
    kind = "survey"
    mentor_column: str | None = None
    mentor_match: str = "name"
    role_column: str | None = None
    fixed_role: str | None = None
    date_column: str | None = None
    response_id_column: str | None = None
    respondent_columns: list[str] = field(default_factory=list)
    respondent_email_column: str | None = None
    segment_columns: dict[str, str] = field(default_factory=dict)
    comment_columns: list[str] = field(default_factory=list)
    items: list[ItemMapping] = field(default_factory=list)

    def item(self, column: str) -> ItemMapping | None:
        return next((i for i in self.items if i.column == column), None)


@dataclass
class SessionMapping:
    kind = "sessions"
    date: str | None = None
    mentor: str | None = None
    mentor_email: str | None = None
    mentee: str | None = None
    duration: str | None = None
    format: str | None = None
    notes: list[str] = field(default_factory=list)
    session_id: str | None = None


@dataclass
class RosterMapping:
    kind = "roster"
    name: str | None = None
    email: str | None = None
    role: str | None = None
    department: str | None = None
    location: str | None = None
    cohort: str | None = None
    mentor: str | None = None
    started_on: str | None = None


Mapping = SurveyMapping | SessionMapping | RosterMapping


@dataclass
class FileFacts:
    """What belongs to one file rather than to its layout: never carried over to the next wave."""

    survey_date: date | None = None
    wave: str | None = None
    invited_count: int | None = None


@dataclass
class MappingSuggestion:
    mapping: Mapping
    missing: list[str]
    notes: list[str]


_TYPES: dict[str, type[SurveyMapping] | type[SessionMapping] | type[RosterMapping]] = {
    "survey": SurveyMapping,
    "sessions": SessionMapping,
    "roster": RosterMapping,
}


def to_json(mapping: Mapping) -> dict[str, Any]:
    """The layout's mapping as JSON (what is remembered per layout and saved for --mapping)."""
    return asdict(mapping)


def from_json(kind: str, data: dict[str, Any], raw: RawExport) -> tuple[Mapping, FileFacts]:
    """Read a mapping saved by this or an earlier version (items keyed by column, or a list) and
    the per-file facts a --mapping file may carry. Columns the file does not have are dropped."""
    if kind not in _TYPES:
        raise MappingIncomplete(
            f"Unknown kind of file '{kind}': choose survey, sessions or roster."
        )
    cls = _TYPES[kind]
    names = {f.name for f in fields(cls)} - {"items"}
    mapping = cls(**{k: v for k, v in data.items() if k in names})
    if isinstance(mapping, SurveyMapping):
        mapping.items = _items_from_json(data.get("items") or [], raw)
    facts = FileFacts(
        survey_date=_date(data.get("survey_date")),
        wave=data.get("wave") or None,
        invited_count=int(data["invited_count"]) if data.get("invited_count") else None,
    )
    return mapping, facts


def _items_from_json(items: Any, raw: RawExport) -> list[ItemMapping]:
    keys = {c.key for c in raw.columns}
    entries: list[tuple[str, Any]]
    if isinstance(items, dict):
        entries = list(items.items())
    else:
        entries = [(str(entry.get("column")), entry) for entry in items]
    found = []
    for column, value in entries:
        if column not in keys:
            continue
        entry = value if isinstance(value, dict) else {"element": value}
        element = entry.get("element") or None
        if element is not None and element not in ELEMENTS:
            raise MappingIncomplete(
                f"The mapping gives '{element}' as an element; use one of {', '.join(ELEMENTS)}."
            )
        found.append(
            ItemMapping(
                column=column,
                question=item_question(raw, column),
                element=element,
                reversed=bool(entry.get("reversed", False)),
                scale=entry.get("scale"),
            )
        )
    return found


def item_question(raw: RawExport, column: str) -> str:
    """An item's own text: for a matrix or grid column, the row's statement."""
    found = raw.column(column)
    return found.sub or found.header


def _date(value: Any) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError as exc:
        raise MappingIncomplete(
            f"The survey date '{value}' is not a date like 2026-06-30."
        ) from exc


def still_missing(mapping: Mapping, facts: FileFacts | None = None) -> list[str]:
    """What a (possibly user-edited) mapping still lacks before the file can load, in words."""
    checks: list[tuple[str, object]]
    if isinstance(mapping, SurveyMapping):
        checks = [
            ("the mentor being rated", mapping.mentor_column),
            (
                "the response date (or the date the survey closed)",
                mapping.date_column or (facts and facts.survey_date),
            ),
            (
                "who answered (mentee or the mentor themself)",
                mapping.role_column or mapping.fixed_role,
            ),
            (
                "which questions measure which element (or a comment column)",
                any(i.element for i in mapping.items) or mapping.comment_columns,
            ),
        ]
    elif isinstance(mapping, SessionMapping):
        checks = [
            ("the session date", mapping.date),
            ("the mentor", mapping.mentor or mapping.mentor_email),
        ]
    else:
        checks = [("names", mapping.name or mapping.email), ("roles", mapping.role)]
    return [label for label, value in checks if not value]
