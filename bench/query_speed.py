"""How fast the dashboard's numbers come back, against bare baselines measured in the same run.

    .venv/bin/python bench/query_speed.py [--mentors 1500] [--repeat 5]

Builds a program --mentors large (10x the sample by default) through the real generator and the
real ingest, then times:
  * ingest of the session log against DuckDB's own read_csv of the same file (the floor for
    reading it at all);
  * the Overview's element summary (views.element_overview) and the segment heatmap against a bare
    `SELECT element, count(*), sum(value = 1) FROM element_evidence GROUP BY element` (the floor
    for touching every observation once);
  * a cached repeat through Streamlit's st.cache_data is not timed here: it is a dict lookup.
Ratios, not seconds, are the result: they travel between machines. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import duckdb

from analysis import sample, views
from analysis.bootstrap import build_sample_database
from analysis.ingest.load import ingest_file
from analysis.queries import Filters
from analysis.store import Store


def best_of(repeat: int, fn: Callable[[], object]) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentors", type=int, default=1500)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "exports"
        start = time.perf_counter()
        sample.generate(folder, mentors=args.mentors)
        generate_s = time.perf_counter() - start
        sessions_csv = next(folder.glob("sessions*.csv"))

        baseline_read = best_of(
            args.repeat,
            lambda: duckdb.sql(
                "SELECT count(*) FROM read_csv(?, all_varchar = true)", params=[str(sessions_csv)]
            ).fetchall(),
        )
        start = time.perf_counter()
        ingest_file(Store(Path(tmp) / "ingest.duckdb"), sessions_csv)
        ingest_s = time.perf_counter() - start

        db_path = Path(tmp) / "bench.duckdb"
        start = time.perf_counter()
        build_sample_database(db_path, folder)
        build_s = time.perf_counter() - start

        store = Store(db_path)
        rows = store.scalar("SELECT count(*) FROM sessions")
        observations = store.scalar("SELECT count(*) FROM element_evidence")
        scan = best_of(
            args.repeat,
            lambda: store.query(
                "SELECT element, count(*) AS n, sum(CASE WHEN value = 1 THEN 1 ELSE 0 END) AS shown "
                "FROM element_evidence GROUP BY element"
            ),
        )
        filters = Filters()
        overview = best_of(args.repeat, lambda: views.element_overview(store, filters))
        heatmap = best_of(args.repeat, lambda: views.segment_heatmap(store, filters, "department"))
        health = best_of(args.repeat, lambda: views.program_health(store, filters))

    print(f"program: {args.mentors} mentors, {rows:,} sessions, {observations:,} observations")
    print(f"generate exports: {generate_s:.1f} s; build database through ingest: {build_s:.1f} s")
    print(f"bare read_csv of the session log: {baseline_read * 1000:.0f} ms (baseline)")
    print(
        f"ingest of the session log (parse, validate, classify notes, one transaction): "
        f"{ingest_s:.2f} s = {ingest_s / baseline_read:.0f}x the bare read"
    )
    print(f"bare scan of element_evidence:    {scan * 1000:.0f} ms (baseline)")
    for name, seconds in [
        ("element overview", overview),
        ("segment heatmap", heatmap),
        ("program health", health),
    ]:
        print(f"{name:<22} {seconds * 1000:7.0f} ms = {seconds / scan:5.1f}x the bare scan")
    print(f"median of the three: {statistics.median([overview, heatmap, health]) / scan:.1f}x")


if __name__ == "__main__":
    main()
