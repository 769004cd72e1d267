"""Participant rosters: who is a mentor or a mentee, with department, location and cohort, and
which mentor each mentee is paired with."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from analysis.ingest.mapping import MappingSuggestion, RosterMapping
from analysis.ingest.readers import RawExport, SetAside, parse_dates

_CUES: list[tuple[str, re.Pattern[str]]] = [
    ("mentor", re.compile(r"\bmentor\b.*(email|name)|^mentor$|assigned mentor")),
    ("started_on", re.compile(r"start|joined|paired|since")),
    ("email", re.compile(r"e-?mail")),
    ("role", re.compile(r"\brole\b|\btype\b|participant")),
    ("department", re.compile(r"department|dept|team|division|function")),
    ("location", re.compile(r"location|office|site|region|country|city")),
    ("cohort", re.compile(r"cohort|intake|programme|program")),
    ("name", re.compile(r"name")),
]


@dataclass
class ParsedRoster:
    people: pd.DataFrame
    rejected: pd.DataFrame
    rows_read: int


def suggest_roster_mapping(raw: RawExport) -> MappingSuggestion:
    mapping = RosterMapping()
    for column in raw.columns:
        text = column.text.lower().strip()
        for role, cue in _CUES:
            if getattr(mapping, role) is None and cue.search(text):
                setattr(mapping, role, column.key)
                break
    missing = [
        label
        for label, value in (("names", mapping.name or mapping.email), ("roles", mapping.role))
        if value is None
    ]
    return MappingSuggestion(mapping, missing, [])


def _role(value: str) -> str | None:
    lowered = value.strip().casefold()
    if "mentee" in lowered or "protég" in lowered or "protege" in lowered:
        return "mentee"
    if "mentor" in lowered:
        return "mentor"
    return None


def parse_roster(raw: RawExport, mapping: RosterMapping) -> ParsedRoster:
    frame = raw.frame
    empty = pd.Series("", index=frame.index, dtype="string")

    def column(key: str | None) -> pd.Series:
        return frame[key].str.strip() if key else empty

    name, email = column(mapping.name), column(mapping.email)
    role = column(mapping.role).map(_role)
    problems = pd.Series("", index=frame.index)
    problems = problems.mask((name == "") & (email == ""), "no name or email")
    problems = problems.mask(
        role.isna() & (problems == ""), "the role is neither Mentor nor Mentee"
    )
    set_aside = SetAside(raw)
    set_aside.add(
        problems.index[problems != ""],
        None,
        lambda r: f"Row {r}: {problems[r]}",
        frame[mapping.role] if mapping.role else None,
    )
    keep = set_aside.kept(frame.index)
    started = (
        parse_dates(frame[mapping.started_on], raw.format, [])
        if mapping.started_on
        else pd.Series(pd.NaT, index=frame.index)
    )
    people = pd.DataFrame(
        {
            "name": name.where(name != "", email.str.split("@").str[0]).loc[keep],
            "email": email.where(email != "", None).loc[keep],
            "role": role.loc[keep],
            "department": column(mapping.department).replace("", None).loc[keep],
            "location": column(mapping.location).replace("", None).loc[keep],
            "cohort": column(mapping.cohort).replace("", None).loc[keep],
            "mentor_ref": column(mapping.mentor).loc[keep],
            "started_on": started.loc[keep].dt.date,
        }
    ).reset_index(drop=True)
    return ParsedRoster(
        people,
        set_aside.frame(),
        len(frame) + len(raw.rejected),
    )
