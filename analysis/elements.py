"""Detect the four elements in free text (session notes, survey comments) with the editable rubric
in rubric.json: 1 shown, 0 not mentioned, -1 the opposite described, with the sentences behind each
detection. Evaluated column-wise with RE2 regular expressions (pyarrow), never one call per text."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from analysis.errors import MentoringError
from analysis.model import ELEMENTS

RUBRIC_PATH = Path(__file__).with_name("rubric.json")
_SENTENCE = r"[.!?]+(?:\s+|$)|\n+|;\s*|\s+[-–•*]\s+|^\s*[-–•*]\s+"
# A word inside a cue's reach: no punctuation, so "No blame, we debriefed" is not negated.
_WORD = r"[^\s,;:.!?()]+"
_NOTHING = r"\b\B"  # matches nowhere (RE2 has no lookahead)
_NAMED_WORD = re.compile(r"\{([a-z_]+)\}")
_REQUIRED = ("negation_cues", "contrast_cues", "past_cues", "no_longer_cues", "traps", "elements")


def _alternation(patterns: list[str]) -> str:
    return "(?:" + "|".join(f"(?:{p})" for p in patterns) + ")" if patterns else _NOTHING


def _cues(words: list[str]) -> str:
    escaped = [w.replace("'", "['’]") for w in sorted(words, key=len, reverse=True)]
    return r"(?:^|[^\w])(?:" + "|".join(escaped) + r")(?:$|[^\w])"


@dataclass(frozen=True)
class CompiledRubric:
    traps: str
    contrast: str
    past: str
    no_longer_rewrite: str
    no_longer_alone: str
    negated_prefix: str
    wished_prefix: str
    someone_as_object: str
    someone_else_acts: str
    shown: dict[str, dict[float, str]]
    opposite: dict[str, str]
    digest: str


def load_rubric(path: Path | None = None) -> dict[str, Any]:
    """Read and validate a rubric; every problem is named in plain words."""
    source = Path(path) if path else RUBRIC_PATH
    try:
        rubric = json.loads(source.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise MentoringError(f"The rubric {source.name} could not be read: {exc}") from exc
    _compile(json.dumps(rubric, sort_keys=True))
    return rubric


def rubric_hash(rubric: dict[str, Any]) -> str:
    """Changes whenever any phrase, weight or cue changes (stored text is then re-scored)."""
    return hashlib.sha256(json.dumps(rubric, sort_keys=True).encode("utf-8")).hexdigest()


def _check(pattern: str, where: str) -> None:
    try:
        pc.match_substring_regex(pa.array(["x"]), pattern=pattern, ignore_case=True)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        raise MentoringError(f"The rubric pattern {where} is not a valid pattern: {exc}") from exc


def _expander(words: dict[str, str]):
    """Patterns may name a word list as {name} (the rubric's 'words' section)."""

    def expand(pattern: str, where: str) -> str:
        def one(found: re.Match[str]) -> str:
            if found[1] not in words:
                raise MentoringError(
                    f"The rubric pattern {where} uses {{{found[1]}}}, which is not defined "
                    "under 'words'."
                )
            return f"(?:{words[found[1]]})"

        expanded = _NAMED_WORD.sub(one, pattern)
        _check(expanded, where)
        return expanded

    return expand


@lru_cache(maxsize=8)
def _compile(text: str) -> CompiledRubric:
    rubric = json.loads(text)
    for key in _REQUIRED:
        if key not in rubric:
            raise MentoringError(f"The rubric has no '{key}' section.")
    missing = [e for e in ELEMENTS if e not in rubric["elements"]]
    if missing:
        raise MentoringError(f"The rubric has no entry for: {', '.join(missing)}.")
    words = rubric.get("words", {})
    for name, pattern in words.items():
        if _NAMED_WORD.search(pattern):
            raise MentoringError(f"The rubric's word list {{{name}}} may not name another list.")
        _check(pattern, f"'{pattern}' (words, {name})")
    expand = _expander(words)
    shown: dict[str, dict[float, str]] = {}
    opposite: dict[str, str] = {}
    for element in ELEMENTS:
        entry = rubric["elements"][element]
        by_weight: dict[float, list[str]] = {}
        for i, item in enumerate(entry.get("shown", [])):
            pattern, weight = (
                (item, 1.0)
                if isinstance(item, str)
                else (item.get("pattern"), float(item.get("weight", 1)))
            )
            if not isinstance(pattern, str) or not pattern:
                raise MentoringError(
                    f"The rubric's {element} 'shown' entry {i + 1} has no pattern."
                )
            by_weight.setdefault(weight, []).append(
                expand(pattern, f"'{pattern}' ({element}, shown)")
            )
        shown[element] = {w: _alternation(p) for w, p in by_weight.items()}
        patterns = [
            p if isinstance(p, str) else p.get("pattern", "") for p in entry.get("opposite", [])
        ]
        opposite[element] = _alternation(
            [expand(p, f"'{p}' ({element}, opposite)") for p in patterns]
        )
    traps = [expand(t, f"'{t}' (traps)") for t in rubric["traps"]]
    others = rubric.get("someone_else", {})
    someone = _alternation([expand(p, f"'{p}' (someone_else, who)") for p in others.get("who", [])])
    before_object = _cues(others.get("before_object", [])) if others.get("before_object") else ""
    no_longer = "|".join(rubric["no_longer_cues"])
    return CompiledRubric(
        traps=_alternation(traps),
        contrast=r"\s*,?\s*" + _cues(rubric["contrast_cues"]) + r"\s*",
        past=_cues(rubric["past_cues"]),
        no_longer_rewrite=r"(?:used to|solía|früher)\s+([^.!?;\n]{1,80}?),?\s+(?:but|pero|mais|aber)\s+(?:"
        + no_longer
        + ")",
        no_longer_alone=r"^\s*(?:" + no_longer + r")\W*$",
        negated_prefix=_cues(rubric["negation_cues"] + rubric["no_longer_cues"])
        + rf"(?:{_WORD}[ '’]+){{0,3}}",
        wished_prefix=(
            _cues([expand(w, f"'{w}' (wish_cues)") for w in rubric["wish_cues"]])
            + rf"(?:{_WORD}[ '’]+){{0,5}}"
            if rubric.get("wish_cues")
            else _NOTHING
        ),
        someone_as_object=(
            "(" + before_object + r")(" + someone + r")" if before_object else _NOTHING
        ),
        someone_else_acts=r"(?:^|[^\w])(?:" + someone + r")(?:$|[^\w]).*$",
        shown=shown,
        opposite=opposite,
        digest=rubric_hash(rubric),
    )


def _match(values: pa.Array, pattern: str) -> np.ndarray:
    return pc.match_substring_regex(values, pattern=pattern, ignore_case=True).to_numpy(
        zero_copy_only=False
    )


def _join_following_no_longer(
    lowered: pa.Array, owner: np.ndarray, no_longer_alone: str
) -> pa.Array:
    """'We used to debrief. Not anymore.': the bare cue sentence is appended to the sentence before
    it (same text), so the 'used to ..., but not anymore' rewrite reads both as one."""
    alone = _match(lowered, no_longer_alone)
    joins = np.zeros(len(lowered), dtype=bool)
    joins[:-1] = alone[1:] & (owner[1:] == owner[:-1])
    if not joins.any():
        return lowered
    following = pa.concat_arrays([lowered.slice(1), pa.array([""], type=lowered.type)])
    joined = pc.binary_join_element_wise(lowered, following, pa.scalar(", but ", lowered.type))
    return pc.if_else(pa.array(joins), joined, lowered)


@dataclass(frozen=True)
class _Clauses:
    """Every clause of every text, as the rubric reads it, in text order."""

    text: pa.Array
    owner: np.ndarray
    sentence: np.ndarray
    original_sentences: pa.Array


def _clauses(texts: pa.Array, compiled: CompiledRubric) -> _Clauses:
    # Sentences are cut from the original text, so evidence is always a real substring of it; the
    # rewrites below then work on a lowered copy of each sentence.
    sentences = pc.split_pattern_regex(texts, pattern=_SENTENCE)
    original = pc.list_flatten(sentences)
    sentence_owner = pc.list_parent_indices(sentences).to_numpy()
    lowered = pc.replace_substring(pc.utf8_lower(original), "’", "'")
    lowered = _join_following_no_longer(lowered, sentence_owner, compiled.no_longer_alone)
    lowered = pc.replace_substring_regex(
        lowered, pattern=compiled.no_longer_rewrite, replacement=r"no longer \1"
    )
    lowered = pc.replace_substring_regex(lowered, pattern=compiled.traps, replacement=" ~ ")
    # "asks how I get on with my manager": the manager is only talked about, not acting; the
    # underscore keeps the words but stops them reading as someone else acting below.
    if compiled.someone_as_object != _NOTHING:
        lowered = pc.replace_substring_regex(
            lowered, pattern=compiled.someone_as_object, replacement=r"\1_\2"
        )
    clauses = pc.split_pattern_regex(lowered, pattern=compiled.contrast)
    clause_sentence = pc.list_parent_indices(clauses).to_numpy()
    # "Her manager micromanages her": from someone else's name to the end of the clause, what is
    # described is not the mentor's behaviour.
    text = pc.replace_substring_regex(
        pc.list_flatten(clauses), pattern=compiled.someone_else_acts, replacement=" ~ "
    )
    return _Clauses(text, sentence_owner[clause_sentence], clause_sentence, original)


def _readings(clauses: _Clauses, element: str, compiled: CompiledRubric) -> np.ndarray:
    """Per clause: its positive weight (> 0) or -1 for a concern, 0 when it says nothing. Only the
    clauses that contain some phrase of the element go through the negation, wish and past checks."""
    everything = _alternation([*compiled.shown[element].values(), compiled.opposite[element]])
    candidates = np.flatnonzero(_match(clauses.text, everything))
    reading = np.zeros(len(clauses.text))
    if not len(candidates):
        return reading
    text = clauses.text.take(pa.array(candidates))
    positive = np.zeros(len(candidates))
    negated_positive = np.zeros(len(candidates), dtype=bool)
    for weight, pattern in compiled.shown[element].items():
        hit = _match(text, pattern)
        flipped = _match(text, compiled.negated_prefix + pattern) if hit.any() else hit
        positive = np.maximum(positive, np.where(hit & ~flipped, weight, 0.0))
        negated_positive |= flipped
    opposite = _match(text, compiled.opposite[element])
    negated_opposite = (
        _match(text, compiled.negated_prefix + compiled.opposite[element])
        if opposite.any()
        else opposite
    )
    positive = np.maximum(positive, np.where(negated_opposite, 1.0, 0.0))
    # "I'd like more stretch": a wish or a plan describes nothing the mentor did. A clause with both
    # a phrase and its opposite reads as the opposite ("people stuff never comes up").
    positive[_match(text, compiled.wished_prefix + everything)] = 0.0
    negative = (opposite & ~negated_opposite) | (negated_positive & (positive == 0))
    said = np.where(negative, -1.0, positive)
    said[_match(text, compiled.past)] = 0.0
    reading[candidates] = said
    return reading


def _decide(reading: np.ndarray, owner: np.ndarray, n: int) -> np.ndarray:
    """A text's value from its clauses: shown when the weights reach 1 and nothing contradicts it,
    a concern when only concerns were said, and the last clause that said something when both."""
    said = np.flatnonzero(reading != 0)
    value = np.zeros(n, dtype=np.int8)
    if not len(said):
        return value
    who = owner[said]
    weight = np.where(reading[said] > 0, reading[said], 0.0)
    shown = np.bincount(who, weights=weight, minlength=n) >= 1.0
    concern = np.bincount(who, weights=(reading[said] < 0), minlength=n) > 0
    last = np.zeros(n, dtype=np.int8)
    ends = np.flatnonzero(np.append(who[1:] != who[:-1], True))
    last[who[ends]] = np.sign(reading[said][ends]).astype(np.int8)
    value[shown & ~concern] = 1
    value[concern & ~shown] = -1
    both = shown & concern
    value[both] = last[both]
    return value


def _evidence(reading: np.ndarray, value: np.ndarray, clauses: _Clauses, n: int) -> np.ndarray:
    """The original sentences whose clauses agree with the text's value, joined with ' … '."""
    evidence = np.full(n, "", dtype=object)
    agrees = (
        (reading != 0) & (np.sign(reading) == value[clauses.owner]) & (value[clauses.owner] != 0)
    )
    sentences = np.unique(clauses.sentence[agrees])
    if not len(sentences):
        return evidence
    owners = clauses.owner[np.searchsorted(clauses.sentence, sentences)]
    spans = pc.utf8_trim_whitespace(clauses.original_sentences.take(pa.array(sentences)))
    starts = np.flatnonzero(np.insert(owners[1:] != owners[:-1], 0, True))
    offsets = pa.array(np.append(starts, len(sentences)).astype(np.int32))
    joined = pc.binary_join(pa.ListArray.from_arrays(offsets, spans), pa.scalar(" … ", spans.type))
    evidence[owners[starts]] = np.asarray(joined.to_numpy(zero_copy_only=False), dtype=object)
    return evidence


def classify_frame(df: pd.DataFrame, rubric: dict[str, Any] | None = None) -> pd.DataFrame:
    """One row per text and element: text_id, element, value (-1, 0, 1), evidence (the sentences
    that produced a non-zero value, '' otherwise)."""
    compiled = _compile(json.dumps(rubric if rubric is not None else load_rubric(), sort_keys=True))
    ids = df["text_id"].to_numpy()
    texts = pa.array(df["text"].fillna("").astype(str).tolist(), type=pa.large_string())
    n = len(texts)
    clauses = _clauses(texts, compiled)
    values = np.zeros((n, len(ELEMENTS)), dtype=np.int8)
    evidence = np.full((n, len(ELEMENTS)), "", dtype=object)
    for column, element in enumerate(ELEMENTS):
        reading = _readings(clauses, element, compiled)
        values[:, column] = _decide(reading, clauses.owner, n)
        evidence[:, column] = _evidence(reading, values[:, column], clauses, n)
    return pd.DataFrame(
        {
            "text_id": np.repeat(ids, len(ELEMENTS)),
            "element": np.tile(np.asarray(ELEMENTS, dtype=object), n),
            "value": values.ravel(),
            "evidence": evidence.ravel(),
        }
    )


def classify_records(
    texts: list[str], rubric: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    """The `python -m analysis classify` shape: text, elements {e: -1|0|1}, evidence {e: [spans]}."""
    frame = classify_frame(pd.DataFrame({"text_id": range(len(texts)), "text": texts}), rubric)
    records = []
    for position, text in enumerate(texts):
        part = frame[frame["text_id"] == position].set_index("element")
        records.append(
            {
                "text": text,
                "elements": {e: int(part.at[e, "value"]) for e in ELEMENTS},
                "evidence": {
                    e: [s for s in str(part.at[e, "evidence"]).split(" … ") if s] for e in ELEMENTS
                },
            }
        )
    return records
