"""Fit the reader's learned part (analysis/word_model.json) from the hand-labelled texts: per element,
a logistic regression for 'shown' (label 1) and one for 'opposite' (label -1) over the words and word
pairs of the clauses as the rubric reads them (traps and someone else's behaviour removed; no clause
about the past; no wish or plan for 'shown'), with class weights. The threshold each model reads
from is chosen by cross-validation inside the training texts, for the best F0.5 (precision weighs
twice as much as recall: the model speaks only where the phrases found nothing, where most texts
show nothing) among the thresholds at which at least min_precision of its readings were right; a
model without such a threshold gives no readings (threshold 1). Deterministic: the same labelled texts, rubric and settings give the same file.
Never reads the frozen test split.

    .venv/bin/python bench/train_reader.py           # writes analysis/word_model.json
    .venv/bin/python bench/train_reader.py --check   # exit 1 if the shipped file differs
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import scipy.sparse as sparse
from scipy.optimize import minimize

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analysis import elements  # noqa: E402
from analysis.model import ELEMENTS  # noqa: E402
from bench.classify_quality import LABELLED_PATH, load_generalisation, load_labelled  # noqa: E402

SETTINGS = {
    # chosen by cross-validation inside the blind-written dev split (C 0.1 / 0.3 / 1 / 3; words
    # alone, pairs, letter n-grams; negation reach 0 / 4), never on the frozen split
    "inverse_regularisation": 0.3,
    "min_texts_per_term": 2,
    "negation_reach": 4,
    "folds": 5,
    "repeats": 3,
    "thresholds": [round(t, 2) for t in np.arange(0.30, 0.96, 0.05)],
    "threshold_beta": 0.5,
    "min_precision": 0.65,
    "min_readings": 5,
    "decimals": 4,
}
# The rubric's sections that shape the clauses and words the model sees (not its phrases: they
# can be edited without refitting).
CLAUSE_SECTIONS = (
    "words",
    "traps",
    "someone_else",
    "contrast_cues",
    "past_cues",
    "no_longer_cues",
    "negation_cues",
    "wish_cues",
)
COLUMNS = [f"{e} {side}" for e in ELEMENTS for side in ("shown", "opposite")]


def training_texts() -> pd.DataFrame:
    """The blind-written set's dev split and the whole old labelled set (never the frozen split)."""
    dev = load_generalisation("dev").assign(source="blind-written dev")
    old = load_labelled().assign(source="old set")
    columns = ["text", *ELEMENTS, "source"]
    return pd.concat([dev[columns], old[columns]], ignore_index=True)


def negation_words(rubric: dict[str, Any]) -> list[str]:
    """The rubric's negation cues that are single words ("never", "didn't", "jamais")."""
    cues = (c.replace("’", "'") for c in rubric["negation_cues"] + rubric["no_longer_cues"])
    return sorted({c for c in cues if c.replace("'", "").isalpha()})


def inputs_checksum(texts: pd.DataFrame, rubric: dict[str, Any]) -> str:
    """Of everything the weights are fitted from: labelled texts, clause rules and settings."""
    digest = hashlib.sha256()
    digest.update(texts[["text", *ELEMENTS]].to_csv(index=False).encode("utf-8"))
    sections = {k: rubric.get(k) for k in CLAUSE_SECTIONS}
    digest.update(json.dumps([sections, SETTINGS], sort_keys=True).encode("utf-8"))
    return digest.hexdigest()


@dataclass(frozen=True)
class Features:
    """Per text, how often each term occurs in the clauses the 'shown' and 'opposite' models
    read; a term is a word or 'first second' for a word pair."""

    terms: list[str]
    shown: sparse.csr_matrix
    opposite: sparse.csr_matrix


