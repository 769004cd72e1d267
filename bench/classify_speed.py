"""How fast classify_frame reads notes on one core (the process is pinned to one CPU and pyarrow to
one thread), against a per-note Python `re` loop doing the rubric's phrase and negation work (timed on
a subset and extrapolated), both measured in this run. Notes are one to three labelled texts (old set
and the blind-written set's dev split) joined, so their sentences repeat, as in real logs, and the
reader reads each distinct sentence once; --unique puts a different number in every sentence, so
that none repeats (the reader's slowest case).

    .venv/bin/python bench/classify_speed.py [--n 1000000] [--baseline-n 20000] [--seed 7]
        [--unique] [--phrases-only] [--rubric PATH]
        (--phrases-only: without the learned word model; bench/rubric_v1.json: before issue 13)
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analysis import elements  # noqa: E402
from analysis.model import ELEMENTS  # noqa: E402
from bench.classify_quality import load_generalisation, load_labelled  # noqa: E402


def make_notes(n: int, seed: int) -> pd.DataFrame:
    """n notes, each one to three labelled texts joined, drawn at random (with replacement)."""
    texts = load_labelled()["text"].tolist() + load_generalisation("dev")["text"].tolist()
    pool = np.asarray(texts, dtype=object)
    rng = np.random.default_rng(seed)
    parts = rng.integers(1, 4, size=n)
    picks = rng.integers(0, len(pool), size=(n, 3))
    texts = [" ".join(pool[picks[i, : parts[i]]]) for i in range(n)]
    return pd.DataFrame({"text_id": np.arange(n), "text": texts})


def make_unique(notes: pd.DataFrame, seed: int) -> pd.DataFrame:
    """The same notes with a different number at the end of every sentence: none repeats."""
    numbers = iter(np.random.default_rng(seed).permutation(len(notes) * 100).tolist())
    end = re.compile(elements._SENTENCE, re.MULTILINE)
    return notes.assign(
        text=[
            end.sub(lambda m: f" {next(numbers)}{m[0]}", t + "\n").removesuffix("\n")
            for t in notes["text"]
        ]
    )


def _baseline(texts: list[str], compiled: elements.CompiledRubric) -> int:
    """The rubric's regex work one note at a time with Python's `re`: rewrite, split, then every
    pattern (and its negated form) per clause. Returns how many element readings were non-zero."""
    flags = re.IGNORECASE
    sentence = re.compile(elements._SENTENCE, flags | re.MULTILINE)
    rewrite = re.compile(compiled.no_longer_rewrite, flags)
    traps = re.compile(compiled.traps, flags)
    contrast = re.compile(compiled.contrast, flags)
    past = re.compile(compiled.past, flags)
    checks = {
        e: [
            (re.compile(p), re.compile(compiled.negated_prefix + p), w)
            for w, groups in compiled.shown[e].items()
            for _, p in groups
        ]
        + [
            (re.compile(p), re.compile(compiled.negated_prefix + p), -1.0)
            for _, p in compiled.opposite[e]
        ]
        for e in ELEMENTS
    }
    said = 0
    for text in texts:
        lowered = traps.sub(" ~ ", rewrite.sub(r"no longer \1", text.lower()))
        clauses = [c for s in sentence.split(lowered) for c in contrast.split(s)]
        for element in ELEMENTS:
            score = 0.0
            for clause in clauses:
                if past.search(clause):
                    continue
                for pattern, negated, weight in checks[element]:
                    if pattern.search(clause):
                        score += -weight if negated.search(clause) else weight
            said += score != 0
    return said


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="notes to classify")
    parser.add_argument("--baseline-n", type=int, default=20_000, help="notes for the re loop")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--unique", action="store_true", help="no sentence repeats")
    parser.add_argument("--phrases-only", action="store_true", help="without the word model")
    parser.add_argument("--rubric", help="rubric JSON (default: analysis/rubric.json)")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    pa.set_cpu_count(1)
    pa.set_io_thread_count(1)

    rubric = elements.load_rubric(Path(args.rubric) if args.rubric else None)
    if args.phrases_only:
        rubric = {**rubric, "learned": False}
    print(
        f"reading with {'phrases only' if rubric.get('learned') is not True else 'phrases + word model'}"
    )
    compiled = elements._compile(json.dumps(rubric, sort_keys=True))
    started = time.perf_counter()
    notes = make_notes(args.n, args.seed)
    if args.unique:
        notes = make_unique(notes, args.seed)
    mean_chars = notes["text"].str.len().mean()
    print(
        f"{args.n:,} notes ({mean_chars:.0f} characters on average) made in "
        f"{time.perf_counter() - started:.1f} s"
    )

    elements.classify_frame(notes.head(1000), rubric)  # compile and warm up outside the timing
    started = time.perf_counter()
    cpu_started = time.process_time()
    found = elements.classify_frame(notes, rubric)
    vectorised_s = time.perf_counter() - started
    cpu_s = time.process_time() - cpu_started
    vectorised_rate = args.n / vectorised_s
    shown = (found["value"] != 0).mean()
    print(
        f"classify_frame:           {vectorised_s:8.2f} s   {vectorised_rate:12,.0f} notes/s   "
        f"({shown:.1%} of readings non-zero)"
    )
    # On a shared machine the wall clock also counts time the core spent on other processes.
    print(f"classify_frame, CPU time: {cpu_s:8.2f} s   {args.n / cpu_s:12,.0f} notes/s")
    del found

    subset = notes["text"].head(args.baseline_n).tolist()
    started = time.perf_counter()
    _baseline(subset, compiled)
    baseline_s = time.perf_counter() - started
    baseline_rate = len(subset) / baseline_s
    print(
        f"per-note re loop:         {baseline_s:8.2f} s   {baseline_rate:12,.0f} notes/s   "
        f"(on {len(subset):,} notes; {args.n / baseline_rate:,.0f} s extrapolated to {args.n:,})"
    )

    started = time.perf_counter()
    elements.classify_frame(notes.head(args.baseline_n), rubric)
    same_subset_s = time.perf_counter() - started
    print(
        f"classify_frame, same {len(subset):,}: {same_subset_s:6.2f} s   "
        f"{len(subset) / same_subset_s:12,.0f} notes/s"
    )
    print(
        f"ratio classify_frame / re loop, {args.n:,} notes: {vectorised_rate / baseline_rate:.1f}x"
    )
    print(
        f"ratio classify_frame / re loop, {len(subset):,} notes: {baseline_s / same_subset_s:.1f}x"
    )


if __name__ == "__main__":
    main()
