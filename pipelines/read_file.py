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
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
from charset_normalizer import from_bytes

from pipelines import limits

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
        with path.open("rb") as fh:
            if not fh.read(4).startswith(XLSX_MAGIC):  # a CSV: no line too long, before it is read whole
                fh.seek(0)
                check_line_lengths(fh, path.name)
        data = path.read_bytes()
    except OSError as exc:
        raise FileRefused(f"cannot read {path.name}: {exc.strerror or exc}") from exc
    if not data or data.isspace():  # (not data.strip(): that copies a large file to look at it)
        raise FileRefused(f"{path.name} is empty")
    if data.startswith(OLE_MAGIC):
        raise FileRefused(f"{path.name} is a legacy .xls workbook; save it as .xlsx or CSV and upload again")
    if data.startswith(XLSX_MAGIC):
        check_xlsx(data, path.name)
        table = read_xlsx(data, sheet=sheet, name=path.name)
    else:
        table = read_csv_bytes(data, encoding=encoding, delimiter=delimiter, name=path.name)
    table.sha256 = hashlib.sha256(data).hexdigest()  # of the very bytes parsed (the file may change on disk)
    return table


def check_line_lengths(stream, name: str) -> None:
    """Refuse a file with a physical line longer than the limit, reading it in small pieces, so a
    200 MB single line is refused after reading the limit's worth of it, never held whole."""
    cap = limits.csv_line_bytes()
    run = 0  # bytes since the last line end
    while chunk := stream.read(min(cap, 1 << 20)):  # a line inside one piece is never over the cap
        first = min((i for i in (chunk.find(b"\n"), chunk.find(b"\r")) if i >= 0), default=-1)
        if first < 0:
            run += len(chunk)
        else:
            run += first
        if run > cap:
            raise FileRefused(f"{name} has a line longer than {cap // limits.MB:,} MB (the limit, "
                              "SKILLS_MAX_CSV_LINE_MB); it is not a survey export")
        if first >= 0:
            run = len(chunk) - 1 - max(chunk.rfind(b"\n"), chunk.rfind(b"\r"))


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
    header_end = _line_end(utf8, end)
    _check_columns(utf8[:header_end], delim, name)
    if utf8.find(b"\n", 0, end) < 0 and utf8.find(b"\r", 0, end) < 0:  # a header and nothing else
        return _python_csv(utf8[:end].decode("utf-8"), delim, used, name)
    ragged: list = []
    try:
        table = _arrow_csv(memoryview(utf8)[:end], delim, ragged, header_end)
    except pa.ArrowInvalid as exc:
        if "straddl" not in str(exc):  # a record larger than Arrow's block: the csv module reads it
            raise FileRefused(f"{name} is not a readable CSV file: {_arrow_reason(exc)}") from exc
        return _python_csv(utf8[:end].decode("utf-8"), delim, used, name)
    if not ragged:
        if end > limits.csv_field_bytes():  # (a smaller file can't hold a field over the limit)
            _check_field_sizes(table, name)
        return RawTable(table, None, "csv", used, delim)
    # Ragged (or very long) records: re-read with the csv module, which keeps exact record numbers.
    return _python_csv(utf8[:end].decode("utf-8"), delim, used, name)


def _line_end(utf8: bytes, end: int) -> int:
    """Where the first physical line of ``utf8[:end]`` ends."""
    ends = [i for i in (utf8.find(b"\n", 0, end), utf8.find(b"\r", 0, end)) if i >= 0]
    return min(ends) if ends else end


def _check_columns(header: bytes, delim: str, name: str) -> None:
    try:
        n_fields = len(next(csv.reader([header.decode("utf-8", errors="replace")], delimiter=delim), []))
    except csv.Error:  # e.g. a field over the csv module's limit: the line cap has bounded it already
        n_fields = len(header.split(delim.encode()))
    if n_fields > limits.max_columns():
        raise FileRefused(f"{name} has {n_fields:,} columns, more than the {limits.max_columns():,} a survey "
                          "export may have (SKILLS_MAX_COLUMNS)")