def features(texts: list[str], rubric: dict[str, Any], reach: int) -> Features:
    """The reader's own clause and word steps (analysis.elements), summed per text."""
    compiled = elements._compile(json.dumps({**rubric, "learned": False}, sort_keys=True))
    array = pa.array(texts, type=pa.large_string())
    sentences = pc.split_pattern_regex(array, pattern=elements._SENTENCE)
    original = pc.list_flatten(sentences)
    owner = pc.list_parent_indices(sentences).to_numpy()
    lowered, unit = elements._distinct_sentences(original, owner, compiled.no_longer_alone)
    clauses = elements._clauses(lowered, compiled)
    bare = elements.bare_words(clauses.words)
    words = sorted(set(bare.to_pylist()) - {""})
    vocabulary = sorted(words + ["not_" + w for w in words])
    found = elements._terms(
        clauses,
        pa.array(vocabulary, type=pa.large_string()),
        pa.array(negation_words(rubric), type=pa.large_string()),
        reach,
    )
    pair_keys = found.first.astype(np.int64) * len(vocabulary) + found.second
    pairs, pair_index = np.unique(pair_keys, return_inverse=True)
    terms = vocabulary + [
        f"{vocabulary[k // len(vocabulary)]} {vocabulary[k % len(vocabulary)]}" for k in pairs
    ]
    per_clause = sparse.csr_matrix(
        (
            np.ones(len(found.word) + len(pair_keys)),
            (
                np.concatenate([found.clause, found.pair_clause]),
                np.concatenate([found.word, len(vocabulary) + pair_index]),
            ),
        ),
        shape=(len(clauses.text), len(terms)),
    )
    # clauses -> distinct sentences -> every sentence -> texts
    to_unit = sparse.csr_matrix(
        (np.ones(len(clauses.unit)), (clauses.unit, np.arange(len(clauses.unit)))),
        shape=(len(lowered), len(clauses.unit)),
    )
    to_text = sparse.csr_matrix(
        (np.ones(len(unit)), (owner, unit)), shape=(len(texts), len(lowered))
    )
    shown, opposite = elements._clause_masks(clauses, compiled)
    per_text = to_text @ to_unit
    return Features(
        terms,
        (per_text @ sparse.diags(shown.astype(float)) @ per_clause).tocsr(),
        (per_text @ sparse.diags(opposite.astype(float)) @ per_clause).tocsr(),
    )


def fit(x: sparse.csr_matrix, y: np.ndarray, c: float) -> tuple[float, np.ndarray]:
    """L2-regularised logistic regression with balanced class weights (L-BFGS from zero)."""
    n, d = x.shape
    positives = y.sum()
    weight = np.where(y == 1, n / (2 * max(positives, 1)), n / (2 * max(n - positives, 1)))

    def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
        bias, coef = theta[0], theta[1:]
        z = x @ coef + bias
        value = weight @ (np.logaddexp(0, -z) * y + np.logaddexp(0, z) * (1 - y))
        gradient = weight * (1 / (1 + np.exp(-z)) - y)
        value += 0.5 / c * coef @ coef
        return value, np.concatenate([[gradient.sum()], x.T @ gradient + coef / c])

    found = minimize(
        loss,
        np.zeros(d + 1),
        jac=True,
        method="L-BFGS-B",
        options={"maxiter": 1000, "gtol": 1e-8, "ftol": 1e-12},
    )
    return float(found.x[0]), found.x[1:]


def _targets(texts: pd.DataFrame) -> np.ndarray:
    """(texts, 8): per element, label 1 then label -1, as 0/1."""
    return np.column_stack(
        [(texts[e].to_numpy() == label).astype(float) for e in ELEMENTS for label in (1, -1)]
    )


def _kept(x: sparse.csr_matrix, rows: np.ndarray, min_texts: int) -> np.ndarray:
    """The terms that occur in at least `min_texts` of the given texts."""
    return np.flatnonzero(np.asarray((x[rows] > 0).sum(axis=0)).ravel() >= min_texts)


