"""Acceptance: the public Kaggle ML & DS Survey samples (2018, 2019, 2021, 2022) load through the
CLI with the shipped profiles, and the analyst-facing tables show the right figures.

Expected figures are README section 1's check table (../shared/realdata/README.md) or are counted
here from the CSV files with the csv module, never taken from the pipeline. The files are read
where they are and never copied. docs/realdata-kaggle.md explains the profiles' choices.
"""
from __future__ import annotations

import csv
import datetime as dt
import json
import os
import re
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
import yaml

from analytics.cloud import cloud_uses_share
from analytics.filters import Filters
from analytics.settings import Settings

pytestmark = pytest.mark.realdata

PROJECT = Path(__file__).resolve().parents[1]
KAGGLE = PROJECT.parent / "shared" / "realdata" / "kaggle-ml-ds-survey"


@dataclass(frozen=True)
class Wave:
    file: str  # under KAGGLE
    profile: str  # under data/profiles
    date: str
    role: str  # column code of the job title question
    country: str  # column code of the country question
    cloud: str  # regex over column codes: the cloud platforms question's option columns


WAVES = {
    "Kaggle 2018": Wave("2018/multipleChoiceResponses.sample4000.csv", "kaggle-2018.yaml", "2018-10-22",
                        "Q6", "Q3", r"^Q15_Part_\d+$"),
    "Kaggle 2019": Wave("2019/multiple_choice_responses.sample4000.csv", "kaggle-2019.yaml", "2019-10-08",
                        "Q5", "Q3", r"^Q29_Part_\d+$"),
    "Kaggle 2021": Wave("2021/kaggle_survey_2021_responses.sample4000.csv", "kaggle-2021.yaml", "2021-09-01",
                        "Q5", "Q3", r"^Q27_A_(Part_\d+|OTHER)$"),
    "Kaggle 2022": Wave("2022/kaggle_survey_2022_responses.sample4000.csv", "kaggle-2022.yaml", "2022-09-16",
                        "Q23", "Q4", r"^Q31_\d+$"),
}

_missing = [w.file for w in WAVES.values() if not (KAGGLE / w.file).is_file()]
if _missing:
    pytest.skip(f"Kaggle survey samples not found under {KAGGLE} (missing {', '.join(_missing)}); "
                "see docs/realdata-kaggle.md", allow_module_level=True)

# README section 1, "Check values", sample column: answered, AWS, GCP, Azure counts and % shares.
README_CHECKS = {
    "Kaggle 2018": ((3155, 1246, 804, 632), (39.5, 25.5, 20.0)),
    "Kaggle 2019": ((1449, 578, 439, 262), (39.9, 30.3, 18.1)),
    "Kaggle 2021": ((1378, 541, 470, 342), (39.3, 34.1, 24.8)),
    "Kaggle 2022": ((841, 369, 315, 212), (43.9, 37.5, 25.2)),
}
# The README's 2021 row counts only the Q27_A_Part_* columns. 2021 is the one year whose "Other"
# option has its own column name (Q27_A_OTHER), and 31 respondents ticked only that option. Like the
# "Other" option of every other year they answered the question, so the right denominator is 1409,
# which gives AWS 541/1409 = 38.4 %, GCP 470/1409 = 33.4 %, Azure 342/1409 = 24.3 %.
CORRECTED_2021 = ((1409, 541, 470, 342), (38.4, 33.4, 24.3))

# The test's own reading of the cloud options: these names, and everything else is Other.
PROVIDER_OF = {
    "Amazon Web Services (AWS)": "AWS", "Google Cloud Platform (GCP)": "GCP", "Microsoft Azure": "Azure",
    "None": "None", "I have not used any cloud providers": "None",
}

