"""Coverage metrics on the fixture database (tests/conftest.py). Every expected number below is
worked out by hand from the level tables in conftest.py; k = 5, threshold 3 unless stated."""
import pandas as pd
import pytest

from analytics.coverage import (
    area_coverage,
    area_team_coverage,
    bench_depth,
    level_distribution,
    single_points_of_knowledge,
    skill_coverage,
    top_gaps,
    upskilling_pipeline,
)
from analytics.filters import Filters
from analytics.settings import Settings

S = Settings()
W1, W2 = Filters(wave_id=1), Filters()  # no wave: the latest, 2024-H2


def by(frame, key):
    return frame.set_index(key)


def test_skill_coverage_latest_wave(dashboard_db):
    got = by(skill_coverage(dashboard_db, W2, S), "skill_id")
    # terraform: 25 answered; at 3+: p01 p02 p03 p04 p05 p07 p11 m03 o01 o02 = 10.
    assert (got.loc["terraform", "n_answered"], got.loc["terraform", "n_proficient"]) == (25, 10)
    assert got.loc["terraform", "coverage"] == pytest.approx(0.4)
    # aws_ec2: p01-p07 and o01-o02 answered (9); p01 p02 o01 at 3+.
    assert (got.loc["aws_ec2", "n_answered"], got.loc["aws_ec2", "n_proficient"]) == (9, 3)
    # gcp_gce: p01 p02 and Data (8); d01 d02 d03 at 3+.
    assert got.loc["gcp_gce", "coverage"] == pytest.approx(3 / 8)
    assert got.loc["gcp_gke", "coverage"] == 0.0
    # aws_cloudformation: only p01 and p02 answered: hidden.
    assert bool(got.loc["aws_cloudformation", "suppressed"])
    assert pd.isna(got.loc["aws_cloudformation", "n_answered"]) and pd.isna(got.loc["aws_cloudformation", "coverage"])
    # taxonomy order: managed services, then infrastructure as code, then containers.
    assert list(got.index) == ["aws_ec2", "gcp_gce", "terraform", "aws_cloudformation", "docker", "kubernetes",
                               "gcp_gke"]


def test_skill_coverage_first_wave_and_threshold(dashboard_db):
    got = by(skill_coverage(dashboard_db, W1, S), "skill_id")
    # terraform wave 1: p01 p02 p03 p07 m03 o01 o02 = 7 of 20; docker: p01-p04 d01-d03 m01 m02 o01 = 10 of 20.
    assert got.loc["terraform", "coverage"] == pytest.approx(0.35)
    assert got.loc["docker", "coverage"] == pytest.approx(0.5)
    # threshold 2 in wave 1, terraform: 7 above plus the 2s p04 d01 d06 = 10 of 20.
    two = by(skill_coverage(dashboard_db, W1, S.with_threshold(2)), "skill_id")
    assert two.loc["terraform", "n_proficient"] == 10


def test_filters_narrow_the_people_and_the_skills(dashboard_db):
    data = by(skill_coverage(dashboard_db, Filters(teams=("Data",)), S), "skill_id")
    # Data in wave 2 is its reporting group d02-d06 (the manager d01 is in a group spanning teams):
    # terraform 5 answered, nobody at 3+; docker d02 d03 of 5; ec2 not answered by Data.
    assert (data.loc["terraform", "n_answered"], data.loc["terraform", "n_proficient"]) == (5, 0)
    assert data.loc["docker", "coverage"] == pytest.approx(0.4)
    assert data.loc["aws_ec2", "n_answered"] == 0 and not data.loc["aws_ec2", "suppressed"]
    containers = skill_coverage(dashboard_db, Filters(areas=("containers_microservices",)), S)
    assert list(containers["skill_id"]) == ["docker", "kubernetes", "gcp_gke"]
    assert skill_coverage(dashboard_db, Filters(track="MLOps"), S).empty


def test_selection_without_a_whole_reporting_group_counts_nobody(dashboard_db):
    # p01 and d01 are in groups that also hold Engineers: no group lies inside "Manager".
    managers = skill_coverage(dashboard_db, Filters(roles=("Manager",)), S)
    assert (managers["n_answered"] == 0).all() and managers["coverage"].isna().all()


def test_area_coverage_uses_each_persons_best_level(dashboard_db):
    got = by(area_coverage(dashboard_db, W2, S), "area_id")
    # managed services: best of ec2/gce; 15 answered (Platform 7, Data 6, Ops 2); at 3+: p01 p02 d01 d02 d03 o01.
    assert (got.loc["managed_services", "n_answered"], got.loc["managed_services", "n_proficient"]) == (15, 6)
    # infrastructure as code: best of terraform/cloudformation = 10 of 25; containers: docker/k8s/gke = 10 of 25.
    assert got.loc["infrastructure_as_code", "coverage"] == pytest.approx(0.4)
    assert got.loc["containers_microservices", "coverage"] == pytest.approx(0.4)
    first = by(area_coverage(dashboard_db, W1, S), "area_id")
    assert first.loc["containers_microservices", "coverage"] == pytest.approx(0.5)


def test_area_names_follow_the_language(dashboard_db):
    got = by(area_coverage(dashboard_db, Filters(lang="ja"), S), "area_id")
    assert got.loc["infrastructure_as_code", "area_name"] == "インフラのコード化"


