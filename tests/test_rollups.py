"""The rollup twins of the aggregate tables (migration 004): every ``<table>_rollup`` row is the sum
of the fine rows over the people columns it drops.

The expected rollups are computed here with pandas from the fine tables (never with the product's
SQL), on the dashboards' fixture database, after every step of a sequence of real ingests (late
wave, superseding file, deletes), by hand on a tiny database, and after migration 004 upgrades a
version-3 database.
"""
from __future__ import annotations

import csv
import datetime as dt

import duckdb
import pandas as pd
import pytest
from pipeline_fixtures import query, write_csv

from analytics import settings as settings_mod
from analytics.db import AggregatesMissing, data_version
from analytics.filters import Filters
from analytics.overview import respondent_trend
from pipelines import aggregates, demo, migrate
from pipelines.db import writer
from pipelines.demo_org import WAVES
from pipelines.ingest import delete

PEOPLE = ["team", "role", "location"]
GRAINS = ("total", "team", "role", "location")
LEVELS = ["n_l0", "n_l1", "n_l2", "n_l3", "n_l4"]
# The count columns of each fine table (from 002_aggregates.sql): what the rollups sum.
COUNTS = {
    "agg_respondents": ["n_respondents"],
    "agg_skill_levels": ["n_answered", *LEVELS],
    "agg_area_levels": ["n_answered", *LEVELS],
    "agg_category_levels": ["n_answered", *LEVELS],
    "agg_interest_levels": ["n_interested", "n_unanswered", *LEVELS],
    "agg_cloud": ["n_respondents"],
    "agg_cloud_base": ["n_respondents"],
}
ROLLUPS = [f"{t}_rollup" for t in COUNTS]


# --- the independent computation ------------------------------------------------------------------

def _plain(value):
    """A cell as a plain Python value (NULL/NaN -> None, numpy ints -> int) so rows compare exactly."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return int(value) if hasattr(value, "__index__") and not isinstance(value, bool) else value


def _rows(frame: pd.DataFrame, columns: list[str]) -> list[tuple]:
    """Rows as sorted tuples (a list, not a set, so duplicated rollup rows are noticed)."""
    return sorted((tuple(_plain(v) for v in row) for row in frame[columns].itertuples(index=False, name=None)),
                  key=repr)


def expected_rollup(fine: pd.DataFrame, keys: list[str], counts: list[str], grain: str) -> pd.DataFrame:
    """pandas: the fine rows summed over the people columns that ``grain`` drops."""
    kept = [] if grain == "total" else [grain]
    out = fine.groupby(keys + kept, dropna=False)[counts].sum().reset_index()
    for column in PEOPLE:
        if column not in kept:
            out[column] = None
    return out


def assert_rollups_match(con: duckdb.DuckDBPyConnection) -> dict[str, pd.DataFrame]:
    """For every aggregate table and grain, the rollup rows equal pandas' sums of the fine rows.
    Returns the rollup frames (for further checks)."""
    assert set(aggregates.ROLLUP_KEYS) == set(COUNTS)
    rollups = {}
    for table, keys in aggregates.ROLLUP_KEYS.items():
        keys, counts = list(keys), COUNTS[table]
        fine = con.execute(f"SELECT * FROM {table}").df()
        rollup = con.execute(f"SELECT * FROM {table}_rollup").df()
        assert set(fine.columns) == set(keys + PEOPLE + counts), table
        assert set(rollup.columns) == set(fine.columns) | {"grain"}, table
        assert set(rollup["grain"]) <= set(GRAINS), table
        columns = keys + PEOPLE + counts
        for grain in GRAINS:
            want = _rows(expected_rollup(fine, keys, counts, grain), columns)
            got = _rows(rollup[rollup["grain"] == grain], columns)
            assert got == want, (table, grain)
        rollups[table] = rollup
    return rollups


def check(db: str) -> dict[str, pd.DataFrame]:
    con = duckdb.connect(db, read_only=True)
    try:
        return assert_rollups_match(con)
    finally:
        con.close()


def snapshot(con, tables) -> dict[str, list]:
    return {t: sorted(con.execute(f"SELECT * FROM {t}").fetchall(), key=repr) for t in tables}


# --- 1a. the dashboards' fixture database ------------------------------------------------------------

def test_fixture_database_rollups_equal_the_fine_sums(dashboard_db):
    rollups = check(dashboard_db)
    assert all(len(frame) for frame in rollups.values())  # every table has rows to compare
    # Not vacuous: wave 1 of the fixture has 20 people (dashboard_fixture.py), wave 2 has 25.
    total = rollups["agg_respondents"]
    total = total[(total["grain"] == "total") & (total["population"] == "all")]
    assert dict(zip(total["wave_id"], total["n_respondents"], strict=True)) == {1: 20, 2: 25}


# --- 1b. a database built by a sequence of per-wave refreshes -----------------------------------------

@pytest.fixture(scope="module")
def demo_exports(tmp_path_factory) -> dict[str, tuple]:
    """The demo organisation's four export files: label -> (WaveSpec, path)."""
    out = tmp_path_factory.mktemp("demo_exports")
    return {spec.label: (spec, path) for spec, path in demo.write_exports(out)}


