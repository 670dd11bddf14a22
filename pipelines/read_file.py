"""Read any survey export (CSV in many encodings, or XLSX) into a table of strings.

Every cell comes back as text exactly as the file holds it: an empty cell is the empty
string and nothing else (no library default turns "NA" or "None" into a missing value).
Rows are records; the header rows are still in the table (pipelines.headers splits them off).
"""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
from charset_normalizer import from_bytes

# Encodings a survey export plausibly uses when it is not UTF-8, in order of preference on ties.
LEGACY_ENCODINGS = ["cp1252", "mac_roman", "cp932", "latin_1"]
DELIMITERS = [",", ";", "\t"]
XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # legacy .xls
_ASCII_BLANK = re.compile(rb"[\t-\r\x1c-\x20]*")  # the ASCII characters str.isspace() counts


class FileRefused(ValueError):
    """The file can't be ingested at all; the message is one line for the user."""


@dataclass
class RawTable:
    """A file's records as strings, plus what was detected about it."""

    rows: pa.Table  # columns c0..cN, all strings; includes header records
    source_rows: list[int] | None  # spreadsheet row number of each record when not simply 1..n
    kind: str  # csv or xlsx
    encoding: str | None = None
    delimiter: str | None = None
    ragged: list[tuple[int, int, int, str]] = field(default_factory=list)  # (row, fields, expected, text)
    sha256: str | None = None  # of the bytes these records were read from (read_any sets it)

    @property
    def n_records(self) -> int:
        return self.rows.num_rows


def read_any(path: str | Path, *, encoding: str | None = None, delimiter: str | None = None,
             sheet: str | int | None = None) -> RawTable:
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise FileRefused(f"cannot read {path.name}: {exc.strerror or exc}") from exc
    if not data or data.isspace():  # (not data.strip(): that copies a large file to look at it)
        raise FileRefused(f"{path.name} is empty")
    if data.startswith(OLE_MAGIC):
        raise FileRefused(f"{path.name} is a legacy .xls workbook; save it as .xlsx or CSV and upload again")
    if data.startswith(XLSX_MAGIC):
        table = read_xlsx(data, sheet=sheet, name=path.name)
    else:
        table = read_csv_bytes(data, encoding=encoding, delimiter=delimiter, name=path.name)
    table.sha256 = hashlib.sha256(data).hexdigest()  # of the very bytes parsed (the file may change on disk)
    return table


