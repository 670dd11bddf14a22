"""The fast refresh in pipelines.aggregates builds exactly the tables the previous, plain-SQL
refresh built. That implementation is kept below as the reference (unchanged apart from names),
and both run on the same random small databases: full rebuilds, one-wave refreshes after a late
wave, changed answers and a deleted wave, a cell too big for the 12-bit counters, and waves with
no answers at all. No timing here: benchmarks are scripts."""
from __future__ import annotations

import datetime as dt
import random

import duckdb
import pandas as pd
import pytest

from pipelines import aggregates, taxonomy
from pipelines.migrate import migrate

TABLES = ["agg_wave_order", "agg_respondents", "agg_skill_levels", "agg_area_levels", "agg_category_levels",
          "agg_interest_levels", "agg_cloud", "agg_cloud_base"]
# Cloud services (in service cells) and plain skills from several areas, plus one skill the
# taxonomy doesn't know (counted per skill, in no area).
SKILLS = ["aws_ec2", "gcp_gce", "azure_vm", "aws_s3", "gcp_gcs", "aws_lambda", "gcp_cloud_run", "aws_eks", "gcp_gke",
          "terraform", "aws_cloudformation", "docker", "kubernetes", "zz_not_in_taxonomy"]
TEAMS = ["Platform", "Data", " Data ", "", None]
ROLES = ["Engineer", "Manager", None]
PLACES = ["Tokyo", "Osaka", " "]


# ---- reference: the refresh as it was before the bit-set rewrite ---------------------------------

_NOT_GIVEN = "(not given)"
_LEVELS = ", ".join(f"count(*) FILTER (WHERE level = {n}) AS n_l{n}" for n in range(5))
_TEMP = ("_agg_target", "_agg_order", "_agg_cohort_waves", "_agg_cells", "_agg_pop", "_agg_best_area",
         "_agg_best_category")


def reference_refresh(con, wave_ids=None) -> None:
    _ref_target_waves(con, wave_ids)
    _ref_wave_order(con, full=wave_ids is None)
    _ref_populations(con)
    _ref_delete_stale(con)
    _ref_insert_all(con)
    _ref_stamp(con)
    for name in _TEMP:
        con.execute(f"DROP TABLE {name}")


def _ref_target_waves(con, wave_ids) -> None:
    """_agg_target: the waves whose 'all' rows are rebuilt (deleted waves included, to clear them)."""
    con.execute("CREATE OR REPLACE TEMP TABLE _agg_target (wave_id INTEGER)")
    if wave_ids is None:
        con.execute("INSERT INTO _agg_target SELECT wave_id FROM waves "
                    "UNION SELECT wave_id FROM agg_wave_order UNION SELECT wave_id FROM agg_respondents")
    else:
        con.execute("INSERT INTO _agg_target SELECT DISTINCT unnest(?::INTEGER[])", [list(wave_ids)])


def _ref_wave_order(con, full: bool) -> None:
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


