"""What hostile uploads cost: wall time and peak memory of loading each, in a fresh process per case
with a wall-clock limit, against loading the sample's real session log in the same run.

    .venv/bin/python bench/hostile_files.py [--timeout 120] [--memory-cap-mb 16000]

Cases (built by tests/hostile.py): a 1 MB xlsx whose sheet inflates to 1 GB, a 6.6 MB one that
inflates to 5.8 GB, a 0.5 MB CSV with 10,000 columns, a CSV with a NUL byte after 4 KB, an xlsx with
a NUL byte in a cell. "cli" loads the file as the command line does (ingest_file, in process);
"page" reads it as the Upload page does (worker.read_upload: a separate, capped process), when the
code has a worker. It measures whatever `analysis` is importable, so an older checkout is measured
the same way with PYTHONPATH=/path/to/checkout. Prints; asserts nothing."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.append(str(ROOT))  # after PYTHONPATH, so an older checkout's `analysis` wins

from tests import hostile  # noqa: E402

GB = 1024**3

_CHILD = """
import json, resource, sys, tempfile, time
from pathlib import Path
resource.setrlimit(resource.RLIMIT_AS, ({cap}, {cap}))
import analysis
from analysis.errors import MentoringError
mode, path = sys.argv[1], Path(sys.argv[2])
if mode == "cli":
    from analysis.ingest.load import ingest_file
    from analysis.store import Store
else:
    from analysis.ingest import worker
start = time.perf_counter()
try:
    if mode == "cli":
        with tempfile.TemporaryDirectory() as folder:
            outcome = ingest_file(Store(Path(folder) / "bench.duckdb"), path).sentence()
    else:
        raw, kind = worker.read_upload(path.read_bytes(), path.name)
        outcome = f"read {{len(raw.frame)}} rows as {{kind}}"
except MentoringError as exc:
    outcome = f"refused: {{exc}}"
except MemoryError:
    outcome = "MemoryError"
seconds = time.perf_counter() - start
# VmHWM, not ru_maxrss: Linux carries a parent's peak into its child's ru_maxrss across exec, so
# the worker's figure (RUSAGE_CHILDREN) is an upper bound that includes this process at its start
own = int(Path("/proc/self/status").read_text().split("VmHWM:")[1].split()[0])
workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({{"seconds": seconds, "peak_mb": max(own, workers) / 1024,
                  "outcome": outcome, "code": analysis.__file__}}))
"""


def _cases(folder: Path) -> dict[str, Path]:
    return {
        "sample sessions.csv (real)": ROOT / "data" / "sample" / "sessions.csv",
        "xlsx inflating to 1 GB": hostile.xlsx_bomb(folder / "bomb-1gb.xlsx", GB),
        "xlsx inflating to 5.8 GB": hostile.xlsx_bomb(folder / "bomb-6gb.xlsx", int(5.8 * GB)),
        "csv with 10,000 columns": hostile.wide_csv(folder / "wide.csv"),
        "csv, NUL after 4 KB": hostile.session_log_with_nul(folder / "nul.csv"),
        "xlsx, NUL in a cell": hostile.session_log_xlsx_with_nul(folder / "nul.xlsx"),
    }


def _peak_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def measure(mode: str, path: Path, timeout: float, cap: int) -> dict[str, object]:
    child = subprocess.Popen(
        [sys.executable, "-c", _CHILD.format(cap=cap), mode, str(path)],
        # not from this checkout's folder, where `python -c` would import its `analysis` first
        cwd=tempfile.gettempdir(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    start = time.perf_counter()
    try:
        out, err = child.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        peak = _peak_mb(child.pid)
        child.kill()
        child.communicate()
        return {
            "seconds": time.perf_counter() - start,
            "peak_mb": peak,
            "outcome": "still running: stopped",
        }
    if child.returncode != 0:
        return {
            "seconds": float("nan"),
            "peak_mb": float("nan"),
            "outcome": err.strip().splitlines()[-1],
        }
    return json.loads(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timeout", type=float, default=120, help="seconds per case")
    parser.add_argument("--memory-cap-mb", type=int, default=16000, help="address space per case")
    args = parser.parse_args()
    cap = args.memory_cap_mb * 1024 * 1024
    with tempfile.TemporaryDirectory() as tmp:
        cases = _cases(Path(tmp))
        print(
            f"{'case':<28} {'file':>9} {'mode':<5} {'seconds':>8} {'peak MB':>8}  x time  x mem  outcome"
        )
        baseline: dict[str, dict[str, object]] = {}
        for name, path in cases.items():
            for mode in ("cli", "page"):
                result = measure(mode, path, args.timeout, cap)
                if mode == "page" and "import" in str(result["outcome"]).lower():
                    continue  # code from before the worker existed
                base = baseline.setdefault(mode, result)
                ratio_time = float(result["seconds"]) / float(base["seconds"])  # type: ignore[arg-type]
                ratio_mem = float(result["peak_mb"]) / float(base["peak_mb"])  # type: ignore[arg-type]
                print(
                    f"{name:<28} {path.stat().st_size / 1e6:>7.2f}MB {mode:<5} "
                    f"{float(result['seconds']):>8.2f} {float(result['peak_mb']):>8.0f}  "  # type: ignore[arg-type]
                    f"{ratio_time:>6.2f} {ratio_mem:>5.2f}  {str(result['outcome'])[:110]}"
                )
        print(f"measured code: {baseline['cli'].get('code', '?')}")


if __name__ == "__main__":
    main()
