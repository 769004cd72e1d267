"""How long exports of the sample's charts take: the first PNG (cold: kaleido starts its browser),
the next ones (warm), SVG, self-contained HTML, and a four-chart PDF brief and deck, each as a ratio
against the warm PNG measured in this run. Prints; asserts nothing.

    .venv/bin/python bench/export_speed.py [--repeat 5] [--db PATH]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analysis import brief, export, snapshots  # noqa: E402
from analysis.queries import Filters  # noqa: E402
from analysis.store import Store  # noqa: E402

BRIEF = ["element-overview", "trend-quarter", "segments-department", "perception-gap"]


def _seconds(work: Callable[[], object]) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def _median(work: Callable[[], object], repeat: int) -> float:
    return statistics.median(_seconds(work) for _ in range(repeat))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--db", help="a database to read (default: the sample, built in a temp dir)"
    )
    args = parser.parse_args()
    if not export.browser_available():
        print("No Chromium on this machine: image export cannot be measured.")
        return 1

    with tempfile.TemporaryDirectory() as tmp:
        if args.db:
            store = Store(args.db)
        else:
            from analysis.bootstrap import build_sample_database

            store = Store(build_sample_database(Path(tmp) / "sample.duckdb"))
        charts = [snapshots.build(name, store, Filters()) for name in BRIEF]
        figure = charts[0].figure
        made = brief.build(store, Filters(), BRIEF, "Brief")

        cold = _seconds(lambda: export.figure_png(figure))
        warm = _median(lambda: export.figure_png(figure), args.repeat)
        rows = [
            ("PNG 2400x1350, first in the process (cold)", cold),
            ("PNG 2400x1350, warm (baseline)", warm),
            ("SVG 1200x675, warm", _median(lambda: export.figure_svg(figure), args.repeat)),
            (
                "HTML, plotly.js embedded",
                _median(lambda: export.figure_html(figure, charts[0].headline), args.repeat),
            ),
            (
                f"PDF brief, {len(made.sections)} charts",
                _median(lambda: export.brief_pdf(made), max(1, args.repeat // 2)),
            ),
            (
                f"PPTX deck, {len(made.sections)} charts",
                _median(lambda: export.brief_pptx(made), max(1, args.repeat // 2)),
            ),
        ]

    width = max(len(label) for label, _ in rows)
    for label, seconds in rows:
        print(f"{label:<{width}}  {seconds * 1000:9.1f} ms  {seconds / warm:6.2f}x warm PNG")
    return 0


if __name__ == "__main__":
    sys.exit(main())