def decode(data: bytes, encoding: str | None = None, name: str = "file") -> tuple[str, str]:
    """Text and the encoding it was read with: a declared encoding, a BOM, UTF-8, or a detected one."""
    if encoding and encoding.lower() not in {"auto", ""}:
        try:
            return data.decode(encoding), encoding
        except (UnicodeDecodeError, LookupError) as exc:
            raise FileRefused(f"{name} is not readable as {encoding}: {exc.reason if hasattr(exc, 'reason') else exc}") from exc
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    head = data[:8192]
    if head.count(b"\x00") > max(8, len(head) // 100):  # many NULs: binary (or UTF-16 without a BOM)
        raise FileRefused(f"{name} looks like a binary file (or UTF-16 without a byte-order mark), "
                          "not a CSV or XLSX survey export")
    data = data.replace(b"\x00", b"")  # a stray NUL in a cell carries no meaning
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    matches = list(from_bytes(data, cp_isolation=LEGACY_ENCODINGS))
    if not matches:
        raise FileRefused(f"{name}: could not work out the text encoding; save it as UTF-8 CSV")
    # Lowest chaos wins; on a tie keep the library's ranking (cp1252 before Mac Roman and so on).
    best = min(enumerate(matches), key=lambda im: (round(im[1].chaos, 4), im[0]))[1]
    text = str(best)
    if _looks_binary(text):
        raise FileRefused(f"{name} looks like a binary file, not a CSV or XLSX survey export")
    return text, best.encoding


def _looks_binary(text: str) -> bool:
    sample = text[:8192]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\r\n\t")
    return controls > max(8, len(sample) // 100)


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits the first records most consistently into the most fields."""
    head = [line for line in text[:65536].splitlines()[:50] if line.strip()]
    best, best_score = ",", (-1, -1)
    for delim in DELIMITERS:
        try:
            counts = [len(r) for r in csv.reader(io.StringIO("\n".join(head)), delimiter=delim)]
        except csv.Error:
            continue
        if not counts:
            continue
        first = counts[0]
        consistent = sum(1 for c in counts if c == first)
        score = (consistent if first > 1 else 0, first)
        if score > best_score:
            best, best_score = delim, score
    return best


def read_csv_bytes(data: bytes, *, encoding: str | None = None, delimiter: str | None = None,
                   name: str = "file") -> RawTable:
    utf8, used, blank = _utf8_as_is(data, encoding)
    if utf8 is None:  # another encoding, a BOM or NULs: decode, then parse the text as UTF-8
        text, used = decode(data, encoding, name)
        utf8, blank = text.encode("utf-8"), text.isspace()
        del text
    if b"\r\r" in utf8:  # some exporters write CR CR LF; it is one line end, not a blank row
        utf8 = utf8.replace(b"\r\r\n", b"\r\n")
    end = len(utf8)
    while end and utf8[end - 1] in b"\r\n":  # trailing line ends, without copying the file
        end -= 1
    if not end or blank:
        raise FileRefused(f"{name} is empty")
    # Sniff on the first 64 K characters (decoding a little more than that is enough).
    head = utf8[:262144].decode("utf-8", errors="ignore")[:65536]
    delim = delimiter if delimiter and delimiter != "auto" else sniff_delimiter(head)
    if utf8.find(b"\n", 0, end) < 0 and utf8.find(b"\r", 0, end) < 0:  # a header and nothing else
        return _python_csv(utf8[:end].decode("utf-8"), delim, used)
    ragged: list = []
    try:
        table = _arrow_csv(memoryview(utf8)[:end], delim, ragged)
    except pa.ArrowInvalid as exc:
        raise FileRefused(f"{name} is not a readable CSV file: {str(exc).splitlines()[0]}") from exc
    if not ragged:
        return RawTable(table, None, "csv", used, delim)
    # Ragged records: re-read with the csv module, which keeps exact record numbers.
    return _python_csv(utf8[:end].decode("utf-8"), delim, used)


def _utf8_as_is(data: bytes, encoding: str | None) -> tuple[bytes | None, str, bool]:
    """(the bytes themselves, encoding, all blank) when they already are UTF-8 text with no BOM
    and no NULs, as most exports are: nothing to decode and encode again. (None, ...) otherwise."""
    declared = encoding if encoding and encoding.lower() not in {"auto", ""} else None
    if declared and declared.lower().replace("_", "-") not in {"utf-8", "utf8"}:
        return None, "", False
    if data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data:
        return None, "", False
    if data.isascii():  # blank as str.isspace() has it, which also counts \x1c-\x1f
        return data, declared or "utf-8", _ASCII_BLANK.fullmatch(data) is not None
    try:
        text = data.decode("utf-8")  # the check that it is UTF-8 (and blank only in Unicode's sense)
    except UnicodeDecodeError:
        return None, "", False
    return data, declared or "utf-8", text.isspace()


def _arrow_csv(utf8: bytes | memoryview, delim: str, ragged: list) -> pa.Table:
    def on_invalid(row):
        ragged.append(row)
        return "skip"

    n_cols = None
    # First pass: learn the column count so every column can be typed as string.
    first = pacsv.open_csv(
        pa.BufferReader(pa.py_buffer(utf8)),
        read_options=pacsv.ReadOptions(autogenerate_column_names=True, block_size=1 << 20),
        parse_options=pacsv.ParseOptions(delimiter=delim, newlines_in_values=True, invalid_row_handler=on_invalid),
        convert_options=pacsv.ConvertOptions(strings_can_be_null=False, quoted_strings_can_be_null=False),
    )
    n_cols = len(first.schema)
    first.close()
    ragged.clear()
    names = [f"c{i}" for i in range(n_cols)]
    return pacsv.read_csv(
        pa.BufferReader(pa.py_buffer(utf8)),
        read_options=pacsv.ReadOptions(column_names=names, block_size=1 << 22, use_threads=True),
        parse_options=pacsv.ParseOptions(delimiter=delim, newlines_in_values=True, invalid_row_handler=on_invalid,
                                         ignore_empty_lines=False),
        convert_options=pacsv.ConvertOptions(column_types={n: pa.string() for n in names}, null_values=[],
                                             strings_can_be_null=False, quoted_strings_can_be_null=False),
    )


def _python_csv(text: str, delim: str, encoding: str) -> RawTable:
    records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delim))
    expected = len(records[0])
    keep, numbers, ragged = [], [], []
    for number, record in enumerate(records, start=1):
        if not record or (len(record) == 1 and record[0] == ""):
            continue  # a blank line: not a record, but it still takes a row number
        if len(record) != expected:
            ragged.append((number, len(record), expected, delim.join(record)[:80]))
            continue
        keep.append(record)
        numbers.append(number)
    columns = list(zip(*keep, strict=True)) if keep else [[] for _ in range(expected)]
    table = pa.table({f"c{i}": pa.array(list(col), pa.string()) for i, col in enumerate(columns)})
    return RawTable(table, numbers, "csv", encoding, delim, ragged)


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value)


def read_xlsx(data: bytes, *, sheet: str | int | None = None, name: str = "file") -> RawTable:
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        if sheet is None:
            sheet_obj = book.get_sheet_by_index(0)
        elif isinstance(sheet, int):
            sheet_obj = book.get_sheet_by_index(sheet)
        else:
            sheet_obj = book.get_sheet_by_name(sheet)
        values = sheet_obj.to_python(skip_empty_area=False)
    except Exception as exc:  # calamine raises its own error types for damaged workbooks
        raise FileRefused(f"{name} is not a readable XLSX workbook: {str(exc).splitlines()[0][:120]}") from exc
    values = [row for row in values]
    while values and all(_cell_text(v) == "" for v in values[-1]):
        values.pop()
    if not values:
        raise FileRefused(f"{name} has an empty first sheet")
    width = max(len(r) for r in values)
    columns = [[_cell_text(r[i]) if i < len(r) else "" for r in values] for i in range(width)]
    table = pa.table({f"c{i}": pa.array(col, pa.string()) for i, col in enumerate(columns)})
    return RawTable(table, None, "xlsx", None, None)
