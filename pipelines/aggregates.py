"""Rebuild the dashboards' aggregate tables (migration 002) from the base tables.

``refresh(con)`` is called by the ingest pipeline inside its write transaction after every load
or delete, so readers never see base tables and aggregates out of step. Passing ``wave_ids``
rebuilds only those waves (plus the cohort rows of the waves that follow them), which is what
keeps a load cheap when the answers table is large; without it everything is rebuilt.

Every count reads the answers of the waves involved only (filtered by a constant wave list, so
DuckDB skips other waves' row groups), and groups on small integer cell numbers rather than on
team, role and location strings. The counts rely on the contract: one answers row per person and
skill, with a level of 0-4.

Rollups (migration 004): each aggregate table has a ``<table>_rollup`` twin with the same sums
at coarser grains, tagged in ``grain``: 'total' (team, role and location summed away, NULL) or
'team' / 'role' / 'location' (that column kept). A page with no people filter, or a filter on
one of them, reads a few thousand rows there instead of millions (analytics/grain.py picks).
They are sums of the fine rows just written, so they can't disagree with them.
"""
from __future__ import annotations

from collections.abc import Iterable

import duckdb

from pipelines import config
from pipelines.db import writer
from pipelines.transactions import rollback

NOT_GIVEN = "(not given)"
_TEMP = ("_agg_target", "_agg_order", "_agg_cohort_waves", "_agg_cells", "_agg_pop", "_agg_best_area",
         "_agg_best_category")
# A population's people joined to their rows in a base table, for the source waves bound as the parameter.
_PEOPLE_JOIN = ("FROM _agg_pop p JOIN {table} t ON t.wave_id = p.source_wave_id AND t.respondent_id = p.respondent_id "
                "AND list_contains(?::INTEGER[], t.wave_id)")
_LEVELS = ", ".join(f"count(*) FILTER (WHERE level = {n}) AS n_l{n}" for n in range(5))
PEOPLE = ("team", "role", "location")
# Aggregate table -> its columns other than the people columns and the counts.
ROLLUP_KEYS = {
    "agg_respondents": ("population", "wave_id"),
    "agg_skill_levels": ("population", "wave_id", "skill_id"),
    "agg_area_levels": ("population", "wave_id", "area_id"),
    "agg_category_levels": ("wave_id", "category_id", "provider"),
    "agg_interest_levels": ("wave_id", "skill_id"),
    "agg_cloud": ("wave_id", "kind", "provider"),
    "agg_cloud_base": ("wave_id", "kind"),
}


def refresh(con: duckdb.DuckDBPyConnection, wave_ids: Iterable[int] | None = None,
            own_transaction: bool = False) -> None:
    """Rebuild the aggregates for ``wave_ids`` (None: all waves) and stamp a new refresh id.

    Runs inside the caller's open transaction; ``own_transaction=True`` begins and commits its own
    (DuckDB aborts a transaction on a nested BEGIN, so this can't be probed by trying).
    """
    own = own_transaction
    if own:
        con.execute("BEGIN TRANSACTION")
    try:
        _target_waves(con, wave_ids)
        _wave_order(con, full=wave_ids is None)
        _populations(con)
        _delete_stale(con)
        _insert_all(con)
        fill_rollups(con, _waves(con, "SELECT wave_id FROM _agg_target"),
                     _waves(con, "SELECT wave_id FROM _agg_cohort_waves"))
        _stamp(con)
        for name in _TEMP:
            con.execute(f"DROP TABLE IF EXISTS {name}")
        if own:
            con.execute("COMMIT")
    except BaseException:
        if own:  # a caller's own transaction is the caller's to roll back (temp tables go with it)
            rollback(con)
        raise


def ensure_ready(path: str | None = None) -> bool:
    """Refresh when the aggregates are missing or behind the ingestions; True when it did.

    For a database written before the aggregates existed (or by a pipeline that skipped the
    refresh): the dashboards call it once instead of showing nothing.
    """
    with writer(config.db_path(path)) as con:
        if not is_stale(con):
            return False
        refresh(con, own_transaction=True)
        return True


