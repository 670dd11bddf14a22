"""Rebuild the dashboards' aggregate tables (migration 002) from the base tables.

``refresh(con)`` is called by the ingest pipeline inside its write transaction after every load
or delete, so readers never see base tables and aggregates out of step. Passing ``wave_ids``
rebuilds only those waves (plus the cohort rows of the waves that follow them), which is what
keeps a load cheap when the answers table is large; without it everything is rebuilt.

How it stays fast (the plain version joined millions of answers rows to people, and built a
temp table of every person's best level per area and per service cell):
- The answers of the waves involved (filtered by a constant wave list, so other waves' row groups
  are skipped) are read once, in one GROUP BY per person, into a few BIGINT bit sets
  (_level_bits). Each skill answered, each area and each service cell has a 5-bit slot there
  holding a level as a "thermometer" (level 2 sets bits 0-2), so OR-ing a person's answers
  leaves their level per skill and their best level per area and service cell.
- Counts per cell are then sums over those ~100k rows per wave (_PackedCounts), on integer cell
  numbers, rather than joins and GROUP BYs over the answers rows.
The counts rely on the contract: one answers row per person and skill, with a level of 0-4.

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
_TEMP = ("_agg_target", "_agg_order", "_agg_cohort_waves", "_agg_cells", "_agg_pop", "_agg_slots",
         "_agg_slot_bits", "_agg_person_bits", "_agg_cell_counts")
SLOTS_PER_WORD = 12  # 5 level bits per slot: 60 of a BIGINT's 63 usable bits
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
        words = _level_bits(con, _waves(con, "SELECT DISTINCT source_wave_id FROM _agg_pop"))
        _insert_all(con, words)
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
        SELECT c.cell, p.population = 'all' AS is_all, p.source_wave_id, p.respondent_id
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


def _level_bits(con, source: list[int]) -> int:
    """_agg_person_bits: each person's level bits in each source wave; returns the number of words.

    _agg_slots numbers the skills answered in those waves, their areas and their service cells;
    slot s owns bits 5*(s % 12) .. +4 of word w{s // 12}. _agg_slot_bits: per skill and level,
    the bits an answer sets: bits 0..level (a "thermometer") of the skill's slot and of its area's
    and service cells' slots. OR-ing a person's answers keeps the highest level in each slot.
    """
    con.execute("""
        CREATE OR REPLACE TEMP TABLE _agg_slots AS
        WITH used AS (SELECT DISTINCT skill_id FROM answers WHERE list_contains(?::INTEGER[], wave_id)),
        keys AS (
            SELECT 'skill' AS kind, skill_id AS key, NULL::VARCHAR AS provider FROM used
            UNION ALL
            SELECT DISTINCT 'area', s.area_id, NULL FROM used JOIN skills s USING (skill_id)
            UNION ALL
            SELECT DISTINCT 'category', k.category_id, k.provider FROM used JOIN service_categories k USING (skill_id)
        )
        SELECT (row_number() OVER () - 1)::INTEGER AS slot, * FROM keys
    """, [source])
    n_slots = con.execute("SELECT count(*) FROM _agg_slots").fetchone()[0]
    words = -(-n_slots // SLOTS_PER_WORD)
    if not words:
        return 0
    slot_cols = ", ".join(
        f"bit_or(CASE WHEN slot // {SLOTS_PER_WORD} = {w} THEN 1::BIGINT << (5 * (slot % {SLOTS_PER_WORD})) "
        f"ELSE 0 END) * thermometer AS w{w}" for w in range(words))
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _agg_slot_bits AS
        WITH member AS (
            SELECT key AS skill_id, slot FROM _agg_slots WHERE kind = 'skill'
            UNION ALL
            SELECT s.skill_id, t.slot FROM _agg_slots t JOIN skills s ON t.kind = 'area' AND s.area_id = t.key
            UNION ALL
            SELECT k.skill_id, t.slot FROM _agg_slots t JOIN service_categories k
                ON t.kind = 'category' AND k.category_id = t.key AND k.provider = t.provider
        )
        SELECT skill_id, level::TINYINT AS level, {slot_cols}
        FROM member CROSS JOIN (SELECT range AS level, (2::BIGINT << range) - 1 AS thermometer FROM range(5))
        GROUP BY skill_id, level, thermometer
    """)
    # One GROUP BY per wave: grouping on respondent_id alone is about twice as fast as on
    # (wave_id, respondent_id).
    person_cols = ", ".join(f"bit_or(b.w{w}) AS w{w}" for w in range(words))
    per_wave = " UNION ALL ".join(
        f"SELECT ?::INTEGER AS wave_id, a.respondent_id, {person_cols} "
        "FROM answers a JOIN _agg_slot_bits b USING (skill_id, level) WHERE a.wave_id = ? GROUP BY a.respondent_id"
        for _ in source)
    con.execute(f"CREATE OR REPLACE TEMP TABLE _agg_person_bits AS {per_wave}",
                [w for wave in source for w in (wave, wave)])
    return words