def load_wave(env, demo_exports, label: str):
    spec, path = demo_exports[label]
    result = env.ingest(path, wave=spec.label, wave_date=spec.survey_date)
    assert result.status == "loaded", result.message
    return result


def newer_submissions(env, demo_exports, label: str, n: int = 8):
    """A file of later submissions by the first ``n`` people of a wave's export: they move to a new
    team and rate every skill 'Expert', so the later file replaces their rows (supersede)."""
    _, path = demo_exports[label]
    with open(path, encoding="utf-8", newline="") as handle:
        header, *rows = list(csv.reader(handle))
    stamp, team = header.index("Timestamp"), header.index("Team")
    grid = [i for i, name in enumerate(header) if name.startswith("Rate your proficiency [")]
    later = []
    for row in rows[:n]:
        row = list(row)
        when = dt.datetime.strptime(row[stamp], demo.TIMESTAMP_FORMAT) + dt.timedelta(days=1)
        row[stamp] = when.strftime(demo.TIMESTAMP_FORMAT)
        row[team] = "Moved"
        for i in grid:
            row[i] = "Expert"
        later.append(row)
    return write_csv(env.tmp / "later.csv", [header, *later])


def wave_ids(db: str) -> dict[str, int]:
    return dict(query(db, "SELECT label, wave_id FROM waves"))


def cohort_size(db: str, wave: int, previous: int) -> int:
    """People of ``wave`` who also answered ``previous`` (pandas, from the respondents table)."""
    people = pd.DataFrame(query(db, "SELECT wave_id, respondent_id FROM respondents"), columns=["wave_id", "rid"])
    return len(set(people.loc[people["wave_id"] == wave, "rid"]) & set(people.loc[people["wave_id"] == previous, "rid"]))


def cohort_total(rollups: dict[str, pd.DataFrame], wave: int) -> list[int]:
    r = rollups["agg_respondents"]
    return list(r.loc[(r["grain"] == "total") & (r["population"] == "cohort") & (r["wave_id"] == wave),
                      "n_respondents"])


