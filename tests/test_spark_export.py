"""Apache Spark reads the Parquet export and computes the dashboards' figures: area coverage by team
and the cloud split per wave equal the product's own metric functions on the same database, cell
for cell, suppressed cells included. Skipped (with the reason) without pyspark or java."""
from __future__ import annotations

import datetime as dt
import math
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from pipeline_fixtures import email, make_env, write_csv

from analytics.cloud import cloud_preferred_split, cloud_uses_share
from analytics.coverage import area_team_coverage
from analytics.filters import Filters
from analytics.reporting_groups import OTHER_TEAMS
from analytics.settings import Settings
from pipelines.export import export_parquet

pytest.importorskip("pyspark", reason="pyspark is not installed (pip install -r requirements-dev.txt)")
if shutil.which("java") is None:
    pytest.skip("no java on PATH (Spark needs a JRE: apt-get install openjdk-17-jre-headless)", allow_module_level=True)

from benchmarks import spark_coverage  # noqa: E402  (imports pyspark lazily, but only worth it with pyspark)

pytestmark = pytest.mark.spark

K = 5
THRESHOLD = 3
SETTINGS = Settings(threshold=THRESHOLD, k=K)
HEADER = ["Email Address", "Team", "Role", "Location", "Docker", "Kubernetes", "Terraform",
          "Preferred cloud", "Which clouds do you use?"]
LEVELS = ["None", "Aware", "Basic", "Proficient", "Expert"]  # 0-4
PREFERRED = ["AWS", "GCP", "Azure", "Other", "None"]
# Ops (2) and Sec (3) are under k on their own: the product pools them as one reporting group
# shown under "Other teams", and the export generalises both teams to '(suppressed)'.
TEAMS = {"Platform": (8, "Tokyo"), "Data": (7, "Osaka"), "ML": (6, "Osaka"), "Ops": (2, "Tokyo"), "Sec": (3, "Osaka")}


def _people(wave: int) -> list[tuple[int, str, str]]:
    """(person number, team, location); wave 2 adds a ninth Platform engineer."""
    out, n = [], 0
    for team, (size, location) in TEAMS.items():
        size += 1 if wave == 2 and team == "Platform" else 0
        out += [(n + i, team, location) for i in range(size)]
        n += 10
    return out


def _wave_rows(wave: int) -> list[list[str]]:
    rows = [HEADER]
    for j, (i, team, location) in enumerate(_people(wave)):
        levels = [LEVELS[(i * 3 + skill * 2 + wave) % 5] for skill in range(3)]
        if team == "ML" and i % 10 < 3:  # three of ML skip Terraform: a cell of 3 in that area
            levels[2] = ""
        if wave == 2 and team == "Sec" and i % 10 == 0:  # one of Sec skips the container skills
            levels[0] = levels[1] = ""
        uses = "AWS;GCP" if j % 3 == 0 else PREFERRED[(j + 1) % 3]
        if wave == 2 and j >= 3:  # in wave 2 only three people answer the 'uses' question
            uses = ""
        rows.append([email(i), team, "Engineer", location, *levels, PREFERRED[(i + wave) % 5], uses])
    return rows


@pytest.fixture(scope="module")
def spark():
    """One local Spark session for the module (starting one takes several seconds)."""
    session = spark_coverage.session(small=True)
    yield session
    session.stop()


def _build(tmp, waves: list[list[list[str]]]) -> tuple[str, Path]:
    """A database loaded through the ingest pipeline from one CSV per wave, and its export."""
    mp = pytest.MonkeyPatch()
    try:
        env = make_env(tmp, mp)
        for n, rows in enumerate(waves, start=1):
            label, date = f"2025-H{n}", dt.date(2025, 6 * n - 1, 15)
            result = env.ingest(write_csv(tmp / f"wave{n}.csv", rows), wave=label, wave_date=date)
            assert result.status == "loaded" and result.rows_rejected == 0, result.message
        export_parquet(tmp / "export", env.db, k=K)
    finally:
        mp.undo()
    return env.db, tmp / "export"


@pytest.fixture(scope="module")
def loaded(tmp_path_factory, spark):
    """The two-wave database, its wave ids and Spark's figures from its export."""
    db, export = _build(tmp_path_factory.mktemp("spark"), [_wave_rows(1), _wave_rows(2)])
    spark_coverage.register(spark, export)
    coverage = spark_coverage.area_team_coverage(spark, K, THRESHOLD)
    cloud = {kind: spark_coverage.cloud_split_by_wave(spark, K, kind) for kind in spark_coverage.KINDS}
    with duckdb.connect(db, read_only=True) as con:
        waves = dict(con.execute("SELECT label, wave_id FROM waves").fetchall())
    return db, waves, coverage, cloud


def _cells(frame: pd.DataFrame, keys: list[str], values: list[str]) -> dict[tuple, tuple]:
    """Each row as key -> values, NA and NaN as None, so hidden cells compare equal as hidden."""
    def plain(v):
        return None if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)) else v
    return {tuple(r[k] for k in keys): tuple(plain(r[v]) for v in values) for _, r in frame.iterrows()}


COVERAGE_VALUES = ["area_name", "n_answered", "n_proficient", "coverage", "suppressed"]