# Counting: a slot's 5 bits times `spread` put bit j at bit width*j (copies of the slot width-1
# bits apart, so nothing carries); masking with `fields` keeps those, and one sum then counts all
# five bits at once, in fields of `width` bits. c_j, the count of bit j, is the number of people
# whose (best) level there is >= j, so n_lj = c_j - c_(j+1). 12-bit fields fit a BIGINT and hold
# counts up to 4095, plenty for a real cell; a bigger cell switches to 25-bit fields in a HUGEINT.
class _PackedCounts:
    """SQL snippets for counting 5-bit slot values by summing them in packed form."""

    def __init__(self, con):
        biggest = con.execute("SELECT max(n) FROM (SELECT count(*) AS n FROM _agg_pop GROUP BY cell)").fetchone()[0]
        self.width, self.type = (12, "BIGINT") if (biggest or 0) < 1 << 12 else (25, "HUGEINT")

    def packed(self, bits: str) -> str:
        """The summable form of a 5-bit slot value."""
        spread = sum(1 << ((self.width - 1) * i) for i in range(5))
        fields = sum(1 << (self.width * j) for j in range(5))
        return f"(({bits})::{self.type} * {spread}) & {fields}"

    def levels(self, packed: str) -> str:
        """n_l0 .. n_l4 from a sum of packed values."""
        c = [f"(({packed} >> {self.width * j}) & {(1 << self.width) - 1})::BIGINT" for j in range(5)] + ["0"]
        return ", ".join(f"{c[j]} - {c[j + 1]} AS n_l{j}" for j in range(5))

    def answered(self, packed: str) -> str:
        """c_0: people with any level there."""
        return f"(({packed}) & {(1 << self.width) - 1})::BIGINT"


def _slot_bits(slot: int) -> str:
    """A person's 5 bits of one slot (m: _agg_person_bits)."""
    return f"(m.w{slot // SLOTS_PER_WORD} >> {5 * (slot % SLOTS_PER_WORD)}) & 31"