def is_stale(con: duckdb.DuckDBPyConnection) -> bool:
    """True when agg_meta is empty or records a different set of ingestions than exist now."""
    stamp = con.execute("SELECT ingestion_count, max_ingestion_id FROM agg_meta").fetchall()
    now = con.execute("SELECT count(*), max(ingestion_id) FROM ingestions").fetchall()
    return not stamp or tuple(stamp[0]) != tuple(now[0])


def _target_waves(con, wave_ids) -> None:
    """_agg_target: the waves whose 'all' rows are rebuilt (deleted waves included, to clear them)."""
    con.execute("CREATE OR REPLACE TEMP TABLE _agg_target (wave_id INTEGER)")
    if wave_ids is None:
        con.execute("INSERT INTO _agg_target SELECT wave_id FROM waves "
                    "UNION SELECT wave_id FROM agg_wave_order UNION SELECT wave_id FROM agg_respondents")
    else:
        con.execute("INSERT INTO _agg_target SELECT DISTINCT unnest(?::INTEGER[])", [list(wave_ids)])


def _wave_order(con, full: bool) -> None:
    """Recompute the wave order; _agg_cohort_waves: waves whose cohort rows must be rebuilt."""
    con.execute("""
        CREATE OR REPLACE TEMP TABLE _agg_order AS
        SELECT wave_id, row_number() OVER w AS seq, lag(wave_id) OVER w AS prev_wave_id
        FROM waves WINDOW w AS (ORDER BY survey_date NULLS LAST, wave_id)
    """)
    # A cohort row of wave W depends on W and its previous wave: rebuild it when either changed,
    # or when W's previous wave is no longer the same one (a wave loaded out of order, or deleted).
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _agg_cohort_waves AS
        SELECT wave_id FROM _agg_target
        UNION SELECT n.wave_id FROM _agg_order n
              LEFT JOIN agg_wave_order o USING (wave_id)
              WHERE {'TRUE' if full else 'FALSE'}
                 OR n.prev_wave_id IN (SELECT wave_id FROM _agg_target)
                 OR o.wave_id IS NULL OR o.prev_wave_id IS DISTINCT FROM n.prev_wave_id
    """)
    con.execute("DELETE FROM agg_wave_order")
    con.execute("INSERT INTO agg_wave_order SELECT wave_id, seq, prev_wave_id FROM _agg_order")


def _populations(con) -> None:
    """Who counts where. _agg_cells: one small integer per (population, wave, team, role,
    location), so the aggregations group on integers rather than strings. _agg_pop: one row per
    person and population, with the wave their answers come from."""
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _agg_people AS
        WITH people AS (
            SELECT wave_id, respondent_id,
                   coalesce(nullif(trim(team), ''), '{NOT_GIVEN}') AS team,
                   coalesce(nullif(trim(role), ''), '{NOT_GIVEN}') AS role,
                   coalesce(nullif(trim(location), ''), '{NOT_GIVEN}') AS location
            FROM respondents
            WHERE list_contains(?::INTEGER[], wave_id)
        ),
        cohort AS (
            SELECT p.*, o.prev_wave_id
            FROM people p
            JOIN _agg_order o USING (wave_id)
            WHERE p.wave_id IN (SELECT wave_id FROM _agg_cohort_waves)
              AND EXISTS (SELECT 1 FROM respondents r
                          WHERE r.wave_id = o.prev_wave_id AND r.respondent_id = p.respondent_id)
        )
        SELECT 'all' AS population, wave_id, wave_id AS source_wave_id, respondent_id, team, role, location
        FROM people WHERE wave_id IN (SELECT wave_id FROM _agg_target)
        UNION ALL
        SELECT 'cohort', wave_id, wave_id, respondent_id, team, role, location FROM cohort
        UNION ALL
        SELECT 'cohort_prev', wave_id, prev_wave_id, respondent_id, team, role, location FROM cohort
    """, [_waves(con, "SELECT wave_id FROM _agg_target UNION SELECT wave_id FROM _agg_cohort_waves")])
    con.execute("""
        CREATE OR REPLACE TEMP TABLE _agg_cells AS
        SELECT row_number() OVER () AS cell, *
        FROM (SELECT DISTINCT population, wave_id, team, role, location FROM _agg_people)
    """)
    con.execute("""
        CREATE OR REPLACE TEMP TABLE _agg_pop AS
        SELECT row_number() OVER () AS person, c.cell, p.population = 'all' AS is_all, p.source_wave_id,
               p.respondent_id
        FROM _agg_people p JOIN _agg_cells c USING (population, wave_id, team, role, location)
    """)
    con.execute("DROP TABLE _agg_people")