def _fit_all(
    found: Features, y: np.ndarray, rows: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Bias (8), weights (kept terms, 8) and the kept terms, fitted on the given texts."""
    kept = _kept(found.opposite, rows, SETTINGS["min_texts_per_term"])
    bias = np.zeros(y.shape[1])
    weights = np.zeros((len(kept), y.shape[1]))
    for column in range(y.shape[1]):
        x = (found.shown if column % 2 == 0 else found.opposite)[rows][:, kept]
        bias[column], weights[:, column] = fit(
            x, y[rows, column], SETTINGS["inverse_regularisation"]
        )
    return bias, weights, kept


def _probabilities(
    found: Features, rows: np.ndarray, bias: np.ndarray, weights: np.ndarray, kept: np.ndarray
) -> np.ndarray:
    scores = np.column_stack(
        [
            (found.shown if c % 2 == 0 else found.opposite)[rows][:, kept] @ weights[:, c]
            for c in range(weights.shape[1])
        ]
    )
    return 1 / (1 + np.exp(-(scores + bias)))


def _f(gold: np.ndarray, predicted: np.ndarray, beta: float = 1.0) -> float:
    """F-beta: beta < 1 weighs precision more than recall."""
    tp = float((gold & predicted).sum())
    weighted = (1 + beta**2) * tp + beta**2 * (gold & ~predicted).sum() + (~gold & predicted).sum()
    return (1 + beta**2) * tp / weighted if tp else 0.0


def choose_threshold(gold: np.ndarray, probability: np.ndarray) -> float:
    """The best threshold for F0.5 among those where enough readings were right; 1 (no reading)
    when there is none."""
    usable = []
    for threshold in SETTINGS["thresholds"]:
        read = probability >= threshold
        right = (gold & read).sum()
        if (
            read.sum() >= SETTINGS["min_readings"]
            and right >= SETTINGS["min_precision"] * read.sum()
        ):
            usable.append((_f(gold, read, SETTINGS["threshold_beta"]), -threshold))
    return -max(usable)[1] if usable else 1.0


def cross_validated(found: Features, y: np.ndarray) -> np.ndarray:
    """Out-of-fold probabilities (texts, 8), averaged over repeated shuffled folds; terms are
    chosen inside each training fold."""
    folds, repeats = SETTINGS["folds"], SETTINGS["repeats"]
    probabilities = np.zeros(y.shape)
    for repeat in range(repeats):
        fold = np.random.default_rng(repeat).permutation(len(y)) % folds
        for k in range(folds):
            train, held = np.flatnonzero(fold != k), np.flatnonzero(fold == k)
            bias, weights, kept = _fit_all(found, y, train)
            probabilities[held] += _probabilities(found, held, bias, weights, kept) / repeats
    return probabilities


def train() -> dict[str, Any]:
    """The whole model file's content."""
    texts = training_texts()
    rubric = elements.load_rubric()
    found = features(texts["text"].tolist(), rubric, SETTINGS["negation_reach"])
    y = _targets(texts)
    out_of_fold = cross_validated(found, y)
    thresholds, cv = [], {}
    blind = (texts["source"] == "blind-written dev").to_numpy()
    for column, name in enumerate(COLUMNS):
        gold = y[:, column] == 1
        threshold = choose_threshold(gold, out_of_fold[:, column])
        read = out_of_fold[:, column] >= threshold
        thresholds.append(threshold)
        cv[name] = {
            "precision": round(float((gold & read).sum() / max(read.sum(), 1)), 3),
            "recall": round(float((gold & read).sum() / max(gold.sum(), 1)), 3),
            "f1": round(_f(gold, read), 3),
            "f1_blind_dev": round(_f(gold[blind], read[blind]), 3),
        }
    bias, weights, kept = _fit_all(found, y, np.arange(len(texts)))
    decimals = SETTINGS["decimals"]
    weights = np.round(weights, decimals)
    terms = [found.terms[i] for i in kept]
    used = np.flatnonzero(np.abs(weights).max(axis=1) > 0)
    words = {terms[i]: weights[i].tolist() for i in used if " " not in terms[i]}
    pairs = {terms[i]: weights[i].tolist() for i in used if " " in terms[i]}
    return {
        "about": (
            "The reader's learned part: per element, a logistic model for 'shown' and one for "
            "'opposite' over the words and word pairs of the clauses the rubric reads. Columns: "
            + ", ".join(COLUMNS)
            + ". A word within negation_reach words after a negation word is looked up as 'not_' "
            "+ word. Written by bench/train_reader.py; do not edit by hand."
        ),
        "trained_on": {
            "texts": len(texts),
            "by_source": texts["source"].value_counts().sort_index().to_dict(),
            "files": [
                str((ROOT / "tests/data/generalisation/texts-dev.csv").relative_to(ROOT)),
                str(LABELLED_PATH.relative_to(ROOT)),
            ],
            "inputs_checksum": inputs_checksum(texts, rubric),
        },
        "settings": SETTINGS,
        "cross_validation": cv,
        "columns": COLUMNS,
        "negation_words": negation_words(rubric),
        "negation_reach": SETTINGS["negation_reach"],
        "bias": np.round(bias, decimals).tolist(),
        "threshold": thresholds,
        "words": words,
        "pairs": pairs,
    }


def render(model: dict[str, Any]) -> str:
    """JSON with one line per setting, word and word pair (readable, and diffs stay small)."""

    def compact(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False)

    lines = []
    for key, value in model.items():
        if key in ("words", "pairs"):
            entries = ",\n".join(f"  {compact(k)}: {compact(v)}" for k, v in value.items())
            lines.append(f"{compact(key)}: {{\n{entries}\n }}")
        else:
            lines.append(f"{compact(key)}: {compact(value)}")
    return "{\n " + ",\n ".join(lines) + "\n}\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with the shipped file")
    args = parser.parse_args()
    text = render(train())
    if args.check:
        same = elements.MODEL_PATH.read_text(encoding="utf-8") == text
        print("the shipped model is a regeneration" if same else "the shipped model differs")
        sys.exit(0 if same else 1)
    elements.MODEL_PATH.write_text(text, encoding="utf-8")
    model = json.loads(text)
    print(f"wrote {elements.MODEL_PATH.relative_to(ROOT)}: {len(model['words'])} words, ", end="")
    print(f"{len(model['pairs'])} pairs, {elements.MODEL_PATH.stat().st_size / 1e3:.0f} kB")
    for name, threshold in zip(COLUMNS, model["threshold"], strict=True):
        print(
            f"  {name:24s} threshold {threshold:.2f}  cross-validated {model['cross_validation'][name]}"
        )


if __name__ == "__main__":
    main()
