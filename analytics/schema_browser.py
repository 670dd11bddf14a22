"""What an analyst can query: every table and view of their console tier with its columns, types,
row count and meaning.

Descriptions come from data/data_dictionary.yaml, the one place they are kept (the k-safe tables of
analytics.console_tiers are described from their rollup's entry); the README's data dictionary is
rendered from the same file by :func:`dictionary_markdown`.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import duckdb

from analytics import console_tiers, sandbox
from common.duck import quote_ident
from schemas import config, settings

DICTIONARY_FILE = settings.DATA_DICTIONARY
# Bookkeeping tables that exist in the database but are not part of the analyst-facing model.
INTERNAL_TABLES = frozenset({"schema_migrations"})
NOT_DESCRIBED = "(not in the data dictionary yet)"


@dataclass(frozen=True)
class ColumnInfo:
    name: str
    type: str
    description: str


@dataclass(frozen=True)
class TableInfo:
    name: str
    kind: str  # "table" or "view"
    description: str
    row_count: int | None  # None when counting failed or took too long
    columns: tuple[ColumnInfo, ...]

    def column_rows(self) -> list[dict]:
        """The columns as records, ready for a grid."""
        return [{"column": c.name, "type": c.type, "description": c.description} for c in self.columns]


@lru_cache(maxsize=4)
def dictionary(path: Path = DICTIONARY_FILE) -> dict[str, dict]:
    """``{table: {"description": str, "columns": {column: description}}}`` in the file's order."""
    out: dict[str, dict] = {}
    for name, entry in config.load(config.DataDictionary, path).tables.items():
        if entry.rollup_of:
            out[name] = _rollup_entry(entry.rollup_of, out)
        else:
            out[name] = {"description": entry.description, "columns": dict(entry.columns)}
    return out


_ROLLUP_GRAIN = ("total (team, role and location summed away) or team, role or location (that column kept, "
                 "the other two summed away).")


def _rollup_entry(base: str, described: dict) -> dict:
    """A rollup twin (migration 004) is described by its fine table, plus the grain column."""
    if base not in described:
        raise ValueError(f"data dictionary: rollup_of {base!r} must come after {base}'s own entry")
    columns = {"grain": _ROLLUP_GRAIN}
    for column, text in described[base]["columns"].items():
        columns[column] = (f"{column.capitalize()} at the team/role/location grain; null where summed away."
                           if column in ("team", "role", "location") else text)
    return {"description": f"The sums of {base} at coarser grains, so unfiltered and one-filter views read a few "
                           f"rows: {base} grouped by grain.", "columns": columns, "rollup_of": base}


def _ksafe_entries(described: dict) -> dict[str, dict]:
    """Descriptions of the console's k-safe tables, from their rollup's (after the dictionary's tables)."""
    out = {}
    for table, name in console_tiers.KSAFE.items():
        rollup = described.get(f"{table}_rollup", {"columns": {}})
        columns = {c: text for c, text in rollup["columns"].items() if c != "population"}
        columns["suppressed"] = ("True where the group holds fewer than k respondents, or is blanked with them so "
                                 "that no difference of shown figures isolates fewer than k people; its counts are NULL.")
        out[name] = {"description": f"The rows of {table}_rollup for all respondents, with the minimum group size "
                                    "applied: counts are NULL in suppressed groups.", "columns": columns}
    return out


def to_record(table: TableInfo) -> dict:
    """``table`` as plain JSON-able data (what the console's child process sends back)."""
    return {"name": table.name, "kind": table.kind, "description": table.description, "row_count": table.row_count,
            "columns": [[c.name, c.type, c.description] for c in table.columns]}


def from_record(record: dict) -> TableInfo:
    return TableInfo(name=str(record["name"]), kind=str(record["kind"]), description=str(record["description"]),
                     row_count=record["row_count"], columns=tuple(ColumnInfo(*map(str, c)) for c in record["columns"]))


def browse(db: str | os.PathLike | None = None, limits: sandbox.Limits = sandbox.DEFAULT_LIMITS,
           tier: str = console_tiers.AGGREGATE) -> list[TableInfo]:
    """Every table and view of ``tier``'s console database, dictionary order first.

    Runs on the console's own connection, so it lists exactly what a statement there can name.
    The app calls it through analytics.sandbox_process.browse (a child process).
    """
    described = dictionary()
    described = {**described, **_ksafe_entries(described)}
    with sandbox.connect(db, limits, tier) as con:
        objects = con.execute("""
            SELECT table_name AS name, 'table' AS kind FROM duckdb_tables()
            WHERE database_name = current_database() AND schema_name = 'main' AND NOT internal
            UNION ALL
            SELECT view_name, 'view' FROM duckdb_views()
            WHERE database_name = current_database() AND schema_name = 'main' AND NOT internal
        """).fetchall()
        columns = con.execute("""
            SELECT table_name, column_name, data_type FROM duckdb_columns()
            WHERE database_name = current_database() AND schema_name = 'main' AND NOT internal
            ORDER BY table_name, column_index
        """).fetchall()
        names = [name for name, _ in objects if name not in INTERNAL_TABLES]
        counts = _row_counts(con, names, limits)
    by_table: dict[str, list[tuple[str, str]]] = {}
    for table, column, data_type in columns:
        by_table.setdefault(table, []).append((column, data_type))
    order = {name: i for i, name in enumerate(described)}
    kinds = dict(objects)
    names.sort(key=lambda n: (order.get(n, len(order)), n))
    return [
        TableInfo(
            name=name,
            kind=kinds[name],
            description=described.get(name, {}).get("description") or NOT_DESCRIBED,
            row_count=counts.get(name),
            columns=tuple(
                ColumnInfo(column, data_type, described.get(name, {}).get("columns", {}).get(column) or NOT_DESCRIBED)
                for column, data_type in by_table.get(name, [])
            ),
        )
        for name in names
    ]


def _row_counts(con: duckdb.DuckDBPyConnection, names: list[str], limits: sandbox.Limits) -> dict[str, int]:
    """Exact counts in one query; names come from the catalog, quoted as identifiers."""
    if not names:
        return {}
    parts = [f"SELECT ? AS name, count(*) AS n FROM {quote_ident(name)}" for name in names]
    guard = sandbox.TimeLimit(con, limits.timeout_s)
    try:
        with guard:
            return dict(con.execute(" UNION ALL ".join(parts), names).fetchall())
    except duckdb.Error:  # a slow or broken view: show the columns without counts
        return {}


def preview_sql(table: str, rows: int = 100) -> str:
    """A starting query for ``table``, for the browser's "open in editor" button."""
    name = table if re.fullmatch(r"[a-z_][a-z0-9_]*", table) else quote_ident(table)
    return f"SELECT *\nFROM {name}\nLIMIT {int(rows)}\n"




def dictionary_markdown(path: Path = DICTIONARY_FILE) -> str:
    """The data dictionary as Markdown, for the README: one section and column table per table."""
    lines = []
    for name, entry in dictionary(path).items():
        if "rollup_of" in entry:  # one line: the columns are its fine table's, plus grain
            lines += [f"### `{name}`", "", f"The columns of `{entry['rollup_of']}` plus `grain`: "
                      f"{_ROLLUP_GRAIN} Summed from `{entry['rollup_of']}` at every refresh.", ""]
            continue
        lines += [f"### `{name}`", "", entry["description"], "", "| column | description |", "|---|---|"]
        lines += [f"| `{column}` | {text.replace('|', '/')} |" for column, text in entry["columns"].items()]
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":  # python -m analytics.schema_browser > dictionary.md
    print(dictionary_markdown())
