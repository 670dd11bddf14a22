"""Acceptance: the public CNCF Cloud Native Survey exports (2018, 2019, 1H 2020, 2022) load through
the CLI entry point (`pipelines.ingest.main`, run in-process) with the shipped profiles, and the
analyst-facing tables show the right figures.

Expected figures are the check values of ../shared/realdata/README.md section 2 or are counted here
from the CSV files with the csv module and the README's column indexes, never taken from the
pipeline. The files are read where they are and never copied. docs/realdata.md explains the
profiles' choices (level 3 for a pick, gates in the denominators, write-ins).
"""
from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import json
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from analytics.cloud import cloud_uses_share
from analytics.coverage import skill_coverage
from analytics.filters import Filters
from analytics.settings import Settings
from pipelines.ingest import main as ingest_main

pytestmark = pytest.mark.realdata

PROJECT = Path(__file__).resolve().parents[1]
REALDATA = PROJECT.parent / "shared" / "realdata"
CNCF = REALDATA / "cncf-cloud-native-survey"


@dataclass(frozen=True)
class Wave:
    file: str
    profile: str
    encoding: str
    header_rows: int


WAVES = {
    "CNCF 2018": Wave("Cloud_Native_Survey_2018.csv", "cncf-2018.yaml", "utf-8", 2),
    "CNCF 2019": Wave("Cloud_Native_Survey_2019.csv", "cncf-2019.yaml", "utf-8", 2),
    "CNCF 2020-H1": Wave("Cloud_Native_Survey_1H_2020.csv", "cncf-1h2020.yaml", "mac_roman", 2),
    "CNCF 2022": Wave("CNCF_Survey_2022_Raw_Data.csv", "cncf-2022.yaml", "cp1252", 3),
}

for _wave in WAVES.values():
    if not (CNCF / _wave.file).is_file():
        pytest.skip(f"real data not found at {CNCF / _wave.file}", allow_module_level=True)


def cols(first: int, last: int) -> range:
    """Columns first..last inclusive (0-based, as README section 2 lists them)."""
    return range(first, last + 1)


# Question column ranges (README section 2, "Columns that matter"). A gate question ("is X used at
# all?") is part of the question in the profiles, so its columns count towards "answered".
Q = {
    ("CNCF 2018", "containers deployed to"): cols(75, 90),
    ("CNCF 2018", "manages containers with"): cols(107, 115),
    ("CNCF 2018", "serverless"): cols(138, 148),
    ("CNCF 2018", "ci/cd"): cols(190, 197),
    ("CNCF 2019", "managed k8s"): cols(133, 242),
    ("CNCF 2019", "serverless"): cols(268, 290),
    ("CNCF 2019", "ci/cd"): cols(339, 377),
    ("CNCF 2020-H1", "managed k8s"): cols(330, 459),
    ("CNCF 2020-H1", "serverless"): cols(542, 570),
    ("CNCF 2020-H1", "ci/cd"): cols(657, 697),
    ("CNCF 2022", "ci/cd"): cols(176, 212),
}

# Header-aligned waves: (wave, skill, question, option column, its option label, README count or None).
COLUMN_CHECKS = [
    ("CNCF 2019", "aws_eks", "managed k8s", 139, "Amazon Elastic Container Service for Kubernetes (EKS)", 382),
    ("CNCF 2019", "azure_aks", "managed k8s", 141, "Azure Kubernetes Service (AKS)", 213),
    ("CNCF 2019", "gcp_gke", "managed k8s", 168, "Google Kubernetes Engine (GKE)", 371),
    ("CNCF 2019", "aws_lambda", "serverless", 274, "AWS Lambda", None),
    ("CNCF 2019", "azure_functions", "serverless", 275, "Azure Functions", None),
    ("CNCF 2019", "gcp_cloud_functions", "serverless", 278, "Google Cloud Functions", None),
    ("CNCF 2019", "jenkins", "ci/cd", 360, "Jenkins", 769),
    ("CNCF 2019", "gitlab_ci", "ci/cd", 356, "GitLab", None),
    ("CNCF 2019", "circleci", "ci/cd", 346, "CircleCI", None),
    ("CNCF 2019", "argo_cd", "ci/cd", 340, "Argo", None),
    ("CNCF 2019", "spinnaker", "ci/cd", 366, "Spinnaker", None),
    ("CNCF 2020-H1", "aws_eks", "managed k8s", 337, "Amazon Elastic Container Service for Kubernetes (EKS)", 356),
    ("CNCF 2020-H1", "azure_aks", "managed k8s", 339, "Azure Kubernetes Service (AKS)", 230),
    ("CNCF 2020-H1", "gcp_gke", "managed k8s", 373, "Google Kubernetes Engine (GKE", 356),  # label cut short
    ("CNCF 2020-H1", "aws_lambda", "serverless", 552, "AWS Lambda", None),
    ("CNCF 2020-H1", "jenkins", "ci/cd", 682, "Jenkins", 464),
    ("CNCF 2020-H1", "github_actions", "ci/cd", 676, "GitHub Actions", None),
    ("CNCF 2020-H1", "gitlab_ci", "ci/cd", 677, "GitLab", None),
    ("CNCF 2022", "jenkins", "ci/cd", 199, "Jenkins", 385),
    ("CNCF 2022", "github_actions", "ci/cd", 195, "GitHub Actions", 372),
    ("CNCF 2022", "argo_cd", "ci/cd", 178, "Argo", 378),
    ("CNCF 2022", "gitlab_ci", "ci/cd", 196, "GitLab", 361),
]