def _field_refusal(name: str) -> FileRefused:
    return FileRefused(f"{name} has a field larger than {limits.csv_field_bytes() // limits.MB:,} MB (the limit, "
                       "SKILLS_MAX_CSV_FIELD_MB); it is not a survey export")


def _check_field_sizes(table: pa.Table, name: str) -> None:
    import pyarrow.compute as pc

    cap = limits.csv_field_bytes()
    for column in table.columns:
        longest = pc.max(pc.binary_length(column)).as_py()
        if longest is not None and longest > cap:
            raise _field_refusal(name)


def _arrow_reason(exc: Exception) -> str:
    """Arrow's parse error without its library wording, e.g. "row 12 has 3 fields, expected 6"."""
    text = str(exc).splitlines()[0] if str(exc).strip() else ""
    return text.removeprefix("CSV parse error: ")[:160] or "the records could not be split into fields"


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


def _arrow_csv(utf8: bytes | memoryview, delim: str, ragged: list, header_bytes: int) -> pa.Table:
    def on_invalid(row):
        ragged.append(row)
        return "skip"

    n_cols = None
    # First pass: learn the column count so every column can be typed as string.
    first = pacsv.open_csv(
        pa.BufferReader(pa.py_buffer(utf8)),
        # The block must hold the whole header record (a wide header is longer than 1 MB).
        read_options=pacsv.ReadOptions(autogenerate_column_names=True, block_size=max(1 << 20, 2 * header_bytes)),
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


def _python_csv(text: str, delim: str, encoding: str, name: str = "file") -> RawTable:
    csv.field_size_limit(limits.csv_field_bytes())
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delim))
    except csv.Error as exc:
        if "field limit" in str(exc):
            raise _field_refusal(name) from exc
        raise FileRefused(f"{name} is not a readable CSV file: its quoting is broken") from exc
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
    columns: list[tuple[str, ...]] = list(zip(*keep, strict=True)) if keep else [() for _ in range(expected)]
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


def check_xlsx(data: bytes, name: str) -> None:
    """Refuse a workbook that would take more than the limits to read, before calamine reads it:
    its zip entries' uncompressed sizes and compression ratios, any DTD (entity declarations) in its
    XML, and each worksheet's extent - the declared ``<dimension>`` and every cell reference,
    since calamine allocates the rectangle up to the farthest cell whatever the sheet declares."""
    try:
        book = zipfile.ZipFile(io.BytesIO(data))
        entries = book.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise FileRefused(f"{name} is not a readable XLSX workbook: the zip archive is damaged or cut off") from exc
    total, cap = sum(e.file_size for e in entries), limits.xlsx_uncompressed_bytes()
    if total > cap:
        raise FileRefused(f"{name} unpacks to {total // limits.MB:,} MB, more than the {cap // limits.MB:,} MB "
                          "a workbook may (SKILLS_MAX_XLSX_UNCOMPRESSED_MB)")
    ratio = limits.xlsx_ratio()
    for entry in entries:
        if entry.file_size > limits.RATIO_EXEMPT_BYTES and entry.file_size > ratio * max(entry.compress_size, 1):
            raise FileRefused(f"{name} is a zip bomb: {entry.filename} unpacks {entry.file_size / max(entry.compress_size, 1):,.0f} "
                              f"times larger than it is stored, more than {ratio:g} times (SKILLS_MAX_XLSX_RATIO)")
    try:
        for entry in entries:
            if entry.filename.endswith((".xml", ".rels", ".vml")):
                with book.open(entry) as stream:
                    _check_xml_part(stream, entry.filename, name, is_sheet=entry.filename.startswith("xl/worksheets/"))
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, NotImplementedError) as exc:
        raise FileRefused(f"{name} is not a readable XLSX workbook: the zip archive is damaged") from exc


_ROOT_ELEMENT = re.compile(rb"<[A-Za-z_]")
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref=[\"']([A-Za-z]{1,3})?([0-9]{1,7})?(?::([A-Za-z]{1,3})([0-9]{1,7}))?[\"']")
_ANY_REF = re.compile(rb"\br=[\"']([A-Za-z]{0,3})0*([0-9]{1,9})[\"']")
_XML_HEAD = 1 << 16


