"""What the SQL console's database holds for each tier of analyst (see docs/privacy.md, SQL console).

The console never queries the analytics file directly. Each query gets a fresh in-memory DuckDB
database holding only what its tier may read, built here before the connection is locked:

- ``aggregate``: the k-safe tables (``ksafe_*``, computed from the rollup tables with the minimum
  group size applied) and the taxonomy, copied in; the analytics file is then detached, so no
  statement can reach anything else in it.
- ``respondent``: the same, plus views of the pseudonymous respondent-level tables and the
  aggregates. The file stays attached (read-only) under :data:`SOURCE` for those views; a
  statement may name only the tier's own objects (checked on DuckDB's parse tree by
  analytics.sandbox), never ``src.``-anything, and ``audit_log``, ``rejected_rows``, the file
  names and staff of ``ingestions`` have no view at all.

k-safe, for a group (one team, one role or one location, or the whole organisation, in one wave,
all respondents): a group of fewer than k respondents is blanked (its counts NULL, ``suppressed``
true) in every ``ksafe_*`` table, and so are the next smallest groups of the same breakdown until
the blanked groups hold 0 or at least k respondents together, so the organisation's total minus
the shown groups never isolates fewer than k people. Counts inside a shown group are exact.
"""
from __future__ import annotations

import duckdb

from schemas.canonical import PEOPLE, ROLLUP_KEYS

RESPONDENT, AGGREGATE = "respondent", "aggregate"
TIERS = (RESPONDENT, AGGREGATE)
SOURCE = "src"  # the catalog name of the attached analytics file (respondent tier only)

# question_skills says what was asked, about nobody: both tiers read it.
TAXONOMY = ("waves", "skill_areas", "skills", "service_categories", "question_skills")
# Respondent-level views: name -> select list over the table of the same name. The submission time
# is a date: to the second it is unique per person and would link a row to the raw export.
RESPONDENT_VIEWS = {
    "respondents": "wave_id, respondent_id, ingestion_id, team, role, location, "
                   "CAST(submitted_at AS DATE) AS submitted_at",
    "answers": "*",
    "cloud_preferences": "*",
    "learning_interests": "*",
    # No file_name (may carry a person's name) or loaded_by (staff identity).
    "ingestions": "ingestion_id, wave_id, file_sha256, loaded_at, rows_read, rows_loaded, rows_rejected, "
                  "status, profile_name",
    **{table: "*" for table in ROLLUP_KEYS},
    **{f"{table}_rollup": "*" for table in ROLLUP_KEYS},
}
KSAFE = {table: "ksafe_" + table.removeprefix("agg_") for table in ROLLUP_KEYS}


def object_names(tier: str) -> frozenset[str]:
    """Every table and view a statement of ``tier`` may name."""
    names = {*TAXONOMY, *KSAFE.values()}
    if tier == RESPONDENT:
        names |= set(RESPONDENT_VIEWS)
    return frozenset(names)


# Per wave and grain, the groups in ascending size: a group is hidden when it is small, or when
# the groups before it (all the small ones among them) hold fewer than k people together.
_HIDDEN_GROUPS = f"""
    SELECT wave_id, grain, team, role, location,
           n_respondents < $k OR (coalesce(small, 0) > 0 AND coalesce(before, 0) < $k) AS hidden
    FROM (
        SELECT *, sum(n_respondents) OVER (PARTITION BY wave_id, grain ORDER BY n_respondents, team, role, location
                                           ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS before,
                  sum(n_respondents) FILTER (WHERE n_respondents < $k) OVER (PARTITION BY wave_id, grain) AS small
        FROM {SOURCE}.main.agg_respondents_rollup
        WHERE population = 'all'
    )
"""


def build(con: duckdb.DuckDBPyConnection, tier: str, k: int) -> None:
    """Fill ``con``'s (in-memory) main schema for ``tier``; the file is attached as :data:`SOURCE`.

    Leaves the file attached for the respondent tier and detaches it for the aggregate tier.
    Table names come from this module and column names from the file's catalog (quoted), so only
    k is a value, and it is bound.
    """
    if tier not in TIERS:
        raise ValueError(f"unknown console tier {tier!r}")
    columns = _columns(con)
    con.execute(f"CREATE TEMP TABLE _hidden AS {_HIDDEN_GROUPS}", {"k": int(k)})
    for table, name in KSAFE.items():
        con.execute(f"CREATE TABLE main.{name} AS {_ksafe_select(table, columns[f'{table}_rollup'])}")
    con.execute("DROP TABLE temp._hidden")
    for table in TAXONOMY:
        if tier == RESPONDENT:
            con.execute(f"CREATE VIEW main.{table} AS SELECT * FROM {SOURCE}.main.{table}")
        else:
            con.execute(f"CREATE TABLE main.{table} AS SELECT * FROM {SOURCE}.main.{table}")
    if tier == RESPONDENT:
        for view, select in RESPONDENT_VIEWS.items():
            con.execute(f"CREATE VIEW main.{view} AS SELECT {select} FROM {SOURCE}.main.{view}")
    else:
        con.execute(f"DETACH {SOURCE}")


def _columns(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for table, column in con.execute(
            "SELECT table_name, column_name FROM duckdb_columns() WHERE database_name = ? AND schema_name = 'main' "
            "ORDER BY table_name, column_index", [SOURCE]).fetchall():
        found.setdefault(table, []).append(column)
    return found


def _ksafe_select(table: str, rollup_columns: list[str]) -> str:
    """The rollup's rows of all respondents, counts NULL in hidden groups, plus ``suppressed``."""
    keys = [c for c in ROLLUP_KEYS[table] if c != "population"]
    counts = [c for c in rollup_columns if c not in (*ROLLUP_KEYS[table], *PEOPLE, "grain")]
    population = "WHERE r.population = 'all'" if "population" in ROLLUP_KEYS[table] else ""
    same_group = " AND ".join(f"h.{c} IS NOT DISTINCT FROM r.{c}" for c in ("wave_id", "grain", *PEOPLE))
    blanked = ", ".join(f"CASE WHEN coalesce(h.hidden, true) THEN NULL ELSE r.{_quote(c)} END AS {_quote(c)}"
                        for c in counts)
    kept = ", ".join(f"r.{_quote(c)}" for c in ("grain", *keys[:1], *PEOPLE, *keys[1:]))
    return (f"SELECT {kept}, {blanked}, coalesce(h.hidden, true) AS suppressed "
            f"FROM {SOURCE}.main.{table}_rollup r LEFT JOIN temp._hidden h ON {same_group} {population}")


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'
