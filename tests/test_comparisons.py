"""Comparisons that mean something: waves compared over what both asked, movers only beyond the
noise (Wilson intervals, a minimum change), through the real ingest pipeline. Every expected value
is counted by hand from the rows written below."""
from __future__ import annotations

import datetime as dt
import math

import pytest
from pipeline_fixtures import email, write_csv, write_profile

from analytics.filters import Filters
from analytics.intervals import wilson
from analytics.overview import overview_headline
from analytics.settings import Settings
from analytics.trends import area_coverage_trend, area_deltas, movers, withheld_deltas

S = Settings()
IAC, CONTAINERS = "infrastructure_as_code", "containers_microservices"


def grid(columns: list[str], levels: list[dict[str, int]]) -> list[list[str]]:
    """An export: email, team, one rating column per skill (level as a number, blank = not asked)."""
    return [["Email Address", "Team", *columns]] + [
        [email(i), "A", *[str(person[c]) for c in columns]] for i, person in enumerate(levels)]


def load(env, name: str, rows, wave: str, month: int):
    result = env.ingest(write_csv(env.tmp / f"{name}.csv", rows), wave=wave, wave_date=dt.date(2025, month, 1))
    assert result.status == "loaded", result.message
    return result


# The case: 40 people answer identically in both waves. Terraform >= 3 for people 0-9,
# CloudFormation >= 3 (Terraform 1) for people 10-20 (11 more); Docker >= 3 for people 0-11,
# Kubernetes >= 3 (Docker 1) for people 12-20 (9 more). The second wave asks only Terraform and
# Docker, so a naive area comparison shows IaC 21/40 -> 10/40 (-27.5 pp) and Containers
# 21/40 -> 12/40 (-22.5 pp) although nobody changed.
PEOPLE = [{"Terraform": 3 if i < 10 else 1, "AWS CloudFormation": 3 if 10 <= i <= 20 else 0,
           "Docker": 3 if i < 12 else 1, "Kubernetes": 3 if 12 <= i <= 20 else 0} for i in range(40)]


@pytest.fixture
def narrower_second_wave(env):
    load(env, "w1", grid(["Terraform", "AWS CloudFormation", "Docker", "Kubernetes"], PEOPLE), "2025-H1", 3)
    load(env, "w2", grid(["Terraform", "Docker"], PEOPLE), "2025-H2", 9)
    return env


def test_each_load_records_what_its_questions_asked(narrower_second_wave):
    got = narrower_second_wave.rows(
        "SELECT w.label, q.skill_id FROM question_skills q JOIN waves w USING (wave_id) ORDER BY 1, 2")
    assert got == [("2025-H1", "aws_cloudformation"), ("2025-H1", "docker"), ("2025-H1", "kubernetes"),
                   ("2025-H1", "terraform"), ("2025-H2", "docker"), ("2025-H2", "terraform")]


def test_an_area_asked_differently_has_its_change_withheld_with_the_counts(narrower_second_wave):
    db = narrower_second_wave.db
    trend = area_coverage_trend(db, Filters(), S)
    second = trend[trend["wave_label"] == "2025-H2"].set_index("area_id")
    # Each wave's own coverage is still shown; only the difference is withheld.
    assert second.loc[IAC, "coverage"] == pytest.approx(10 / 40)
    assert second.loc[IAC, "prev_coverage"] == pytest.approx(21 / 40)
    assert second.loc[CONTAINERS, "coverage"] == pytest.approx(12 / 40)
    for area in (IAC, CONTAINERS):
        row = second.loc[area]
        assert not row["comparable"] and math.isnan(row["delta"])
        assert (row["n_skills_asked"], row["prev_n_skills_asked"], row["n_skills_common"]) == (1, 2, 1)
    assert area_deltas(db, Filters(), S).empty
    assert sorted(withheld_deltas(db, Filters(), S)["area_id"]) == sorted([IAC, CONTAINERS])


def test_identical_answers_give_no_movers_and_no_index_change(narrower_second_wave):
    db = narrower_second_wave.db
    assert movers(db, Filters(), S).empty  # Terraform and Docker: unchanged; the others not asked again
    head = overview_headline(db, Filters(), S).iloc[0]
    assert head["n_areas_compared"] == 0 and math.isnan(head["coverage_index_delta"])


