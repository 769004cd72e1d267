"""Read an export file as the survey tool or platform wrote it: detect encoding, delimiter and
layout (Qualtrics, SurveyMonkey, Google Forms, Microsoft Forms, plain), keep every cell as text,
set ragged rows aside, and refuse files that are not exports, in plain words."""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import itertools
import os
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from analysis.errors import IngestError
from analysis.ingest.limits import (
    LIMITS,
    Limits,
    RowCounter,
    check_file_size,
    check_xlsx,
    refuse_too_many_columns,
)

Kind = Literal["survey", "sessions", "roster"]

FORMAT_LABELS = {
    "qualtrics": "Qualtrics CSV",
    "qualtrics_legacy": "Qualtrics CSV (legacy two-row layout)",
    "surveymonkey": "SurveyMonkey",
    "google_forms": "Google Forms CSV",
    "microsoft_forms": "Microsoft Forms",
    "plain": "Table with one header row",
}

_MAGIC = [
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"%PDF", "a PDF document"),
    (b"\xd0\xcf\x11\xe0", "an old-style Excel (.xls) or Word file"),
    (b"{\\rtf", "a Rich Text document"),
]


@dataclass
class Column:
    """One column: a stable key (used in mappings), the question text, and the matrix row or
    sub-answer when the tool splits one question over several columns."""

    key: str
    header: str
    sub: str | None = None

    @property
    def text(self) -> str:
        return f"{self.header} [{self.sub}]" if self.sub else self.header


REJECTED_COLUMNS = ["row_number", "column", "reason", "raw_value"]


@dataclass
class RawExport:
    file_name: str
    format: str
    format_label: str
    encoding: str
    delimiter: str | None
    columns: list[Column]
    frame: pd.DataFrame
    layout_key: str
    notes: list[str] = field(default_factory=list)
    rejected: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=REJECTED_COLUMNS))

    def column(self, key: str) -> Column:
        for column in self.columns:
            if column.key == key:
                return column
        raise KeyError(key)


class SetAside:
    """The rows of an export that cannot be counted whole, each with its column and the reason in
    words, after those the reader already set aside."""

    def __init__(self, raw: RawExport) -> None:
        self._rejected: list[dict[str, Any]] = raw.rejected.to_dict("records")
        self._rows: set[int] = set()

    def add(
        self,
        rows: pd.Index,
        column: str | None,
        reason: Callable[[int], str],
        values: pd.Series | None,
    ) -> None:
        """Set `rows` aside: `reason` says why for a row number, `values` holds what they read."""
        for row in rows:
            self._rows.add(int(row))
            self._rejected.append(
                {
                    "row_number": int(row),
                    "column": column,
                    "reason": reason(int(row)),
                    "raw_value": None if values is None else str(values.loc[row]),
                }
            )

    def kept(self, index: pd.Index) -> pd.Index:
        """The rows of `index` not set aside."""
        return index[~index.isin(list(self._rows))]

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(self._rejected, columns=REJECTED_COLUMNS)


def _refuse_non_exports(data: bytes, name: str) -> None:
    if not data.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
        raise IngestError(f"{name} is empty. Export the responses again and upload the new file.")
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise IngestError(
                f"{name} is {what}, not a CSV or Excel export. Download the responses from your survey "
                "tool as CSV or Excel (.xlsx) and upload that file."
            )
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                if "xl/workbook.xml" in archive.namelist():
                    return
        except zipfile.BadZipFile:
            pass
        raise IngestError(
            f"{name} is a zip archive or an Office document that is not Excel. Upload a CSV or .xlsx file."
        )


def _decode(data: bytes) -> tuple[str, str]:
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16"), "utf-16"
    if len(data) > 3 and data[1] == 0 and data[3] == 0:
        return data.decode("utf-16-le", errors="replace"), "utf-16-le"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), "windows-1252"


