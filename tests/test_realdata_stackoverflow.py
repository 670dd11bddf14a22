"""Acceptance: the two damaged Stack Overflow Developer Survey copies in ../shared/realdata.

- 2023, cut at 1 MiB: the 595 complete rows load through the CLI entry point with
  data/profiles/stackoverflow-2023.yaml; the cut-off last record is rejected with a reason.
- 2019, re-saved by Excel with ";" as list separator: refused with a message that says what is
  wrong, with and without a profile; nothing is ever written.

Expected figures are README section 4's (AWS 195, Azure 139, Google Cloud 88, NA 190; Docker 271,
Kubernetes 103) or are counted here with the csv module, never taken from the pipeline.
"""
from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import duckdb
import pytest
from pipeline_fixtures import load_with_cli

from analytics.cloud import cloud_uses_share
from analytics.coverage import skill_coverage
from analytics.filters import Filters
from analytics.settings import Settings
from pipelines.ingest import ingest_file
from pipelines.ingest import main as ingest_main

pytestmark = pytest.mark.realdata

PROJECT = Path(__file__).resolve().parents[1]
REALDATA = PROJECT.parent / "shared" / "realdata"
SO = REALDATA / "stackoverflow-developer-survey"
SO2023 = SO / "2023-first1MiB-truncated" / "survey_results_public.csv"
SO2019 = SO / "2019-first997rows-excel-mangled" / "survey_results_public.csv"
PROFILE = PROJECT / "data" / "profiles" / "stackoverflow-2023.yaml"
WAVE = "Stack Overflow 2023"


def need(path: Path) -> None:
    if not path.is_file():
        pytest.skip(f"real data not found at {path}")


