"""How much of an upload we agree to read, in one place, and the checks that hold a file to it while
it streams: an archive's sizes before anything inflates, then its sheet's rows, cells and text as
they decompress, so a hostile file is refused before it can cost memory or minutes."""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from dataclasses import dataclass

from analysis.errors import IngestError


@dataclass(frozen=True)
class Limits:
    """Generous for real exports (a survey of a few thousand respondents is ~0.5 MB and a few
    hundred columns; a million-session log is ~200 MB of CSV, 9 columns, 9 million cells), far
    below what would exhaust a shared server. Each refusal names the limit and what was found."""

    # the Upload page's own cap (.streamlit/config.toml, server.maxUploadSize = 200)
    max_file_bytes: int = 200 * 1024 * 1024
    max_columns: int = 1_000
    # Excel stops at 1,048,576 rows; a CSV of a million sessions fits twice over
    max_rows: int = 2_000_000
    max_cells: int = 20_000_000
    # csv's own default field limit; Excel keeps at most 32,767 characters in a cell
    max_cell_chars: int = 131_072
    # an .xlsx is a zip of XML parts: a million-row sheet is ~600 MB of XML, compressed ~8:1
    max_unzipped_bytes: int = 1024 * 1024 * 1024
    max_zip_members: int = 1_000
    max_compression_ratio: int = 100
    ratio_checked_above_bytes: int = 10 * 1024 * 1024
    # the worker that parses an upload off the page's process (analysis.ingest.worker)
    worker_memory_bytes: int = 4 * 1024 * 1024 * 1024
    worker_seconds: int = 300

    @property
    def max_text_run_bytes(self) -> int:
        # the longest stretch of XML between two tags: a whole cell's text, each character up to
        # 4 bytes of UTF-8 or an escape like &amp;
        return 6 * self.max_cell_chars


LIMITS = Limits()

_CHUNK = 1 << 16
# tags may carry any namespace prefix (<x:row>); `<r>` (a rich-text run) and `<col>` must not match
_ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s/>]")
_CELL_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c[\s/>]")


def _size(count: int) -> str:
    if count < 1024 * 1024:
        return f"{count / 1024:,.0f} KB"
    return f"{count / (1024 * 1024):,.0f} MB"


def check_file_size(size: int, name: str, limits: Limits) -> None:
    if size > limits.max_file_bytes:
        raise IngestError(
            f"{name} is {_size(size)}, more than the {_size(limits.max_file_bytes)} a file may be. "
            "Export a shorter date range, or split the file."
        )


def refuse_too_many_columns(count: int, name: str, limits: Limits) -> None:
    if count > limits.max_columns:
        raise IngestError(
            f"{name} has {count:,} columns, more than the {limits.max_columns:,} a file may have. "
            "Export only the questions or fields you need."
        )


class RowCounter:
    """Counts rows and cells as a reader hands them over, refusing as soon as a limit is passed."""

    def __init__(self, name: str, limits: Limits) -> None:
        self.name, self.limits = name, limits
        self.rows = self.cells = 0

    def add(self, width: int) -> None:
        self.rows += 1
        self.cells += width
        if width > self.limits.max_columns:
            raise IngestError(
                f"{self.name}: row {self.rows:,} has {width:,} columns, more than the "
                f"{self.limits.max_columns:,} a file may have. Export only the questions or fields "
                "you need."
            )
        if self.rows > self.limits.max_rows:
            raise IngestError(
                f"{self.name} has more than {self.limits.max_rows:,} rows, the most a file may have. "
                "Export a shorter date range, or split the file."
            )
        self.require_cells(self.cells)

    def require_cells(self, cells: int) -> None:
        if cells > self.limits.max_cells:
            raise IngestError(
                f"{self.name} has {cells:,} cells (rows times columns), more than the "
                f"{self.limits.max_cells:,} a file may have. Export a shorter date range or fewer "
                "columns."
            )


