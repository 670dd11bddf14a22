"""Real exports of kinds the product was not tuned on load as a new user would: no profile, the
mapping auto-detected. Figures are compared with counts made here with the csv module (within half
a percentage point). The files are read in ../shared/realdata and never copied."""
from __future__ import annotations

import csv
from pathlib import Path

import pytest
from pipeline_fixtures import query

REALDATA = Path(__file__).resolve().parent.parent.parent / "shared" / "realdata"
TRAINING = REALDATA / "cncf-microsurveys" / "CNCF_Training_and_Certifications_Microsurvey.csv"

pytestmark = pytest.mark.skipif(not TRAINING.exists(), reason="../shared/realdata is not on this machine")


def csv_option_shares(path: Path, question: str) -> dict[str, float]:
    """Option label -> share of those who answered `question` (ticked any of its option columns),
    for a SurveyMonkey-style export: the question over its first column, labels in row 2."""
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    first = rows[0].index(question)
    last = first + 1
    while last < len(rows[0]) and rows[0][last] == "":
        last += 1
    labels = rows[1][first:last]
    answered = [r for r in rows[2:] if any(c.strip() for c in r[first:last])]
    return {label: sum(bool(r[first + i].strip()) for r in answered) / len(answered)
            for i, label in enumerate(labels)}


def test_cncf_training_microsurvey_loads_with_no_profile(env):
    result = env.ingest(TRAINING, wave="2023-H1")
    assert result.status == "loaded", result.message
    got = {name: good / total for name, good, total in query(env.db, """
        SELECT s.name_en, count(*) FILTER (WHERE a.level >= 3), count(*)
        FROM answers a JOIN skills s USING (skill_id) GROUP BY s.name_en""")}
    expected = csv_option_shares(TRAINING, "Have you completed any CNCF certifications? Select all that apply.")
    certifications = {k: v for k, v in expected.items() if not k.lower().startswith(("none", "other"))}
    assert len(certifications) >= 5
    for label, share in certifications.items():
        assert got[label] == pytest.approx(share, abs=0.005), label
