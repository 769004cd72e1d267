"""Do the estimates recover the truth the sample generator was built with? Prints:

1. the impact of the sample's mentor training (2 March 2026, cohorts 2025 Autumn and 2026 Spring:
   +15 points of propensity on risk-taking and learning, nothing on trust and relationship), and a
   placebo event (1 December 2025, period ending 1 March 2026) that should find nothing;
2. the coaching list on a null programme (`sample --no-mentor-differences`: no mentor differs);
3. over several seeds, how often the 95% intervals cover the generator's true rates: each mentor's
   partially pooled rate from mentees' ratings against their true rate, and the programme-level
   share of favourable ratings against the generator's population rate.

    .venv/bin/python bench/recovery.py [--seeds 12] [--mentors 150]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
from datetime import date
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analysis import queries, sample, views  # noqa: E402
from analysis.estimates import pooled_mentor_rates, source_levels  # noqa: E402
from analysis.ingest.load import ingest_file  # noqa: E402
from analysis.model import ELEMENTS, Treated  # noqa: E402
from analysis.queries import Filters  # noqa: E402
from analysis.store import Store  # noqa: E402

TRAINED = Treated(cohorts=tuple(sorted(sample.TRAINED_COHORTS)))
FIRST_WAVE = "2025-11"


def build(folder: Path, mentors: int, seed: int, differences: bool = True) -> Store:
    """Generate a programme and load it through the real ingest path."""
    sample.generate(folder, mentors=mentors, seed=seed, mentor_differences=differences, truth=True)
    store = Store(folder / "programme.duckdb")
    for path in sorted(folder.glob("*.csv")):
        if path.name != "truth.csv":
            ingest_file(store, path)
    return store


def population_rate(element: str, draws: int = 200_000) -> float:
    """The generator's expected propensity over its population of mentors (before the training),
    by drawing mentors the way sample.generate does."""
    rng = random.Random(11)
    total = 0.0
    for _ in range(draws):
        department = rng.choice(sample.DEPARTMENTS)
        strength = rng.gauss(0, 0.10)
        raw = (
            sample.BASE_RATE[element]
            + sample.DEPARTMENT_SHIFT[department].get(element, 0.0)
            + strength
            + rng.gauss(0, 0.14)
        )
        total += sample._clip(raw)
    return total / draws


def impact_table(store: Store) -> pd.DataFrame:
    real = views.impact(store, Filters(), sample.TRAINING_DAY, TRAINED).effects
    placebo = views.impact(store, Filters(end=date(2026, 3, 1)), date(2025, 12, 1), TRAINED).effects
    real["check"] = [
        "excludes 0" if e in sample.TRAINING_EFFECT else "includes 0" for e in real["element"]
    ]
    placebo["check"] = "includes 0"
    frame = pd.concat([real.assign(event="training"), placebo.assign(event="placebo")])
    frame["passed"] = [
        (low > 0 or high < 0) == (check == "excludes 0")
        for low, high, check in zip(frame["ci_low"], frame["ci_high"], frame["check"], strict=True)
    ]
    return frame[
        ["event", "element", "effect_pts", "ci_low", "ci_high", "p", "q", "check", "passed"]
    ].round(3)


def coverage(store: Store, truth: pd.DataFrame, population: dict[str, float]) -> dict[str, float]:
    """Shares of intervals covering the truth in the first wave (before the training)."""
    wave = Filters(start=date(2025, 11, 1), end=date(2025, 12, 31))
    counts = queries.mentor_source_counts(store, wave)
    ratings = counts[counts["source_kind"] == "mentee_rating"]
    rates = pooled_mentor_rates(ratings, ("mentee_rating",))
    mentors = store.query("SELECT mentor_id, email FROM mentors")
    true = truth[truth["wave"] == FIRST_WAVE].merge(
        mentors, left_on="mentor_email", right_on="email"
    )
    merged = rates.merge(true[["mentor_id", "element", "mentee_rate"]], on=["mentor_id", "element"])
    inside = (merged["low_pct"] <= 100 * merged["mentee_rate"]) & (
        100 * merged["mentee_rate"] <= merged["high_pct"]
    )
    levels = source_levels(counts, queries.source_people(store, wave), sources=("mentee_rating",))
    covered = [
        row.ci_low <= 100 * population[row.element] <= row.ci_high for row in levels.itertuples()
    ]
    return {
        "mentor_intervals": float(inside.mean()),
        "mentor_intervals_n": len(merged),
        "programme_intervals": sum(covered) / len(covered),
        "programme_intervals_n": len(covered),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=12)
    parser.add_argument("--mentors", type=int, default=150)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        store = build(base / "sample", args.mentors, 2026)
        print("1. Impact of the sample's training, and a placebo (session notes):")
        print(impact_table(store).to_string(index=False))
        null = build(base / "null", args.mentors, 2026, differences=False)
        flagged = views.coaching(null, Filters())
        print(
            f"\n2. Coaching list on the null programme: {len(flagged)} mentor-element rows flagged "
            f"of {flagged.attrs.get('tests_run', 0)} tested (target: at most 2)"
        )
        population = {e: population_rate(e) for e in ELEMENTS}
        rows = []
        for seed in range(1, args.seeds + 1):
            folder_seed = base / f"seed{seed}"
            store = build(folder_seed, args.mentors, seed)
            truth = pd.read_csv(folder_seed / "truth.csv", dtype={"wave": str})
            rows.append({"seed": seed, **coverage(store, truth, population)})
        table = pd.DataFrame(rows)
        print("\n3. Coverage of 95% intervals over seeds (first wave, mentees' ratings):")
        print(table.round(3).to_string(index=False))
        print(
            f"   mentor-level: {table['mentor_intervals'].mean():.1%} of "
            f"{table['mentor_intervals_n'].sum()} intervals; programme-level: "
            f"{table['programme_intervals'].mean():.1%} of {table['programme_intervals_n'].sum()}"
        )


if __name__ == "__main__":
    main()
