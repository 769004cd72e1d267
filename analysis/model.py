"""The four elements of good mentoring and the thresholds every number is computed with."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

ELEMENTS: tuple[str, ...] = ("trust", "risk", "learning", "relationship")

ELEMENT_LABELS: dict[str, str] = {
    "trust": "Trust & confidence",
    "risk": "Risk-taking",
    "learning": "Learning from everything",
    "relationship": "Process & relationship",
}

ELEMENT_DESCRIPTIONS: dict[str, str] = {
    "trust": "States the result and the deadline, then lets the mentee own it; no hovering.",
    "risk": "Pushes the mentee into stretch work they doubt they can do, and backs them.",
    "learning": "Blameless debriefs after successes and failures: what will you do differently?",
    "relationship": "Attends to how the work is done, how the mentee works with people, "
    "how the mentoring itself is going; paying it forward.",
}

# The sources every figure is reported under, each as itself (never pooled into one ratio).
SOURCE_LABELS: dict[str, str] = {
    "mentee_rating": "Mentees' ratings",
    "session_note": "Session notes",
    "self_assessment": "Mentors' self-assessments",
    "comment": "Survey comments",
}

# Where an observation was read (its `source`), as the list of what feeds each element names it:
# one row per survey question, one for all session notes, one for all survey comments.
OBSERVATION_SOURCE_LABELS: dict[str, str] = {
    "survey_item": "Survey question",
    "session_note": "Session notes",
    "survey_comment": "Survey comments",
}

# The same, as one piece of evidence is named where the evidence behind a figure is listed.
EVIDENCE_LABELS: dict[str, str] = {
    "survey_item": "survey answer",
    "survey_comment": "survey comment",
    "session_note": "session note",
}


@dataclass(frozen=True)
class Settings:
    """Every threshold in one place; pages and the command line read these, never literals."""

    favourable_threshold: float = 0.75
    min_observations_per_mentor: int = 3
    mentor_shown_share: float = 0.5
    anonymity_min: int = 5
    active_pair_days: int = 30
    at_risk_days: int = 45


DEFAULT_SETTINGS = Settings()


@dataclass(frozen=True)
class Treated:
    """Whom a programme event applied to: mentors in these segments (values within a key are
    OR-ed, keys AND-ed, as in the sidebar), and/or these mentors by email."""

    departments: tuple[str, ...] = ()
    cohorts: tuple[str, ...] = ()
    locations: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()

    def describe(self) -> str:
        parts = [
            f"{label}: {', '.join(values)}"
            for label, values in (
                ("department", self.departments),
                ("cohort", self.cohorts),
                ("location", self.locations),
            )
            if values
        ]
        if self.emails:
            parts.append(f"{len(self.emails)} mentors listed by email")
        return "; ".join(parts) or "nobody"

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Treated:
        data = json.loads(text)
        return cls(**{k: tuple(v) for k, v in data.items() if k in cls.__dataclass_fields__})

    def members(self, mentors: pd.DataFrame) -> set[str]:
        """The ids of the `mentors` (a DataFrame: mentor_id, mentor_email, department, cohort,
        location) it applied to."""
        import pandas as pd

        in_segments = bool(self.departments or self.cohorts or self.locations)
        chosen = pd.Series(in_segments, index=mentors.index)
        for column, values in (
            ("department", self.departments),
            ("cohort", self.cohorts),
            ("location", self.locations),
        ):
            if values:
                chosen &= mentors[column].isin(values)
        if self.emails:
            listed = {e.strip().casefold() for e in self.emails}
            chosen |= mentors["mentor_email"].fillna("").str.casefold().isin(listed)
        return set(mentors.loc[chosen, "mentor_id"])