@pytest.fixture(scope="module")
def records() -> tuple[list[str], list[list[str]], list[list[str]]]:
    """(header, complete data records, cut-off records) of the 2023 copy."""
    need(SO2023)
    with open(SO2023, encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    header = rows[0]
    return header, [r for r in rows[1:] if len(r) == len(header)], [r for r in rows[1:] if len(r) != len(header)]


def tokens(cell: str) -> set[str]:
    return {t.strip() for t in cell.split(";") if t.strip()}


@pytest.fixture(scope="module")
def loaded(tmp_path_factory) -> tuple[str, dict]:
    need(SO2023)
    return load_with_cli(tmp_path_factory, "so2023", SO2023, PROFILE)


@pytest.fixture(scope="module")
def con(loaded):
    connection = duckdb.connect(loaded[0], read_only=True)
    yield connection
    connection.close()


# ---------------------------------------------------------------- 2023: truncated copy

def test_595_complete_rows_load_and_the_cut_record_is_rejected(loaded, con, records):
    header, complete, cut = records
    assert len(header) == 84 and len(complete) == 595  # README: ResponseId 1-595 complete
    assert [len(r) for r in cut] == [77]  # record 596 stops mid-row
    assert [r[0] for r in complete] == [str(n) for n in range(1, 596)]
    result = loaded[1]
    assert (result["status"], result["wave"], result["rows_read"], result["rows_loaded"], result["rows_rejected"],
            result["respondents"]) == ("loaded", WAVE, 596, 595, 1, 595)
    assert con.execute("SELECT count(*) FROM respondents").fetchone()[0] == 595
    rejected = con.execute("SELECT source_row, reason FROM rejected_rows").fetchall()
    assert len(rejected) == 1
    row, reason = rejected[0]
    assert row == 597  # spreadsheet row: the header is row 1, ResponseId 596 is row 597
    assert "77 fields" in reason and "84" in reason and "truncated" in reason


def test_platforms_as_cloud_uses(loaded, con, records):
    header, complete, _ = records
    col = header.index("PlatformHaveWorkedWith")
    cells = [r[col] for r in complete]
    assert Counter(t for c in cells for t in tokens(c))["NA"] == 190  # README
    answered = [tokens(c) for c in cells if c != "NA"]
    named = {"AWS": "Amazon Web Services (AWS)", "Azure": "Microsoft Azure", "GCP": "Google Cloud"}
    counts = {p: sum(label in t for t in answered) for p, label in named.items()}
    assert counts == {"AWS": 195, "Azure": 139, "GCP": 88}  # README
    others = sum(bool(t - set(named.values())) for t in answered)
    frame = cloud_uses_share(loaded[0], Filters(), Settings(), by="all").set_index("provider")
    assert int(frame["n_base"].iloc[0]) == len(answered) == 595 - 190  # NA is skipped, not an answer
    for provider, n in counts.items():
        assert int(frame.loc[provider, "n_respondents"]) == n
        assert 100 * frame.loc[provider, "share"] == pytest.approx(100 * n / len(answered), abs=0.05)
    assert int(frame.loc["Other", "n_respondents"]) == others
    assert con.execute("SELECT count(*) FROM cloud_preferences WHERE provider = 'None' OR kind <> 'uses'"
                       ).fetchone()[0] == 0


def test_tools_as_picked_skills(loaded, records):
    header, complete, _ = records
    col = header.index("ToolsTechHaveWorkedWith")
    answered = [tokens(r[col]) for r in complete if r[col] != "NA"]
    frame = skill_coverage(loaded[0], Filters(), Settings()).set_index("skill_id")
    expected = {"docker": ("Docker", 271), "kubernetes": ("Kubernetes", 103), "terraform": ("Terraform", None),
                "pulumi": ("Pulumi", None)}
    assert set(frame.index) == set(expected)
    for skill, (label, readme) in expected.items():
        picked = sum(label in t for t in answered)
        if readme is not None:
            assert picked == readme  # README
        assert (frame.loc[skill, "n_answered"], frame.loc[skill, "n_proficient"]) == (len(answered), picked), skill


def test_na_is_a_missing_answer_not_a_value(con, records):
    header, complete, _ = records
    role, country = header.index("DevType"), header.index("Country")
    roles = dict(con.execute("SELECT role, count(*) FROM respondents GROUP BY role").fetchall())
    assert roles == Counter(None if r[role] == "NA" else r[role] for r in complete)
    assert roles[None] == 69
    places = dict(con.execute("SELECT location, count(*) FROM respondents GROUP BY location").fetchall())
    assert places == Counter(None if r[country] == "NA" else r[country] for r in complete)
    assert "NA" not in roles and "NA" not in places


# ---------------------------------------------------------------- 2019: Excel-mangled copy

SO2019_PROFILES = {
    # A profile naming the 2019 columns, read with "," (what the original file used) ...
    "comma": {"delimiter": ","},
    # ... and with ";" (what Excel wrote).
    "semicolon": {"delimiter": ";"},
}


def so2019_profile(tmp_path: Path, delimiter: str) -> Path:
    path = tmp_path / "so2019.yaml"
    path.write_text(
        "name: so2019\nwave: {label: Stack Overflow 2019}\n"
        f"read: {{delimiter: '{delimiter}', missing: [NA]}}\n"
        "columns: {role: DevType, location: Country}\n"
        "questions:\n"
        "  - {kind: cloud, type: uses, columns: [PlatformWorkedWith], separator: ';'}\n"
        "  - {kind: picked, columns: [PlatformWorkedWith], separator: ';', level: 3}\n", encoding="utf-8")
    return path


@pytest.fixture
def secret(tmp_path, monkeypatch):
    monkeypatch.setenv("SKILLS_SECRET_FILE", str(tmp_path / "respondent-id.key"))
    monkeypatch.delenv("SKILLS_DB", raising=False)


def assert_nothing_written(db: Path) -> None:
    if db.exists():
        with duckdb.connect(str(db), read_only=True) as c:
            assert c.execute("SELECT count(*) FROM respondents").fetchone()[0] == 0
            assert c.execute("SELECT count(*) FROM ingestions").fetchone()[0] == 0


def test_so2019_fixture_is_the_mangled_file():
    need(SO2019)
    with open(SO2019, encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    header = rows[0]
    assert header[-1].startswith("SurveyEase;;;") and len(header) == 85  # README: 85 names, the last "SurveyEase;;;…"
    assert sum(len(r) == 85 for r in rows[1:]) == 62  # only 62 of 997 data rows keep 85 fields


def test_so2019_without_a_profile_is_refused_naming_the_excel_resave(tmp_path, secret):
    need(SO2019)
    db = tmp_path / "so2019.duckdb"
    result = ingest_file(SO2019, db=str(db))
    assert result.status == "rejected"
    assert "Excel" in result.message and "one cell" in result.message and "export the original" in result.message
    assert "\n" not in result.message
    assert_nothing_written(db)


def test_so2019_refusal_message_has_no_internal_wrapping(tmp_path, secret):
    """HR reads this line: no exception class name, the file named once, no 'could not be read'
    (the file was read; what is wrong is how Excel re-saved it)."""
    need(SO2019)
    result = ingest_file(SO2019, db=str(tmp_path / "so2019.duckdb"))
    assert "Refused:" not in result.message
    assert "could not be read" not in result.message
    assert result.message.count("survey_results_public.csv") == 1


@pytest.mark.parametrize("variant", list(SO2019_PROFILES))
def test_so2019_with_a_profile_is_refused_with_what_is_wrong(tmp_path, secret, variant):
    need(SO2019)
    db = tmp_path / "so2019.duckdb"
    profile = so2019_profile(tmp_path, SO2019_PROFILES[variant]["delimiter"])
    result = ingest_file(SO2019, db=str(db), profile=profile)
    assert result.status == "rejected"
    assert "\n" not in result.message
    if variant == "semicolon":
        assert "Excel" in result.message and "one cell" in result.message
    else:  # read with ",": the header is fine but 935 of the 997 records have the wrong field count
        assert "935 of 997 rows have a different number of fields than the header" in result.message
    assert_nothing_written(db)


def test_so2019_with_the_2023_profile_is_refused(tmp_path, secret):
    need(SO2019)
    db = tmp_path / "so2019.duckdb"
    result = ingest_file(SO2019, db=str(db), profile=PROFILE)
    assert result.status == "rejected"
    # The damage is reported before any column matching: it is what HR has to fix first.
    assert "935 of 997 rows have a different number of fields" in result.message
    assert_nothing_written(db)


def test_so2019_cli_exits_3_and_says_refused(tmp_path, secret, capsys):
    need(SO2019)
    db = tmp_path / "so2019.duckdb"
    assert ingest_main([str(SO2019), "--db", str(db)]) == 3
    err = capsys.readouterr().err
    assert err.startswith("refused: ") and "Excel" in err and "Traceback" not in err
    assert_nothing_written(db)