def _cell_counts(con, fields: _PackedCounts) -> None:
    """_agg_cell_counts: per cell and slot, n (people with a level there) and n_l0..n_l4."""
    n_slots = con.execute("SELECT count(*) FROM _agg_slots").fetchone()[0]
    sums = ", ".join(f'sum({fields.packed(_slot_bits(s))}) AS "{s}"' for s in range(n_slots))
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _agg_cell_counts AS
        SELECT cell, slot::INTEGER AS slot, {fields.answered('packed')} AS n, {fields.levels('packed')}
        FROM (UNPIVOT (SELECT p.cell, {sums}
                       FROM _agg_pop p
                       JOIN _agg_person_bits m ON m.wave_id = p.source_wave_id AND m.respondent_id = p.respondent_id
                       GROUP BY p.cell)
              ON COLUMNS(* EXCLUDE (cell)) INTO NAME slot VALUE packed)
        WHERE packed <> 0
    """)


def _insert_all(con, words: int) -> None:
    cells = "c.population, c.wave_id, c.team, c.role, c.location"
    con.execute(f"""
        INSERT INTO agg_respondents
        SELECT {cells}, x.n FROM (SELECT cell, count(*) AS n FROM _agg_pop GROUP BY cell) x JOIN _agg_cells c USING (cell)
    """)
    fields = _PackedCounts(con)
    if words:
        _cell_counts(con, fields)
        counts = "x.n, x.n_l0, x.n_l1, x.n_l2, x.n_l3, x.n_l4"
        from_slots = "FROM _agg_cell_counts x JOIN _agg_slots s USING (slot) JOIN _agg_cells c USING (cell)"
        con.execute(f"INSERT INTO agg_skill_levels SELECT {cells}, s.key, {counts} {from_slots} "
                    "WHERE s.kind = 'skill'")
        con.execute(f"INSERT INTO agg_area_levels SELECT {cells}, s.key, {counts} {from_slots} "
                    "WHERE s.kind = 'area'")
        con.execute(f"INSERT INTO agg_category_levels SELECT c.wave_id, c.team, c.role, c.location, s.key, "
                    f"s.provider, {counts} {from_slots} WHERE s.kind = 'category' AND c.population = 'all'")
    all_waves = _waves(con, "SELECT DISTINCT source_wave_id FROM _agg_pop WHERE is_all")
    _insert_interests(con, words, fields, all_waves)
    people = ("FROM _agg_pop p JOIN cloud_preferences t ON t.wave_id = p.source_wave_id "
              "AND t.respondent_id = p.respondent_id WHERE p.is_all AND list_contains(?::INTEGER[], t.wave_id)")
    con.execute(f"""
        INSERT INTO agg_cloud
        SELECT c.wave_id, c.team, c.role, c.location, x.kind, x.provider, x.n
        FROM (SELECT p.cell, t.kind, t.provider, count(DISTINCT p.respondent_id) AS n {people} GROUP BY ALL) x
        JOIN _agg_cells c USING (cell)
    """, [all_waves])
    con.execute(f"""
        INSERT INTO agg_cloud_base
        SELECT c.wave_id, c.team, c.role, c.location, x.kind, x.n
        FROM (SELECT p.cell, t.kind, count(DISTINCT p.respondent_id) AS n {people} GROUP BY ALL) x
        JOIN _agg_cells c USING (cell)
    """, [all_waves])


def _insert_interests(con, words: int, fields: _PackedCounts, all_waves: list[int]) -> None:
    """Who wants to learn a skill, by their current level of it (the top of its thermometer)."""
    if words:
        word = " ".join(f"WHEN {w} THEN m.w{w}" for w in range(words))
        bits = f"coalesce(((CASE s.slot // {SLOTS_PER_WORD} {word} END) >> (5 * (s.slot % {SLOTS_PER_WORD}))) & 31, 0)"
        joins = ("LEFT JOIN _agg_person_bits m ON m.wave_id = i.wave_id AND m.respondent_id = i.respondent_id "
                 "LEFT JOIN _agg_slots s ON s.kind = 'skill' AND s.key = i.skill_id")
    else:  # no answers at all in these waves
        bits, joins = "0", ""
    con.execute(f"""
        INSERT INTO agg_interest_levels
        SELECT c.wave_id, c.team, c.role, c.location, x.skill_id, x.n, x.n - {fields.answered('x.packed')},
               {fields.levels('x.packed')}
        FROM (SELECT i.cell, i.skill_id, count(*) AS n, sum({fields.packed(bits)}) AS packed
              FROM (SELECT DISTINCT p.cell, t.wave_id, t.respondent_id, t.skill_id
                    FROM _agg_pop p JOIN learning_interests t
                      ON t.wave_id = p.source_wave_id AND t.respondent_id = p.respondent_id
                    WHERE p.is_all AND list_contains(?::INTEGER[], t.wave_id)) i
              {joins}
              GROUP BY i.cell, i.skill_id) x
        JOIN _agg_cells c USING (cell)
    """, [all_waves])


def _stamp(con) -> None:
    con.execute("DELETE FROM agg_meta")
    con.execute("""
        INSERT INTO agg_meta
        SELECT uuid()::VARCHAR, now()::TIMESTAMP, count(*), max(ingestion_id) FROM ingestions
    """)
