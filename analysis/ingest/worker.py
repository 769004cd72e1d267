"""Reading an upload in a separate, bounded process: a hostile or huge file spends that process's
memory and time, never the dashboard's, so every other viewer keeps working meanwhile. The bytes
travel through a pipe, never through a file."""

from __future__ import annotations

import os
import pickle
import signal
import subprocess
import sys
import threading

from analysis.errors import IngestError, MentoringError
from analysis.ingest import readers
from analysis.ingest.limits import LIMITS, Limits
from analysis.keys import KEY_ENV

# at most this many uploads are read at once, whatever the number of viewers: each may use
# Limits.worker_memory_bytes
_slots = threading.BoundedSemaphore(2)


def read_upload(
    data: bytes, name: str, limits: Limits = LIMITS
) -> tuple[readers.RawExport, readers.Kind]:
    """Read an upload from memory in a worker process: the export and what it looks like (survey,
    sessions or roster). Raises IngestError in plain words, also when the worker runs out of time
    or memory."""
    memory = f"{limits.worker_memory_bytes // (1024 * 1024):,} MB"
    with _slots:
        worker = subprocess.Popen(
            [sys.executable, "-m", "analysis.ingest.worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=_worker_environment(),
        )
        try:
            out, err = worker.communicate(
                pickle.dumps((name, data, limits)), timeout=limits.worker_seconds
            )
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.communicate()
            raise IngestError(
                f"{name} took more than {limits.worker_seconds} seconds to read and was stopped. "
                "Export a shorter date range, or split the file."
            ) from None
    if worker.returncode == -signal.SIGXCPU:
        raise IngestError(
            f"{name} took more than {limits.worker_seconds} seconds to read and was stopped. "
            "Export a shorter date range, or split the file."
        )
    if worker.returncode != 0 or not out:
        if b"MemoryError" in err or worker.returncode < 0:
            raise IngestError(
                f"{name} needed more than the {memory} of memory a file may take to read, and was "
                "stopped. Export a shorter date range, or save it as CSV."
            )
        raise RuntimeError(f"Reading {name} failed in the worker:\n{err.decode(errors='replace')}")
    outcome, payload = pickle.loads(out)  # written by _serve() below, in the process we started
    if outcome == "refused":
        raise IngestError(payload)
    read: tuple[readers.RawExport, readers.Kind] = payload
    return read


def _worker_environment() -> dict[str, str]:
    # The worker reads untrusted bytes: it gets nothing it does not need, the pseudonym key least.
    # Native libraries reserve address space per thread; one thread each is plenty here.
    environment = {k: v for k, v in os.environ.items() if k != KEY_ENV}
    return {**environment, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}


def _serve() -> None:
    """The worker's side: bound this process, read one request from stdin, answer on stdout."""
    import resource

    name, data, limits = pickle.load(sys.stdin.buffer)
    memory, seconds = limits.worker_memory_bytes, limits.worker_seconds
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 5))
    try:
        raw = readers.read_export_bytes(data, name, limits)
        del data
        answer: tuple[str, object] = ("read", (raw, readers.detect_kind(raw)))
    except MentoringError as exc:
        answer = ("refused", str(exc))
    sys.stdout.buffer.write(pickle.dumps(answer))


if __name__ == "__main__":
    _serve()
