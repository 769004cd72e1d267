"""Ingest at several programme sizes: peak memory and CPU of `python -m analysis ingest` in its own
process, against a baseline measured in the same run on the same file (Python's csv module
reading every row of the session log and doing nothing with it).

    .venv/bin/python bench/ingest_scale.py                       # 150, 1,500 and 15,000 mentors
    .venv/bin/python bench/ingest_scale.py --mentors 150 1500    # smaller ladder
    .venv/bin/python bench/ingest_scale.py --dir /tmp/ladder     # keep the generated files

Each size: the sample generator writes the roster, four survey files and a session log; the
roster and surveys are loaded first, then the session log alone is measured (the part that
grows with the programme).
"""

from __future__ import annotations

import argparse
import csv
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable

BASELINE = """
import csv, sys
with open(sys.argv[1], newline="", encoding="utf-8") as f:
    for _row in csv.reader(f):
        pass
"""


def _peak(args: list[str]) -> tuple[float, float, float]:
    """Run `args` under a small wrapper that reports its own child's peak memory exactly."""
    wrapper = (
        "import resource, subprocess, sys, time\n"
        "t = time.perf_counter()\n"
        "code = subprocess.call(sys.argv[1:])\n"
        "u = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
        "print(time.perf_counter() - t, u.ru_utime + u.ru_stime, u.ru_maxrss / 1024)\n"
        "sys.exit(code)\n"
    )
    done = subprocess.run([PYTHON, "-c", wrapper, *args], cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args[:5])} failed:\n{done.stderr[-2000:]}")
    wall, cpu, peak = (float(v) for v in done.stdout.strip().splitlines()[-1].split())
    return wall, cpu, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mentors", type=int, nargs="*", default=[150, 1500, 15000])
    parser.add_argument("--dir", type=Path, help="where to write the generated files")
    args = parser.parse_args()
    base = args.dir or Path(tempfile.mkdtemp(prefix="ingest-scale-"))
    print(
        f"{'mentors':>8} {'sessions':>9} {'MB file':>8} | {'ingest s':>8} {'CPU s':>7} "
        f"{'peak MB':>8} | {'csv CPU s':>9} {'csv MB':>7} | {'CPU x':>6} {'mem x':>6}"
    )
    for mentors in args.mentors:
        where = base / f"m{mentors}"
        where.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [PYTHON, "-m", "analysis", "sample", "--out", str(where), "--mentors", str(mentors)],
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        log = where / "sessions.csv"
        db = where / "bench.duckdb"
        for stale in (db, db.with_suffix(".duckdb.wal"), db.with_suffix(".duckdb.key")):
            stale.unlink(missing_ok=True)
        first = [str(p) for p in sorted(where.glob("*.csv")) if p.name != "sessions.csv"]
        roster = [p for p in first if p.endswith("participants.csv")]
        surveys = [p for p in first if p not in roster]
        subprocess.run(
            [PYTHON, "-m", "analysis", "ingest", *roster, *surveys, "--db", str(db)],
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        with log.open(encoding="utf-8", newline="") as f:
            sessions = sum(1 for _ in csv.reader(f)) - 1  # notes may span lines
        _wall, cpu, peak = _peak([PYTHON, "-m", "analysis", "ingest", str(log), "--db", str(db)])
        _bw, base_cpu, base_peak = _peak([PYTHON, "-c", BASELINE, str(log)])
        print(
            f"{mentors:>8,} {sessions:>9,} {log.stat().st_size / 1e6:>8.1f} | {_wall:>8.1f} "
            f"{cpu:>7.1f} {peak:>8.0f} | {base_cpu:>9.1f} {base_peak:>7.0f} | "
            f"{cpu / max(base_cpu, 1e-3):>6.1f} {peak / max(base_peak, 1):>6.1f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
