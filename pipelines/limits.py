"""How much one input file may ask of the machine: checked before the work, each with an env override.

The defaults leave room for any real export (the largest real ones are 100,000 rows x a few
hundred columns) and refuse what only a broken or hostile file asks for. Each value is read when
it is used, so a test or an operator can set the environment variable at any time; a value that
is not a positive number falls back to the default.

| variable                            | default | what                                              |
|-------------------------------------|---------|---------------------------------------------------|
| SKILLS_MAX_CSV_LINE_MB              | 32      | longest physical line of a CSV                     |
| SKILLS_MAX_CSV_FIELD_MB             | 16      | largest single CSV field (quoted newlines included)|
| SKILLS_MAX_COLUMNS                  | 20000   | columns of a CSV or of a workbook's sheet          |
| SKILLS_MAX_XLSX_UNCOMPRESSED_MB     | 1000    | all entries of an XLSX zip, uncompressed           |
| SKILLS_MAX_XLSX_RATIO               | 100     | uncompressed / compressed size of one zip entry    |
| SKILLS_MAX_XLSX_CELLS               | 20000000| rows x columns the sheet spans                     |
| SKILLS_PARSE_MEMORY_MB              | 4096    | heap of the process that reads an upload           |
| SKILLS_PARSE_TIMEOUT_S              | 300     | time that process may take                         |
"""
from __future__ import annotations

import os

MB = 1 << 20
DEFAULTS: dict[str, float] = {
    "SKILLS_MAX_CSV_LINE_MB": 32,
    "SKILLS_MAX_CSV_FIELD_MB": 16,
    "SKILLS_MAX_COLUMNS": 20_000,
    "SKILLS_MAX_XLSX_UNCOMPRESSED_MB": 1000,
    "SKILLS_MAX_XLSX_RATIO": 100,
    "SKILLS_MAX_XLSX_CELLS": 20_000_000,
    "SKILLS_PARSE_MEMORY_MB": 4096,
    "SKILLS_PARSE_TIMEOUT_S": 300,
}
# A zip entry this small may compress as well as it likes (a few repeated XML tags do).
RATIO_EXEMPT_BYTES = MB


def get(name: str) -> float:
    """The limit ``name`` (a key of DEFAULTS): the environment's value when it is a positive number."""
    default = DEFAULTS[name]
    try:
        value = float(os.environ.get(name, default))
    except ValueError:
        return default
    return value if value > 0 else default


def csv_line_bytes() -> int:
    return int(get("SKILLS_MAX_CSV_LINE_MB") * MB)


def csv_field_bytes() -> int:
    return int(get("SKILLS_MAX_CSV_FIELD_MB") * MB)


def max_columns() -> int:
    return int(get("SKILLS_MAX_COLUMNS"))


def xlsx_uncompressed_bytes() -> int:
    return int(get("SKILLS_MAX_XLSX_UNCOMPRESSED_MB") * MB)


def xlsx_ratio() -> float:
    return get("SKILLS_MAX_XLSX_RATIO")


def xlsx_cells() -> int:
    return int(get("SKILLS_MAX_XLSX_CELLS"))


def parse_memory_bytes() -> int:
    return int(get("SKILLS_PARSE_MEMORY_MB") * MB)


def parse_timeout_s() -> float:
    return get("SKILLS_PARSE_TIMEOUT_S")