def _is_utf8(data: bytes) -> bool:
    """Whether the bytes are UTF-8, checked a slice at a time (no second copy of a long file)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    view = memoryview(data)
    step = 1 << 22
    try:
        for start in range(0, len(data), step):
            decoder.decode(view[start : start + step], final=start + step >= len(data))
    except UnicodeDecodeError:
        return False
    return True


def _text_stream(data: bytes, name: str, notes: list[str]) -> tuple[io.TextIOBase, str, str]:
    """The file's text as a stream decoded as it is read (a long UTF-8 or Windows file is never
    held as one string beside its bytes), its encoding, and its first 64 KB for sniffing. UTF-16
    files and files with NUL characters are decoded whole (they are rare and small)."""
    utf16 = data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or (
        len(data) > 3 and data[1] == 0 and data[3] == 0
    )
    if utf16 or b"\x00" in data:
        text, encoding = _decode(data)
        text = _without_nul(text, name, notes)
        return io.StringIO(text, newline=""), encoding, text[:65536]
    if data.startswith(codecs.BOM_UTF8):
        encoding, codec = "utf-8-sig", "utf-8-sig"
    elif _is_utf8(data):
        encoding, codec = "utf-8", "utf-8"
    else:
        encoding, codec = "windows-1252", "cp1252"
    sample = data[:65536].decode(codec, errors="ignore")
    stream = io.TextIOWrapper(io.BytesIO(data), encoding=codec, errors="replace", newline="")
    return stream, encoding, sample


def _without_nul(text: str, name: str, notes: list[str]) -> str:
    """A NUL is never part of an answer: a few (a damaged copy-paste) are removed and named; many
    mean the file is not text at all."""
    count = text.count("\x00")
    if not count:
        return text
    if count * 100 > len(text):
        raise IngestError(
            f"{name} looks like a binary file, not a CSV export ({count:,} NUL bytes). Upload the "
            "CSV or .xlsx from your survey tool."
        )
    lines: list[int] = []
    position = text.find("\x00")
    while position >= 0 and len(lines) < 3:
        lines.append(text.count("\n", 0, position) + 1)
        position = text.find("\x00", position + 1)
    shown = sorted(set(lines))
    where = ", ".join(str(line) for line in shown)
    more = count - len(lines)
    notes.append(
        f"Removed {count:,} NUL {'character' if count == 1 else 'characters'} (invisible, never "
        f"part of an answer, usually from a damaged copy-paste) on line{'s' if len(shown) > 1 else ''} "
        f"{where}{f' and {more:,} more' if more else ''}; everything else was read as it stands."
    )
    return text.replace("\x00", "")


def _sniff_delimiter(text: str) -> str:
    """The delimiter that splits the first lines into the same, largest number of fields."""
    sample = text[:65536]
    best, best_score = ",", (-1, -1)
    for delimiter in (",", ";", "\t", "|"):
        rows = list(csv.reader(io.StringIO(sample), delimiter=delimiter))[:30]
        if len(rows) > 1 and not sample.endswith(("\n", "\r")):
            rows = rows[:-1]
        widths = [len(r) for r in rows if r]
        if not widths:
            continue
        common = max(set(widths), key=widths.count)
        score = (widths.count(common) if common > 1 else 0, common)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _xlsx_rows(data: bytes, name: str, limits: Limits) -> list[list[str]]:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        sheet = book.worksheets[0]
        # The size a sheet states may lie (A1:XFD1048576 would pad every row to 16,384 cells):
        # rows come as long as they really are, counted as they come, and are padded only after.
        sheet.reset_dimensions()
        counter = RowCounter(name, limits)
        rows = []
        for values in sheet.iter_rows(values_only=True):
            counter.add(len(values))
            rows.append(["" if v is None else _cell_text(v) for v in values])
    finally:
        book.close()
    width = max((len(row) for row in rows), default=0)
    counter.require_cells(width * len(rows))
    return [row + [""] * (width - len(row)) for row in rows]


def _cell_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


def _trim(rows: list[list[str]]) -> list[list[str]]:
    while rows and not any(cell.strip() for cell in rows[-1]):
        rows.pop()
    width = max((len(r) for r in rows), default=0)
    # Excel pads sheets with empty columns on the right; drop columns empty in every row.
    while width and all(len(r) < width or not r[width - 1].strip() for r in rows):
        width -= 1
    return [r[:width] if len(r) > width else r for r in rows]


def _norm(text: str) -> str:
    return " ".join(str(text).replace("\ufeff", "").split()).strip()


def _layout(rows: list[list[str]]) -> tuple[str, int]:
    first = [_norm(c) for c in rows[0]]
    lowered = [c.lower() for c in first]
    second = [_norm(c) for c in rows[1]] if len(rows) > 1 else []
    third = [_norm(c) for c in rows[2]] if len(rows) > 2 else []
    if ("responseid" in lowered or {"startdate", "enddate"} <= set(lowered)) and any(
        c.startswith('{"ImportId"') for c in third
    ):
        return "qualtrics", 3
    if (
        ("responseid" in lowered or lowered[:2] == ["v1", "v2"])
        and second
        and any(c.lower() in ("responseid", "response id") or len(c) > 25 for c in second)
    ):
        return "qualtrics_legacy", 2
    if "respondent id" in lowered and "collector id" in lowered:
        return "surveymonkey", 2
    if lowered and lowered[0] == "timestamp":
        return "google_forms", 1
    if lowered[:3] == ["id", "start time", "completion time"]:
        return "microsoft_forms", 1
    return "plain", 1


def _columns(
    rows: list[list[str]], layout: str, header_rows: int, notes: list[str]
) -> list[Column]:
    first = [_norm(c) for c in rows[0]]
    columns: list[Column] = []
    if layout == "qualtrics" or layout == "qualtrics_legacy":
        texts = [_norm(c) for c in rows[1]]
        texts += [""] * (len(first) - len(texts))
        shared = _matrix_questions(first, texts)
        for key, text in zip(first, texts, strict=False):
            question = shared.get(key)
            if question is not None:
                sub = text[len(question) + 3 :]
            else:
                question, _, sub = text.rpartition(" - ") if " - " in text else (text, "", "")
            columns.append(Column(key, question or text or key, sub or None))
    elif layout == "surveymonkey":
        subs = [_norm(c) for c in rows[1]] + [""] * len(first)
        current = ""
        for i, text in enumerate(first):
            current = text or current
            sub = subs[i]
            keep_sub = (
                sub if sub and sub.lower() not in ("response", "open-ended response") else None
            )
            key = f"{current} [{keep_sub}]" if keep_sub else current
            columns.append(Column(key, current, keep_sub))
    else:
        for text in first:
            found = re.fullmatch(r"(.*\S)\s*\[(.+)\]", text)
            if found and layout in ("google_forms", "plain"):
                columns.append(Column(text, found.group(1), found.group(2)))
            else:
                columns.append(Column(text or "(blank header)", text or "(blank header)"))
    seen: dict[str, int] = {}
    for column in columns:
        if column.key in seen:
            seen[column.key] += 1
            original = column.key
            column.key = f"{original} ({seen[original]})"
            notes.append(
                f"Two columns are both called '{original}'; the second is shown as '{column.key}'."
            )
        else:
            seen[column.key] = 1
    return columns


def _matrix_questions(keys: list[str], texts: list[str]) -> dict[str, str]:
    """Qualtrics names a matrix's rows Q5_1, Q5_2... and writes "question - statement" for each:
    the question is what the rows' texts share up to a " - ", so a statement that itself holds
    " - " ("Agrees the deadline - then lets me decide") stays whole."""
    groups: dict[str, list[int]] = {}
    for i, key in enumerate(keys):
        found = re.fullmatch(r"(.+)_\d+", key)
        if found:
            groups.setdefault(found.group(1), []).append(i)
    shared: dict[str, str] = {}
    for members in groups.values():
        group_texts = [texts[i] for i in members]
        if len(members) < 2 or not all(" - " in t for t in group_texts):
            continue
        common = os.path.commonprefix(group_texts)
        cut = common.rfind(" - ")
        if cut > 0:
            shared.update((keys[i], group_texts[0][:cut]) for i in members)
    return shared


def layout_key_of(columns: list[Column]) -> str:
    """Same survey, next wave: same key (independent of encoding, delimiter and row order)."""
    text = "\x1f".join(_norm(c.text).casefold() for c in columns)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def read_file(path: Path, name: str, limits: Limits = LIMITS) -> bytes:
    """A file's bytes, refused unread when it is larger than any export may be."""
    try:
        check_file_size(path.stat().st_size, name, limits)
        return path.read_bytes()
    except OSError as exc:
        raise IngestError(f"Could not open {name}: {exc.strerror or exc}.") from exc


