"""pipelines.aggregates: the refresh counted by hand on a small database, and incremental
refreshes (a late wave, changed answers, a deleted wave) ending where a full rebuild of the same
base tables ends, on seeded random databases. No timing here: benchmarks are scripts."""
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


def new_db() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    migrate(con)
    taxonomy.sync(con, taxonomy.builtin())
    return con


def insert(con, rows: dict[str, list]) -> None:
    for table, values in rows.items():
        if values:
            con.register("_rows", pd.DataFrame(values))
            con.execute(f"INSERT INTO {table} SELECT * FROM _rows")
            con.unregister("_rows")


def one_wave(wave: int, date: dt.date | None) -> dict[str, list]:
    return {"waves": [(wave, f"W{wave}", date)],
            "ingestions": [(wave, wave, "f.csv", "sha", dt.datetime(2025, 1, 1), 1, 1, 0, "loaded", "p", "u")],
            "respondents": [], "answers": [], "learning_interests": [], "cloud_preferences": []}


# ---- by hand -------------------------------------------------------------------------------------

def test_area_category_and_interest_levels_by_hand():
    """p1-p3 share one cell (T, R, L); p4 is in team U. docker, kubernetes, aws_ecs and aws_eks
    are one area (containers_microservices); aws_ecs and aws_eks one service cell (containers, AWS)."""
    con = new_db()
    rows = one_wave(1, dt.date(2025, 1, 1))
    rows["respondents"] = [(1, p, 1, team, "R", "L", None) for p, team in
                           (("p1", "T"), ("p2", "T"), ("p3", "T"), ("p4", "U"))]
    rows["answers"] = [(1, p, skill, level, 1) for p, skill, level in (
        ("p1", "docker", 1), ("p1", "kubernetes", 3), ("p1", "aws_ecs", 2), ("p1", "aws_eks", 4),
        ("p2", "docker", 4), ("p2", "aws_ecs", 0),
        ("p3", "kubernetes", 0),
        ("p4", "docker", 2), ("p4", "aws_eks", 1),
        ("stranger", "docker", 3))]  # no respondents row: counted nowhere
    rows["learning_interests"] = [(1, p, skill, 1) for p, skill in (
        ("p1", "docker"), ("p1", "terraform"), ("p2", "docker"), ("p3", "docker"), ("p3", "docker"),
        ("p4", "kubernetes"), ("stranger", "docker"))]
    insert(con, rows)
    aggregates.refresh(con)

    area = con.execute("SELECT team, n_answered, n_l0, n_l1, n_l2, n_l3, n_l4 FROM agg_area_levels "
                       "WHERE population = 'all' AND area_id = 'containers_microservices' ORDER BY team").fetchall()
    # Best levels: p1 max(1, 3, 2, 4) = 4, p2 max(4, 0) = 4, p3 0 in T; p4 max(2, 1) = 2 in U.
    assert area == [("T", 3, 1, 0, 0, 0, 2), ("U", 1, 0, 0, 1, 0, 0)]
    cell = con.execute("SELECT team, n_answered, n_l0, n_l1, n_l2, n_l3, n_l4 FROM agg_category_levels "
                       "WHERE category_id = 'containers' AND provider = 'AWS' ORDER BY team").fetchall()
    # Best levels: p1 max(2, 4) = 4, p2 0 in T; p4 1 in U.
    assert cell == [("T", 2, 1, 0, 0, 0, 1), ("U", 1, 0, 1, 0, 0, 0)]
    interest = con.execute("SELECT team, skill_id, n_interested, n_unanswered, n_l0, n_l1, n_l2, n_l3, n_l4 "
                           "FROM agg_interest_levels ORDER BY team, skill_id").fetchall()
    # docker in T: p1 (level 1), p2 (4), p3 (twice, no docker answer); terraform: p1, unanswered.
    assert interest == [("T", "docker", 3, 1, 0, 1, 0, 0, 1), ("T", "terraform", 1, 1, 0, 0, 0, 0, 0),
                        ("U", "kubernetes", 1, 1, 0, 0, 0, 0, 0)]
    skill = con.execute("SELECT team, n_answered, n_l0, n_l1, n_l2, n_l3, n_l4 FROM agg_skill_levels "
                        "WHERE population = 'all' AND skill_id = 'docker' ORDER BY team").fetchall()
    assert skill == [("T", 2, 0, 1, 0, 0, 1), ("U", 1, 0, 0, 1, 0, 0)]
    assert con.execute("SELECT count(*) FROM agg_skill_levels WHERE population <> 'all'").fetchone() == (0,)


