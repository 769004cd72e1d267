"""The four elements of good mentoring and the thresholds every number is computed with."""

from __future__ import annotations

from dataclasses import dataclass

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

SOURCES: tuple[str, ...] = ("survey_item", "survey_comment", "session_note")

RESPONDENT_ROLES: tuple[str, ...] = ("mentee", "mentor_self")


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
