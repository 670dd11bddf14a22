"""pipelines.aggregates counted by hand on a small database: areas, service cells and interests
(tests/test_aggregates_speed_equivalence.py checks the refresh against plain SQL on random ones)."""
from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd

from pipelines import aggregates, taxonomy
from pipelines.migrate import migrate


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