def test_area_team_coverage_equals_the_product_cell_for_cell(loaded):
    db, waves, spark_frame, _ = loaded
    for label, wave_id in waves.items():
        product = area_team_coverage(db, Filters(wave_id=wave_id), SETTINGS)
        ours = spark_frame[spark_frame["wave_id"] == wave_id]
        assert list(ours["area_id"] + "/" + ours["team"]) == list(product["area_id"] + "/" + product["team"]), label
        assert _cells(ours, ["area_id", "team"], COVERAGE_VALUES) == \
            _cells(product, ["area_id", "team"], COVERAGE_VALUES), label


def test_the_comparison_covers_hidden_cells_and_pooled_teams(loaded):
    """Not vacuous: primary and complementary suppression and the pooled small teams all occur."""
    _, waves, frame, _ = loaded
    wave1 = frame[frame["wave_id"] == waves["2025-H1"]].set_index(["area_id", "team"])
    # Three of ML answered Terraform (hidden, under k); the next smallest team of that area,
    # Other teams (Ops 2 + Sec 3 = 5), is hidden with it, so the area's total can't give ML away.
    assert wave1.loc[("infrastructure_as_code", "ML"), "suppressed"]
    assert wave1.loc[("infrastructure_as_code", OTHER_TEAMS), "suppressed"]
    assert not wave1.loc[("infrastructure_as_code", "Data"), "suppressed"]
    assert wave1.loc[("containers_microservices", OTHER_TEAMS), "n_answered"] == 5
    assert set(frame["team"]) == {"Platform", "Data", "ML", OTHER_TEAMS}


def test_cloud_split_per_wave_equals_the_product(loaded):
    db, _, _, spark_frames = loaded
    keys, values = ["group", "provider"], ["group_order", "n_base", "n_respondents", "share", "suppressed"]
    for kind, product_fn in (("preferred", cloud_preferred_split), ("uses", cloud_uses_share)):
        product = product_fn(db, Filters(), SETTINGS, by="wave")
        ours = spark_frames[kind]
        assert list(ours["group"] + "/" + ours["provider"]) == list(product["group"] + "/" + product["provider"])
        assert _cells(ours, keys, values) == _cells(product, keys, values), kind


def test_cloud_comparison_covers_a_hidden_wave(loaded):
    """Wave 2's 'uses' question was answered by three people: hidden; wave 1's by all 26: shown."""
    _, _, _, spark_frames = loaded
    uses = spark_frames["uses"].set_index(["group", "provider"])
    assert uses.loc[("2025-H2", "AWS"), "suppressed"] and pd.isna(uses.loc[("2025-H2", "AWS"), "n_base"])
    assert not uses.loc[("2025-H1", "AWS"), "suppressed"] and uses.loc[("2025-H1", "AWS"), "n_base"] == 26
    preferred = spark_frames["preferred"]
    assert (preferred.groupby("group")["share"].sum().round(9) == 1.0).all()


def test_an_export_without_cloud_answers_gives_the_products_empty_split(tmp_path, spark):
    """A partitioned table without rows has no files; Spark builds it from _schema.json."""
    rows = [["Email Address", "Team", "Docker"]] + [[email(i), "Platform", LEVELS[i % 5]] for i in range(6)]
    db, export = _build(tmp_path, [rows])
    assert not list((export / "cloud_preferences").rglob("*.parquet"))
    spark_coverage.register(spark, export)
    for kind, product_fn in (("preferred", cloud_preferred_split), ("uses", cloud_uses_share)):
        assert spark_coverage.cloud_split_by_wave(spark, K, kind).empty
        assert product_fn(db, Filters(), SETTINGS, by="wave").empty
    ours = spark_coverage.area_team_coverage(spark, K, THRESHOLD)
    product = area_team_coverage(db, Filters(), SETTINGS)
    # Six people rated Docker 0, 1, 2, 3, 4, 0: two at 3 or above.
    assert _cells(ours, ["area_id", "team"], COVERAGE_VALUES) == _cells(product, ["area_id", "team"], COVERAGE_VALUES) \
        == {("containers_microservices", "Platform"): ("Containers and microservices", 6, 2, 2 / 6, False)}


def test_cli_refuses_a_folder_that_is_not_an_export_in_one_line(tmp_path, capsys):
    assert spark_coverage.main([str(tmp_path)]) == 3
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and "_schema.json" in err and len(err.splitlines()) == 1


def test_cli_writes_both_results_as_csv(loaded, spark, tmp_path):
    """The command's files hold the same cells (the export's k, 5, is the default)."""
    db, waves, coverage, cloud = loaded
    export = Path(db).parent.parent / "export"
    assert spark_coverage.main([str(export), "--threshold", str(THRESHOLD), "--out", str(tmp_path)]) == 0
    back = pd.read_csv(tmp_path / "area_team_coverage.csv")
    assert _cells(back, ["wave_id", "area_id", "team"], ["n_answered", "coverage", "suppressed"]) == \
        _cells(coverage, ["wave_id", "area_id", "team"], ["n_answered", "coverage", "suppressed"])
    split = pd.read_csv(tmp_path / "cloud_split.csv", keep_default_na=False, na_values=[""])
    both = pd.concat(cloud.values(), ignore_index=True)
    assert _cells(split, ["kind", "group", "provider"], ["n_base", "share", "suppressed"]) == \
        _cells(both, ["kind", "group", "provider"], ["n_base", "share", "suppressed"])
