"""Split a file's header records from its data and name each column.

Exports name columns in different ways: one header row (Google Forms), a code row over a
question-text row (Kaggle), or SurveyMonkey's question row written once over its option
columns with an option row under it. Each column ends up with a `code` (the name row), a
`text` (all header rows joined, the question carried right where SurveyMonkey left it out)
and an `option` (the last header row, or the [bracketed] part of a Google Forms grid header).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

from pipelines.read_file import RawTable
from pipelines.text import match_key, norm

_BRACKET = re.compile(r"\[([^\[\]]+)\]\s*$")


@dataclass(frozen=True)
class Column:
    index: int
    key: str  # c0, c1 ... the column's name in the raw table
    code: str
    text: str
    option: str
    group: str = ""  # the name-row value before codes were made unique (a question over its options)

    @property
    def label(self) -> str:
        """What to show a person: the code, with the text when it says more."""
        return self.code if not self.text or self.text == self.code else f"{self.code}: {self.text}"[:160]


@dataclass
class Sheet:
    columns: list[Column]
    data: pa.Table  # the data records, columns c0..cN plus _row (spreadsheet row number)

    def find(self, name: str) -> Column | None:
        """The column whose code or header text is `name` (exact first, then spacing/case-insensitive)."""
        for col in self.columns:
            if name in (col.code, col.text):
                return col
        key = match_key(name)
        for col in self.columns:
            if key in (match_key(col.code), match_key(col.text)):
                return col
        return None


def clean_header(value: str) -> str:
    return value.replace("\u00a0", " ").replace("\ufeff", "").strip()


def split_headers(raw: RawTable, header_rows: int = 1, style: str = "stacked", name_row: int = 1) -> Sheet:
    header_rows = max(1, header_rows)
    head = raw.rows.slice(0, header_rows).to_pylist()
    n = raw.rows.num_columns
    rows = [[clean_header(r[f"c{i}"]) for i in range(n)] for r in head]
    if style == "surveymonkey":
        # The question is written once over its first column; carry it right across its options.
        carried, current = [], ""
        for value in rows[0]:
            current = value or current
            carried.append(current)
        rows[0] = carried
    columns = []
    for i in range(n):
        parts = [r[i] for r in rows]
        code = parts[min(name_row, header_rows) - 1] or f"column {i + 1}"
        text = " - ".join(dict.fromkeys(p for p in parts if p and p.lower() != "response"))
        last = parts[-1]
        bracket = _BRACKET.search(text)
        option = bracket.group(1).strip() if bracket else (last if header_rows > 1 and last.lower() != "response" else "")
        columns.append(Column(i, f"c{i}", code, text or code, option))
    columns = _unique_codes(columns)
    data = raw.rows.slice(header_rows)
    if raw.source_rows is not None:
        numbers = raw.source_rows[header_rows:]
    else:
        numbers = list(range(header_rows + 1, raw.n_records + 1))
    data = data.append_column("_row", pa.array(numbers, pa.int32()))
    # Records with every cell empty (",,,," lines, trailing blank rows) are no responses at all.
    if data.num_rows and n:
        # Cheap first pass on raw lengths; the trimmed check runs only if some row looks empty.
        filled = pc.greater(pc.binary_length(data["c0"]), 0)
        for i in range(1, n):
            if pc.all(filled).as_py():
                break
            filled = pc.or_(filled, pc.greater(pc.binary_length(data[f"c{i}"]), 0))
        if not pc.all(filled).as_py():
            filled = pc.not_equal(pc.utf8_trim_whitespace(data["c0"]), "")
            for i in range(1, n):
                filled = pc.or_(filled, pc.not_equal(pc.utf8_trim_whitespace(data[f"c{i}"]), ""))
            data = data.filter(filled)
    return Sheet(columns, data)


def _unique_codes(columns: list[Column]) -> list[Column]:
    """Codes name columns in profiles, so they must be unique: a code shared by several columns
    (SurveyMonkey's question carried over its options, a repeated header) becomes the full text,
    and if that is shared too, the text with its column number."""
    from collections import Counter

    codes = Counter(c.code for c in columns)
    texts = Counter(c.text for c in columns if codes[c.code] > 1)
    out = []
    for c in columns:
        if codes[c.code] > 1:
            code = c.text if texts[c.text] == 1 else f"{c.text} (column {c.index + 1})"
            c = Column(c.index, c.key, code, c.text, c.option, group=c.code)
        out.append(c)
    return out


def select(sheet: Sheet, names: list[str], match: str | None, exclude: str | None = None) -> list[Column]:
    """Columns named by `names` (in order) and/or whose code or text matches regex `match`."""
    chosen: dict[int, Column] = {}
    for name in names:
        col = sheet.find(name)
        if col is not None:
            chosen.setdefault(col.index, col)
        else:  # a question's name selects all of its option columns
            for col in sheet.columns:
                if col.group and name == col.group:
                    chosen.setdefault(col.index, col)
    if match:
        pattern = re.compile(match)
        for col in sheet.columns:
            if any(pattern.search(v) for v in (col.code, col.text, col.group) if v):
                chosen.setdefault(col.index, col)
    if exclude:
        pattern = re.compile(exclude)
        chosen = {i: c for i, c in chosen.items()
                  if not any(pattern.search(v) for v in (c.code, c.text, c.group) if v)}
    return list(chosen.values())


def looks_like_joined_header(sheet: Sheet) -> bool:
    """One header cell holding many comma-separated names while the rest are empty: an Excel re-save."""
    filled = [c for c in sheet.columns if c.code and not c.code.startswith("column ")]
    return len(filled) <= 2 and any(norm(c.code).count(",") >= 5 for c in filled)
