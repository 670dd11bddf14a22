"""A small hand-made survey database for the SQL console tests (no ingest pipeline involved).

Two waves, 10 and 11 respondents, levels for four skills. The expected values quoted in the tests
were worked out by hand from the tables below.
"""
from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import duckdb

from pipelines import aggregates, taxonomy
from pipelines.db import writer

WAVES = [(1, "2023-H1", dt.date(2023, 4, 1)), (2, "2024-H1", dt.date(2024, 4, 1))]

# respondent: (team, role, location)
PEOPLE = {
    "p01": ("Platform", "SRE", "Tokyo"), "p02": ("Platform", "SRE", "Osaka"),
    "p03": ("Platform", "Developer", "Tokyo"), "p04": ("Platform", "Developer", "Tokyo"),
    "p05": ("Platform", "SRE", "Tokyo"), "p06": ("Platform", "Developer", "Osaka"),
    "p07": ("Data", "Data engineer", "Tokyo"), "p08": ("Data", "Data engineer", "Osaka"),
    "p09": ("Data", "Analyst", "Tokyo"), "p10": ("Data", "Analyst", "Osaka"),
    "p11": ("Platform", "SRE", "Tokyo"), "p12": ("Data", "Data engineer", "Tokyo"),
    "p13": ("Data", "Analyst", "Osaka"),
}

SKILLS = ["terraform", "kubernetes", "docker", "aws_ec2"]  # areas: IaC, containers, containers, managed services
# Levels per wave in SKILLS order; "-" = no answers row for that skill.
LEVELS = {
    1: {
        "p01": "2 1 2 3", "p02": "1 0 1 2", "p03": "3 2 3 -", "p04": "0 0 1 1", "p05": "2 3 3 4",
        "p06": "4 2 2 -", "p07": "1 1 0 2", "p08": "0 - - 1", "p09": "2 2 2 2", "p10": "3 1 1 0",
    },
    2: {
        "p01": "3 1 2 3", "p02": "1 1 1 2", "p03": "3 3 3 2", "p04": "2 0 1 1", "p05": "2 3 4 4",
        "p06": "3 2 2 -", "p07": "2 1 1 2", "p08": "0 - - 2", "p11": "1 0 1 0", "p12": "2 2 2 -",
        "p13": "4 3 3 3",
    },
}

# (wave, respondent): clouds used / preferred cloud
USES = {
    1: {"p01": "AWS GCP", "p02": "AWS", "p03": "GCP", "p04": "AWS Azure", "p05": "AWS", "p06": "Other",
        "p07": "AWS", "p08": "None", "p09": "GCP"},
    2: {"p01": "AWS", "p02": "AWS GCP", "p03": "GCP", "p04": "AWS", "p05": "AWS Azure", "p06": "AWS",
        "p07": "GCP", "p08": "AWS", "p11": "Azure", "p12": "AWS"},
}
PREFERRED = {
    1: {"p01": "AWS", "p02": "AWS", "p03": "GCP", "p04": "Azure", "p05": "AWS", "p06": "GCP", "p07": "AWS",
        "p08": "None", "p09": "GCP", "p10": "AWS"},
    2: {"p01": "AWS", "p02": "GCP", "p03": "GCP", "p04": "AWS", "p05": "AWS", "p06": "AWS", "p07": "GCP",
        "p08": "AWS", "p11": "Azure", "p12": "AWS", "p13": "Other"},
}
WANTS = {1: {"p01": "terraform", "p02": "kubernetes"},
         2: {"p01": "kubernetes", "p02": "kubernetes terraform", "p03": "aws_ec2", "p04": "kubernetes",
             "p05": "terraform", "p11": "kubernetes", "p12": "docker"}}


def build(path: Path) -> Path:
    """Create the fixture database at ``path`` (migrated by the project's own writer)."""
    with writer(str(path)) as con:
        taxonomy.sync(con, taxonomy.builtin())
        con.executemany("INSERT INTO waves VALUES (?, ?, ?)", WAVES)
        con.executemany(
            "INSERT INTO ingestions VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'loaded', ?, 'fixture')",
            [(1, 1, "survey-2023.csv", "a" * 64, dt.datetime(2023, 4, 20, 9), 11, 10, 1, None),
             (2, 2, "survey-2024.xlsx", "b" * 64, dt.datetime(2024, 4, 20, 9), 12, 11, 1, "acme")],
        )
        con.executemany(
            "INSERT INTO rejected_rows VALUES (?, ?, ?, ?, ?)",
            [(1, 7, "Terraform", "guru", "unknown level 'guru'"),
             (2, 3, None, None, "superseded by a later submission from the same person (row 9)")],
        )
        for wave, levels in LEVELS.items():
            con.executemany(
                "INSERT INTO respondents VALUES (?, ?, ?, ?, ?, ?, ?)",
                [(wave, p, wave, *PEOPLE[p], dt.datetime(2022 + wave, 4, 10, 12)) for p in levels],
            )
            con.executemany(
                "INSERT INTO answers VALUES (?, ?, ?, ?, ?)",
                [(wave, p, skill, int(level), wave)
                 for p, row in levels.items() for skill, level in zip(SKILLS, row.split(), strict=True) if level != "-"],
            )
            con.executemany(
                "INSERT INTO cloud_preferences VALUES (?, ?, ?, 'uses', ?)",
                [(wave, p, provider, wave) for p, used in USES[wave].items() for provider in used.split()],
            )
            con.executemany(
                "INSERT INTO cloud_preferences VALUES (?, ?, ?, 'preferred', ?)",
                [(wave, p, provider, wave) for p, provider in PREFERRED[wave].items()],
            )
            con.executemany(
                "INSERT INTO learning_interests VALUES (?, ?, ?, ?)",
                [(wave, p, skill, wave) for p, skills in WANTS[wave].items() for skill in skills.split()],
            )
        aggregates.refresh(con, own_transaction=True)  # the dashboards' tables, which the console's k-safe views are made from
    return path


def checksum(path: Path) -> tuple[str, str]:
    """(hash of every table's sorted contents and the catalog, hash of the file's bytes)."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        digest = hashlib.sha256()
        catalog = con.execute(
            "SELECT database_name, schema_name, table_name FROM duckdb_tables() ORDER BY ALL"
        ).fetchall()
        digest.update(repr(catalog).encode())
        for _, _, table in catalog:
            digest.update(repr(con.execute(f'SELECT * FROM "{table}" ORDER BY ALL').fetchall()).encode())
        digest.update(repr(con.execute("SELECT * FROM duckdb_views() WHERE NOT internal ORDER BY ALL").fetchall()).encode())
    finally:
        con.close()
    return digest.hexdigest(), hashlib.sha256(path.read_bytes()).hexdigest()
