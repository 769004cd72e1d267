"""How long each page's script run takes on the server, against an empty page measured in the
same run, at one or more programme sizes; and N sessions at once on the same server.

Script runs are driven by Streamlit's own test client (AppTest), so what is measured is the
server's work (queries, statistics, figure building), not a browser's drawing. For each page:
the first visit (empty caches), a cached visit, and a filter change to a new value.

    .venv/bin/python bench/page_speed.py --db data/mentoring.duckdb
    .venv/bin/python bench/page_speed.py --mentors 150 1500 15000     # builds each size first
    .venv/bin/python bench/page_speed.py --db X --concurrent 20       # 20 sessions at once
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from analysis import sample  # noqa: E402
from analysis.ingest.load import ingest_file  # noqa: E402
from analysis.store import Store  # noqa: E402

# AppTest runs scripts without a server; Streamlit says so on every run.
logging.getLogger("streamlit").setLevel(logging.ERROR)

PAGES = ["overview", "elements", "trends", "segments", "health", "mentors", "brief", "methodology"]
EMPTY_PAGE = "import streamlit as st\nst.write('hi')\n"


def _timed(action) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def empty_page_seconds(folder: Path, repeats: int = 5) -> float:
    script = folder / "empty.py"
    script.write_text(EMPTY_PAGE, encoding="utf-8")
    runs = []
    for _ in range(repeats):
        at = AppTest.from_file(str(script), default_timeout=60)
        runs.append(_timed(at.run))
    return statistics.median(runs)


def _app(page: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=600)
    at.run()
    if page != "overview":
        at.switch_page(f"pages/{page}.py")
    return at


def page_seconds(page: str) -> dict[str, float]:
    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=600)
    first = _timed(at.run)
    if page != "overview":
        at.switch_page(f"pages/{page}.py")
        first = _timed(at.run)
    cached = statistics.median(_timed(at.run) for _ in range(3))
    options = at.multiselect(key="department").options
    changed = float("nan")
    if options:
        at.multiselect(key="department").set_value([options[0]])
        changed = _timed(at.run)
    assert not at.exception, [e.message for e in at.exception]
    return {"first": first, "cached": cached, "filter_change": changed}


def concurrent_seconds(page: str, sessions: int) -> tuple[float, float]:
    """Median script run of one session alone, and of `sessions` sessions running at once (all
    on this one server process, caches warm as a live server's would be)."""
    warm = _app(page)
    warm.run()
    alone = statistics.median(_timed(warm.run) for _ in range(3))
    apps = [_app(page) for _ in range(sessions)]
    for app in apps:
        app.run()
    times: list[float] = []
    lock = threading.Lock()

    def drive(app: AppTest) -> None:
        spent = _timed(app.run)
        with lock:
            times.append(spent)

    threads = [threading.Thread(target=drive, args=(app,)) for app in apps]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return alone, statistics.median(times)


def build(folder: Path, mentors: int) -> Path:
    sample.generate(folder, mentors=mentors, seed=2026)
    db = folder / "programme.duckdb"
    store = Store(db)
    for path in sorted(folder.glob("*.csv")):
        ingest_file(store, path)
    return db


def report(db: Path, pages: list[str], concurrent: int, folder: Path) -> None:
    os.environ["MENTORING_DB"] = str(db)
    empty = empty_page_seconds(folder)
    mentors = Store(db).scalar("SELECT count(*) FROM mentors")
    # A running server has imported everything before anyone's first visit: so does the bench.
    for page in pages:
        _app(page).run()
    print(f"\n{db} ({mentors:,} mentors); empty page {empty:.3f} s")
    print(f"{'page':<12} {'first':>8} {'x empty':>8} {'cached':>8} {'x empty':>8} {'filter':>8}")
    for page in pages:
        found = page_seconds(page)
        print(
            f"{page:<12} {found['first']:8.2f} {found['first'] / empty:8.1f} "
            f"{found['cached']:8.2f} {found['cached'] / empty:8.1f} {found['filter_change']:8.2f}"
        )
    if concurrent:
        alone, together = concurrent_seconds("overview", concurrent)
        print(
            f"overview, {concurrent} sessions at once: median script run {together:.2f} s against "
            f"{alone:.2f} s alone ({together / alone:.1f}x)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="an existing database")
    parser.add_argument("--mentors", type=int, nargs="*", default=[], help="sizes to build")
    parser.add_argument("--pages", nargs="*", default=PAGES)
    parser.add_argument("--concurrent", type=int, default=0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        if args.db:
            report(args.db, args.pages, args.concurrent, base)
        for size in args.mentors:
            db = build(base / f"m{size}", size)
            report(db, args.pages, args.concurrent, base)


if __name__ == "__main__":
    main()