def _waves(con, query: str) -> list[int]:
    """The wave ids a small query returns, as a list to filter big tables by: a constant list
    lets DuckDB skip whole row groups of other waves, which a join or subquery does not."""
    return [w for (w,) in con.execute(query).fetchall()]


def _delete_stale(con) -> None:
    in_target = "wave_id IN (SELECT wave_id FROM _agg_target)"
    in_cohort = "wave_id IN (SELECT wave_id FROM _agg_cohort_waves)"
    for table, keys in ROLLUP_KEYS.items():
        for name in (table, f"{table}_rollup"):
            if "population" in keys:
                con.execute(f"DELETE FROM {name} WHERE (population = 'all' AND {in_target}) "
                            f"OR (population <> 'all' AND {in_cohort})")
            else:
                con.execute(f"DELETE FROM {name} WHERE {in_target}")


def fill_rollups(con, target: list[int] | None = None, cohort: list[int] | None = None) -> None:
    """Sum the fine rows of the ``target`` waves (cohort rows: of the ``cohort`` waves) into the
    rollup tables; None: every row (migration 004 fills them this way)."""
    columns: dict[str, list[str]] = {}
    for table, column in con.execute(  # one catalog read for all the tables
            "SELECT table_name, column_name FROM duckdb_columns() WHERE database_name = current_database() "
            "AND schema_name = 'main' AND list_contains(?, table_name) ORDER BY table_name, column_index",
            [list(ROLLUP_KEYS)]).fetchall():
        columns.setdefault(table, []).append(column)
    for table, keys in ROLLUP_KEYS.items():
        counts = [c for c in columns[table] if c not in keys and c not in PEOPLE]
        if target is None:
            where, params = "TRUE", []
        elif "population" in keys:
            where = ("(population = 'all' AND list_contains(?::INTEGER[], wave_id)) "
                     "OR (population <> 'all' AND list_contains(?::INTEGER[], wave_id))")
            params = [target, cohort or []]
        else:
            where, params = "list_contains(?::INTEGER[], wave_id)", [target]
        key_list = ", ".join(keys)
        con.execute(f"""
            INSERT INTO {table}_rollup BY NAME
            SELECT CASE WHEN grouping(team) = 0 THEN 'team' WHEN grouping(role) = 0 THEN 'role'
                        WHEN grouping(location) = 0 THEN 'location' ELSE 'total' END AS grain,
                   {key_list}, team, role, location, {", ".join(f"sum({c})::BIGINT AS {c}" for c in counts)}
            FROM {table} WHERE {where}
            GROUP BY GROUPING SETS (({key_list}), ({key_list}, team), ({key_list}, role), ({key_list}, location))
            ORDER BY grain, wave_id
        """, params)