def _check_xml_part(stream, part: str, name: str, *, is_sheet: bool) -> None:
    head = stream.read(_XML_HEAD)
    root = _ROOT_ELEMENT.search(head)
    prolog = head[: root.start()] if root else head
    if b"<!DOCTYPE" in prolog or b"<!ENTITY" in prolog or b"<!DOCTYPE" in head[:4096]:
        raise FileRefused(f"{name} declares XML entities in {part} (a DTD), which no spreadsheet needs; refused")
    if not is_sheet:
        return
    cells = limits.xlsx_cells()
    declared = _DIMENSION.search(head)
    if declared and declared.group(4):
        rows, cols = int(declared.group(4)), _column_number(declared.group(3))
    elif declared and declared.group(2):
        rows, cols = int(declared.group(2)), _column_number(declared.group(1) or "A")
    else:  # no declared size: find the farthest cell the slow way (Excel always declares one)
        rows, cols = _farthest_cell(head, stream)
        declared = None
    if rows * cols > cells or cols > limits.max_columns():
        raise FileRefused(f"{name}: the sheet spans {rows:,} rows x {cols:,} columns, more than the "
                          f"{cells:,} cells or {limits.max_columns():,} columns a workbook may have "
                          "(SKILLS_MAX_XLSX_CELLS, SKILLS_MAX_COLUMNS)")
    if declared and _reference_beyond(head, stream, rows, cols):
        raise FileRefused(f"{name}: a cell of the sheet lies outside the size the sheet declares "
                          f"({rows:,} rows x {cols:,} columns); the workbook is damaged")


def _column_number(letters: bytes | str) -> int:
    number = 0
    for ch in letters.upper() if isinstance(letters, str) else letters.decode().upper():
        number = number * 26 + ord(ch) - 64
    return number


def _pieces(head: bytes, stream, overlap: int = 64):
    """The part's bytes in pieces that overlap by ``overlap`` bytes, so no reference is split."""
    piece = head
    while piece:
        more = stream.read(1 << 24)
        yield piece + more[:overlap] if more else piece
        piece = more


def _farthest_cell(head: bytes, stream) -> tuple[int, int]:
    rows = cols = 1
    for piece in _pieces(head, stream):
        for letters, digits in set(_ANY_REF.findall(piece)):
            rows = max(rows, int(digits))
            if letters:
                cols = max(cols, _column_number(letters))
    return rows, cols


def _greater_than(bound: str, alphabet: str) -> str:
    """A regex for the strings over ``alphabet`` (in order, the first never leading) above ``bound``,
    where a longer string is larger: digits of a row number, letters of a column (either case)."""
    def chars(text: str) -> str:
        return "[" + "".join(dict.fromkeys(text + text.lower())) + "]"

    options = [chars(alphabet[1:]) + chars(alphabet) + f"{{{len(bound)},}}"]  # more digits or letters
    for i, ch in enumerate(bound):
        higher = alphabet[alphabet.index(ch) + 1:]
        if higher:  # the same up to i, a larger character at i, anything after
            options.append("".join(chars(c) for c in bound[:i]) + chars(higher) + chars(alphabet)
                           + f"{{{len(bound) - i - 1}}}")
    return "|".join(options)


def _column_letters(number: int) -> str:
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _reference_beyond(head: bytes, stream, rows: int, cols: int) -> bool:
    """Whether any ``r="..."`` reference (cells and rows, any letter case) lies beyond rows x cols:
    one regex search per piece, so a large sheet is checked at the speed of the regex engine."""
    letters = _greater_than(_column_letters(cols), "@ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    digits = _greater_than(str(rows), "0123456789")
    # Two patterns: Python's regex engine runs each about twice as fast as their alternation.
    beyond = [re.compile(f"r=[\"'](?:{letters})[0-9]".encode()),
              re.compile(f"r=[\"'][A-Za-z]{{0,3}}0*(?:{digits})[\"']".encode())]
    return any(p.search(piece) for piece in _pieces(head, stream) for p in beyond)


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
