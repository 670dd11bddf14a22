"""A small hand-made database for the dashboard tests (no ingest pipeline involved).

Two waves. Levels per respondent are listed below so every expected value in the tests can be
worked out by hand from this file alone.

Wave 1 "2024-H1" (20 people)           Wave 2 "2024-H2" (25 people: all of wave 1 + p08-p12)
  Platform p01-p07  Tokyo               Platform p01-p12 (p08 Remote, p09-p12 Tokyo)
  Data     d01-d06  Osaka               Data, ML, Ops unchanged
  ML       m01-m05  Osaka
  Ops      o01-o02  Tokyo
Roles: p01 and d01 are Managers, everyone else Engineer.
Both waves asked the same seven skills (question_skills), so every change compares like for like.
"""
from __future__ import annotations

import datetime as dt

from pipelines import aggregates, taxonomy
from pipelines.db import writer

W1, W2 = 1, 2

# skill levels: tf terraform, cf aws_cloudformation, dk docker, k8s kubernetes, gke gcp_gke,
# ec2 aws_ec2, gce gcp_gce. A missing key means no answers row (not asked / not picked).
SKILL_IDS = {"tf": "terraform", "cf": "aws_cloudformation", "dk": "docker", "k8s": "kubernetes",
             "gke": "gcp_gke", "ec2": "aws_ec2", "gce": "gcp_gce"}

WAVE1 = {
    "p01": {"tf": 4, "cf": 2, "dk": 3, "ec2": 4, "gce": 1},
    "p02": {"tf": 3, "cf": 3, "dk": 3, "ec2": 3, "gce": 0},
    "p03": {"tf": 3, "dk": 3, "ec2": 2},
    "p04": {"tf": 2, "dk": 3, "ec2": 2},
    "p05": {"tf": 1, "dk": 2, "ec2": 1},
    "p06": {"tf": 0, "dk": 2, "ec2": 1},
    "p07": {"tf": 3, "dk": 1, "ec2": 0},
    "d01": {"tf": 2, "dk": 4, "gce": 4, "k8s": 3},
    "d02": {"tf": 1, "dk": 3, "gce": 3, "k8s": 2},
    "d03": {"tf": 0, "dk": 3, "gce": 3, "k8s": 1},
    "d04": {"tf": 0, "dk": 2, "gce": 2, "k8s": 1},
    "d05": {"tf": 1, "dk": 0, "gce": 1, "k8s": 0},
    "d06": {"tf": 2, "dk": 1, "gce": 0, "k8s": 0},
    "m01": {"tf": 0, "dk": 3, "gke": 2},
    "m02": {"tf": 1, "dk": 3, "gke": 1},
    "m03": {"tf": 3, "dk": 2, "gke": 2},
    "m04": {"tf": 0, "dk": 1, "gke": 0},
    "m05": {"tf": 0, "dk": 0, "gke": 1},
    "o01": {"tf": 4, "dk": 4, "ec2": 3},
    "o02": {"tf": 3, "dk": 2, "ec2": 2},
}
# Wave 2: p04 and p05 reach 3 in terraform, d02 reaches 3 in kubernetes; five people join.
WAVE2 = {
    **WAVE1,
    "p04": {**WAVE1["p04"], "tf": 3},
    "p05": {**WAVE1["p05"], "tf": 3},
    "d02": {**WAVE1["d02"], "k8s": 3},
    "p08": {"tf": 0, "dk": 1},
    "p09": {"tf": 1, "dk": 1},
    "p10": {"tf": 2, "dk": 1},
    "p11": {"tf": 3, "dk": 1},
    "p12": {"tf": 0, "dk": 1},
}

PREFERRED_W1 = {**dict.fromkeys(["p01", "p02", "p03", "p04"], "AWS"), **dict.fromkeys(["p05", "p06", "p07"], "GCP"),
                **dict.fromkeys(["d01", "d02", "d03", "d04", "d05", "d06"], "GCP"),
                "m01": "AWS", "m02": "AWS", "m03": "Azure", "m04": "None", "m05": "None", "o01": "AWS", "o02": "Other"}
PREFERRED_W2 = {**PREFERRED_W1, **dict.fromkeys(["p08", "p09", "p10", "p11", "p12"], "AWS")}
USES_W1 = {"p01": ["AWS", "GCP"], "p02": ["AWS"], "p03": ["AWS"], "p04": ["AWS", "Azure"], "p05": ["GCP"],
           "p06": ["GCP"], "p07": ["GCP"], "d01": ["GCP", "AWS"], "d02": ["GCP"], "d03": ["GCP"], "d04": ["GCP"],
           "d05": ["GCP"], "o01": ["AWS"], "o02": ["AWS"]}
USES_W2 = {**USES_W1, **{p: ["AWS"] for p in ["p08", "p09", "p10", "p11", "p12"]}}
# Wave 1 only: who wants to learn what.
INTERESTS_W1 = {"terraform": ["d03", "d04", "m01", "p01", "o02"], "kubernetes": ["p03", "p04", "d02"]}


def person(respondent_id: str, wave: int) -> tuple[str, str, str]:
    """(team, role, location) of a respondent."""
    team = {"p": "Platform", "d": "Data", "m": "ML", "o": "Ops"}[respondent_id[0]]
    role = "Manager" if respondent_id in ("p01", "d01") else "Engineer"
    location = "Osaka" if team in ("Data", "ML") else "Tokyo"
    if respondent_id == "p08":
        location = "Remote"
    return team, role, location


def build_fixture_db(path: str) -> None:
    with writer(path) as con:
        con.execute("BEGIN TRANSACTION")  # one commit, not one per row
        taxonomy.sync(con, taxonomy.builtin())
        con.execute("INSERT INTO waves VALUES (?, '2024-H1', ?), (?, '2024-H2', ?)",
                    [W1, dt.date(2024, 3, 1), W2, dt.date(2024, 9, 1)])
        for wave, answers, preferred, uses in ((W1, WAVE1, PREFERRED_W1, USES_W1), (W2, WAVE2, PREFERRED_W2, USES_W2)):
            con.execute("INSERT INTO ingestions VALUES (?, ?, 'fixture.csv', 'sha', now()::TIMESTAMP, ?, ?, 0, "
                        "'loaded', 'test', 'pytest')", [wave, wave, len(answers), len(answers)])
            for rid, levels in answers.items():
                team, role, location = person(rid, wave)
                con.execute("INSERT INTO respondents VALUES (?, ?, ?, ?, ?, ?, NULL)",
                            [wave, rid, wave, team, role, location])
                con.executemany("INSERT INTO answers VALUES (?, ?, ?, ?, ?)",
                                [[wave, rid, SKILL_IDS[s], lvl, wave] for s, lvl in levels.items()])
            con.executemany("INSERT INTO question_skills VALUES (?, ?, 'skills grid', ?)",
                            [[wave, wave, skill] for skill in SKILL_IDS.values()])
            con.executemany("INSERT INTO cloud_preferences VALUES (?, ?, ?, 'preferred', ?)",
                            [[wave, rid, provider, wave] for rid, provider in preferred.items()])
            con.executemany("INSERT INTO cloud_preferences VALUES (?, ?, ?, 'uses', ?)",
                            [[wave, rid, p, wave] for rid, providers in uses.items() for p in providers])
        con.executemany("INSERT INTO learning_interests VALUES (?, ?, ?, ?)",
                        [[W1, rid, skill, W1] for skill, people in INTERESTS_W1.items() for rid in people])
        aggregates.refresh(con)
        con.execute("COMMIT")