# Same grid both waves: Terraform 10/40 -> 30/40 (a real rise), Docker 20/40 -> 21/40 (+2.5 pp,
# larger than 2 pp but inside the noise), Kubernetes 30/40 -> 5/40 (a real fall).
def _same_grid(env):
    first = [{"Terraform": 3 if i < 10 else 0, "Docker": 3 if i < 20 else 0, "Kubernetes": 3 if i < 30 else 0}
             for i in range(40)]
    second = [{"Terraform": 3 if i < 30 else 0, "Docker": 3 if i < 21 else 0, "Kubernetes": 3 if i < 5 else 0}
              for i in range(40)]
    columns = ["Terraform", "Docker", "Kubernetes"]
    load(env, "a", grid(columns, first), "2025-H1", 3)
    load(env, "b", grid(columns, second), "2025-H2", 9)
    return env.db


def test_movers_are_changes_beyond_the_minimum_whose_intervals_do_not_overlap(env):
    db = _same_grid(env)
    got = movers(db, Filters(), S)
    assert list(got["skill_id"]) == ["terraform", "kubernetes"] and list(got["direction"]) == ["riser", "faller"]
    assert list(got["delta_pp"]) == pytest.approx([50.0, -62.5])
    # The question behind each figure: a grid loaded without a profile is one question, "skill ratings".
    assert list(got["question"]) == ["skill ratings", "skill ratings"]
    row = got.iloc[0]
    assert row["delta"] == pytest.approx(0.5)
    # 95% Wilson, by hand: 10/40 -> 0.1419-0.4019; 30/40 -> 0.5981-0.8581.
    assert (row["prev_ci_low"], row["prev_ci_high"]) == pytest.approx((0.1419, 0.4019), abs=1e-4)
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((0.5981, 0.8581), abs=1e-4)
    # A minimum between the two changes leaves the larger one; one above both leaves nothing.
    assert list(movers(db, Filters(), Settings(min_change=0.6))["skill_id"]) == ["kubernetes"]
    assert movers(db, Filters(), Settings(min_change=0.7)).empty


def test_an_area_asked_alike_keeps_its_change(env):
    db = _same_grid(env)
    iac = area_deltas(db, Filters(), S).set_index("area_id").loc[IAC]
    assert iac["comparable"] and iac["delta"] == pytest.approx(0.5)
    assert (iac["n_skills_asked"], iac["prev_n_skills_asked"], iac["n_skills_common"]) == (1, 1, 1)


def test_wilson_interval_by_hand():
    # 3 of 5: centre (0.6 + z^2/10) / (1 + z^2/5), half-width z sqrt(0.24/5 + z^2/100) / (1 + z^2/5).
    z = 1.959963984540054
    denom = 1 + z * z / 5
    centre, half = (0.6 + z * z / 10) / denom, z * math.sqrt(0.24 / 5 + z * z / 100) / denom
    low, high = wilson([3, 0], [5, 0])
    assert (low[0], high[0]) == pytest.approx((centre - half, centre + half))
    assert (round(low[0], 3), round(high[0], 3)) == (0.231, 0.882)
    assert math.isnan(low[1]) and math.isnan(high[1])  # nobody answered: no interval


def test_a_gated_question_records_its_options(env):
    profile = write_profile(env.tmp / "p.yaml", """
name: gated
columns: {id: Email Address, team: Team}
questions:
  - {kind: picked, name: tools, columns: [Tools], separator: ";", gate: Uses tools,
     skills: {Docker: docker, Kubernetes: kubernetes}}
""")
    rows = [["Email Address", "Team", "Uses tools", "Tools"]] + [[email(i), "A", "Yes", "Docker"] for i in range(5)]
    result = env.ingest(write_csv(env.tmp / "g.csv", rows), profile=profile, wave="2025-H1")
    assert result.status == "loaded", result.message
    assert env.rows("SELECT question, skill_id FROM question_skills ORDER BY 2") == [
        ("tools", "docker"), ("tools", "kubernetes")]