def read_export(path: Path, file_name: str | None = None, limits: Limits = LIMITS) -> RawExport:
    """Read one export file; raise IngestError with a plain message when it is not usable."""
    path = Path(path)
    name = file_name or path.name
    return read_export_bytes(read_file(path, name, limits), name, limits)


def read_export_bytes(data: bytes, name: str, limits: Limits = LIMITS) -> RawExport:
    """Read one export from memory (an upload never touches the disk); refuse, in plain words and
    before spending memory on it, a file that is not usable or larger than `limits` allow."""
    return next(read_export_chunks(data, name, None, limits))


def read_export_chunks(
    data: bytes, name: str, chunk_rows: int | None = 50_000, limits: Limits = LIMITS
) -> Iterator[RawExport]:
    """Read one export in chunks of at most `chunk_rows` rows (None: the whole file at once),
    each a RawExport with the same columns and the rows' own line numbers, so a long session log
    is parsed and loaded without ever holding all its rows. An Excel workbook comes whole."""
    check_file_size(len(data), name, limits)
    _refuse_non_exports(data, name)
    notes: list[str] = []
    if data.startswith(b"PK\x03\x04"):
        check_xlsx(data, name, limits)
        try:
            rows = _xlsx_rows(data, name, limits)
        except (IngestError, MemoryError):
            raise
        except Exception as exc:  # openpyxl raises many types for damaged workbooks
            raise IngestError(
                f"{name} could not be opened as an Excel workbook ({exc}). Save it again as .xlsx or CSV."
            ) from exc
        encoding, delimiter = "xlsx", None
        lines: Iterator[list[str]] = iter(_trim(rows))
        chunk_rows = None
    else:
        stream, encoding, sample = _text_stream(data, name, notes)
        delimiter = _sniff_delimiter(sample)
        lines = _csv_lines(stream, delimiter, name, limits)
    head: list[list[str]] = []
    for row in lines:
        head.append(row)
        if len(head) == 3:
            break
    if not head or not any(cell.strip() for cell in head[0]):
        raise IngestError(f"{name} is empty. Export the responses again and upload the new file.")
    layout, header_rows = _layout(head)
    # Spreadsheets pad rows with empty columns on the right: a column without a header is dropped.
    named = [i for row in head[:header_rows] for i, cell in enumerate(row) if cell.strip()]
    head = [row[: max(named) + 1] if i < header_rows else row for i, row in enumerate(head)]
    columns = _columns(head, layout, header_rows, notes)
    label = FORMAT_LABELS[layout]
    if layout in ("surveymonkey", "microsoft_forms", "plain"):
        label += " (Excel)" if delimiter is None else " CSV"
    width = len(columns)
    body = itertools.chain(head[header_rows:], lines)
    line = header_rows
    yielded = False
    while True:
        good: list[tuple[int, list[str]]] = []
        bad: list[dict[str, object]] = []
        for row in itertools.islice(body, chunk_rows) if chunk_rows else body:
            line += 1
            if not any(cell.strip() for cell in row):
                continue
            if (
                len(row) < width
                and layout == "surveymonkey"
                and all(not c for c in row[len(row) :])
            ):
                row = row + [""] * (width - len(row))
            if len(row) > width and not any(cell.strip() for cell in row[width:]):
                row = row[:width]  # a spreadsheet's empty columns on the right
            if len(row) != width:
                bad.append(
                    {
                        "row_number": line,
                        "column": None,
                        "reason": f"Row {line} has {len(row)} values but the header has {width} columns",
                        "raw_value": (delimiter or ",").join(row)[:500],
                    }
                )
                continue
            good.append((line, row))
        if not good and not bad:
            if not yielded:
                raise IngestError(
                    f"{name} has column headers but no responses. Check the export's date range or "
                    "filters."
                )
            return
        if bad and len(bad) > len(good):
            hint = (
                ""
                if delimiter is None
                else f" (read with '{ {',': 'commas', ';': 'semicolons', chr(9): 'tabs'}.get(delimiter, delimiter) }' between values)"
            )
            raise IngestError(
                f"{name}: most rows do not have the same number of values as the header{hint}. The "
                "file may have been edited by hand or saved with a different separator. Export it "
                "again from the tool."
            )
        frame = pd.DataFrame([r for _, r in good], columns=[c.key for c in columns], dtype="string")
        frame.index = pd.Index([n for n, _ in good], name="row_number")
        yield RawExport(
            file_name=name,
            format=layout,
            format_label=label,
            encoding=encoding,
            delimiter=delimiter,
            columns=columns,
            frame=frame.fillna(""),
            layout_key=layout_key_of(columns),
            notes=notes if not yielded else [],
            rejected=pd.DataFrame(bad, columns=REJECTED_COLUMNS),
        )
        yielded = True
        if not chunk_rows:
            return


