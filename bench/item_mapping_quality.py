"""How well survey questions are mapped to elements (and negatively worded ones recognised) on the
question banks in tests/data/generalisation/, written blind to the mapper by two writers: the dev
halves were read while writing the cue patterns, the test halves were not (aggregate scores only).

    .venv/bin/python bench/item_mapping_quality.py [--errors]    # --errors lists dev misses
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analysis.ingest.items import suggest_item  # noqa: E402

BANKS = [
    ROOT / "tests" / "data" / "generalisation" / "survey-items.csv",
    ROOT / "tests" / "data" / "generalisation" / "survey-items-2.csv",
    ROOT / "tests" / "data" / "generalisation" / "survey-items-3.csv",  # dev only
]


def load_banks() -> pd.DataFrame:
    return pd.concat(
        [pd.read_csv(p, dtype=str, keep_default_na=False) for p in BANKS], ignore_index=True
    )


def outcomes(bank: pd.DataFrame) -> pd.DataFrame:
    """Per question: what the mapper said and whether it was right, wrong or left unmapped."""
    said = [suggest_item(q) for q in bank["question"]]
    gold = bank["element"].where(bank["element"] != "none", None)
    frame = bank.assign(
        got_element=[s.element for s in said],
        got_reversed=[s.reversed for s in said],
        gold_element=gold,
        gold_reversed=bank["reversed"] == "true",
    )
    right = (frame["got_element"].fillna("") == frame["gold_element"].fillna("")) & (
        frame["gold_element"].isna() | (frame["got_reversed"] == frame["gold_reversed"])
    )
    frame["outcome"] = "right"
    frame.loc[~right & frame["got_element"].notna(), "outcome"] = "mapped wrongly"
    frame.loc[~right & frame["got_element"].isna(), "outcome"] = "left unmapped"
    return frame


def summary(frame: pd.DataFrame) -> dict[str, float]:
    n = len(frame)
    elements = frame[frame["gold_element"].notna()]
    reversed_items = elements[elements["gold_reversed"]]
    return {
        "questions": n,
        "right_pct": 100.0 * (frame["outcome"] == "right").mean(),
        "mapped_wrongly_pct": 100.0 * (frame["outcome"] == "mapped wrongly").mean(),
        "element_items_left_unmapped_pct": 100.0 * (elements["outcome"] == "left unmapped").mean(),
        "reversed_items_right_pct": 100.0 * (reversed_items["outcome"] == "right").mean(),
        "none_items_kept_unmapped_pct": 100.0
        * frame.loc[frame["gold_element"].isna(), "got_element"].isna().mean(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--errors", action="store_true", help="list the dev split's misses")
    args = parser.parse_args()
    frame = outcomes(load_banks())
    table = pd.DataFrame(
        {split: summary(frame[frame["split"] == split]) for split in ("dev", "test")}
    )
    print(table.round(1).to_string())
    if args.errors:
        for row in frame[(frame["split"] == "dev") & (frame["outcome"] != "right")].itertuples():
            print(
                f"  [{row.gold_element}/{row.gold_reversed}] got {row.got_element}/"
                f"{row.got_reversed}: {row.question}"
            )


if __name__ == "__main__":
    main()
