"""Hostile inputs, generated at test time (nothing big is committed): files made to exhaust memory or
time, each with the outcome we document for it.

Workbooks are written by hand with zipfile (openpyxl can't write a cell at XFD1048576 without
writing the rows before it, nor a DTD), one sheet of inline strings: the four-response grid of
the broken corpus plus whatever makes the case hostile. A case is refused (one line, exit 3,
nothing written) or, where its real content is small, loaded.
"""
from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from broken_corpus import HEADER, csv_bytes, records

MB = 1 << 20


@dataclass(frozen=True)
class Hostile:
    name: str
    input: str
    build: Callable[[Path], Path]
    status: str  # loaded | rejected
    reason: str = ""  # refusals: a regex (case-insensitive) the one line must match
    rows_loaded: int = 0
    profile: bool = False  # build() writes a profile; the grid file goes with it


def column_letters(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA (as a spreadsheet names columns)."""
    letters, n = "", index + 1
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def sheet_xml(rows: list[list[str]], *, dimension: str | None, extra: str = "", prolog: str = "") -> bytes:
    parts = [f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>{prolog}',
             '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">']
    if dimension:
        parts.append(f'<dimension ref="{dimension}"/>')
    parts.append("<sheetData>")
    for i, row in enumerate(rows, start=1):
        cells = "".join(f'<c r="{column_letters(j)}{i}" t="inlineStr"><is><t>{escape(v)}</t></is></c>'
                        for j, v in enumerate(row) if v != "")
        parts.append(f'<row r="{i}">{cells}</row>')
    parts.append(extra)
    parts.append("</sheetData></worksheet>")
    return "".join(parts).encode("utf-8")


_PARTS = {
    "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
    'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/'
    'workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
    'spreadsheetml.worksheet+xml"/></Types>',
    "_rels/.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
    'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
    '2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
    "xl/workbook.xml": '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/'
    'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Responses" sheetId="1" r:id="rId1"/></sheets></workbook>',
    "xl/_rels/workbook.xml.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
    'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.'
    'org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
}


def xlsx_bytes(sheet: bytes | Callable[[zipfile.ZipFile], None]) -> bytes:
    """A one-sheet workbook; ``sheet`` is the sheet XML, or writes xl/worksheets/sheet1.xml itself."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as book:
        for part, text in _PARTS.items():
            book.writestr(part, text)
        if callable(sheet):
            sheet(book)
        else:
            book.writestr("xl/worksheets/sheet1.xml", sheet)
    return buf.getvalue()


GRID = [HEADER, *records(4)]  # 4 valid responses: loads as 4 respondents, 12 answers
FAR = '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'


def _far_cell(dimension: str | None) -> bytes:
    return xlsx_bytes(sheet_xml(GRID, dimension=dimension, extra=FAR))


def _large_dimension() -> bytes:
    """One cell at row 100,000 x column 1,000 (ALL100000): 100 M cells once calamine fills the rectangle."""
    far = '<row r="100000"><c r="ALL100000" t="inlineStr"><is><t>x</t></is></c></row>'
    return xlsx_bytes(sheet_xml(GRID, dimension="A1:ALL100000", extra=far))


BOMB_MB = 400  # of sheet XML; 1.6 GB would refuse the same way and take 10 s to compress


def _zip_bomb(book: zipfile.ZipFile) -> None:
    """400 MB of sheet XML stored in under 2 MB: the grid, then the same row over and over."""
    head = sheet_xml(GRID, dimension="A1:F5").rsplit(b"</sheetData>", 1)[0]
    filler = b"<row><c><v>0</v></c></row>" * (MB // 27)
    info = zipfile.ZipInfo("xl/worksheets/sheet1.xml")
    info.compress_type = zipfile.ZIP_DEFLATED
    info._compresslevel = 1  # fast; the ratio is still over 300
    with book.open(info, "w") as out:
        out.write(head)
        for _ in range(BOMB_MB * MB // len(filler)):
            out.write(filler)
        out.write(b"</sheetData></worksheet>")


def _billion_laughs(levels: int = 10) -> str:
    entities = ['<!ENTITY lol0 "lol">'] + [f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">'
                                            for i in range(1, levels)]
    return f"<!DOCTYPE worksheet [{''.join(entities)}]>"


def _entity_bomb() -> bytes:
    rows = [list(r) for r in GRID]
    rows[2][2] = "TEAMPLACEHOLDER"
    xml = sheet_xml(rows, dimension="A1:F5", prolog=_billion_laughs()).replace(b"TEAMPLACEHOLDER", b"&lol9;")
    return xlsx_bytes(xml)


def _wide_workbook() -> bytes:
    """16,384 columns (the most a sheet has): 6 known ones and 16,378 unknown, 4 responses."""
    width = 16_384
    header = HEADER + [f"extra {i}" for i in range(width - len(HEADER))]
    rows = [header] + [r + [""] * (width - len(r)) for r in records(4)]
    return xlsx_bytes(sheet_xml(rows, dimension=f"A1:{column_letters(width - 1)}5"))


def _long_line(size: int) -> Callable[[Path], Path]:
    def build(folder: Path) -> Path:
        path = folder / f"line-{size // MB}mb.csv"
        with path.open("wb") as out:
            out.write(b"Timestamp,Email Address,Team,")
            block = b"," * MB
            for _ in range(size // MB):
                out.write(block)
            out.write(b"\n")
        return path
    return build


def _huge_field() -> bytes:
    """A quoted 40 MB field with line breaks in it (no physical line is long)."""
    rows = [list(r) for r in GRID]
    rows[2][2] = ("x" * 1023 + "\n") * (40 * 1024)
    return csv_bytes(rows)


def _wide_csv() -> bytes:
    width = 100_000
    header = HEADER + [f"extra {i}" for i in range(width - len(HEADER))]
    return csv_bytes([header] + [r + [""] * (width - len(r)) for r in records(4)])


def _alias_bomb(folder: Path) -> Path:
    """A 700-byte profile whose aliases expand to 10^9 strings."""
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"a{i}: &a{i} [{','.join(['*a' + str(i - 1)] * 10)}]" for i in range(1, 9)]
    (folder / "bomb.yaml").write_text("\n".join(lines) + "\nname: bomb\n", encoding="utf-8")
    (folder / "grid.csv").write_bytes(csv_bytes(GRID))
    return folder / "grid.csv"


def writer(name: str, make: Callable[[], bytes]) -> Callable[[Path], Path]:
    def build(folder: Path) -> Path:
        path = folder / name
        path.write_bytes(make())
        return path
    return build


CASES = [
    Hostile("far_cell", "2 KB workbook: the grid plus one cell at XFD1048576, declared A1:XFD1048576",
            writer("far.xlsx", lambda: _far_cell("A1:XFD1048576")), "rejected", r"1,048,576 rows x 16,384 columns"),
    Hostile("far_cell_undeclared", "the same far cell, the sheet declaring A1:F5 (a lie)",
            writer("far-lie.xlsx", lambda: _far_cell("A1:F5")), "rejected", r"outside the size the sheet declares"),
    Hostile("far_cell_no_dimension", "the same far cell, no <dimension> at all",
            writer("far-nodim.xlsx", lambda: _far_cell(None)), "rejected", r"1,048,576 rows x 16,384 columns"),
    Hostile("large_dimension", "2 KB workbook: the grid plus one cell at row 100,000 x column 1,000",
            writer("large-dim.xlsx", _large_dimension), "rejected", r"100,000 rows x 1,000 columns"),
    Hostile("zip_bomb", f"under 2 MB of zip holding {BOMB_MB} MB of sheet XML",
            writer("bomb.xlsx", lambda: xlsx_bytes(_zip_bomb)), "rejected", r"zip bomb"),
    Hostile("entity_bomb", "billion laughs: a DTD of 10 nested entities in the sheet XML",
            writer("laughs.xlsx", _entity_bomb), "rejected", r"DTD"),
    Hostile("wide_workbook", "16,384 columns (6 known), 4 responses",
            writer("wide.xlsx", _wide_workbook), "loaded", rows_loaded=4),
    Hostile("long_line_200mb", "200 MB CSV that is one line of commas",
            _long_line(200 * MB), "rejected", r"line longer than 32 MB"),
    Hostile("huge_field", "the grid with a quoted 40 MB team field full of line breaks",
            writer("field.csv", _huge_field), "rejected", r"field larger than 16 MB"),
    Hostile("wide_csv", "100,000 columns (6 known), 4 responses",
            writer("wide.csv", _wide_csv), "rejected", r"100,000 columns, more than the 20,000"),
    Hostile("alias_bomb_profile", "700-byte profile of nested aliases (10^9 strings expanded), with the grid",
            _alias_bomb, "rejected", r"alias bomb", profile=True),
]