# Picked-question checks: wave, skill, {question columns (regex over codes): options meaning the skill}.
# A skill offered by several questions is answered by whoever answered any of them; a gate's columns
# (the question a follow-up was shown after) offer no option, so they are listed with an empty set.
SKILL_CHECKS = [
    ("Kaggle 2018", "aws_sagemaker", {r"^Q28_Part_\d+$": {"Amazon SageMaker"}}),
    ("Kaggle 2018", "aws_batch", {r"^Q27_Part_\d+$": {"AWS Batch"}, r"^Q30_Part_\d+$": {"AWS Batch"}}),
    ("Kaggle 2018", "aws_rds", {r"^Q29_Part_\d+$": {"AWS Relational Database Service", "AWS Aurora"}}),
    ("Kaggle 2018", "jupyter_notebook", {r"^Q13_Part_\d+$": {"Jupyter/IPython"},
                                         r"^Q14_Part_\d+$": {"JupyterHub/Binder"}}),
    ("Kaggle 2019", "aws_sagemaker", {r"^Q32_Part_\d+$": {"Amazon SageMaker"}}),
    ("Kaggle 2019", "gcp_ai_platform", {r"^Q32_Part_\d+$": {"Google Cloud Machine Learning Engine"}}),
    ("Kaggle 2019", "gcp_bigquery", {r"^Q31_Part_\d+$": {"Google BigQuery"}}),
    ("Kaggle 2019", "databricks", {r"^Q31_Part_\d+$": {"Databricks"}, r"^Q33_Part_\d+$": {"Databricks AutoML"}}),
    ("Kaggle 2021", "aws_sagemaker", {r"^Q31_A_": {"Amazon SageMaker"}}),
    ("Kaggle 2021", "gcp_automl", {r"^Q37_A_": {"Google Cloud AutoML"}, r"^Q36_A_": set()}),
    ("Kaggle 2021", "aws_ec2", {r"^Q29_A_": {"Amazon Elastic Compute Cloud (EC2)"}, r"^Q27_A_": set()}),
    ("Kaggle 2021", "mlflow", {r"^Q38_A_": {"MLflow"}}),
    ("Kaggle 2021", "gcp_bigquery", {r"^Q32_A_": {"Google Cloud BigQuery"}}),
    ("Kaggle 2021", "aws_sagemaker_autopilot", {r"^Q37_A_": {"Amazon Sagemaker Autopilot"}, r"^Q36_A_": set()}),
    ("Kaggle 2022", "aws_sagemaker", {r"^Q37_\d+$": {"Amazon SageMaker"}}),
    ("Kaggle 2022", "aws_s3", {r"^Q34_\d+$": {"Amazon Simple Storage Service (S3)"}, r"^Q31_\d+$": set()}),
    ("Kaggle 2022", "mlflow", {r"^Q39_\d+$": {"MLflow"}, r"^Q40_\d+$": {"MLflow"}}),
    ("Kaggle 2022", "jupyterlab", {r"^Q13_\d+$": {"JupyterLab"}}),
    ("Kaggle 2022", "gcp_automl", {r"^Q38_\d+$": {"Google Cloud AutoML"}}),
]

# Questions that are the only source of their skills in the wave: the question's denominator is
# the number of respondents with an answers row for any of its skills.
QUESTION_CHECKS = [
    ("Kaggle 2018", r"^Q29_Part_\d+$", {"aws_rds", "gcp_cloud_sql", "gcp_spanner", "aws_dynamodb", "gcp_bigtable",
                                        "azure_cosmos_db", "azure_sql"}),
    ("Kaggle 2019", r"^Q30_Part_\d+$", {"aws_ec2", "gcp_gce", "aws_lambda", "azure_vm", "gcp_gae",
                                        "gcp_cloud_functions", "aws_elastic_beanstalk", "gcp_gke", "aws_batch"}),
    ("Kaggle 2021", (r"^Q29_A_", r"^Q27_A_"), {"aws_ec2", "azure_vm", "gcp_gce"}),  # Q29_A gated by Q27_A
    ("Kaggle 2022", (r"^Q33_\d+$", r"^Q31_\d+$"), {"aws_ec2", "azure_vm", "gcp_gce"}),  # Q33 gated by Q31
]

# 2021 "hope to become more familiar with" (_B) questions: skill, columns, options meaning the skill.
INTEREST_CHECKS = [
    ("mlflow", r"^Q38_B_", {"MLflow"}),
    ("gcp_ai_platform", r"^Q31_B_", {"Google Cloud Vertex AI"}),
    ("aws_rds", r"^Q32_B_", {"Amazon RDS", "Amazon Aurora"}),
    ("azure_synapse", r"^Q34_B_", {"Microsoft Azure Synapse"}),
    ("gcp_gce", r"^Q29_B_", {"Google Cloud Compute Engine"}),
]


# ---------------------------------------------------------------- independent counts (csv module)

@dataclass
class Sheet:
    codes: list[str]
    rows: list[list[str]]

    def columns(self, pattern: str) -> list[int]:
        found = [i for i, code in enumerate(self.codes) if re.search(pattern, code)]
        assert found, f"no column matches {pattern}"
        return found