def _csv_lines(
    stream: io.TextIOBase, delimiter: str, name: str, limits: Limits
) -> Iterator[list[str]]:
    """The CSV's rows one at a time, within the limits (the header decides before any answer is
    read), with empty rows at the end dropped."""
    reader = csv.reader(stream, delimiter=delimiter)
    counter = RowCounter(name, limits)
    first = True
    try:
        for row in reader:
            if first:
                refuse_too_many_columns(len(row), name, limits)
                first = False
            counter.add(len(row))
            yield row
    except csv.Error as exc:
        raise IngestError(
            f"{name}: line {reader.line_num} could not be read as CSV ({exc}); an answer may be "
            f"longer than the {limits.max_cell_chars:,} characters a cell may hold. Export the "
            "file again."
        ) from exc


_WORDS = {
    "date": re.compile(r"\b(date|day|when|timestamp|time)\b"),
    "mentor": re.compile(r"\bmentor\b"),
    "mentee": re.compile(r"\b(mentee|protege|protégé)\b"),
    "notes": re.compile(r"\b(notes?|topics?|tags?|summary|discussed|agenda)\b"),
    "duration": re.compile(r"\b(duration|minutes|mins?|length)\b"),
    "role": re.compile(r"\brole\b"),
    "segment": re.compile(
        r"\b(department|dept|team|division|cohort|location|office|site|region)\b"
    ),
    "name": re.compile(r"\b(name|email|e-mail)\b"),
}


