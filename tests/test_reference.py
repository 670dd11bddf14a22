"""The organisation beside a public population (analytics/reference.py and the two pages).

Our side, worked out by hand from tests/dashboard_fixture.py, wave 2024-H2: 19 people answered the
providers-in-use question; 12 use AWS (p01-p04, d01, o01, o02, p08-p12), 9 GCP (p01, p05-p07,
d01-d05), 1 Azure (p04). Skill coverage: docker 10 of 25, kubernetes 2 of 6, terraform 10 of 25.
The public side is read back from data/reference/reference_figures.csv with the csv module.
"""
from __future__ import annotations

import csv

import pytest

from analytics.filters import Filters
from analytics.reference import REFERENCE_FILE, beside_reference, populations
from analytics.settings import Settings


def shipped(population: str) -> dict[str, tuple[float, int]]:
    with open(REFERENCE_FILE, encoding="utf-8", newline="") as fh:
        return {r["provider"] or r["skill_id"]: (int(r["count"]) / int(r["base"]), int(r["base"]))
                for r in csv.DictReader(fh) if r["population"] == population}


def test_cloud_beside_kaggle(dashboard_db):
    got = beside_reference(dashboard_db, Filters(), Settings(), "cloud", "kaggle-2018").set_index("key")
    assert got["org_share"].to_dict() == pytest.approx({"AWS": 12 / 19, "GCP": 9 / 19, "Azure": 1 / 19})
    ref = shipped("kaggle-2018")
    assert ref["AWS"] == (pytest.approx(1246 / 3155), 3155)  # the realdata README's 2018 sample figures
    for key, (share, base) in ref.items():
        assert got.loc[key, "reference_share"] == pytest.approx(share, abs=1e-6)
        assert got.loc[key, "reference_base"] == base


def test_skills_beside_stack_overflow(dashboard_db):
    got = beside_reference(dashboard_db, Filters(), Settings(), "skills", "stackoverflow-2023-tools").set_index("key")
    assert got["org_share"].to_dict() == pytest.approx({"docker": 0.4, "kubernetes": 2 / 6, "terraform": 0.4})
    assert got.loc["docker", "name"] == "Docker"
    for key, (share, _) in shipped("stackoverflow-2023-tools").items():
        assert got.loc[key, "reference_share"] == pytest.approx(share, abs=1e-6)


def test_our_side_follows_the_minimum_group_size(dashboard_db):
    # The two managers are in reporting groups with other roles, so this selection counts nobody
    # (docs/privacy.md): no figure of ours is shown beside the public one.
    got = beside_reference(dashboard_db, Filters(roles=("Manager",)), Settings(), "cloud", "kaggle-2018")
    assert len(got) == 3 and got["org_share"].isna().all()
    assert got["reference_share"].notna().all()  # the public side is aggregate already
    eks = beside_reference(dashboard_db, Filters(), Settings(), "skills", "cncf-2019").set_index("key")
    # EKS and AKS were never asked: no figure of ours; GKE: 0 of m01-m05 at 3+ is a shown 0.
    assert eks["org_share"].isna().to_dict() == {"aws_eks": True, "azure_aks": True, "gcp_gke": False}
    assert eks.loc["gcp_gke", "org_share"] == 0 and eks.loc["aws_eks", "name"] == "Amazon EKS"


def test_population_labels_name_size_and_year():
    cloud = populations("cloud").set_index("population")["label"]
    assert "2018" in cloud["kaggle-2018"] and "n = 3,155" in cloud["kaggle-2018"]
    assert set(populations("skills")["population"]) == {"cncf-2019", "cncf-2020", "stackoverflow-2023-tools"}


def test_pages_show_the_comparison_as_context(app_test):
    at = app_test().run()
    at.switch_page("pages/cloud.py").run()
    at.selectbox(key="cloud_reference").select("kaggle-2018").run()
    assert not at.exception and not at.error
    assert any("Context, not a target" in c.value and "n = 3,155" in c.value for c in at.caption)
    table = at.dataframe[-1].value.set_index("name")
    assert table.loc["AWS", "org_share"] == pytest.approx(12 / 19)
    at.switch_page("pages/coverage.py").run()
    at.selectbox(key="coverage_reference").select("stackoverflow-2023-tools").run()
    assert not at.exception and not at.error
    assert at.dataframe[-1].value.set_index("name").loc["Docker", "org_share"] == pytest.approx(0.4)
