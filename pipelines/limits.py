"""How much one input file may ask of the machine: checked before the work.

The defaults leave room for any real export (the largest real ones are 100,000 rows x a few
hundred columns) and refuse what only a broken or hostile file asks for. Each is a SKILLS_*
setting (schemas.settings.Env; README, Configuration), read when it is used.
"""
from __future__ import annotations

from schemas.settings import env

MB = 1 << 20
# A zip entry this small may compress as well as it likes (a few repeated XML tags do).
RATIO_EXEMPT_BYTES = MB


def csv_line_bytes() -> int:
    return int(env().max_csv_line_mb * MB)


def csv_field_bytes() -> int:
    return int(env().max_csv_field_mb * MB)


def max_columns() -> int:
    return env().max_columns


def xlsx_uncompressed_bytes() -> int:
    return int(env().max_xlsx_uncompressed_mb * MB)


def xlsx_ratio() -> float:
    return env().max_xlsx_ratio


def xlsx_cells() -> int:
    return env().max_xlsx_cells


def parse_memory_bytes() -> int:
    return int(env().parse_memory_mb * MB)


def parse_timeout_s() -> float:
    return env().parse_timeout_s