def _has(columns: list[Column], word: str) -> bool:
    return any(_WORDS[word].search(c.text.lower()) for c in columns)


def detect_kind(raw: RawExport) -> Kind:
    """Survey export, session log or roster, from the headers and the answers."""
    from analysis.ingest import likert

    if raw.format != "plain":
        return "survey"
    # The first 2,000 rows tell what kind of file it is; reading a 100,000-row log's notes through
    # the scale detector would cost seconds for nothing.
    head = raw.frame.head(2000)
    scale_columns = sum(
        1 for c in raw.columns if likert.detect_scale(head[c.key], c.text) is not None
    )
    if scale_columns >= 2:
        return "survey"
    if (
        _has(raw.columns, "date")
        and _has(raw.columns, "mentor")
        and (_has(raw.columns, "mentee") or _has(raw.columns, "notes"))
    ):
        return "sessions"
    if _has(raw.columns, "name") and (_has(raw.columns, "role") or _has(raw.columns, "segment")):
        return "roster"
    if scale_columns:
        return "survey"
    raise IngestError(
        f"{raw.file_name}: could not tell what this file is. A survey export has answer columns "
        "(Agree, Often, 1-5...); a session log has date, mentor, mentee and notes columns; a roster "
        "has names, emails and roles. Choose the kind on the Upload page or with --kind."
    )