def _ref_populations(con) -> None:
    """Who counts where. _agg_cells: one small integer per (population, wave, team, role,
    location), so the big aggregations group on integers rather than strings. _agg_pop: one row
    per person and population, with the wave their answers come from."""
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _agg_people AS
        WITH people AS (
            SELECT wave_id, respondent_id,
                   coalesce(nullif(trim(team), ''), '{_NOT_GIVEN}') AS team,
                   coalesce(nullif(trim(role), ''), '{_NOT_GIVEN}') AS role,
                   coalesce(nullif(trim(location), ''), '{_NOT_GIVEN}') AS location
            FROM respondents
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
    """)
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


def _ref_delete_stale(con) -> None:
    in_target = "wave_id IN (SELECT wave_id FROM _agg_target)"
    in_cohort = "wave_id IN (SELECT wave_id FROM _agg_cohort_waves)"
    for table in ("agg_respondents", "agg_skill_levels", "agg_area_levels"):
        con.execute(f"DELETE FROM {table} WHERE (population = 'all' AND {in_target}) "
                    f"OR (population <> 'all' AND {in_cohort})")
    for table in ("agg_category_levels", "agg_interest_levels", "agg_cloud", "agg_cloud_base"):
        con.execute(f"DELETE FROM {table} WHERE {in_target}")


def _ref_insert_all(con) -> None:
    cells = "c.population, c.wave_id, c.team, c.role, c.location"
    join = "FROM _agg_pop p JOIN {table} t ON t.wave_id = p.source_wave_id AND t.respondent_id = p.respondent_id"
    con.execute(f"""
        INSERT INTO agg_respondents
        SELECT {cells}, x.n FROM (SELECT cell, count(*) AS n FROM _agg_pop GROUP BY cell) x JOIN _agg_cells c USING (cell)
    """)
    # One answers row per person and skill is the contract (the ingest keeps the highest level),
    # so people are counted without de-duplicating 70M rows first.
    con.execute(f"""
        INSERT INTO agg_skill_levels
        SELECT {cells}, x.skill_id, x.n, x.n_l0, x.n_l1, x.n_l2, x.n_l3, x.n_l4
        FROM (SELECT p.cell, t.skill_id, count(*) AS n, {_LEVELS}
              {join.format(table='answers')} GROUP BY p.cell, t.skill_id) x
        JOIN _agg_cells c USING (cell)
    """)
    # Best level per person and area (or service cell), once per source wave, then counted per
    # cell for every population the person is in.
    _ref_best_levels(con, "_agg_best_area", "s.area_id", "JOIN skills s ON s.skill_id = a.skill_id")
    con.execute(f"""
        INSERT INTO agg_area_levels
        SELECT {cells}, x.area_id, x.n, x.n_l0, x.n_l1, x.n_l2, x.n_l3, x.n_l4
        FROM (SELECT p.cell, t.area_id, count(*) AS n, {_LEVELS}
              {join.format(table='_agg_best_area')} GROUP BY p.cell, t.area_id) x
        JOIN _agg_cells c USING (cell)
    """)
    _ref_best_levels(con, "_agg_best_category", "k.category_id, k.provider",
                     "JOIN service_categories k ON k.skill_id = a.skill_id", only_all=True)
    con.execute(f"""
        INSERT INTO agg_category_levels
        SELECT c.wave_id, c.team, c.role, c.location, x.category_id, x.provider, x.n,
               x.n_l0, x.n_l1, x.n_l2, x.n_l3, x.n_l4
        FROM (SELECT p.cell, t.category_id, t.provider, count(*) AS n, {_LEVELS}
              {join.format(table='_agg_best_category')} WHERE p.is_all GROUP BY ALL) x
        JOIN _agg_cells c USING (cell)
    """)
    con.execute(f"""
        INSERT INTO agg_interest_levels
        SELECT c.wave_id, c.team, c.role, c.location, x.skill_id, x.n, x.n_unanswered,
               x.n_l0, x.n_l1, x.n_l2, x.n_l3, x.n_l4
        FROM (SELECT cell, skill_id, count(*) AS n, count(*) FILTER (WHERE level IS NULL) AS n_unanswered, {_LEVELS}
              FROM (SELECT p.person, any_value(p.cell) AS cell, t.skill_id, max(a.level) AS level
                    {join.format(table='learning_interests')}
                    LEFT JOIN answers a ON a.wave_id = t.wave_id AND a.respondent_id = t.respondent_id
                                       AND a.skill_id = t.skill_id
                    WHERE p.is_all GROUP BY p.person, t.skill_id)
              GROUP BY cell, skill_id) x
        JOIN _agg_cells c USING (cell)
    """)
    con.execute(f"""
        INSERT INTO agg_cloud
        SELECT c.wave_id, c.team, c.role, c.location, x.kind, x.provider, x.n
        FROM (SELECT p.cell, t.kind, t.provider, count(DISTINCT p.person) AS n
              {join.format(table='cloud_preferences')} WHERE p.is_all GROUP BY ALL) x
        JOIN _agg_cells c USING (cell)
    """)
    con.execute(f"""
        INSERT INTO agg_cloud_base
        SELECT c.wave_id, c.team, c.role, c.location, x.kind, x.n
        FROM (SELECT p.cell, t.kind, count(DISTINCT p.person) AS n
              {join.format(table='cloud_preferences')} WHERE p.is_all GROUP BY ALL) x
        JOIN _agg_cells c USING (cell)
    """)


def _ref_best_levels(con, name: str, keys: str, join: str, only_all: bool = False) -> None:
    """Temp table ``name``: (wave_id, respondent_id, keys..., level) = the person's best level
    over the answers joined to ``keys``, for the waves the populations read from."""
    waves = "SELECT source_wave_id FROM _agg_pop" + (" WHERE is_all" if only_all else "")
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE {name} AS
        SELECT a.wave_id, a.respondent_id, {keys}, max(a.level) AS level
        FROM answers a {join}
        WHERE a.wave_id IN ({waves})
        GROUP BY ALL
    """)


