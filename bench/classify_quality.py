"""How well the rubric reads the hand-labelled texts in tests/data/labelled_texts.csv: precision,
recall and F1 per element and per label (1 shown, -1 opposite), with micro averages, on the dev
split (for tuning) and the held-out test split (for reporting).

    .venv/bin/python bench/classify_quality.py [--rubric PATH] [--errors dev|test]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analysis import elements  # noqa: E402
from analysis.model import ELEMENTS  # noqa: E402

LABELLED_PATH = ROOT / "tests" / "data" / "labelled_texts.csv"
LABELS = (1, -1)


def load_labelled(path: Path = LABELLED_PATH) -> pd.DataFrame:
    """The labelled texts with one integer gold column per element."""
    frame = pd.read_csv(path, dtype={"text": str}, keep_default_na=False)
    return frame.astype({e: int for e in ELEMENTS})


def predict(labelled: pd.DataFrame, rubric: dict | None = None) -> pd.DataFrame:
    """The rubric's value per text (rows aligned with `labelled`) and element (columns)."""
    found = elements.classify_frame(
        pd.DataFrame({"text_id": range(len(labelled)), "text": labelled["text"]}), rubric
    )
    wide = found.pivot(index="text_id", columns="element", values="value")
    return wide.reindex(range(len(labelled)))[list(ELEMENTS)].astype(int)


def _prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def scores(gold: pd.DataFrame, predicted: pd.DataFrame) -> pd.DataFrame:
    """One row per element and label, plus 'micro' rows per label and over both labels:
    tp, fp, fn, support, precision, recall, f1."""
    rows = []
    for element in ELEMENTS:
        for label in LABELS:
            is_gold = gold[element].to_numpy() == label
            is_predicted = predicted[element].to_numpy() == label
            tp = int((is_gold & is_predicted).sum())
            rows.append(
                {
                    "element": element,
                    "label": label,
                    "tp": tp,
                    "fp": int((~is_gold & is_predicted).sum()),
                    "fn": int((is_gold & ~is_predicted).sum()),
                }
            )
    table = pd.DataFrame(rows)
    micro = [
        {"element": "micro", "label": label, **part[["tp", "fp", "fn"]].sum().to_dict()}
        for label, part in [*table.groupby("label"), ("±1", table)]
    ]
    table = pd.concat([table, pd.DataFrame(micro)], ignore_index=True)
    table["support"] = table["tp"] + table["fn"]
    measured = [_prf(tp, fp, fn) for tp, fp, fn in table[["tp", "fp", "fn"]].to_numpy()]
    table[["precision", "recall", "f1"]] = pd.DataFrame(measured, index=table.index)
    return table


def macro_f1(table: pd.DataFrame, label: int) -> float:
    """Mean F1 over the four elements for one label."""
    part = table[(table["element"] != "micro") & (table["label"] == label)]
    return float(part["f1"].mean())


def _errors(labelled: pd.DataFrame, predicted: pd.DataFrame) -> str:
    lines = []
    for i, row in labelled.iterrows():
        wrong = [
            f"{e} gold {row[e]:+d} got {predicted.at[i, e]:+d}"
            for e in ELEMENTS
            if row[e] != predicted.at[i, e]
        ]
        if wrong:
            lines.append(f"  [{row['lang']}] {row['text'][:110]}\n      " + "; ".join(wrong))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rubric", help="rubric JSON (default: analysis/rubric.json)")
    parser.add_argument("--errors", choices=("dev", "test"), help="also list misread texts")
    args = parser.parse_args()
    rubric = elements.load_rubric(Path(args.rubric) if args.rubric else None)
    labelled = load_labelled()
    predicted = predict(labelled, rubric)
    print(f"rubric {elements.rubric_hash(rubric)[:12]}, {len(labelled)} labelled texts")
    for split in ("dev", "test"):
        mask = (labelled["split"] == split).to_numpy()
        part_gold = labelled[mask].reset_index(drop=True)
        part_predicted = predicted[mask].reset_index(drop=True)
        table = scores(part_gold, part_predicted)
        print(f"\n== {split} split: {mask.sum()} texts ==")
        print(
            table.to_string(
                index=False,
                columns=[
                    "element",
                    "label",
                    "support",
                    "tp",
                    "fp",
                    "fn",
                    "precision",
                    "recall",
                    "f1",
                ],
                formatters={c: "{:.2f}".format for c in ("precision", "recall", "f1")},
            )
        )
        exact = (part_gold[list(ELEMENTS)].to_numpy() == part_predicted.to_numpy()).all(axis=1)
        print(
            f"macro F1 label 1: {macro_f1(table, 1):.3f}   label -1: {macro_f1(table, -1):.3f}   "
            f"texts read exactly right: {exact.mean():.1%}"
        )
        if args.errors == split:
            print(_errors(part_gold, part_predicted))


if __name__ == "__main__":
    main()
