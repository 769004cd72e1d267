"""How well the reader reads hand-labelled texts: precision, recall and F1 per element and label
(1 shown, -1 opposite), side by side for the previous rubric (bench/rubric_v1.json, before issue 13),
the current one (or --rubric PATH) with its phrases alone, and the current one with the learned word
model (analysis/word_model.json) reading what the phrases leave at 0.

Two labelled sets:
- tests/data/labelled_texts.csv, the old set (363 texts, written knowing the rubric): dev and test
  splits, a regression check. The word model is fitted on the whole old set (and the blind-written
  dev split), so its scores there are not a held-out measure.
- tests/data/generalisation/, written blind to the reader by three writers (GUIDE.md): the dev split
  in detail; the frozen test split only as aggregate scores (per element P/R/F1 for label 1, macro
  F1, the share of 'did the opposite' labels read as -1 and of -1 readings that were right, and the
  share of texts labelled 0 throughout that got some reading). Its texts and per-text readings are
  never printed: it must not be used to tune the rubric or the model.

    .venv/bin/python bench/classify_quality.py [--rubric PATH] [--errors old-dev|dev]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analysis import elements  # noqa: E402
from analysis.model import ELEMENTS  # noqa: E402

LABELLED_PATH = ROOT / "tests" / "data" / "labelled_texts.csv"
GENERALISATION = ROOT / "tests" / "data" / "generalisation"
PREVIOUS_RUBRIC = ROOT / "bench" / "rubric_v1.json"
LABELS = (1, -1)


def load_labelled(path: Path = LABELLED_PATH) -> pd.DataFrame:
    """Labelled texts with one integer gold column per element."""
    frame = pd.read_csv(path, dtype={"text": str}, keep_default_na=False)
    return frame.astype({e: int for e in ELEMENTS})


def load_generalisation(split: str) -> pd.DataFrame:
    """The blind-written set's 'dev' or (frozen, for aggregate scores only) 'test' split."""
    return load_labelled(GENERALISATION / f"texts-{split}.csv")


def predict(labelled: pd.DataFrame, rubric: dict | None = None) -> pd.DataFrame:
    """The reader's value per text (rows aligned with `labelled`) and element (columns)."""
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


def opposite_share(table: pd.DataFrame) -> float:
    """Of the (text, element) pairs labelled -1, the share the reader returned as -1."""
    return float(table[(table["element"] == "micro") & (table["label"] == -1)]["recall"].item())


def opposite_precision(table: pd.DataFrame) -> float:
    """Of the (text, element) pairs the reader returned as -1, the share labelled -1."""
    return float(table[(table["element"] == "micro") & (table["label"] == -1)]["precision"].item())


def false_alarms(gold: pd.DataFrame, predicted: pd.DataFrame) -> float:
    """Of the texts labelled 0 for every element, the share with some non-zero reading."""
    quiet = (gold[list(ELEMENTS)] == 0).all(axis=1).to_numpy()
    return float((predicted.to_numpy()[quiet] != 0).any(axis=1).mean())


def aggregate(gold: pd.DataFrame, predicted: pd.DataFrame) -> pd.DataFrame:
    """The frozen split's report: per element P/R/F1 for label 1, then macro F1, the -1 share and
    precision, and false alarms on texts labelled 0 throughout."""
    table = scores(gold, predicted)
    shown = table[(table["element"] != "micro") & (table["label"] == 1)]
    rows = [
        {
            "measure": f"{r.element} P/R/F1",
            "value": f"{r.precision:.2f} / {r.recall:.2f} / {r.f1:.2f}",
        }
        for r in shown.itertuples()
    ]
    rows.append({"measure": "macro F1 (label 1)", "value": f"{macro_f1(table, 1):.3f}"})
    rows.append({"measure": "-1 labels read as -1", "value": f"{opposite_share(table):.0%}"})
    rows.append({"measure": "-1 readings right", "value": f"{opposite_precision(table):.0%}"})
    rows.append(
        {"measure": "all-0 texts with a reading", "value": f"{false_alarms(gold, predicted):.0%}"}
    )
    return pd.DataFrame(rows)


def _detail(table: pd.DataFrame) -> str:
    return table.to_string(
        index=False,
        columns=["element", "label", "support", "tp", "fp", "fn", "precision", "recall", "f1"],
        formatters={c: "{:.2f}".format for c in ("precision", "recall", "f1")},
    )


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
    parser.add_argument(
        "--errors",
        choices=("old-dev", "dev"),
        help="also list the texts of a dev split that the phrases misread",
    )
    args = parser.parse_args()
    current = elements.load_rubric(Path(args.rubric) if args.rubric else None)
    previous = json.loads(PREVIOUS_RUBRIC.read_text(encoding="utf-8"))
    candidates = {
        "previous rubric (v1)": previous,
        "rubric (phrases only)": {**current, "learned": False},
        "rubric + word model": {**current, "learned": True},
    }
    print(f"current rubric {elements.rubric_hash(current)[:12]}")

    old = load_labelled()
    dev = load_generalisation("dev")
    test = load_generalisation("test")
    summary = []
    for name, rubric in candidates.items():
        learned = rubric.get("learned") is True
        print(f"\n######## {name}")
        if learned:
            print("(the word model was fitted on the old set and the dev split: not held out)")
        for split in ("dev", "test"):
            part = old[old["split"] == split].reset_index(drop=True)
            table = scores(part, predict(part, rubric))
            print(f"\n== old set, {split} split: {len(part)} texts ==\n{_detail(table)}")
            print(
                f"macro F1 label 1: {macro_f1(table, 1):.3f}   label -1: {macro_f1(table, -1):.3f}"
            )
            if args.errors == f"old-{split}" and rubric is candidates["rubric (phrases only)"]:
                print(_errors(part, predict(part, rubric)))
        table = scores(dev, predict(dev, rubric))
        print(f"\n== blind-written set, dev split: {len(dev)} texts ==\n{_detail(table)}")
        print(
            f"macro F1 label 1: {macro_f1(table, 1):.3f}   label -1: {macro_f1(table, -1):.3f}   "
            f"-1 labels read as -1: {opposite_share(table):.0%}"
        )
        if args.errors == "dev" and rubric is candidates["rubric (phrases only)"]:
            print(_errors(dev, predict(dev, rubric)))
        frozen = aggregate(test, predict(test, rubric))
        print(f"\n== blind-written set, FROZEN test split: {len(test)} texts (aggregates only) ==")
        print(frozen.to_string(index=False, header=False))
        summary.append(frozen.set_index("measure")["value"].rename(name))
    print("\n== frozen test split, side by side ==")
    print(pd.concat(summary, axis=1).to_string())


if __name__ == "__main__":
    main()