def test_rollups_follow_a_sequence_of_loads_and_deletes(env, demo_exports):
    h1_24, h2_24, h1_25, h2_25 = (w.label for w in WAVES)
    load_wave(env, demo_exports, h1_24)
    assert all(len(frame) for frame in check(env.db).values())
    load_wave(env, demo_exports, h1_25)
    ids = wave_ids(env.db)
    before_late = check(env.db)
    assert cohort_total(before_late, ids[h1_25]) == [cohort_size(env.db, ids[h1_25], ids[h1_24])]

    # 2024-H2 loaded late: it sits between the two, so 2025-H1's cohort now means "also in 2024-H2".
    late = load_wave(env, demo_exports, h2_24)
    ids = wave_ids(env.db)
    after_late = check(env.db)
    assert cohort_total(after_late, ids[h1_25]) == [cohort_size(env.db, ids[h1_25], ids[h2_24])]
    assert cohort_total(after_late, ids[h1_25]) != cohort_total(before_late, ids[h1_25])
    assert cohort_total(after_late, ids[h2_24]) == [cohort_size(env.db, ids[h2_24], ids[h1_24])]

    # Later submissions of 8 people of 2024-H1 replace their rows (new team, other levels).
    later = env.ingest(newer_submissions(env, demo_exports, h1_24), wave=h1_24,
                       wave_date=demo_exports[h1_24][0].survey_date)
    assert later.status == "loaded" and later.respondents == 8, later.message
    rollups = check(env.db)
    teams = rollups["agg_respondents"]
    moved = teams[(teams["grain"] == "team") & (teams["team"] == "Moved") & (teams["population"] == "all")]
    assert list(zip(moved["wave_id"], moved["n_respondents"], strict=True)) == [(ids[h1_24], 8)]

    load_wave(env, demo_exports, h2_25)
    check(env.db)

    # Undo the late wave: it disappears, and 2025-H1's previous wave is 2024-H1 again.
    assert delete(env.db, late.ingestion_id)
    assert h2_24 not in wave_ids(env.db)
    rollups = check(env.db)
    for table, frame in rollups.items():
        assert ids[h2_24] not in set(frame["wave_id"]), table
    assert query(env.db, "SELECT count(*) FROM agg_respondents WHERE wave_id = ?", [ids[h2_24]]) == [(0,)]
    assert cohort_total(rollups, ids[h1_25]) == [cohort_size(env.db, ids[h1_25], ids[h1_24])]

    # Undo the superseding file: those 8 people are gone from 2024-H1 (their old rows were replaced).
    assert delete(env.db, later.ingestion_id)
    rollups = check(env.db)
    teams = rollups["agg_respondents"]
    assert "Moved" not in set(teams["team"].dropna())

    # The incremental refreshes left exactly what a full rebuild makes.
    tables = [*COUNTS, *ROLLUPS]
    with writer(env.db) as con:
        incremental = snapshot(con, tables)
        aggregates.refresh(con, own_transaction=True)
        full = snapshot(con, tables)
    for table in tables:
        assert incremental[table] == full[table], table


# --- 2. by hand ------------------------------------------------------------------------------------

HEADER = ["Timestamp", "Email Address", "Team", "Role", "Location", "Rate your proficiency [Docker]",
          "Rate your proficiency [Terraform]", "Which cloud do you prefer?", "Which clouds do you use at work?"]
# Wave 1: a, b, c in team A; d, e in team B (e gave no location).
FIRST = [["2025/03/01 10:00:00", "a@example.com", "A", "Engineer", "Tokyo", "Expert", "Basic", "AWS", "AWS;GCP"],
         ["2025/03/01 10:00:00", "b@example.com", "A", "Engineer", "Osaka", "Aware", "", "GCP", "GCP"],
         ["2025/03/01 10:00:00", "c@example.com", "A", "Manager", "Tokyo", "Basic", "Proficient", "AWS", ""],
         ["2025/03/01 10:00:00", "d@example.com", "B", "Engineer", "Tokyo", "None", "Expert", "Azure", "Azure"],
         ["2025/03/01 10:00:00", "e@example.com", "B", "Engineer", "", "Basic", "Aware", "AWS", "AWS"]]
