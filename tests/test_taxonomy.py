"""The built-in taxonomy (20 areas from the seed article), its lookups, profile additions and DB sync."""
from __future__ import annotations

import duckdb
import pandas as pd
import pytest
import yaml

from pipelines import taxonomy
from pipelines.db import writer
from pipelines.taxonomy import TaxonomyError
from pipelines.text import match_key


@pytest.fixture(scope="module")
def tax():
    return taxonomy.builtin()


def test_twenty_areas_sixteen_devops_four_mlops(tax):
    assert len(tax.areas) == 20
    assert tax.areas["area_id"].is_unique
    assert tax.areas["track"].value_counts().to_dict() == {"DevOps": 16, "MLOps": 4}


def test_every_area_has_skills_and_every_name_has_en_and_ja(tax):
    per_area = tax.skills.groupby("area_id").size()
    assert set(per_area.index) == set(tax.areas["area_id"])
    assert (per_area >= 1).all()
    for frame in (tax.areas, tax.skills):
        assert frame["name_en"].str.strip().str.len().gt(0).all()
        assert frame["name_ja"].str.strip().str.len().gt(0).all()
    ja = dict(zip(tax.areas["area_id"], tax.areas["name_ja"], strict=True))
    assert ja["infrastructure_as_code"] == "インフラのコード化"


def test_provider_specific_skills_name_their_provider(tax):
    providers = dict(zip(tax.skills["skill_id"], tax.skills["provider"], strict=True))
    assert providers["aws_lambda"] == "AWS"
    assert providers["gcp_gce"] == "GCP"
    assert providers["azure_functions"] == "Azure"
    assert pd.isna(providers["terraform"])
    assert set(tax.skills["provider"].dropna()) == {"AWS", "GCP", "Azure"}


@pytest.mark.parametrize("name, skill", [
    ("Lambda", "aws_lambda"), ("AWS Lambda", "aws_lambda"), ("aws lambda", "aws_lambda"),
    ("ＡＷＳ　Ｌａｍｂｄａ", "aws_lambda"), ("AWSLambda", "aws_lambda"),
    ("GCE", "gcp_gce"), ("Compute Engine", "gcp_gce"), ("google compute engine", "gcp_gce"),
    ("K8s", "kubernetes"), ("KUBERNETES", "kubernetes"), ("Terraform", "terraform"),
    ("VPCネットワーク設計", "vpc_network_design"), ("フィーチャートグル", "feature_toggles"),
    ("Amazon SageMaker", "aws_sagemaker"),
])
def test_lookup_by_name_alias_case_spacing_and_width(tax, name, skill):
    assert tax.lookup().get(match_key(name)) == skill


def test_no_name_points_at_two_skills(tax):
    assert not tax.aliases.groupby("alias_key")["skill_id"].nunique().gt(1).any()


def test_service_categories_have_aws_gcp_and_azure_counterparts(tax):
    cats = tax.categories
    known = set(tax.skills["skill_id"])
    assert set(cats["skill_id"]) <= known
    per_cat = cats.groupby("category_id")["provider"].agg(set)
    assert len(per_cat) >= 10
    for category, providers in per_cat.items():
        assert providers == {"AWS", "GCP", "Azure"}, category
    vm = cats[cats["category_id"] == "vm"]
    assert set(zip(vm["provider"], vm["skill_id"], strict=True)) == {("AWS", "aws_ec2"), ("GCP", "gcp_gce"),
                                                                     ("Azure", "azure_vm")}


def test_profile_additions_extend_without_touching_builtin(tax):
    extra = tax.with_additions(
        [{"id": "programming_languages", "track": "Custom", "en": "Programming languages", "ja": "プログラミング言語"}],
        [{"id": "python", "area": "programming_languages", "en": "Python", "ja": "Python", "aliases": ["Python 3"]}])
    assert len(extra.areas) == 21 and len(tax.areas) == 20
    assert extra.lookup()[match_key("python 3")] == "python"
    assert match_key("python") not in tax.lookup()


@pytest.mark.parametrize("areas, skills", [
    ([], [{"id": "kubectl_fu", "area": "no_such_area", "en": "kubectl fu"}]),  # unknown area
    ([], [{"id": "my_docker", "area": "containers_microservices", "en": "Docker"}]),  # name clash
    ([], [{"id": "Bad-Id", "area": "containers_microservices", "en": "Something new"}]),  # id format
    ([{"id": "containers_microservices", "en": "dup"}], []),  # duplicate area id
])
def test_inconsistent_additions_are_refused(tax, areas, skills):
    with pytest.raises(TaxonomyError):
        tax.with_additions(areas, skills)


def test_a_broken_taxonomy_file_is_refused(tmp_path):
    path = tmp_path / "taxonomy.yaml"
    path.write_text(yaml.safe_dump({"areas": [{"id": "x", "track": "DevOps", "en": "", "ja": "エックス",
                                               "skills": [{"id": "y", "en": "Y"}]}]}), encoding="utf-8")
    with pytest.raises(TaxonomyError):
        taxonomy.load(path)


def test_sync_fills_the_tables_and_is_idempotent(tmp_path, tax):
    db = str(tmp_path / "t.duckdb")
    with writer(db) as con:
        taxonomy.sync(con, tax)
        taxonomy.sync(con, tax)
    con = duckdb.connect(db, read_only=True)
    try:
        assert con.execute("SELECT count(*), count(DISTINCT area_id) FROM skill_areas").fetchall() == [(20, 20)]
        n = len(tax.skills)
        assert con.execute("SELECT count(*), count(DISTINCT skill_id) FROM skills").fetchall() == [(n, n)]
        assert con.execute("SELECT count(*) FROM service_categories").fetchall() == [(len(tax.categories),)]
        assert con.execute("SELECT track, count(*) FROM skill_areas GROUP BY 1 ORDER BY 1").fetchall() == \
            [("DevOps", 16), ("MLOps", 4)]
        assert con.execute("SELECT name_en, provider FROM skills WHERE skill_id = 'aws_lambda'").fetchall() == \
            [("Lambda", "AWS")]
    finally:
        con.close()
