"""Cloud split and parity matrix on the fixture database; expectations from conftest.py by hand."""
import pytest

from analytics.cloud import cloud_parity_matrix, cloud_preferred_split, cloud_uses_share
from analytics.filters import Filters
from analytics.settings import Settings

S = Settings()
W1 = Filters(wave_id=1)


def shares(frame, group):
    rows = frame[frame["group"] == group]
    return dict(zip(rows["provider"], rows["share"], strict=True))


def test_preferred_split_sums_to_one(dashboard_db):
    got = cloud_preferred_split(dashboard_db, W1, S)
    # wave 1, 20 people: AWS p01-p04 m01 m02 o01 (7), GCP p05-p07 d01-d06 (9), Azure m03, Other o02, None m04 m05.
    assert shares(got, "All") == pytest.approx({"AWS": 0.35, "GCP": 0.45, "Azure": 0.05, "Other": 0.05, "None": 0.10})
    assert sum(shares(got, "All").values()) == pytest.approx(1.0)
    assert list(got["provider"]) == ["AWS", "GCP", "Azure", "Other", "None"]


def test_uses_share_is_of_those_who_answered(dashboard_db):
    got = cloud_uses_share(dashboard_db, W1, S)
    # 14 answered (p01-p07, d01-d05, o01, o02). AWS: p01-p04 d01 o01 o02 = 7; GCP p01 p05-p07 d01-d05 = 9; Azure p04.
    assert set(got["n_base"]) == {14}
    assert shares(got, "All") == pytest.approx({"AWS": 0.5, "GCP": 9 / 14, "Azure": 1 / 14, "Other": 0.0, "None": 0.0})


def test_preferred_by_team_counts_whole_reporting_groups(dashboard_db):
    got = cloud_preferred_split(dashboard_db, W1, S, by="team")
    # Wave 1 reporting groups: Platform Engineers in Tokyo p02-p07 (6); ML (5); the rest - p01, d01-d06,
    # o01, o02 (9), spanning teams - shown as 'Other teams'. Every group has k or more: nothing hidden.
    assert list(dict.fromkeys(got["group"])) == ["ML", "Other teams", "Platform"] and not got["suppressed"].any()
    assert shares(got, "Platform")["AWS"] == pytest.approx(3 / 6)  # p02-p04
    assert shares(got, "Other teams") == pytest.approx({"AWS": 2 / 9, "GCP": 6 / 9, "Azure": 0.0, "Other": 1 / 9,
                                                         "None": 0.0})  # p01 o01 / d01-d06 / o02
    assert shares(got, "ML")["AWS"] == pytest.approx(2 / 5)


def test_preferred_by_wave(dashboard_db):
    got = cloud_preferred_split(dashboard_db, Filters(), S, by="wave")
    # wave 2 adds p08-p12, all AWS: 12 of 25.
    assert list(dict.fromkeys(got["group"])) == ["2024-H1", "2024-H2"]
    assert shares(got, "2024-H1")["AWS"] == pytest.approx(0.35)
    assert shares(got, "2024-H2")["AWS"] == pytest.approx(12 / 25)


def test_unknown_breakdown_is_refused(dashboard_db):
    with pytest.raises(ValueError):
        cloud_preferred_split(dashboard_db, W1, S, by="location")


def test_parity_matrix(dashboard_db):
    got = cloud_parity_matrix(dashboard_db, Filters(), S).set_index(["category_id", "provider"])
    # VM row: AWS = aws_ec2 (9 answered, 3 at 3+), GCP = gcp_gce (8, 3), Azure nobody.
    assert (got.loc[("vm", "AWS"), "n_answered"], got.loc[("vm", "AWS"), "n_proficient"]) == (9, 3)
    assert got.loc[("vm", "GCP"), "coverage"] == pytest.approx(3 / 8)
    assert got.loc[("vm", "Azure"), "n_answered"] == 0
    # containers: GCP = gke, answered by ML (5), nobody at 3+; AWS (ecs/eks) unanswered.
    assert got.loc[("containers", "GCP"), "coverage"] == 0.0
    assert set(got.index.get_level_values("provider")) == {"AWS", "GCP", "Azure"}
    # Data only: its reporting group d02-d06 (d01 is in a group spanning teams): ec2 unanswered,
    # gce 5 answered with d02 d03 at 3+.
    data = cloud_parity_matrix(dashboard_db, Filters(teams=("Data",)), S).set_index(["category_id", "provider"])
    assert data.loc[("vm", "GCP"), "coverage"] == pytest.approx(2 / 5)
    assert data.loc[("vm", "AWS"), "n_answered"] == 0