def _insert_all(con) -> None:
    cells = "c.population, c.wave_id, c.team, c.role, c.location"
    source = _waves(con, "SELECT DISTINCT source_wave_id FROM _agg_pop")
    con.execute(f"""
        INSERT INTO agg_respondents
        SELECT {cells}, x.n FROM (SELECT cell, count(*) AS n FROM _agg_pop GROUP BY cell) x JOIN _agg_cells c USING (cell)
    """)
    # One answers row per person and skill is the contract (the ingest keeps the highest level),
    # so people are counted without de-duplicating the answers first.
    con.execute(f"""
        INSERT INTO agg_skill_levels
        SELECT {cells}, x.skill_id, x.n, x.n_l0, x.n_l1, x.n_l2, x.n_l3, x.n_l4
        FROM (SELECT p.cell, t.skill_id, count(*) AS n, {_LEVELS}
              {_PEOPLE_JOIN.format(table='answers')} GROUP BY p.cell, t.skill_id) x
        JOIN _agg_cells c USING (cell)
    """, [source])
    # Best level per person and area (or service cell), once per source wave, then counted per
    # cell for every population the person is in.
    _best_levels(con, "_agg_best_area", "s.area_id", "JOIN skills s ON s.skill_id = a.skill_id", source)
    con.execute(f"""
        INSERT INTO agg_area_levels
        SELECT {cells}, x.area_id, x.n, x.n_l0, x.n_l1, x.n_l2, x.n_l3, x.n_l4
        FROM (SELECT p.cell, t.area_id, count(*) AS n, {_LEVELS}
              {_PEOPLE_JOIN.format(table='_agg_best_area')} GROUP BY p.cell, t.area_id) x
        JOIN _agg_cells c USING (cell)
    """, [source])
    all_waves = _waves(con, "SELECT DISTINCT source_wave_id FROM _agg_pop WHERE is_all")
    _best_levels(con, "_agg_best_category", "k.category_id, k.provider",
                 "JOIN service_categories k ON k.skill_id = a.skill_id", all_waves)
    con.execute(f"""
        INSERT INTO agg_category_levels
        SELECT c.wave_id, c.team, c.role, c.location, x.category_id, x.provider, x.n,
               x.n_l0, x.n_l1, x.n_l2, x.n_l3, x.n_l4
        FROM (SELECT p.cell, t.category_id, t.provider, count(*) AS n, {_LEVELS}
              {_PEOPLE_JOIN.format(table='_agg_best_category')} WHERE p.is_all GROUP BY ALL) x
        JOIN _agg_cells c USING (cell)
    """, [all_waves])
    _insert_interests(con, all_waves)
    _insert_cloud(con, all_waves)


def _best_levels(con, name: str, keys: str, join: str, waves: list[int]) -> None:
    """Temp table ``name``: (wave_id, respondent_id, keys..., level) = the person's best level
    over the answers joined to ``keys``, in ``waves``."""
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE {name} AS
        SELECT a.wave_id, a.respondent_id, {keys}, max(a.level) AS level
        FROM answers a {join}
        WHERE list_contains(?::INTEGER[], a.wave_id)
        GROUP BY ALL
    """, [waves])


def _insert_interests(con, all_waves: list[int]) -> None:
    """Who wants to learn a skill, by their current level of it."""
    con.execute(f"""
        INSERT INTO agg_interest_levels
        SELECT c.wave_id, c.team, c.role, c.location, x.skill_id, x.n, x.n_unanswered,
               x.n_l0, x.n_l1, x.n_l2, x.n_l3, x.n_l4
        FROM (SELECT cell, skill_id, count(*) AS n, count(*) FILTER (WHERE level IS NULL) AS n_unanswered, {_LEVELS}
              FROM (SELECT p.person, any_value(p.cell) AS cell, t.skill_id, max(a.level) AS level
                    {_PEOPLE_JOIN.format(table='learning_interests')}
                    LEFT JOIN answers a ON a.wave_id = t.wave_id AND a.respondent_id = t.respondent_id
                                       AND a.skill_id = t.skill_id AND list_contains(?::INTEGER[], a.wave_id)
                    WHERE p.is_all GROUP BY p.person, t.skill_id)
              GROUP BY cell, skill_id) x
        JOIN _agg_cells c USING (cell)
    """, [all_waves, all_waves])


def _insert_cloud(con, all_waves: list[int]) -> None:
    """Respondents per cloud provider and kind, and per kind (the shares' denominators)."""
    for table, keys in (("agg_cloud", "x.kind, x.provider"), ("agg_cloud_base", "x.kind")):
        con.execute(f"""
            INSERT INTO {table}
            SELECT c.wave_id, c.team, c.role, c.location, {keys}, x.n
            FROM (SELECT p.cell, {keys.replace('x.', 't.')}, count(DISTINCT p.person) AS n
                  {_PEOPLE_JOIN.format(table='cloud_preferences')} WHERE p.is_all GROUP BY ALL) x
            JOIN _agg_cells c USING (cell)
        """, [all_waves])


def _stamp(con) -> None:
    con.execute("DELETE FROM agg_meta")
    con.execute("""
        INSERT INTO agg_meta
        SELECT uuid()::VARCHAR, now()::TIMESTAMP, count(*), max(ingestion_id) FROM ingestions
    """)