def option(cell: str) -> str:
    """The option a cell names ('' when not picked). 2022 writes 'nan' in a few unpicked cells."""
    text = cell.strip()
    return "" if text == "nan" else text


def answered_rows(sheet: Sheet, patterns) -> set[int]:
    cols = [i for p in patterns for i in sheet.columns(p)]
    return {n for n, row in enumerate(sheet.rows) if any(option(row[i]) for i in cols)}


def picked_rows(sheet: Sheet, options_by_pattern: dict[str, set[str]]) -> set[int]:
    wanted = [(sheet.columns(p), options) for p, options in options_by_pattern.items()]
    return {n for n, row in enumerate(sheet.rows)
            if any(option(row[i]) in options for cols, options in wanted for i in cols)}


def provider_counts(sheet: Sheet, pattern: str) -> tuple[int, Counter]:
    """(respondents who ticked any option, respondents per provider)."""
    cols = sheet.columns(pattern)
    answered, counts = 0, Counter()
    for row in sheet.rows:
        providers = {PROVIDER_OF.get(option(row[i]), "Other") for i in cols if option(row[i])}
        answered += bool(providers)
        counts.update(providers)
    return answered, counts


@pytest.fixture(scope="module")
def sheets() -> dict[str, Sheet]:
    out = {}
    for label, wave in WAVES.items():
        with open(KAGGLE / wave.file, encoding="utf-8-sig", newline="") as handle:
            records = list(csv.reader(handle))
        out[label] = Sheet(records[0], records[2:])  # record 2 is the question text
    return out


# ---------------------------------------------------------------- the load, through the CLI

