"""Detect the four elements in free text (session notes, survey comments) with the editable rubric
in rubric.json: 1 shown, 0 not mentioned, -1 the opposite described, with the sentences behind each
detection. Evaluated column-wise with RE2 regular expressions (pyarrow), never one call per text."""

from __future__ import annotations

import hashlib
import json
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
# A word inside a negation's reach: no punctuation, so "No blame, we debriefed" is not negated.
_WORD = r"[^\s,;:.!?()]+"


def _alternation(patterns: list[str]) -> str:
    return "(?:" + "|".join(f"(?:{p})" for p in patterns) + ")"


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


@lru_cache(maxsize=8)
def _compile(text: str) -> CompiledRubric:
    rubric = json.loads(text)
    for key in (
        "negation_cues",
        "contrast_cues",
        "past_cues",
        "no_longer_cues",
        "traps",
        "elements",
    ):
        if key not in rubric:
            raise MentoringError(f"The rubric has no '{key}' section.")
    missing = [e for e in ELEMENTS if e not in rubric["elements"]]
    if missing:
        raise MentoringError(f"The rubric has no entry for: {', '.join(missing)}.")
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
            _check(pattern, f"'{pattern}' ({element}, shown)")
            by_weight.setdefault(weight, []).append(pattern)
        shown[element] = {w: _alternation(p) for w, p in by_weight.items()}
        patterns = [
            p if isinstance(p, str) else p.get("pattern", "") for p in entry.get("opposite", [])
        ]
        for pattern in patterns:
            _check(pattern, f"'{pattern}' ({element}, opposite)")
        opposite[element] = _alternation(patterns) if patterns else "(?!x)x"
    for trap in rubric["traps"]:
        _check(trap, f"'{trap}' (traps)")
    negation = _cues(rubric["negation_cues"] + rubric["no_longer_cues"])
    return CompiledRubric(
        traps=_alternation(rubric["traps"]),
        contrast=r"\s*,?\s*" + _cues(rubric["contrast_cues"]) + r"\s*",
        past=_cues(rubric["past_cues"]),
        no_longer_rewrite=r"(?:used to|solía|früher)\s+([^.!?;\n]{1,80}?),?\s+(?:but|pero|mais|aber)\s+(?:"
        + "|".join(rubric["no_longer_cues"])
        + ")",
        no_longer_alone=r"^\s*(?:" + "|".join(rubric["no_longer_cues"]) + r")\W*$",
        negated_prefix=negation + rf"(?:{_WORD}[ '’]+){{0,3}}",
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


def classify_frame(df: pd.DataFrame, rubric: dict[str, Any] | None = None) -> pd.DataFrame:
    """One row per text and element: text_id, element, value (-1, 0, 1), evidence (the sentences
    that produced a non-zero value, '' otherwise)."""
    compiled = _compile(json.dumps(rubric if rubric is not None else load_rubric(), sort_keys=True))
    ids = df["text_id"].to_numpy()
    texts = pa.array(df["text"].fillna("").astype(str).tolist(), type=pa.large_string())
    n = len(texts)
    # Sentences are cut from the original text, so evidence is always a real substring of it; the
    # rewrites below then work on a lowered copy of each sentence.
    sentences = pc.split_pattern_regex(texts, pattern=_SENTENCE)
    original_flat = pc.list_flatten(sentences)
    sentence_owner = pc.list_parent_indices(sentences).to_numpy()
    lowered = pc.utf8_lower(original_flat)
    lowered = _join_following_no_longer(lowered, sentence_owner, compiled.no_longer_alone)
    lowered = pc.replace_substring_regex(
        lowered, pattern=compiled.no_longer_rewrite, replacement=r"no longer \1"
    )
    sentence_text = pc.replace_substring_regex(lowered, pattern=compiled.traps, replacement=" ~ ")
    clauses = pc.split_pattern_regex(sentence_text, pattern=compiled.contrast)
    clause_text = pc.list_flatten(clauses)
    clause_sentence = pc.list_parent_indices(clauses).to_numpy()
    clause_owner = sentence_owner[clause_sentence]
    order = np.arange(len(clause_text))
    in_past = _match(clause_text, compiled.past)
    originals = (
        np.asarray(original_flat.to_pylist(), dtype=object)
        if len(clause_text)
        else np.array([], dtype=object)
    )

    frames = []
    for element in ELEMENTS:
        positive = np.zeros(len(clause_text))
        negated_positive = np.zeros(len(clause_text), dtype=bool)
        for weight, pattern in compiled.shown[element].items():
            hit = _match(clause_text, pattern)
            flipped = _match(clause_text, compiled.negated_prefix + pattern) if hit.any() else hit
            positive = np.maximum(positive, np.where(hit & ~flipped, weight, 0.0))
            negated_positive |= flipped
        opposite = _match(clause_text, compiled.opposite[element])
        negated_opposite = (
            _match(clause_text, compiled.negated_prefix + compiled.opposite[element])
            if opposite.any()
            else opposite
        )
        positive = np.maximum(positive, np.where(negated_opposite, 1.0, 0.0))
        negative = ((opposite & ~negated_opposite) | negated_positive) & (positive == 0)
        positive[in_past] = 0.0
        negative[in_past] = False
        sign = np.where(positive > 0, 1, np.where(negative, -1, 0))
        clauses_frame = pd.DataFrame(
            {
                "owner": clause_owner,
                "order": order,
                "weight": positive,
                "sign": sign,
                "sentence": clause_sentence,
            }
        )
        said = clauses_frame[clauses_frame["sign"] != 0]
        grouped = said.groupby("owner")
        score = grouped["weight"].sum()
        concerns = (said["sign"] < 0).groupby(said["owner"]).sum()
        last = said.sort_values("order").groupby("owner")["sign"].last()
        value = np.zeros(n, dtype=np.int8)
        if len(said):
            owners = score.index.to_numpy()
            pos = score.to_numpy() >= 1.0
            neg = concerns.reindex(score.index).to_numpy() > 0
            final = np.where(
                pos & ~neg,
                1,
                np.where(
                    neg & ~pos, -1, np.where(pos & neg, last.reindex(score.index).to_numpy(), 0)
                ),
            )
            value[owners] = final
        evidence = np.full(n, "", dtype=object)
        if len(said):
            said = said.assign(final=value[said["owner"].to_numpy()])
            chosen = said[(said["sign"] == said["final"]) & (said["final"] != 0)].drop_duplicates(
                ["owner", "sentence"]
            )
            if len(chosen):
                spans = pd.DataFrame(
                    {
                        "owner": chosen["owner"].to_numpy(),
                        "text": pd.Series(originals[chosen["sentence"].to_numpy()], dtype="string")
                        .str.strip()
                        .to_numpy(dtype=object),
                    }
                )
                # Most texts give one sentence per element: place those directly, and join only
                # the texts with several (a groupby join per text is a Python call per text).
                several = spans["owner"].duplicated(keep=False).to_numpy()
                single = spans[~several]
                evidence[single["owner"].to_numpy()] = single["text"].to_numpy()
                if several.any():
                    joined = spans[several].groupby("owner", sort=False)["text"].agg(" … ".join)
                    evidence[joined.index.to_numpy()] = joined.to_numpy()
        frames.append(
            pd.DataFrame({"text_id": ids, "element": element, "value": value, "evidence": evidence})
        )
    result = pd.concat(frames, ignore_index=True)
    order_of = {e: i for i, e in enumerate(ELEMENTS)}
    result["_position"] = np.tile(np.arange(n), len(ELEMENTS))
    result = result.sort_values(
        ["_position", "element"], key=lambda s: s.map(order_of) if s.name == "element" else s
    )
    return result.drop(columns="_position").reset_index(drop=True)


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