# 2018 is read by cell text (its columns are shifted, see cncf-2018.yaml): (skill, question, cell text).
CELL_CHECKS_2018 = [
    ("kubernetes", "manages containers with", "Kubernetes"),
    ("aws_ecs", "manages containers with", "Amazon ECS"),
    ("aws_lambda", "serverless", "AWS Lambda"),
    ("azure_functions", "serverless", "Azure Functions"),
    ("gcp_cloud_functions", "serverless", "Google Cloud Functions"),
    ("jenkins", "ci/cd", "Jenkins"),
    ("spinnaker", "ci/cd", "Spinnaker"),
    ("terraform", "ci/cd", "Terraform"),
]


# ---------------------------------------------------------------- independent counts (csv module)

@dataclass
class Sheet:
    header: list[list[str]]
    rows: list[list[str]]

    @property
    def options(self) -> list[str]:
        return self.header[-1]


def cell(text: str) -> str:
    return text.replace("\xa0", " ").strip()


def answered(sheet: Sheet, columns) -> int:
    return sum(any(cell(row[i]) for i in columns) for row in sheet.rows)


def nonempty(sheet: Sheet, column: int) -> int:
    return sum(bool(cell(row[column])) for row in sheet.rows)


def with_cell(sheet: Sheet, columns, text: str) -> int:
    return sum(any(cell(row[i]) == text for i in columns) for row in sheet.rows)


def provider_of(text: str) -> str:
    """The test's own reading of a container-environment answer: the three clouds by name."""
    low = cell(text).lower()
    if "amazon web services" in low or re.search(r"\baws\b", low):
        return "AWS"
    if "google cloud" in low:
        return "GCP"
    if "azure" in low:
        return "Azure"
    return "None" if low == "none" else "Other"


@pytest.fixture(scope="module")
def sheets() -> dict[str, Sheet]:
    out = {}
    for label, wave in WAVES.items():
        text = (CNCF / wave.file).read_bytes().decode(wave.encoding)
        # 2022 ends lines with CR CR LF: the csv module sees an empty record after each one.
        records = [r for r in csv.reader(io.StringIO(text, newline="")) if r]
        out[label] = Sheet(records[:wave.header_rows], records[wave.header_rows:])
    return out


# ---------------------------------------------------------------- the load, through the CLI

