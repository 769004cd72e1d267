"""Hostile and damaged uploads, built on the fly (tests/hostile.py): each is refused in plain words
naming the limit it broke, in under 5 seconds and under 500 MB of memory (measured in a subprocess
whose address space is capped, not assumed), or, for a stray NUL, read with the NUL removed and
said so. The limits themselves are exercised with small Limits on small files."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import textwrap
import zipfile
from datetime import date, datetime, time
from pathlib import Path

import pytest
from openpyxl import Workbook

from analysis.errors import IngestError
from analysis.ingest import readers
from analysis.ingest.limits import Limits
from analysis.ingest.load import ingest_file
from analysis.store import Store
from tests import hostile
from tests.conftest import ROOT

MEMORY_CAP = 500 * 1024 * 1024
GB = 1024**3

_BOUNDED_READ = textwrap.dedent(
    """
    import json, resource, sys, time
    resource.setrlimit(resource.RLIMIT_AS, ({cap}, {cap}))
    from pathlib import Path
    from analysis.errors import IngestError
    from analysis.ingest import readers
    start = time.perf_counter()
    try:
        readers.read_export(Path(sys.argv[1]))
        outcome = "read"
    except IngestError as exc:
        outcome = str(exc)
    seconds = time.perf_counter() - start
    # VmHWM, not ru_maxrss: Linux carries the parent's peak into a child's ru_maxrss across exec
    status = Path("/proc/self/status").read_text().split("VmHWM:")[1]
    print(json.dumps({{
        "outcome": outcome, "seconds": seconds, "peak_mb": int(status.split()[0]) / 1024
    }}))
    """
)


def read_in_capped_process(path: Path) -> dict[str, object]:
    """read_export(path) in a fresh interpreter limited to 500 MB of address space, stopped after
    60 s of wall-clock time whatever happens."""
    result = subprocess.run(
        [sys.executable, "-c", _BOUNDED_READ.format(cap=MEMORY_CAP), str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout)


@pytest.fixture(scope="session")
def hostile_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("hostile")


HOSTILE = {
    # 1.1 MB whose sheet inflates to 1 GB (the file that took 7.8 GB and 50 s)
    "xlsx-1gb-bomb": (
        lambda d: hostile.xlsx_bomb(d / "bomb-1gb.xlsx", GB),
        ["is built to expand", "compressed 948 to 1", "under 100 to 1"],
    ),
    # 6.6 MB whose sheet inflates to 5.8 GB (the size of the one that took 463 s)
    "xlsx-6gb-bomb": (
        lambda d: hostile.xlsx_bomb(d / "bomb-6gb.xlsx", int(5.8 * GB)),
        ["would unpack to 5,9", "more than the 1,024 MB a workbook may hold"],
    ),
    # its zip directory says 5 MB; the sheet really inflates to 1 GB
    "xlsx-lying-sizes": (
        lambda d: hostile.xlsx_bomb(
            d / "lying.xlsx", GB, cell_bytes=64 * 1024, declared_bytes=5 * 1024 * 1024
        ),
        ["could not be opened as an Excel workbook", "Bad CRC-32"],
    ),
    # 0.5 MB with 10,000 columns (the file that took 73 s)
    "csv-10000-columns": (
        lambda d: hostile.wide_csv(d / "wide.csv"),
        ["wide.csv has 10,000 columns, more than the 1,000 a file may have"],
    ),
}


@pytest.mark.parametrize("case", list(HOSTILE))
def test_a_hostile_file_is_refused_naming_its_limit_in_under_5_s_and_500_mb(
    case: str, hostile_dir: Path
):
    build, phrases = HOSTILE[case]
    path = build(hostile_dir)
    measured = read_in_capped_process(path)
    for phrase in phrases:
        assert phrase in str(measured["outcome"])
    assert float(measured["seconds"]) < 5  # type: ignore[arg-type]
    assert float(measured["peak_mb"]) < 500  # type: ignore[arg-type]


@pytest.mark.slow
def test_the_hostile_files_are_the_sizes_of_the_reported_ones(hostile_dir: Path):
    sizes = {name: build(hostile_dir).stat().st_size for name, (build, _) in HOSTILE.items()}
    assert 1.0e6 < sizes["xlsx-1gb-bomb"] < 1.3e6
    assert 6.5e6 < sizes["xlsx-6gb-bomb"] < 6.7e6
    assert 0.5e6 < sizes["csv-10000-columns"] < 0.6e6


def _workbook(rows: list[list[object]]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _rewritten(data: bytes, part: str, edit) -> bytes:
    """The workbook with one XML part edited, every other part as it was."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            content = source.read(info.filename)
            target.writestr(info, edit(content) if info.filename == part else content)
    return out.getvalue()


SHEET = "xl/worksheets/sheet1.xml"
SESSION_HEADER = ["Session ID", "Meeting Date", "Mentor Name", "Mentee Name", "Notes"]


def _session_rows(count: int) -> list[list[object]]:
    return [SESSION_HEADER] + [
        [f"S-{i}", f"2026-07-{1 + i % 28:02d}", "Ana Moreno", f"Mentee {i}", "Talked about goals"]
        for i in range(1, count + 1)
    ]