def test_gaps_against_targets(dashboard_db):
    s = Settings(targets=(("infrastructure_as_code", 0.5),), default_target=0.3)
    got = by(area_coverage(dashboard_db, W2, s), "area_id")
    assert got.loc["infrastructure_as_code", "gap"] == pytest.approx(0.1)  # 0.5 - 0.4
    assert got.loc["managed_services", "gap"] == pytest.approx(-0.1)  # 0.3 - 0.4
    gaps = top_gaps(dashboard_db, W2, s)
    assert list(gaps["area_id"]) == ["infrastructure_as_code"]
    assert area_coverage(dashboard_db, W2, Settings())["target"].isna().all()


def test_area_team_heatmap_by_reporting_group(dashboard_db):
    got = area_team_coverage(dashboard_db, W1, S).set_index(["area_id", "team"])
    # Wave 1 groups: Platform p02-p07 (6), ML (5), and p01 d01-d06 o01 o02 (9) spanning teams, shown as
    # 'Other teams'; ML answered no managed-services skill. Every cell has k or more: nothing hidden.
    assert got.index.size == 8 and not got["suppressed"].any()
    assert got.loc[("infrastructure_as_code", "Platform"), "coverage"] == pytest.approx(3 / 6)  # p02 p03 p07
    assert got.loc[("infrastructure_as_code", "Other teams"), "n_proficient"] == 3  # p01 o01 o02
    assert got.loc[("containers_microservices", "ML"), "coverage"] == pytest.approx(2 / 5)  # m01 m02
    assert got.loc[("managed_services", "Other teams"), "n_proficient"] == 5  # p01 d01 d02 d03 o01
    w2 = area_team_coverage(dashboard_db, W2, S).set_index(["area_id", "team"])
    # Platform's group in wave 2 (p02-p07, p09-p12): terraform 3+ for p02-p05, p07 and p11.
    assert w2.loc[("infrastructure_as_code", "Platform"), "coverage"] == pytest.approx(6 / 10)


def test_level_distribution(dashboard_db):
    got = level_distribution(dashboard_db, W2, S)
    ec2 = got[got["skill_id"] == "aws_ec2"].set_index("level")
    # ec2 levels in wave 2: 0 p07; 1 p05 p06; 2 p03 p04 o02; 3 p02 o01; 4 p01.
    assert ec2["n"].tolist() == [1, 2, 3, 2, 1]
    assert ec2["share"].tolist() == pytest.approx([1 / 9, 2 / 9, 3 / 9, 2 / 9, 1 / 9])
    assert ec2.loc[3, "level_label"] == "proficient"
    cf = got[got["skill_id"] == "aws_cloudformation"]
    assert len(cf) == 5 and cf["suppressed"].all() and cf["n"].isna().all()
    ja = level_distribution(dashboard_db, Filters(lang="ja"), S)
    assert ja.loc[ja["level"] == 4, "level_label"].iloc[0] == "エキスパート"


def test_bench_depth_and_single_points(dashboard_db):
    bench = by(bench_depth(dashboard_db, W1, S), "skill_id")
    # wave 1: kubernetes has d01 only at 3+, gke nobody (m01-m05 answered it).
    assert (bench.loc["kubernetes", "bench"], bool(bench.loc["kubernetes", "single_point"])) == (1, True)
    assert bench.loc["terraform", "bench"] == 7 and not bench.loc["terraform", "single_point"]
    assert pd.isna(bench.loc["aws_cloudformation", "single_point"])  # hidden: 2 answered
    spok = single_points_of_knowledge(dashboard_db, W1, S)
    assert list(spok["skill_id"]) == ["gcp_gke", "kubernetes"]  # thinnest bench first
    # wave 2: d02 reached 3 in kubernetes, so only gke is left.
    assert list(single_points_of_knowledge(dashboard_db, W2, S)["skill_id"]) == ["gcp_gke"]
    # a looser definition (bench <= 2) adds kubernetes back in wave 2.
    loose = Settings(single_point_max_bench=2)
    assert set(single_points_of_knowledge(dashboard_db, W2, loose)["skill_id"]) == {"gcp_gke", "kubernetes"}


def test_single_points_for_a_team_include_skills_it_lacks(dashboard_db):
    # Data's group in wave 2 (d02-d06): terraform answered by all 5, nobody at 3+; ec2, cloudformation
    # and gke unanswered; kubernetes d02 only.
    spok = single_points_of_knowledge(dashboard_db, Filters(teams=("Data",)), S)
    assert list(spok["skill_id"]) == ["terraform", "aws_ec2", "aws_cloudformation", "gcp_gke", "kubernetes"]


def test_upskilling_pipeline(dashboard_db):
    got = by(upskilling_pipeline(dashboard_db, W1, S), "skill_id")
    # terraform: d03 d04 m01 p01 o02 interested; d03 d04 m01 below 3. kubernetes: p03 p04 (no answer), d02 (2).
    assert (got.loc["terraform", "n_interested"], got.loc["terraform", "n_pipeline"]) == (5, 3)
    assert (got.loc["kubernetes", "n_interested"], got.loc["kubernetes", "n_pipeline"]) == (3, 3)
    assert list(got.index) == ["terraform", "kubernetes"]
    # threshold 2: d02 (level 2) no longer counts as below it.
    two = by(upskilling_pipeline(dashboard_db, W1, S.with_threshold(2)), "skill_id")
    assert two.loc["kubernetes", "n_pipeline"] == 2
    assert upskilling_pipeline(dashboard_db, W2, S).empty  # nobody named an interest in wave 2
    small = upskilling_pipeline(dashboard_db, Filters(wave_id=1, teams=("Ops",)), S)  # o02 in a team of 2
    assert small["suppressed"].all() and small["n_interested"].isna().all()