# ---- incremental refreshes against a full rebuild --------------------------------------------------

def rid(rng: random.Random) -> str:
    return f"{rng.getrandbits(128):032x}"


def random_wave(rng: random.Random, wave: int, people: list[str], survey_date: dt.date | None) -> dict[str, list]:
    """Rows for one wave: a random part of `people`, each answering a random set of skills once."""
    rows = one_wave(wave, survey_date)
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
    return rows


def snapshot(con) -> dict[str, list]:
    return {t: sorted(con.execute(f"SELECT * FROM {t}").fetchall(), key=repr) for t in TABLES}


class Twins:
    """The same base tables twice: `inc` refreshed wave by wave, `full` rebuilt from scratch."""

    def __init__(self):
        self.inc, self.full = new_db(), new_db()

    def run(self, sql: str, params=None) -> None:
        for con in (self.inc, self.full):
            con.execute(sql, params)

    def insert(self, rows) -> None:
        for con in (self.inc, self.full):
            insert(con, rows)

    def refresh_and_compare(self, wave_ids) -> dict[str, list]:
        aggregates.refresh(self.inc, wave_ids)
        for table in TABLES:  # the rebuild starts from empty aggregates
            self.full.execute(f"DELETE FROM {table}")
        aggregates.refresh(self.full)
        expected, got = snapshot(self.full), snapshot(self.inc)
        for table in TABLES:
            assert got[table] == expected[table], table
        return got


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_incremental_refreshes_end_where_a_full_rebuild_does(seed):
    rng = random.Random(seed)
    people = [rid(rng) for _ in range(40)]
    twins = Twins()
    dates = [dt.date(2024, 1, 1), dt.date(2024, 7, 1), None, dt.date(2025, 1, 1)]
    for wave, date in enumerate(dates, start=1):
        twins.insert(random_wave(rng, wave, people, date))
        got = twins.refresh_and_compare([wave])
    assert got["agg_area_levels"] and got["agg_category_levels"] and got["agg_interest_levels"]
    assert any(row[0] == "cohort" for row in got["agg_skill_levels"])

    # A wave loaded late but dated first: it becomes wave 1's predecessor.
    twins.insert(random_wave(rng, 5, people, dt.date(2023, 6, 1)))
    twins.refresh_and_compare([5])
    # One person's answers in wave 2 replaced (as a newer submission would).
    person = twins.inc.execute("SELECT min(respondent_id) FROM respondents WHERE wave_id = 2").fetchone()[0]
    twins.run("DELETE FROM answers WHERE wave_id = 2 AND respondent_id = ?", [person])
    twins.insert({"answers": [(2, person, skill, rng.randint(0, 4), 2) for skill in SKILLS[:6]]})
    twins.refresh_and_compare([2])
    # Wave 4 (dated last) deleted.
    for table in ("answers", "cloud_preferences", "learning_interests", "respondents", "ingestions", "waves"):
        twins.run(f"DELETE FROM {table} WHERE wave_id = 4")
    after = twins.refresh_and_compare([4])
    assert not [row for row in after["agg_respondents"] if row[1] == 4]


def test_waves_without_answers_and_an_empty_database():
    con = new_db()
    aggregates.refresh(con)
    assert all(not rows for rows in snapshot(con).values())
    rng = random.Random(11)
    people = [rid(rng) for _ in range(30)]
    for wave, date in ((1, dt.date(2024, 1, 1)), (2, dt.date(2024, 6, 1))):
        rows = random_wave(rng, wave, people, date)
        rows["answers"] = []
        insert(con, rows)
    aggregates.refresh(con)
    got = snapshot(con)
    assert got["agg_interest_levels"] and not got["agg_skill_levels"]
    interested = con.execute("SELECT sum(n_interested), sum(n_unanswered) FROM agg_interest_levels").fetchone()
    assert interested[0] == interested[1] > 0  # nobody answered anything