# Wave 2: a and d come back (d now in team A), f joins team B.
SECOND = [["2025/09/01 10:00:00", "a@example.com", "A", "Engineer", "Tokyo", "Expert", "", "AWS", "AWS"],
          ["2025/09/01 10:00:00", "d@example.com", "A", "Engineer", "Tokyo", "Basic", "", "AWS", "AWS"],
          ["2025/09/01 10:00:00", "f@example.com", "B", "Engineer", "Osaka", "None", "", "GCP", "GCP"]]


def pick(frame: pd.DataFrame, grain: str, wave: int, by: str | None, columns: list[str], **where) -> dict:
    """{value of the ``by`` column (or 'total'): tuple of ``columns``} for one grain and wave."""
    rows = frame[(frame["grain"] == grain) & (frame["wave_id"] == wave)]
    for column, value in where.items():
        rows = rows[rows[column] == value]
    return {("total" if by is None else row[by]): tuple(int(row[c]) for c in columns) for _, row in rows.iterrows()}


def test_tiny_case_by_hand(env):
    for name, rows, label, date in (("w1.csv", FIRST, "2025-H1", dt.date(2025, 3, 1)),
                                    ("w2.csv", SECOND, "2025-H2", dt.date(2025, 9, 1))):
        result = env.ingest(write_csv(env.tmp / name, [HEADER, *rows]), wave=label, wave_date=date)
        assert result.status == "loaded", result.message
    ids = wave_ids(env.db)
    w1, w2 = ids["2025-H1"], ids["2025-H2"]
    r = check(env.db)
    n = ["n_respondents"]
    resp = r["agg_respondents"]

    assert pick(resp, "total", w1, None, n, population="all") == {"total": (5,)}
    assert pick(resp, "team", w1, "team", n, population="all") == {"A": (3,), "B": (2,)}
    assert pick(resp, "role", w1, "role", n, population="all") == {"Engineer": (4,), "Manager": (1,)}
    assert pick(resp, "location", w1, "location", n, population="all") == \
        {"Tokyo": (3,), "Osaka": (1,), "(not given)": (1,)}
    assert pick(resp, "total", w2, None, n, population="all") == {"total": (3,)}
    assert pick(resp, "team", w2, "team", n, population="all") == {"A": (2,), "B": (1,)}
    # The first wave has no cohort; the second's is a and d, filed under their wave-2 team A.
    assert pick(resp, "total", w1, None, n, population="cohort") == {}
    assert pick(resp, "total", w2, None, n, population="cohort") == {"total": (2,)}
    assert pick(resp, "team", w2, "team", n, population="cohort_prev") == {"A": (2,)}
    # Every rollup row of the total grain has no people values.
    assert resp.loc[resp["grain"] == "total", PEOPLE].isna().all().all()

    levels = ["n_answered", *LEVELS]
    skills = r["agg_skill_levels"]
    # Docker in wave 1: a 4, b 1, c 2, d 0, e 2. Terraform: a 2, c 3, d 4, e 1 (b left it empty).
    assert pick(skills, "total", w1, None, levels, population="all", skill_id="docker") == \
        {"total": (5, 1, 1, 2, 0, 1)}
    assert pick(skills, "total", w1, None, levels, population="all", skill_id="terraform") == \
        {"total": (4, 0, 1, 1, 1, 1)}
    assert pick(skills, "team", w1, "team", levels, population="all", skill_id="docker") == \
        {"A": (3, 0, 1, 1, 0, 1), "B": (2, 1, 0, 1, 0, 0)}
    # Wave 2's cohort (a, d): Docker 4 and 2 now, 4 and 0 in wave 1.
    assert pick(skills, "total", w2, None, levels, population="cohort", skill_id="docker") == \
        {"total": (2, 0, 0, 1, 0, 1)}
    assert pick(skills, "total", w2, None, levels, population="cohort_prev", skill_id="docker") == \
        {"total": (2, 1, 0, 0, 0, 1)}

    # Cloud in wave 1: preferred by all 5; 'uses' by a (AWS, GCP), b (GCP), d (Azure), e (AWS).
    base = r["agg_cloud_base"]
    base = base[(base["grain"] == "total") & (base["wave_id"] == w1)]
    assert dict(zip(base["kind"], base["n_respondents"], strict=True)) == {"preferred": 5, "uses": 4}
    cloud = r["agg_cloud"]
    uses = cloud[(cloud["grain"] == "total") & (cloud["wave_id"] == w1) & (cloud["kind"] == "uses")]
    assert dict(zip(uses["provider"], uses["n_respondents"], strict=True)) == {"AWS": 2, "GCP": 2, "Azure": 1}
    uses_b = cloud[(cloud["grain"] == "team") & (cloud["wave_id"] == w1) & (cloud["kind"] == "uses")
                   & (cloud["team"] == "B")]
    assert dict(zip(uses_b["provider"], uses_b["n_respondents"], strict=True)) == {"AWS": 1, "Azure": 1}


