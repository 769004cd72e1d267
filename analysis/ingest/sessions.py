"""Session logs from mentoring platforms or spreadsheets: match columns flexibly, normalise
durations and formats, set aside rows without a readable date or a mentor."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from analysis.ingest.identity import per_value
from analysis.ingest.mapping import MappingSuggestion, SessionMapping
from analysis.ingest.readers import RawExport, SetAside, parse_dates

_CUES: dict[str, re.Pattern[str]] = {
    "session_id": re.compile(r"^(session|meeting|activity)?\s*id$|session id|meeting id"),
    "date": re.compile(r"\b(date|day|when|start(ed)?( time)?)\b"),
    "mentor_email": re.compile(r"mentor.*e-?mail"),
    "mentor": re.compile(r"\bmentor\b"),
    "mentee": re.compile(r"\b(mentee|protege|protégé)\b"),
    "duration": re.compile(r"\b(duration|minutes|mins?|length|hours)\b"),
    "format": re.compile(r"\b(format|type|mode|channel|medium)\b"),
    "notes": re.compile(
        r"\b(notes?|topics?|tags?|summary|discussed|agenda|comments?|reflection)\b"
    ),
}
FORMATS = {
    "in person": re.compile(r"in[- ]?person|face|office|onsite|on-site|coffee|lunch"),
    "video": re.compile(r"video|zoom|teams|meet|webex|virtual|online|call"),
    "chat": re.compile(r"chat|slack|message|text"),
    "phone": re.compile(r"phone|telephone"),
}


@dataclass
class ParsedSessions:
    sessions: pd.DataFrame
    rejected: pd.DataFrame
    rows_read: int
    notes: list[str] = field(default_factory=list)


def suggest_session_mapping(raw: RawExport) -> MappingSuggestion:
    mapping = SessionMapping()
    for column in raw.columns:
        text = column.text.lower().strip()
        for role in (
            "session_id",
            "mentor_email",
            "mentee",
            "mentor",
            "duration",
            "format",
            "date",
        ):
            if getattr(mapping, role) is None and _CUES[role].search(text):
                if role == "mentor" and ("mentee" in text or "email" in text):
                    continue
                if role == "date" and ("mentor" in text or "mentee" in text):
                    continue
                setattr(mapping, role, column.key)
                break
        else:
            if _CUES["notes"].search(text):
                mapping.notes.append(column.key)
    missing = [
        label
        for label, value in (
            ("the session date", mapping.date),
            ("the mentor", mapping.mentor or mapping.mentor_email),
        )
        if value is None
    ]
    return MappingSuggestion(mapping, missing, [])


def parse_minutes(values: pd.Series) -> pd.Series:
    """'45', '45 min', '1h 30m', '1.5 hours', '0:45' -> minutes (NaN when unreadable)."""
    text = values.astype("string").str.strip().str.lower()
    hours = pd.to_numeric(text.str.extract(r"(\d+(?:\.\d+)?)\s*h")[0], errors="coerce")
    minutes = pd.to_numeric(text.str.extract(r"(\d+)\s*m")[0], errors="coerce")
    clock = text.str.extract(r"^(\d{1,2}):(\d{2})(?::\d{2})?$")
    clock_minutes = pd.to_numeric(clock[0], errors="coerce") * 60 + pd.to_numeric(
        clock[1], errors="coerce"
    )
    plain = pd.to_numeric(
        text.where(text.str.fullmatch(r"\d+(\.\d+)?").fillna(False)), errors="coerce"
    )
    from_units = hours.fillna(0) * 60 + minutes.fillna(0)
    from_units = from_units.where(hours.notna() | minutes.notna())
    return plain.fillna(clock_minutes).fillna(from_units).astype("float64")


def _format_of(value: str) -> str | None:
    lowered = value.strip().lower()
    if not lowered:
        return None
    for name, pattern in FORMATS.items():
        if pattern.search(lowered):
            return name
    return "other"


def parse_sessions(
    raw: RawExport, mapping: SessionMapping, progress: Callable[[float], None] | None = None
) -> ParsedSessions:
    frame = raw.frame
    notes: list[str] = []
    set_aside = SetAside(raw)
    empty = pd.Series("", index=frame.index, dtype="string")
    dates = (
        parse_dates(frame[mapping.date], raw.format, notes)
        if mapping.date
        else pd.Series(pd.NaT, index=frame.index)
    )
    if mapping.date:
        set_aside.add(
            dates.index[dates.isna()],
            raw.column(mapping.date).text,
            lambda r: f"Row {r}: the date '{frame.at[r, mapping.date]}' could not be read",
            frame[mapping.date],
        )
    mentor = frame[mapping.mentor].str.strip() if mapping.mentor else empty
    mentor_email = frame[mapping.mentor_email].str.strip() if mapping.mentor_email else empty
    set_aside.add(
        frame.index[(mentor == "") & (mentor_email == "")],
        None,
        lambda r: f"Row {r}: no mentor is named",
        None,
    )
    minutes = (
        parse_minutes(frame[mapping.duration])
        if mapping.duration
        else pd.Series(float("nan"), index=frame.index)
    )
    if mapping.duration:
        given = frame[mapping.duration].str.strip() != ""
        odd = given & (minutes.isna() | (minutes < 0) | (minutes > 480))
        set_aside.add(
            frame.index[odd],
            raw.column(mapping.duration).text,
            lambda r: (
                f"Row {r}: the duration '{frame.at[r, mapping.duration]}' is not between 0 minutes and 8 hours"
            ),
            frame[mapping.duration],
        )
    text = empty
    for key in mapping.notes:
        part = frame[key].str.strip()
        text = text.where(part == "", text.where(text == "", text + "\n") + part)
    keep = set_aside.kept(frame.index)
    sessions = pd.DataFrame(
        {
            "session_ref": (
                frame[mapping.session_id].str.strip() if mapping.session_id else empty
            ).loc[keep],
            "session_date": dates.loc[keep].dt.date,
            "mentor_ref": mentor.where(mentor != "", mentor_email).loc[keep],
            "mentor_email": mentor_email.where(mentor_email != "", None).loc[keep],
            "mentee_ref": (frame[mapping.mentee].str.strip() if mapping.mentee else empty).loc[
                keep
            ],
            "duration_min": minutes.loc[keep],
            "format": (
                per_value(frame[mapping.format], _format_of)
                if mapping.format
                else pd.Series(None, index=frame.index)
            ).loc[keep],
            "notes": text.loc[keep],
        }
    ).reset_index(drop=True)
    sessions["session_ref"] = sessions["session_ref"].where(sessions["session_ref"] != "", None)
    if progress:
        progress(1.0)
    return ParsedSessions(
        sessions,
        set_aside.frame(),
        len(frame) + len(raw.rejected),
        notes,
    )