@pytest.fixture(scope="module")
def loaded(tmp_path_factory) -> tuple[str, list[dict]]:
    tmp = tmp_path_factory.mktemp("kaggle")
    db = str(tmp / "kaggle.duckdb")
    env = {k: v for k, v in os.environ.items() if k != "SKILLS_DB"}
    env["SKILLS_SECRET_FILE"] = str(tmp / "respondent-id.key")
    results = []
    for label, wave in WAVES.items():
        proc = subprocess.run(
            [sys.executable, "-m", "pipelines.ingest", str(KAGGLE / wave.file),
             "--profile", str(PROJECT / "data" / "profiles" / wave.profile), "--db", db, "--json"],
            cwd=PROJECT, env=env, capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, f"{label}: exit {proc.returncode}: {proc.stderr.strip()}"
        lines = proc.stdout.strip().splitlines()
        assert len(lines) == 1, proc.stdout
        results.append(json.loads(lines[0]))
    return db, results


@pytest.fixture(scope="module")
def con(loaded):
    connection = duckdb.connect(loaded[0], read_only=True)
    yield connection
    connection.close()


def wave_id(con, label: str) -> int:
    return con.execute("SELECT wave_id FROM waves WHERE label = ?", [label]).fetchone()[0]


# ---------------------------------------------------------------- tests

def test_cli_reports_every_file_loaded_whole(loaded):
    results = loaded[1]
    assert [r["wave"] for r in results] == list(WAVES)
    for result, wave in zip(results, WAVES.values(), strict=True):
        assert result["file"] == Path(wave.file).name
        assert (result["status"], result["rows_read"], result["rows_loaded"], result["rows_rejected"],
                result["respondents"]) == ("loaded", 4000, 4000, 0, 4000)


def test_waves_have_their_labels_and_survey_dates(con):
    rows = con.execute("SELECT label, survey_date FROM waves ORDER BY survey_date").fetchall()
    assert rows == [(label, dt.date.fromisoformat(w.date)) for label, w in WAVES.items()]


def test_respondents_per_wave_with_role_and_country(con, sheets):
    for label, wave in WAVES.items():
        sheet = sheets[label]
        rows = con.execute("SELECT role, location FROM respondents WHERE wave_id = ?", [wave_id(con, label)]).fetchall()
        assert len(rows) == len(sheet.rows) == 4000
        role_col, country_col = sheet.codes.index(wave.role), sheet.codes.index(wave.country)
        expected_roles = Counter(r[role_col].strip() or None for r in sheet.rows)
        expected_countries = Counter(r[country_col].strip() or None for r in sheet.rows)
        assert Counter(role for role, _ in rows) == expected_roles, label
        assert Counter(loc for _, loc in rows) == expected_countries, label


def test_no_email_so_ids_are_per_ingestion(con):
    # Every row is its own respondent: 16,000 distinct ids over the four files.
    assert con.execute("SELECT count(DISTINCT respondent_id), count(*) FROM respondents").fetchone() == (16000, 16000)


@pytest.mark.parametrize("label", list(WAVES))
def test_cloud_uses_denominators_and_provider_counts(con, sheets, label):
    answered, counts = provider_counts(sheets[label], WAVES[label].cloud)
    wid = wave_id(con, label)
    base = con.execute("SELECT count(DISTINCT respondent_id) FROM cloud_preferences WHERE wave_id = ? AND kind = 'uses'",
                       [wid]).fetchone()[0]
    by_provider = dict(con.execute(
        "SELECT provider, count(DISTINCT respondent_id) FROM cloud_preferences WHERE wave_id = ? AND kind = 'uses' "
        "GROUP BY provider", [wid]).fetchall())
    assert base == answered
    assert by_provider == dict(counts)
    assert con.execute("SELECT count(*) FROM cloud_preferences WHERE wave_id = ? AND kind <> 'uses'",
                       [wid]).fetchone()[0] == 0


def test_readme_check_table_matches_the_files_as_the_readme_counted_them(sheets):
    """Guard: the README's figures are what the files give; 2021's leaves out Q27_A_OTHER."""
    for label, ((answered, aws, gcp, azure), _) in README_CHECKS.items():
        pattern = r"^Q27_A_Part_\d+$" if label == "Kaggle 2021" else WAVES[label].cloud
        n, counts = provider_counts(sheets[label], pattern)
        assert (n, counts["AWS"], counts["GCP"], counts["Azure"]) == (answered, aws, gcp, azure), label
    n_with_other, _ = provider_counts(sheets["Kaggle 2021"], WAVES["Kaggle 2021"].cloud)
    assert n_with_other == CORRECTED_2021[0][0]


@pytest.mark.parametrize("label", list(WAVES))
def test_dashboard_cloud_uses_shares_match_the_check_table(loaded, label):
    (answered, aws, gcp, azure), shares = CORRECTED_2021 if label == "Kaggle 2021" else README_CHECKS[label]
    frame = cloud_uses_share(loaded[0], Filters(), Settings(), by="wave")
    wave = frame[frame["group"] == label].set_index("provider")
    assert not wave["suppressed"].any()
    assert int(wave["n_base"].iloc[0]) == answered
    assert [int(wave.loc[p, "n_respondents"]) for p in ("AWS", "GCP", "Azure")] == [aws, gcp, azure]
    for provider, expected in zip(("AWS", "GCP", "Azure"), shares, strict=True):
        assert 100 * wave.loc[provider, "share"] == pytest.approx(expected, abs=0.05), provider


@pytest.mark.parametrize(("label", "skill", "options"), SKILL_CHECKS, ids=[f"{w}-{s}" for w, s, _ in SKILL_CHECKS])
def test_picked_skill_levels_match_the_file(con, sheets, label, skill, options):
    sheet = sheets[label]
    n_answered = len(answered_rows(sheet, options))
    n_picked = len(picked_rows(sheet, options))
    assert n_picked > 0
    wid = wave_id(con, label)
    levels = dict(con.execute("SELECT level, count(*) FROM answers WHERE wave_id = ? AND skill_id = ? GROUP BY level",
                              [wid, skill]).fetchall())
    assert levels == {3: n_picked, 0: n_answered - n_picked}
    respondents = con.execute("SELECT count(DISTINCT respondent_id) FROM answers WHERE wave_id = ? AND skill_id = ?",
                              [wid, skill]).fetchone()[0]
    assert respondents == n_answered
    agg = con.execute("SELECT sum(n_answered), sum(n_l3) FROM agg_skill_levels "
                      "WHERE population = 'all' AND wave_id = ? AND skill_id = ?", [wid, skill]).fetchone()
    assert agg == (n_answered, n_picked)


@pytest.mark.parametrize(("label", "pattern", "skills"), QUESTION_CHECKS, ids=[w for w, _, _ in QUESTION_CHECKS])
def test_question_denominator_is_everyone_who_ticked_an_option(con, sheets, label, pattern, skills):
    n_answered = len(answered_rows(sheets[label], [pattern] if isinstance(pattern, str) else pattern))
    marks = ", ".join("?" for _ in skills)
    people, rows = con.execute(
        f"SELECT count(DISTINCT respondent_id), count(*) FROM answers WHERE wave_id = ? AND skill_id IN ({marks})",
        [wave_id(con, label), *sorted(skills)]).fetchone()
    assert people == n_answered
    assert rows == n_answered * len(skills)  # unpicked options are level 0 for those who answered


def test_2021_google_cloud_automl_is_read_over_everyone_who_answered_the_gate(con, sheets):
    """Q37_A (AutoML tools) was shown only to those who picked an AutoML category in Q36_A: the
    share is over the 1,343 who answered Q36_A, not the 454 shown Q37_A (counted with csv)."""
    sheet = sheets["Kaggle 2021"]
    gate = answered_rows(sheet, [r"^Q36_A_"])
    shown = answered_rows(sheet, [r"^Q37_A_"])
    picked = picked_rows(sheet, {r"^Q37_A_": {"Google Cloud AutoML"}})
    assert (len(picked), len(gate), len(shown)) == (123, 1343, 454)
    assert shown <= gate  # nobody saw the follow-up without answering the gate
    n, prof = con.execute("SELECT sum(n_answered), sum(n_l3) FROM agg_skill_levels WHERE population = 'all' "
                          "AND wave_id = ? AND skill_id = 'gcp_automl'", [wave_id(con, "Kaggle 2021")]).fetchone()
    assert (prof, n) == (123, 1343)
    assert round(100 * prof / n, 1) == 9.2


def test_sagemaker_2019_to_2021_follows_the_managed_ml_question(con, sheets):
    """2019's SageMaker comes from its ML-products question (Q32); 2021's from the comparable
    managed-ML question (Q31_A) alone, not mixed with the hosted-notebook question (Q10) that was
    asked of far more people: 161 of 1,384 = 11.6%, a rise from 2019, where mixing gave 5.7%."""
    def share(label, pattern):
        sheet = sheets[label]
        answered = answered_rows(sheet, [pattern])
        return len(picked_rows(sheet, {pattern: {"Amazon SageMaker"}})), len(answered)
    before, after = share("Kaggle 2019", r"^Q32_Part_\d+$"), share("Kaggle 2021", r"^Q31_A_")
    assert (before, after) == ((123, 1438), (161, 1384))
    got = {label: con.execute("SELECT sum(n_l3), sum(n_answered) FROM agg_skill_levels WHERE population = 'all' "
                              "AND wave_id = ? AND skill_id = 'aws_sagemaker'", [wave_id(con, label)]).fetchone()
           for label in ("Kaggle 2019", "Kaggle 2021")}
    assert got == {"Kaggle 2019": before, "Kaggle 2021": after}
    assert (round(100 * before[0] / before[1], 1), round(100 * after[0] / after[1], 1)) == (8.6, 11.6)
    assert after[0] / after[1] > before[0] / before[1]


def test_2021_hope_to_learn_questions_are_learning_interests(con, sheets):
    sheet = sheets["Kaggle 2021"]
    wid = wave_id(con, "Kaggle 2021")
    for skill, pattern, options in INTEREST_CHECKS:
        expected = len(picked_rows(sheet, {pattern: options}))
        got = con.execute("SELECT count(DISTINCT respondent_id) FROM learning_interests WHERE wave_id = ? AND skill_id = ?",
                          [wid, skill]).fetchone()[0]
        assert got == expected, skill
    others = con.execute("SELECT count(*) FROM learning_interests l JOIN waves w USING (wave_id) "
                         "WHERE w.label <> 'Kaggle 2021'").fetchone()[0]
    assert others == 0


def test_every_option_in_the_files_is_mapped_explicitly(sheets):
    """Each profile lists every option its skill questions hold: an option missing from `skills:`
    would load silently as "no skill", so its pickers would show up as level 0."""
    for label, wave in WAVES.items():
        profile = yaml.safe_load((PROJECT / "data" / "profiles" / wave.profile).read_text(encoding="utf-8"))
        sheet = sheets[label]
        for question in profile["questions"]:
            if question["kind"] == "cloud":
                continue
            listed = {key.strip().casefold() for key in question["skills"]}
            cols = [i for i in sheet.columns(question["match"])
                    if not (question.get("exclude") and re.search(question["exclude"], sheet.codes[i]))]
            found = {option(row[i]) for row in sheet.rows for i in cols} - {""}
            assert {o for o in found if o.casefold() not in listed} == set(), f"{label}: {question['name']}"