_KIND_WORDS = {
    "survey": "a survey export",
    "sessions": "a session log (date, mentor, mentee and notes columns)",
    "roster": "a participant roster (names, emails, roles)",
}
_KIND_CHOICE = {
    "survey": "Survey export",
    "sessions": "Session log",
    "roster": "Participant roster",
}


def require_kind(raw: RawExport, expected: str) -> None:
    """Refuse a file offered as the wrong kind, saying what it looks like instead."""
    if expected not in _KIND_WORDS:
        raise IngestError(f"Unknown kind of file '{expected}': choose survey, sessions or roster.")
    try:
        detected = detect_kind(raw)
    except IngestError:
        return
    if detected != expected:
        raise IngestError(
            f"{raw.file_name}: this looks like {_KIND_WORDS[detected]}, not {_KIND_WORDS[expected]}. "
            f"Choose '{_KIND_CHOICE[detected]}' instead."
        )


_DATE_FORMATS = {
    "qualtrics": ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%m/%d/%Y %H:%M"],
    "qualtrics_legacy": ["%Y-%m-%d %H:%M:%S", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M"],
    "surveymonkey": [
        "%m/%d/%Y %I:%M:%S %p",
        "%m/%d/%Y %H:%M:%S",
        "%Y-%m-%d %H:%M:%S",
        "%d/%m/%Y %H:%M:%S",
    ],
    "google_forms": ["%m/%d/%Y %H:%M:%S", "%Y/%m/%d %I:%M:%S %p", "%d/%m/%Y %H:%M:%S"],
    "microsoft_forms": [
        "%m/%d/%Y %H:%M:%S",
        "%Y-%m-%d %H:%M:%S",
        "%m/%d/%y %H:%M:%S",
        "%d/%m/%Y %H:%M:%S",
        "%m/%d/%Y %H:%M",  # the export opened in Excel and saved as CSV drops the seconds
    ],
    "plain": [
        "%Y-%m-%d",
        "%Y-%m-%d %H:%M:%S",
        "%m/%d/%Y",
        "%d/%m/%Y",
        "%d.%m.%Y",
        "%m/%d/%Y %H:%M:%S",
        "%d/%m/%Y %H:%M:%S",
        "%d %b %Y",
        "%b %d, %Y",
        "%d-%b-%Y",
    ],
}


def parse_dates(values: pd.Series, layout: str, notes: list[str]) -> pd.Series:
    """Dates in the tool's documented formats, chosen explicitly (03/04 is never guessed: a file
    is read day-first only when its values are impossible month-first, and a note says so)."""
    text = (
        values.astype("string")
        .str.strip()
        .str.replace(r"\s+(GMT|UTC)([+-]\d{1,2}(:?\d{2})?)?$", "", regex=True)
    )
    # fractional seconds go ("09:12:33.123"), a day-first "04.05.2026" stays whole
    text = text.str.replace("T", " ", regex=False).str.replace(r"(?<=:\d\d)\.\d+$", "", regex=True)
    best: pd.Series | None = None
    best_format, best_count = "", -1
    for fmt in _DATE_FORMATS.get(layout, []) + _DATE_FORMATS["plain"]:
        parsed = pd.to_datetime(text, format=fmt, errors="coerce")
        count = int(parsed.notna().sum())
        if count > best_count:
            best, best_format, best_count = parsed, fmt, count
    if best_count and best_format.startswith("%d/%m") or best_format.startswith("%d.%m"):
        notes.append(
            "Dates in this file are day-first (DD/MM/YYYY): some could only be read that way."
        )
    # Excel stores dates as datetimes: the reader wrote them ISO, caught by the formats above.
    assert best is not None
    return best