@pytest.mark.parametrize(
    ("limits", "phrase"),
    [
        (Limits(max_rows=20), "more than 20 rows"),
        (Limits(max_cells=100), "more than 100 cells"),
        (Limits(max_columns=4), "more than 4 cells"),
        (Limits(max_file_bytes=1000), "more than the 1 KB a file may be"),
        (Limits(max_zip_members=3), "parts, more than the 3 a workbook may have"),
        (Limits(max_unzipped_bytes=2000), "more than the 2 KB a workbook may hold"),
    ],
    ids=["rows", "cells", "columns", "file size", "zip parts", "unzipped size"],
)
def test_each_limit_refuses_a_workbook_that_passes_it(limits: Limits, phrase: str):
    data = _workbook(_session_rows(50))
    with pytest.raises(IngestError) as caught:
        readers.read_export_bytes(data, "log.xlsx", limits)
    assert phrase in str(caught.value)
    assert str(caught.value).startswith("log.xlsx")


def test_the_same_workbook_within_the_limits_reads_whole():
    raw = readers.read_export_bytes(_workbook(_session_rows(50)), "log.xlsx")
    assert len(raw.frame) == 50 and [c.key for c in raw.columns] == SESSION_HEADER


def test_date_and_time_of_day_cells_read_as_iso_text():
    # a time-of-day cell once failed the read: time.isoformat() takes no separator
    rows: list[list[object]] = [
        ["Meeting Date", "Start", "Logged"],
        [date(2026, 7, 1), time(9, 30), datetime(2026, 7, 1, 9, 45)],
    ]
    raw = readers.read_export_bytes(_workbook(rows), "log.xlsx")
    assert raw.frame.iloc[0].tolist() == ["2026-07-01 00:00:00", "09:30:00", "2026-07-01 09:45:00"]


def test_a_sheet_that_states_a_huge_size_is_read_at_its_real_size():
    # A1:XFD1048576 would pad every row to 16,384 cells
    data = _rewritten(
        _workbook(_session_rows(3)),
        SHEET,
        lambda xml: xml.replace(b'<dimension ref="A1:E4"/>', b'<dimension ref="A1:XFD1048576"/>'),
    )
    assert b"A1:XFD1048576" in zipfile.ZipFile(io.BytesIO(data)).read(SHEET)
    raw = readers.read_export_bytes(data, "log.xlsx", Limits(max_cells=100))
    assert raw.frame.shape == (3, 5)


def test_one_cell_far_to_the_right_counts_as_every_column_it_spans():
    rows = _session_rows(3)
    rows[2] = rows[2] + [None] * 1500 + ["far away"]
    with pytest.raises(IngestError) as caught:
        readers.read_export_bytes(_workbook(rows), "log.xlsx")
    assert "row 3 has 1,506 columns, more than the 1,000 a file may have" in str(caught.value)


def test_a_cell_longer_than_a_cell_may_be_is_refused_before_it_is_parsed():
    rows = _session_rows(3)
    rows[1][4] = "x" * 5000
    with pytest.raises(IngestError) as caught:
        readers.read_export_bytes(_workbook(rows), "log.xlsx", Limits(max_cell_chars=500))
    assert "holds more than 500 characters" in str(caught.value)


def test_csv_rows_and_cells_are_counted_while_streaming():
    text = "\n".join(",".join(map(str, row)) for row in _session_rows(50)).encode()
    with pytest.raises(IngestError) as caught:
        readers.read_export_bytes(text, "log.csv", Limits(max_rows=20))
    assert "log.csv has more than 20 rows" in str(caught.value)
    with pytest.raises(IngestError) as caught:
        readers.read_export_bytes(text, "log.csv", Limits(max_cells=100))
    assert "more than the 100 a file may have" in str(caught.value)


def test_a_csv_answer_longer_than_csv_allows_is_refused_plainly():
    text = b"Mentor,Notes\nAna Moreno," + b"x" * 200_000 + b"\n"
    with pytest.raises(IngestError) as caught:
        readers.read_export_bytes(text, "long.csv")
    assert "long.csv: line 2 could not be read as CSV" in str(caught.value)
    assert "131,072 characters" in str(caught.value)


def test_a_nul_after_the_first_4_kb_is_removed_said_and_everything_loads(tmp_path: Path):
    path = hostile.session_log_with_nul(tmp_path / "log.csv", rows=100, nul_row=80)
    store = Store(tmp_path / "fresh.duckdb")
    report = ingest_file(store, path)
    assert (report.rows_read, report.rows_loaded, report.rows_rejected) == (100, 100, 0)
    assert "Removed 1 NUL character" in " ".join(report.notes)
    assert "on line 81" in " ".join(report.notes)
    notes = store.query("SELECT notes FROM sessions WHERE session_id = 'ref:S-0080'")["notes"]
    assert notes.tolist() == ["Talked through the quarters goals"]
    assert store.scalar("SELECT count(*) FROM sessions WHERE contains(notes, chr(0))") == 0


def test_a_file_of_mostly_nul_bytes_is_refused_as_binary():
    data = b"Mentor,Notes\n" + b"\x00" * 5000 + b"Ana,hello\n"
    with pytest.raises(IngestError) as caught:
        readers.read_export_bytes(data, "dump.csv")
    assert "dump.csv looks like a binary file, not a CSV export (5,000 NUL bytes)" in str(
        caught.value
    )


def test_a_nul_inside_a_workbook_cell_is_refused_plainly_and_nothing_changes(tmp_path: Path):
    path = hostile.session_log_xlsx_with_nul(tmp_path / "log.xlsx")
    assert b"N\x00L" in zipfile.ZipFile(path).read("xl/sharedStrings.xml")
    store = Store(tmp_path / "program.duckdb")
    with pytest.raises(IngestError) as caught:
        ingest_file(store, path)
    assert str(caught.value) == (
        "log.xlsx is damaged: it contains a NUL byte (in xl/sharedStrings.xml), which Excel never "
        "writes. Open the file in Excel and save it again, or export it again."
    )
    assert store.scalar("SELECT count(*) FROM ingest_batches") == 0
