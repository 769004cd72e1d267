"""Hostile upload files, built on the fly (never committed): XLSX whose sheet inflates far beyond
its size, a CSV with 10,000 columns, and NUL bytes where the old binary check did not look.

The XLSX bombs are written by hand: one sheet row, compressed once with a full flush (so each copy
is a self-contained run of deflate blocks), repeated. That builds a 1 GB sheet in a second where
zlib itself would take half a minute, and the file is exactly what an attacker would upload."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from pathlib import Path

import xlsxwriter

_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        "</Types>"
    ),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
        "</Relationships>"
    ),
    "xl/workbook.xml": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheets><sheet name="Responses" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
        "</Relationships>"
    ),
}
_SHEET_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    b'<row r="1"><c r="A1" t="inlineStr"><is><t>Mentor</t></is></c>'
    b'<c r="B1" t="inlineStr"><is><t>Comment</t></is></c></row>'
)
_SHEET_TAIL = b"</sheetData></worksheet>"


def _row_with_long_cell(cell_bytes: int) -> bytes:
    """One row whose comment is a run of one letter: the most compressible text there is."""
    return (
        b'<row><c t="inlineStr"><is><t>Ana Moreno</t></is></c><c t="inlineStr"><is><t>'
        + b"A" * cell_bytes
        + b"</t></is></c></row>"
    )


def _local_header(name: bytes, crc: int, packed: int, size: int) -> bytes:
    # zip64 sizes in the extra field, so a sheet may inflate beyond 4 GB
    extra = struct.pack("<HHQQ", 1, 16, size, packed)
    return (
        struct.pack(
            "<IHHHHHIIIHH",
            0x04034B50,
            45,
            0,
            8,
            0,
            0x5A21,
            crc,
            0xFFFFFFFF,
            0xFFFFFFFF,
            len(name),
            len(extra),
        )
        + name
        + extra
    )


def _central_header(name: bytes, crc: int, packed: int, size: int, offset: int) -> bytes:
    extra = struct.pack("<HHQQQ", 1, 24, size, packed, offset)
    return (
        struct.pack(
            "<IHHHHHHIIIHHHHHII",
            0x02014B50,
            45,
            45,
            0,
            8,
            0,
            0x5A21,
            crc,
            0xFFFFFFFF,
            0xFFFFFFFF,
            len(name),
            len(extra),
            0,
            0,
            0,
            0,
            0xFFFFFFFF,
        )
        + name
        + extra
    )


def _deflate(data: bytes, finish: bool) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    return packer.compress(data) + packer.flush(zlib.Z_FINISH if finish else zlib.Z_FULL_FLUSH)


def xlsx_bomb(
    path: Path, inflated_bytes: int, cell_bytes: int = 1 << 20, declared_bytes: int | None = None
) -> Path:
    """A well-formed .xlsx whose one sheet inflates to about `inflated_bytes` of XML: rows of a
    name and a `cell_bytes`-long comment, each row deflated ~1000:1. With `declared_bytes` the zip
    directory lies about the sheet's size."""
    row = _row_with_long_cell(cell_bytes)
    rows = max(1, inflated_bytes // len(row))
    packed_row = _deflate(row, finish=False)
    crc = zlib.crc32(_SHEET_HEAD)
    for _ in range(rows):
        crc = zlib.crc32(row, crc)
    crc = zlib.crc32(_SHEET_TAIL, crc)
    directory: list[bytes] = []
    with open(path, "wb") as out:

        def member(name: bytes, crc: int, size: int, chunks: list[bytes]) -> None:
            packed = sum(len(chunk) for chunk in chunks)
            offset = out.tell()
            out.write(_local_header(name, crc, packed, size))
            for chunk in chunks:
                out.write(chunk)
            directory.append(_central_header(name, crc, packed, size, offset))

        for name, text in _PARTS.items():
            data = text.encode("utf-8")
            member(name.encode(), zlib.crc32(data), len(data), [_deflate(data, finish=True)])
        size = len(_SHEET_HEAD) + rows * len(row) + len(_SHEET_TAIL)
        if declared_bytes is not None:
            size = declared_bytes
        sheet = [_deflate(_SHEET_HEAD, finish=False), *[packed_row] * rows]
        member(b"xl/worksheets/sheet1.xml", crc, size, [*sheet, _deflate(_SHEET_TAIL, True)])
        start = out.tell()
        for entry in directory:
            out.write(entry)
        length = out.tell() - start
        out.write(
            struct.pack(
                "<IHHHHIIH", 0x06054B50, 0, 0, len(directory), len(directory), length, start, 0
            )
        )
    return path


def wide_csv(path: Path, columns: int = 10_000, target_bytes: int = 500_000) -> Path:
    """A CSV with `columns` columns of short answers, about `target_bytes` long."""
    header = ",".join(f"Q{i}" for i in range(columns))
    row = ",".join("3" for _ in range(columns))
    lines = [header]
    while sum(len(line) + 1 for line in lines) < target_bytes:
        lines.append(row)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def session_log_with_nul(path: Path, rows: int = 100, nul_row: int = 80) -> Path:
    """A session log whose notes on data row `nul_row` (line nul_row + 1) hold a NUL byte, far
    beyond the first 4 KB that the old binary check looked at."""
    lines = ["Session ID,Meeting Date,Mentor Name,Mentor Email,Mentee Name,Duration (min),Notes"]
    for i in range(1, rows + 1):
        notes = "Talked through the quarter\x00s goals" if i == nul_row else "Talked about goals"
        lines.append(
            f"S-{i:04d},2026-07-{1 + i % 28:02d},Ana Moreno,ana.moreno@example.org,"
            f"Mentee {i},30,{notes}"
        )
    data = ("\n".join(lines) + "\n").encode("utf-8")
    assert data.index(b"\x00") > 4096
    path.write_bytes(data)
    return path


def session_log_xlsx_with_nul(path: Path, rows: int = 30, nul_row: int = 20) -> Path:
    """A session log written as Excel writes text (once, in the shared strings part), with a NUL
    byte put into the notes of data row `nul_row`."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["Session ID", "Meeting Date", "Mentor Name", "Mentee Name", "Notes"])
    for i in range(1, rows + 1):
        notes = "Talked NULHERE goals" if i == nul_row else "Talked about goals"
        sheet.write_row(
            i, 0, [f"S-{i}", f"2026-07-{1 + i % 28:02d}", "Ana Moreno", f"Mentee {i}", notes]
        )
    book.close()
    damaged = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(out.getvalue())) as source,
        zipfile.ZipFile(damaged, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            content = source.read(info.filename)
            target.writestr(info, content.replace(b"NULHERE", b"N\x00L"))
    path.write_bytes(damaged.getvalue())
    return path