def run_cli(path: Path, profile: str, db: str) -> dict:
    """`python -m pipelines.ingest FILE --profile P --db DB --json`, run in this process (the same
    argument parsing, exit code and JSON line as the command; no interpreter start per file)."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = ingest_main([str(path), "--profile", str(PROJECT / "data" / "profiles" / profile), "--db", db, "--json"])
    assert code == 0, f"{path.name}: exit {code}: {out.getvalue().strip()}"
    lines = out.getvalue().strip().splitlines()
    assert len(lines) == 1, out.getvalue()
    return json.loads(lines[0])


@pytest.fixture(scope="module")
def loaded(tmp_path_factory) -> tuple[str, list[dict], dict]:
    """The four waves loaded into one database; then 1H 2020 offered again (answers counted around it)."""
    tmp = tmp_path_factory.mktemp("cncf")
    db = str(tmp / "cncf.duckdb")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SKILLS_SECRET_FILE", str(tmp / "respondent-id.key"))
        mp.delenv("SKILLS_DB", raising=False)
        results = [run_cli(CNCF / wave.file, wave.profile, db) for wave in WAVES.values()]
        with duckdb.connect(db, read_only=True) as c:
            before = c.execute("SELECT count(*) FROM answers").fetchone()[0]
        wave = WAVES["CNCF 2020-H1"]
        again = run_cli(CNCF / wave.file, wave.profile, db)
        with duckdb.connect(db, read_only=True) as c:
            after = c.execute("SELECT count(*) FROM answers").fetchone()[0]
    return db, results, {"result": again, "before": before, "after": after}


@pytest.fixture(scope="module")
def con(loaded):
    connection = duckdb.connect(loaded[0], read_only=True)
    yield connection
    connection.close()


def wave_id(con, label: str) -> int:
    return con.execute("SELECT wave_id FROM waves WHERE label = ?", [label]).fetchone()[0]


@pytest.fixture(scope="module")
def coverage(loaded, con) -> dict:
    """Per wave, the dashboard's skill coverage table (n_answered, n_proficient) joined with the
    level counts of agg_skill_levels (everyone in the wave, all groups summed)."""
    out = {}
    for label in WAVES:
        wid = wave_id(con, label)
        frame = skill_coverage(loaded[0], Filters(wave_id=wid), Settings()).set_index("skill_id")
        levels = con.execute(
            "SELECT skill_id, sum(n_l0), sum(n_l1), sum(n_l2), sum(n_l3), sum(n_l4) FROM agg_skill_levels "
            "WHERE population = 'all' AND wave_id = ? GROUP BY skill_id", [wid]).df().set_index("skill_id")
        levels.columns = ["n_l0", "n_l1", "n_l2", "n_l3", "n_l4"]
        out[label] = frame.join(levels.astype(int))
    return out


# ---------------------------------------------------------------- tests

def test_cli_loads_every_wave_whole(loaded, sheets):
    for result, (label, wave) in zip(loaded[1], WAVES.items(), strict=True):
        n = len(sheets[label].rows)
        assert result["file"] == wave.file
        assert (result["status"], result["wave"]) == ("loaded", label)
        assert (result["rows_read"], result["rows_loaded"], result["rows_rejected"], result["respondents"]) == \
            (n, n, 0, n), label


def test_respondents_per_wave_match_the_readme_and_ids_are_per_row(con, sheets):
    # README section 2: 2,401 / 1,337 / 1,324 / 2,286 respondents.
    expected = {"CNCF 2018": 2401, "CNCF 2019": 1337, "CNCF 2020-H1": 1324, "CNCF 2022": 2286}
    for label, n in expected.items():
        assert len(sheets[label].rows) == n
        assert con.execute("SELECT count(*) FROM respondents WHERE wave_id = ?", [wave_id(con, label)]).fetchone()[0] == n
    # No id column: every row is its own respondent, nobody is merged or superseded.
    total = sum(expected.values())
    assert con.execute("SELECT count(DISTINCT respondent_id), count(*) FROM respondents").fetchone() == (total, total)
    assert con.execute("SELECT count(*) FROM rejected_rows").fetchone()[0] == 0


def test_waves_are_separate_and_dated(con):
    rows = con.execute("SELECT label, survey_date FROM waves ORDER BY survey_date").fetchall()
    assert [label for label, _ in rows] == ["CNCF 2018", "CNCF 2019", "CNCF 2020-H1", "CNCF 2022"]
    assert dict(rows)["CNCF 2019"] == dt.date(2019, 10, 15)
    assert dict(rows)["CNCF 2020-H1"] == dt.date(2020, 6, 15)


@pytest.mark.parametrize("check", COLUMN_CHECKS, ids=lambda c: f"{c[0]}-{c[1]}")
def test_picked_skill_counts_and_denominators(coverage, sheets, check):
    label, skill, question, column, option, readme = check
    sheet = sheets[label]
    assert cell(sheet.options[column]) == option  # the README's column index is the option we mean
    picked = nonempty(sheet, column)
    if readme is not None:
        assert picked == readme
    base = answered(sheet, Q[label, question])
    row = coverage[label].loc[skill]
    assert (row["n_answered"], row["n_l3"], row["n_l0"]) == (base, picked, base - picked)
    assert row["n_l1"] == row["n_l2"] == row["n_l4"] == 0
    assert row["n_proficient"] == picked  # a pick is level 3, proficient at the default threshold


@pytest.mark.parametrize("check", CELL_CHECKS_2018, ids=lambda c: c[0])
def test_2018_skills_are_counted_by_cell_text(coverage, sheets, check):
    skill, question, text = check
    sheet = sheets["CNCF 2018"]
    columns = Q["CNCF 2018", question]
    picked, base = with_cell(sheet, columns, text), answered(sheet, columns)
    row = coverage["CNCF 2018"].loc[skill]
    assert (row["n_answered"], row["n_l3"], row["n_l0"]) == (base, picked, base - picked)


def test_2018_jenkins_column_is_shifted_so_the_readme_figure_is_not_the_jenkins_count(coverage, sheets):
    """README's "Jenkins 2018 454" is the non-empty cells of the column headed Jenkins (col 192).
    From col 163 on, 1,871 rows sit one column left of the header, so that column holds 72
    "Spinnaker" answers and most "Jenkins" answers are in col 191 (headed "Custom scripts")."""
    sheet = sheets["CNCF 2018"]
    assert cell(sheet.options[192]) == "Jenkins"
    assert nonempty(sheet, 192) == 454
    in_col = Counter(cell(r[192]) for r in sheet.rows if cell(r[192]))
    assert in_col["Spinnaker"] == 72 and in_col["Jenkins"] == 382
    jenkins = with_cell(sheet, Q["CNCF 2018", "ci/cd"], "Jenkins")
    assert jenkins == 382 + sum(cell(r[191]) == "Jenkins" for r in sheet.rows) == 1146
    assert coverage["CNCF 2018"].loc["jenkins", "n_l3"] == 1146


def test_2018_container_environments_as_cloud_uses(loaded, con, sheets):
    sheet = sheets["CNCF 2018"]
    columns = Q["CNCF 2018", "containers deployed to"]
    # README check values: non-empty cells of the AWS, GCP and Azure option columns.
    assert [cell(sheet.options[i]) for i in (76, 79, 82)] == [
        "Amazon Web Services (AWS)", "Google Cloud Platform (GCP)", "Microsoft Azure"]
    assert [nonempty(sheet, i) for i in (76, 79, 82)] == [1187, 655, 542]
    # Respondents per provider, by what their cells say (one row, spreadsheet row 785, is shifted one
    # column right, so its GCP and Azure picks sit under other headers; a write-in names Azure).
    base, counts = 0, Counter()
    for row in sheet.rows:
        providers = {provider_of(row[i]) for i in columns if cell(row[i])}
        base += bool(providers)
        counts.update(providers)
    assert (counts["AWS"], counts["GCP"], counts["Azure"]) == (1187, 655 + 1, 542 + 2)
    wid = wave_id(con, "CNCF 2018")
    stored = dict(con.execute("SELECT provider, count(DISTINCT respondent_id) FROM cloud_preferences "
                              "WHERE wave_id = ? AND kind = 'uses' GROUP BY provider", [wid]).fetchall())
    assert stored == dict(counts)
    frame = cloud_uses_share(loaded[0], Filters(), Settings(), by="wave")
    wave = frame[frame["group"] == "CNCF 2018"].set_index("provider")
    assert int(wave["n_base"].iloc[0]) == base == answered(sheet, columns)
    for provider in ("AWS", "GCP", "Azure"):
        assert int(wave.loc[provider, "n_respondents"]) == counts[provider]
        assert 100 * wave.loc[provider, "share"] == pytest.approx(100 * counts[provider] / base, abs=0.05)
    # Only 2018 has a container-environment question.
    assert con.execute("SELECT count(DISTINCT wave_id) FROM cloud_preferences").fetchone()[0] == 1


def test_write_ins_score_no_skill_the_survey_did_not_offer(coverage):
    # 2018 respondents wrote in GitLab and CircleCI; 2019 ones GitHub Actions and Cloud Run.
    # None of those was an option that year, so no level-0 rows appear for everyone else.
    asked = {label: set(frame.index) for label, frame in coverage.items()}
    assert not asked["CNCF 2018"] & {"gitlab_ci", "circleci", "aws_cloudformation", "gcp_gae", "aws_eks"}
    assert not asked["CNCF 2019"] & {"github_actions", "gcp_cloud_run", "aws_ecs", "aws_ec2"}
    assert "github_actions" in asked["CNCF 2020-H1"] and "github_actions" in asked["CNCF 2022"]


def test_role_and_location_where_a_single_column_holds_them(con, sheets):
    for label, location_col, role_col in (("CNCF 2018", 0, None), ("CNCF 2019", 0, 27)):
        rows = con.execute("SELECT role, location FROM respondents WHERE wave_id = ?", [wave_id(con, label)]).fetchall()
        sheet = sheets[label]
        assert Counter(loc for _, loc in rows) == Counter(cell(r[location_col]) or None for r in sheet.rows)
        expected_roles = Counter(cell(r[role_col]) or None for r in sheet.rows) if role_col else {None: len(rows)}
        assert Counter(role for role, _ in rows) == expected_roles


def test_2022_submission_times_come_from_end_date(con, sheets):
    sheet = sheets["CNCF 2022"]
    end = sheet.header[1].index("End Date")
    times = [dt.datetime.strptime(r[end], "%m/%d/%Y %H:%M") for r in sheet.rows]
    stored = con.execute("SELECT min(submitted_at), max(submitted_at), count(submitted_at) FROM respondents "
                         "WHERE wave_id = ?", [wave_id(con, "CNCF 2022")]).fetchone()
    assert stored == (min(times), max(times), len(times))


def test_loading_a_file_again_changes_nothing(loaded):
    again = loaded[2]
    assert again["result"]["status"] == "already_loaded"
    assert again["after"] == again["before"]
