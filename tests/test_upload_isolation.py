"""Uploads are handled as secrets and read off the dashboard's process: nothing of an upload stays
on disk but the database (after a load and after a refusal), a hostile upload is refused on the
page in plain words, and a read that is stuck or too big stops itself without stalling anyone."""

from __future__ import annotations

import os
import signal
import tempfile
import threading
import time
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from analysis.errors import IngestError
from analysis.ingest import worker
from analysis.ingest.limits import Limits
from analysis.keys import KEY_ENV, key_path
from tests import hostile
from tests.conftest import ROOT, SMALL

MARKER = "upload-marker-7f3c9e21b4"
SESSIONS = (
    "Session ID,Meeting Date,Mentor Name,Mentor Email,Mentee Name,Duration (min),Meeting Type,Notes\n"
    f"M-1,2026-07-01,Ana Moreno,ana.moreno@example.org,Mentee One,30,Video,{MARKER} goals\n"
    "M-2,2026-07-02,Ben Okafor,ben.okafor@example.org,Mentee Three,45,In person,\n"
)
REFUSED = b"\x89PNG\r\n\x1a\n" + MARKER.encode() + bytes(range(256))


def _open_upload_page(db: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("MENTORING_DB", str(db))
    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=90)
    at.run()
    at.switch_page("pages/upload.py")
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def _files_holding(marker: bytes, folders: list[Path], since: float, skip: set[Path]) -> list[Path]:
    """Files under `folders` changed since `since` whose bytes contain `marker`."""
    found = []
    for folder in folders:
        for root, _, names in os.walk(folder):
            for name in names:
                path = Path(root) / name
                try:
                    info = path.stat()
                    if path in skip or info.st_mtime < since or info.st_size > 50_000_000:
                        continue
                    if marker in path.read_bytes():
                        found.append(path)
                except OSError:
                    continue  # another program's file, gone or not ours to read
    return found


@pytest.mark.parametrize("outcome", ["loaded", "refused"])
def test_nothing_of_an_upload_stays_on_disk_but_the_database(
    outcome: str, small_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    system_temp = Path(tempfile.gettempdir())
    private_temp = tmp_path / "tmpdir"
    private_temp.mkdir()
    monkeypatch.setenv("TMPDIR", str(private_temp))
    monkeypatch.setattr(tempfile, "tempdir", None)  # gettempdir() looks again
    at = _open_upload_page(small_db, monkeypatch)
    started = time.time()
    uploader = at.file_uploader(key="uploads")
    if outcome == "loaded":
        uploader.upload("july.csv", SESSIONS.encode(), "text/csv").run()
        next(b for b in at.button if b.label == "Load this file").click().run()
        assert "2 of 2 rows loaded" in " ".join(s.value for s in at.success)
    else:
        uploader.upload("chart.csv", REFUSED, "text/csv").run()
        assert "is a PNG image" in " ".join(e.value for e in at.error)
    assert not at.exception, [e.message for e in at.exception]
    assert list(private_temp.iterdir()) == []
    database = {small_db, small_db.with_name(small_db.name + ".wal"), key_path(small_db)}
    assert _files_holding(MARKER.encode(), [tmp_path, system_temp], started, database) == []


def test_a_hostile_upload_is_refused_on_the_page_in_plain_words(
    small_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    bomb = hostile.xlsx_bomb(tmp_path / "bomb.xlsx", 1024**3).read_bytes()
    at = _open_upload_page(small_db, monkeypatch)
    at.file_uploader(key="uploads").upload("responses.xlsx", bomb, "application/octet-stream")
    started = time.monotonic()
    at.run()
    assert time.monotonic() - started < 15
    assert not at.exception, [e.message for e in at.exception]
    message = " ".join(e.value for e in at.error)
    assert "responses.xlsx is built to expand" in message and "948 to 1" in message
    assert "Nothing was loaded from this file." in [c.value for c in at.caption]


def _worker_processes() -> list[int]:
    """This process's children that are reading an upload."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            parent = (entry / "stat").read_text().rsplit(")", 1)[1].split()[1]
            command = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if parent == str(os.getpid()) and b"analysis.ingest.worker" in command:
            found.append(int(entry.name))
    return found


def _stopped_worker(read: threading.Thread) -> int:
    """Start `read` and freeze its worker process as soon as it appears, as a file that never
    finishes reading would keep it."""
    read.start()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        children = _worker_processes()
        if children:
            os.kill(children[0], signal.SIGSTOP)
            return children[0]
    raise AssertionError("the upload was not read in a worker process")


def test_other_viewers_keep_working_while_an_upload_is_being_read(
    small_db: Path, monkeypatch: pytest.MonkeyPatch
):
    data = (SMALL / "sessions.csv").read_bytes()
    result: dict[str, object] = {}
    read = threading.Thread(
        target=lambda: result.update(read=worker.read_upload(data, "sessions.csv"))
    )
    child = _stopped_worker(read)
    try:
        monkeypatch.setenv("MENTORING_DB", str(small_db))
        st.cache_data.clear()
        st.cache_resource.clear()
        viewer = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=90)
        viewer.run()
        assert not viewer.exception, [e.message for e in viewer.exception]
        assert viewer.metric, "the other viewer's overview did not render"
        assert read.is_alive(), "the upload was read before the viewer was served"
    finally:
        os.kill(child, signal.SIGCONT)
    read.join(timeout=60)
    raw, kind = result["read"]  # type: ignore[misc]
    assert kind == "sessions" and len(raw.frame) == 8


@pytest.mark.slow
def test_a_read_that_never_finishes_is_stopped_and_said_plainly():
    outcome: dict[str, Exception] = {}

    def read() -> None:
        try:
            worker.read_upload(b"Mentor,Notes\nAna,fine\n", "slow.csv", Limits(worker_seconds=3))
        except IngestError as exc:
            outcome["refusal"] = exc

    reader = threading.Thread(target=read)
    child = _stopped_worker(reader)
    reader.join(timeout=30)
    assert str(outcome["refusal"]) == (
        "slow.csv took more than 3 seconds to read and was stopped. Export a shorter date range, "
        "or split the file."
    )
    assert child not in _worker_processes()


@pytest.mark.slow
def test_a_read_that_needs_more_memory_than_allowed_is_stopped_and_said_plainly():
    lines = ["Session ID,Meeting Date,Mentor Name,Mentee Name,Notes"]
    lines += [
        f"S-{i},2026-07-01,Ana Moreno,Mentee {i},{'talked about goals ' * 8}"
        for i in range(400_000)
    ]
    data = "\n".join(lines).encode()
    with pytest.raises(IngestError) as caught:
        worker.read_upload(data, "big.csv", Limits(worker_memory_bytes=600 * 1024 * 1024))
    assert str(caught.value) == (
        "big.csv needed more than the 600 MB of memory a file may take to read, and was stopped. "
        "Export a shorter date range, or save it as CSV."
    )


def test_the_worker_that_reads_untrusted_bytes_never_receives_the_key(monkeypatch):
    monkeypatch.setenv(KEY_ENV, "ab" * 32)
    assert KEY_ENV not in worker._worker_environment()