def _ref_stamp(con) -> None:
    con.execute("DELETE FROM agg_meta")
    con.execute("""
        INSERT INTO agg_meta
        SELECT uuid()::VARCHAR, now()::TIMESTAMP, count(*), max(ingestion_id) FROM ingestions
    """)


# ---- random databases ----------------------------------------------------------------------------

def new_db() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    migrate(con)
    taxonomy.sync(con, taxonomy.builtin())
    return con


def rid(rng: random.Random) -> str:
    return f"{rng.getrandbits(128):032x}"


def random_wave(rng: random.Random, wave: int, people: list[str], survey_date: dt.date | None) -> dict[str, list]:
    """Rows for one wave: a random part of `people`, each answering a random set of skills once."""
    rows = {"waves": [(wave, f"W{wave}", survey_date)],
            "ingestions": [(wave, wave, "f.csv", "sha", dt.datetime(2025, 1, 1), 1, 1, 0, "loaded", "p", "u")],
            "respondents": [], "answers": [], "learning_interests": [], "cloud_preferences": []}
    for person in rng.sample(people, k=rng.randint(len(people) // 3, len(people))):
        rows["respondents"].append((wave, person, wave, rng.choice(TEAMS), rng.choice(ROLES), rng.choice(PLACES), None))
        for skill in rng.sample(SKILLS, k=rng.randint(0, len(SKILLS))):
            rows["answers"].append((wave, person, skill, rng.randint(0, 4), wave))
        for _ in range(rng.randint(0, 3)):  # duplicates and unanswered skills included
            rows["learning_interests"].append((wave, person, rng.choice(SKILLS), wave))
        if rng.random() < 0.8:
            rows["cloud_preferences"].append((wave, person, rng.choice(["AWS", "GCP", "None"]), "preferred", wave))
        for provider in rng.sample(["AWS", "GCP", "Azure", "Other", "AWS"], k=rng.randint(0, 3)):
            rows["cloud_preferences"].append((wave, person, provider, "uses", wave))
    stranger = rid(rng)  # rows of someone with no respondents row are counted nowhere
    rows["answers"].append((wave, stranger, "docker", 3, wave))
    rows["learning_interests"].append((wave, stranger, "docker", wave))
    rows["cloud_preferences"].append((wave, stranger, "AWS", "uses", wave))
    return rows


def insert(con, rows: dict[str, list]) -> None:
    for table, values in rows.items():
        if values:
            frame = pd.DataFrame(values)
            con.register("_rows", frame)
            con.execute(f"INSERT INTO {table} SELECT * FROM _rows")
            con.unregister("_rows")


def snapshot(con) -> dict[str, list]:
    return {t: sorted(con.execute(f"SELECT * FROM {t}").fetchall(), key=repr) for t in TABLES}


class Twins:
    """The same database twice: `ref` refreshed by the reference, `new` by pipelines.aggregates."""

    def __init__(self):
        self.ref, self.new = new_db(), new_db()

    def run(self, sql: str, params=None) -> None:
        for con in (self.ref, self.new):
            con.execute(sql, params)

    def insert(self, rows) -> None:
        for con in (self.ref, self.new):
            insert(con, rows)

    def refresh_and_compare(self, wave_ids=None) -> dict[str, list]:
        reference_refresh(self.ref, wave_ids)
        aggregates.refresh(self.new, wave_ids)
        expected, got = snapshot(self.ref), snapshot(self.new)
        for table in TABLES:
            assert got[table] == expected[table], table
        return got


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_full_and_incremental_refreshes_match_the_reference(seed):
    rng = random.Random(seed)
    people = [rid(rng) for _ in range(40)]
    twins = Twins()
    dates = [dt.date(2024, 1, 1), dt.date(2024, 7, 1), None, dt.date(2025, 1, 1)]
    for wave, date in enumerate(dates, start=1):
        twins.insert(random_wave(rng, wave, people, date))
    full = twins.refresh_and_compare()
    assert full["agg_area_levels"] and full["agg_category_levels"] and full["agg_interest_levels"]
    assert any(row[0] == "cohort" for row in full["agg_skill_levels"])

    # A wave loaded late but dated first: it becomes wave 1's predecessor.
    twins.insert(random_wave(rng, 5, people, dt.date(2023, 6, 1)))
    twins.refresh_and_compare([5])
    # One person's answers in wave 2 replaced (as a newer submission would).
    person = twins.new.execute("SELECT min(respondent_id) FROM respondents WHERE wave_id = 2").fetchone()[0]
    twins.run("DELETE FROM answers WHERE wave_id = 2 AND respondent_id = ?", [person])
    twins.insert({"answers": [(2, person, skill, rng.randint(0, 4), 2) for skill in SKILLS[:6]]})
    twins.refresh_and_compare([2])
    # Wave 4 (dated last) deleted.
    for table in ("answers", "cloud_preferences", "learning_interests", "respondents", "ingestions", "waves"):
        twins.run(f"DELETE FROM {table} WHERE wave_id = 4")
    after = twins.refresh_and_compare([4])
    assert not [row for row in after["agg_respondents"] if row[1] == 4]
    twins.refresh_and_compare()


def test_a_cell_beyond_the_small_counters_matches_the_reference():
    """4,200 people with no team, role or location share one cell: more than 12-bit counts hold."""
    rng = random.Random(7)
    twins = Twins()
    people = [rid(rng) for _ in range(4200)]
    rows = random_wave(rng, 1, people[:50], dt.date(2024, 1, 1))
    rows["respondents"] += [(1, p, 1, None, None, None, None) for p in people[50:]]
    rows["answers"] += [(1, p, skill, rng.randint(0, 4), 1) for p in people[50:] for skill in ("docker", "aws_ec2")]
    rows["learning_interests"] += [(1, p, "terraform", 1) for p in people[50:100]]
    twins.insert(rows)
    got = twins.refresh_and_compare()
    biggest = max(row[-1] for row in got["agg_respondents"])
    assert biggest > 4095


def test_waves_without_answers_match_the_reference():
    rng = random.Random(11)
    twins = Twins()
    people = [rid(rng) for _ in range(30)]
    for wave, date in ((1, dt.date(2024, 1, 1)), (2, dt.date(2024, 6, 1))):
        rows = random_wave(rng, wave, people, date)
        rows["answers"] = []
        twins.insert(rows)
    got = twins.refresh_and_compare()
    assert got["agg_interest_levels"] and not got["agg_skill_levels"]
    twins.refresh_and_compare([2])


def test_an_empty_database_matches_the_reference():
    twins = Twins()
    got = twins.refresh_and_compare()
    assert all(not rows for rows in got.values())