def check_xlsx(data: bytes, name: str, limits: Limits) -> None:
    """Refuse a workbook that would inflate beyond the limits: first from the sizes its zip
    directory declares (zipfile never yields more than that), then by streaming each XML part once,
    counting rows, cells per row and the longest run of text, keeping none of it."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            _check_declared_sizes(members, name, limits)
            for member in members:
                if member.filename.endswith((".xml", ".rels")):
                    _scan_xml_part(archive, member, name, limits)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as exc:
        # damaged, encrypted, or compressed with a method no spreadsheet program uses
        raise IngestError(
            f"{name} could not be opened as an Excel workbook ({exc}). Save it again as .xlsx or CSV."
        ) from exc


def _check_declared_sizes(members: list[zipfile.ZipInfo], name: str, limits: Limits) -> None:
    if len(members) > limits.max_zip_members:
        raise IngestError(
            f"{name} holds {len(members):,} parts, more than the {limits.max_zip_members:,} a "
            "workbook may have. Save it again as .xlsx or CSV."
        )
    total = sum(member.file_size for member in members)
    if total > limits.max_unzipped_bytes:
        raise IngestError(
            f"{name} would unpack to {_size(total)}, more than the {_size(limits.max_unzipped_bytes)} "
            "a workbook may hold. Export a shorter date range, or save it as CSV."
        )
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > limits.ratio_checked_above_bytes and (
            ratio > limits.max_compression_ratio
        ):
            raise IngestError(
                f"{name} is built to expand: its part {member.filename} is compressed "
                f"{ratio:,.0f} to 1, where real workbooks stay under "
                f"{limits.max_compression_ratio} to 1. It was refused unread."
            )


def _scan_xml_part(
    archive: zipfile.ZipFile, member: zipfile.ZipInfo, name: str, limits: Limits
) -> None:
    part = member.filename
    rows = cells = cells_in_row = 0
    carry = b""
    # no stretch of text inside a chunk can be longer than the longest allowed
    chunk_size = min(_CHUNK, limits.max_text_run_bytes)
    with archive.open(member) as stream:
        while True:
            chunk = stream.read(chunk_size)
            if b"\x00" in chunk:
                raise IngestError(
                    f"{name} is damaged: it contains a NUL byte (in {part}), which Excel never "
                    "writes. Open the file in Excel and save it again, or export it again."
                )
            first = chunk.find(b"<")
            # the text since the last tag, carried over, plus this chunk's text before its first tag
            if len(carry) + (len(chunk) if first < 0 else first) > limits.max_text_run_bytes:
                raise IngestError(
                    f"{name}: a cell in {part} holds more than {limits.max_cell_chars:,} characters, "
                    "more than a cell may hold. Export the file again."
                )
            buffer = carry + chunk
            # before the last '<' there are only whole tag starts; the rest waits for the next chunk
            cut = max(buffer.rfind(b"<"), 0) if chunk else len(buffer)
            carry = buffer[cut:]
            pieces = _ROW_TAG.split(buffer[:cut])
            cells_in_row += len(_CELL_TAG.findall(pieces[0]))
            for piece in pieces[1:]:
                if cells_in_row > limits.max_columns:
                    break
                rows += 1
                cells += cells_in_row
                cells_in_row = len(_CELL_TAG.findall(piece))
            if cells_in_row > limits.max_columns:
                raise IngestError(
                    f"{name}: a row of {part} has more than {limits.max_columns:,} cells, more "
                    "than the columns a file may have. Export only the questions or fields you need."
                )
            if rows > limits.max_rows:
                raise IngestError(
                    f"{name}: {part} has more than {limits.max_rows:,} rows, the most a file may "
                    "have. Export a shorter date range, or split the file."
                )
            if cells + cells_in_row > limits.max_cells:
                raise IngestError(
                    f"{name}: {part} has more than {limits.max_cells:,} cells (rows times "
                    "columns), the most a file may have. Export a shorter date range or fewer columns."
                )
            if not chunk:
                return
