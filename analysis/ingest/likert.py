"""Answer scales: recognise agreement, frequency and numeric scales column by column, rescale
answers to 0..1, and never guess: non-answers are left out, unknown labels are reported."""

from __future__ import annotations

import re

import pandas as pd

NON_ANSWERS = frozenset(
    {
        "",
        "n/a",
        "na",
        "n.a.",
        "not applicable",
        "prefer not to say",
        "prefer not to answer",
        "don't know",
        "do not know",
        "dont know",
        "don't know / not sure",
        "no answer",
        "-",
    }
)

_AGREE5 = ["strongly disagree", "disagree", "neither agree nor disagree", "agree", "strongly agree"]
_AGREE7 = [
    "strongly disagree",
    "disagree",
    "somewhat disagree",
    "neither agree nor disagree",
    "somewhat agree",
    "agree",
    "strongly agree",
]
_FREQUENCY5 = ["never", "rarely", "sometimes", "often", "always"]
_EXTENT5 = [
    "not at all",
    "to a small extent",
    "to some extent",
    "to a great extent",
    "to a very great extent",
]

SCALES: dict[str, dict[str, int]] = {
    "agree5": {label: i + 1 for i, label in enumerate(_AGREE5)}
    | {"neutral": 3, "neither agree or disagree": 3, "neither": 3},
    "agree7": {label: i + 1 for i, label in enumerate(_AGREE7)}
    | {
        "slightly disagree": 3,
        "slightly agree": 5,
        "neutral": 4,
        "neither agree or disagree": 4,
        "mildly disagree": 3,
        "mildly agree": 5,
    },
    "frequency5": {label: i + 1 for i, label in enumerate(_FREQUENCY5)}
    | {
        "seldom": 2,
        "almost never": 2,
        "occasionally": 3,
        "frequently": 4,
        "usually": 4,
        "very often": 4,
        "almost always": 5,
    },
    # "To what extent does your mentor ...": the wordings survey tools and HR instruments use
    "extent5": {label: i + 1 for i, label in enumerate(_EXTENT5)}
    | {
        "to a little extent": 2,
        "to a slight extent": 2,
        "to a limited extent": 2,
        "to a moderate extent": 3,
        "to a large extent": 4,
        "to a considerable extent": 4,
        "to a very large extent": 5,
        "to a full extent": 5,
        "completely": 5,
    },
}
SCALE_RANGE: dict[str, tuple[int, int]] = {
    "agree5": (1, 5),
    "agree7": (1, 7),
    "frequency5": (1, 5),
    "extent5": (1, 5),
    "numeric5": (1, 5),
    "numeric7": (1, 7),
    "numeric10": (0, 10),
}
SCALE_NAMES = {
    "agree5": "the 5-point agreement scale",
    "agree7": "the 7-point agreement scale",
    "frequency5": "the frequency scale (Never to Always)",
    "extent5": "the extent scale (Not at all to To a very great extent)",
    "numeric5": "the 1-5 scale",
    "numeric7": "the 1-7 scale",
    "numeric10": "the 0-10 scale",
}
# "5 - Agree", "5. Agree", "5) Agree"; not a decimal or a date such as "39.7392" or "04.05.2026"
_PREFIX = re.compile(r"^\s*(\d{1,2})\s*(?:[-=:)]|\.(?!\d))\s*(.*)$")


def normalise(values: pd.Series) -> pd.Series:
    """Case, spacing, curly quotes forgiven; a leading '5 - ' kept as the number only when the
    rest is empty."""
    text = values.astype("string").fillna("")
    text = text.str.replace("\u2019", "'", regex=False).str.replace("\u2018", "'", regex=False)
    return text.str.strip().str.casefold().str.replace(r"\s+", " ", regex=True)


def scale_labels(scale: str) -> list[str]:
    """The answers of a labelled scale from its bottom to its top, as a person reads them
    ("Strongly disagree" ... "Strongly agree"); empty for a numeric scale."""
    ordered = {
        "agree5": _AGREE5,
        "agree7": _AGREE7,
        "frequency5": _FREQUENCY5,
        "extent5": _EXTENT5,
    }.get(scale, [])
    return [label[0].upper() + label[1:] for label in ordered]


def answer_labels(values: pd.Series) -> pd.Series:
    """Each answer as the scale's label it carries, normalised ("5 - Agree" -> "agree")."""
    return _label_part(normalise(values))


def _numeric_part(text: pd.Series) -> pd.Series:
    prefixed = text.str.extract(_PREFIX)[0]
    plain = text.where(text.str.fullmatch(r"\d{1,2}(\.0)?").fillna(False))
    return pd.to_numeric(plain.fillna(prefixed), errors="coerce")


def _label_part(text: pd.Series) -> pd.Series:
    rest = text.str.extract(_PREFIX)[1]
    return rest.where(rest.notna() & (rest.str.len() > 0), text)


def _hint(header: str) -> str | None:
    lowered = header.lower()
    if re.search(r"\b0\s*(-|to|–)\s*10\b|\b0\s*=|out of 10|\b10\s*=", lowered):
        return "numeric10"
    if re.search(r"\b1\s*(-|to|–)\s*7\b|\b7\s*=", lowered):
        return "numeric7"
    if re.search(r"\b1\s*(-|to|–)\s*5\b|\b5\s*=", lowered):
        return "numeric5"
    return None


def detect_scale(values: pd.Series, header: str = "") -> str | None:
    """The scale a column's answers are on, or None when it is not a scale question."""
    text = normalise(values)
    answered = text[~text.isin(NON_ANSWERS)]
    if answered.empty:
        return None
    labels = _label_part(answered)
    numbers = _numeric_part(answered)
    if numbers.notna().all() and (labels == answered).all():
        hint = _hint(header)
        if hint:
            return hint
        low, high = numbers.min(), numbers.max()
        if numbers.mod(1).ne(0).any() or low < 0 or high > 10:
            return None
        if low == 0 or high > 7:
            return "numeric10"
        return "numeric7" if high > 5 else "numeric5"
    distinct = set(labels.unique())
    if len(distinct) > 12:
        return None
    best, best_share = None, 0.0
    for scale in ("agree5", "agree7", "frequency5", "extent5"):
        known = labels.isin(SCALES[scale].keys()).mean()
        if scale == "agree7" and not any(
            lab.startswith(("somewhat", "slightly", "mildly")) for lab in distinct
        ):
            known -= 0.01  # prefer the 5-point reading when no 7-point label is present
        if known > best_share:
            best, best_share = scale, known
    if best is not None and best_share >= 0.6:
        return best
    if numbers.notna().mean() >= 0.6:
        return _hint(header) or (
            "numeric10" if numbers.max() > 7 else "numeric7" if numbers.max() > 5 else "numeric5"
        )
    return None


def score(values: pd.Series, scale: str) -> tuple[pd.Series, pd.Series]:
    """(score_01, unknown): score_01 = (value - min) / (max - min), NaN for non-answers;
    unknown is True where a cell holds something that is not an answer on this scale."""
    low, high = SCALE_RANGE[scale]
    text = normalise(values)
    non_answer = text.isin(NON_ANSWERS)
    if scale.startswith("numeric"):
        value = _numeric_part(text)
    else:
        mapping = SCALES[scale]
        value = _label_part(text).map(mapping).astype("Float64")
        value = value.fillna(_numeric_part(text).astype("Float64"))
    value = value.where((value >= low) & (value <= high))
    unknown = value.isna() & ~non_answer
    scored = ((value - low) / (high - low)).astype("float64")
    return scored.where(~non_answer), unknown.astype(bool)