# --- 3. migration 004 on a version-3 database ----------------------------------------------------------

def schema(db: str) -> set[tuple]:
    return set(query(db, "SELECT table_name, column_name, data_type FROM duckdb_columns() "
                         "WHERE database_name = current_database() AND NOT internal"))


def test_migration_004_builds_the_rollups_of_a_version_3_database(env, demo_exports, monkeypatch, tmp_path):
    # The database as releases up to 004 made it (later migrations are not this test's subject).
    up_to_4 = [m for m in migrate.available() if m[0] <= 4]
    # The current loader also records question_skills (008), so the loads run with that table too;
    # it goes again below with the rollups.
    loading = up_to_4 + [m for m in migrate.available() if m[0] == 8]
    monkeypatch.setattr(migrate, "available", lambda: loading)
    labels = [w.label for w in WAVES[:2]]
    for label in labels:
        load_wave(env, demo_exports, label)
    with writer(env.db) as con:
        as_loaded = snapshot(con, ROLLUPS)
    # Take the database back to version 3: what 004 added goes. (The current pipeline can't load
    # into a version-3 schema itself: its refresh writes the rollup tables.)
    con = duckdb.connect(env.db)
    try:
        for table in (*ROLLUPS, "question_skills"):
            con.execute(f"DROP TABLE {table}")
        con.execute("DELETE FROM schema_migrations WHERE version IN (4, 8)")
    finally:
        con.close()
    # ... and that is exactly the schema migrations 001-003 alone create.
    reference = str(tmp_path / "v3.duckdb")
    only_up_to_3 = [m for m in up_to_4 if m[0] <= 3]
    with monkeypatch.context() as mp:
        mp.setattr(migrate, "available", lambda: only_up_to_3)
        with writer(reference):
            pass
    assert schema(env.db) == schema(reference)
    assert query(env.db, "SELECT max(version) FROM schema_migrations") == [(3,)]
    assert query(env.db, "SELECT count(*) FROM agg_respondents") != [(0,)]  # fine aggregates are filled

    s = settings_mod.load()
    with pytest.raises(AggregatesMissing):  # the read side refuses the old schema...
        respondent_trend(env.db, Filters(), s)
    with pytest.raises(AggregatesMissing):
        data_version(env.db)

    with writer(env.db):  # ... until a writer opens it and migration 004 runs
        pass
    assert [v for (v,) in query(env.db, "SELECT version FROM schema_migrations ORDER BY version")] == [1, 2, 3, 4, 8]
    check(env.db)
    with writer(env.db) as con:
        assert snapshot(con, ROLLUPS) == as_loaded

    trend = respondent_trend(env.db, Filters(), s)
    people = pd.DataFrame(query(env.db, "SELECT w.label FROM respondents r JOIN waves w USING (wave_id)"),
                          columns=["label"])
    assert dict(zip(trend["wave_label"], trend["n_respondents"], strict=True)) == \
        people["label"].value_counts().to_dict()
    assert sorted(trend["wave_label"]) == labels
    assert not data_version(env.db).stale
