"""The demo organisation, its export files, and the demo loaded through the real pipeline.

Expected values are worked out from the generated frames (or the written files) independently
of the code under test, never copied from its output.
"""
from __future__ import annotations

import csv
import datetime as dt
import io

import duckdb
import openpyxl
import pandas as pd
import pytest
import yaml

from pipelines import demo
from pipelines.demo_org import QUESTIONNAIRE, WAVES, generate
from pipelines.taxonomy import builtin

FIRST, LAST = WAVES[0].label, WAVES[-1].label
EN_LABELS = {"None": 0, "Aware": 1, "Basic": 2, "Proficient": 3, "Expert": 4}
JA_LABELS = {"未経験": 0, "知っている": 1, "基礎": 2, "実務": 3, "エキスパート": 4}


@pytest.fixture(scope="module")
def org():
    return generate()


@pytest.fixture(scope="module")
def exports(tmp_path_factory):
    out = tmp_path_factory.mktemp("exports")
    return dict((spec.label, path) for spec, path in demo.write_exports(out))


def latest(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per person: their last submission of the wave."""
    return frame.sort_values("submitted_at").drop_duplicates("email", keep="last")


def active_at(people: pd.DataFrame, wave_index: int) -> pd.DataFrame:
    order = {w.label: i for i, w in enumerate(WAVES)}
    joined = people["join_wave"].map(order) <= wave_index
    left = people["leave_wave"].map(order).fillna(99) <= wave_index
    return people[joined & ~left]


# --- the organisation -------------------------------------------------------------------------

def test_same_seed_gives_same_bytes_and_another_seed_differs(tmp_path):
    first = demo.write_exports(tmp_path / "a")
    second = demo.write_exports(tmp_path / "b")
    other = demo.write_exports(tmp_path / "c", seed=7)
    for (_, a), (_, b), (_, c) in zip(first, second, other, strict=True):
        assert a.read_bytes() == b.read_bytes()
        assert a.read_bytes() != c.read_bytes()


def test_size_teams_roles_locations(org):
    people = org.people
    start = active_at(people, 0)
    assert len(start) >= 400
    assert people["team"].nunique() >= 8
    assert {"Platform", "SRE", "Data", "ML", "Backend", "Frontend", "Mobile", "Security"} <= set(people["team"])
    assert {"Backend Engineer", "SRE", "Data Engineer", "ML Engineer"} <= set(people["role"])
    assert {"Tokyo", "Osaka", "Fukuoka", "Remote"} <= set(people["location"])
    assert people["email"].is_unique
    assert people["email"].str.fullmatch(r"[a-z]+\.[a-z]+@example\.com").all()


def test_four_half_year_waves_in_order():
    assert [w.label for w in WAVES] == ["2024-H1", "2024-H2", "2025-H1", "2025-H2"]
    for w in WAVES:
        half = 1 if w.survey_date.month <= 6 else 2
        assert w.label == f"{w.survey_date.year}-H{half}"
    assert {w.language for w in WAVES} == {"en", "ja"}
    assert {w.fmt for w in WAVES} == {"csv", "xlsx"}


def test_churn_hires_and_response_rate(org):
    people = org.people
    for i in range(1, len(WAVES)):
        before = active_at(people, i - 1)
        left = (people["leave_wave"] == WAVES[i].label).sum()
        hired = (people["join_wave"] == WAVES[i].label).sum()
        assert 0.05 <= left / len(before) <= 0.16
        assert hired > 0
    for i, wave in enumerate(WAVES):
        responded = org.submissions[wave.label]["email"].nunique()
        rate = responded / len(active_at(people, i))
        assert 0.80 <= rate <= 0.95
        # Only current employees answer.
        assert set(org.submissions[wave.label]["email"]) <= set(active_at(people, i)["email"])


def test_every_area_is_asked_with_a_realistic_number_of_skills(org):
    taxonomy = builtin()
    area_of = dict(zip(taxonomy.skills["skill_id"], taxonomy.skills["area_id"], strict=True))
    assert 40 <= len(org.questionnaire) <= 70
    assert {area_of[s] for s in org.questionnaire} == set(taxonomy.areas["area_id"])
    assert len(taxonomy.areas) == 20


def test_cloud_preference_shifts_from_aws_to_gcp_and_azure(org):
    shares = {w.label: latest(org.submissions[w.label])["preferred"].value_counts(normalize=True) for w in WAVES}
    first, last = shares[FIRST], shares[LAST]
    assert first["AWS"] - last["AWS"] >= 0.10
    assert last["GCP"] - first["GCP"] >= 0.05
    assert last["Azure"] > first["Azure"]
    assert last["Azure"] < 0.25
    # Everyone uses the cloud they prefer, and many use more than one.
    for w in WAVES:
        frame = org.submissions[w.label]
        assert all(p in u for p, u in zip(frame["preferred"], frame["uses"], strict=True))
        assert (frame["uses"].map(len) > 1).mean() > 0.3


def test_coverage_of_iac_and_kubernetes_rises(org):
    def share_proficient(label, skill):
        frame = latest(org.submissions[label])
        return (frame[skill].dropna() >= 3).mean()

    for skill in ("terraform", "kubernetes"):
        assert share_proficient(LAST, skill) - share_proficient(FIRST, skill) >= 0.10


def test_levels_rise_for_people_who_stay(org):
    first = latest(org.submissions[FIRST]).set_index("email")[list(QUESTIONNAIRE)]
    last = latest(org.submissions[LAST]).set_index("email")[list(QUESTIONNAIRE)]
    stayers = first.index.intersection(last.index)
    assert len(stayers) > 200
    assert last.loc[stayers].stack().mean() > first.loc[stayers].stack().mean() + 0.2


def test_team_profiles(org):
    frame = latest(org.submissions[LAST])
    ml_skills = ["aws_sagemaker", "gcp_ai_platform", "kubeflow_pipelines", "mlflow"]
    is_ml = frame["team"] == "ML"
    assert frame.loc[is_ml, ml_skills].stack().mean() > frame.loc[~is_ml, ml_skills].stack().mean() + 1.0
    platform_skills = ["terraform", "kubernetes", "docker"]
    is_platform = frame["team"] == "Platform"
    assert (frame.loc[is_platform, platform_skills].stack().mean()
            > frame.loc[~is_platform, platform_skills].stack().mean() + 0.8)


def test_single_points_of_knowledge_and_small_cells(org):
    for w in WAVES:
        frame = latest(org.submissions[w.label])
        holders = (frame[list(QUESTIONNAIRE)] >= 3).sum()
        sole = holders[(holders >= 1) & (holders <= 2)]
        assert len(sole) >= 2, f"{w.label}: no skill held by only one or two people"
        cells = frame.groupby(["team", "role"]).size()
        assert ((cells > 0) & (cells < 5)).any()
        assert (cells >= 5).sum() >= 9


def test_duplicates_and_skipped_cells(org):
    duplicates = sum(len(f) - f["email"].nunique() for f in org.submissions.values())
    assert 2 <= duplicates <= 3
    for frame in org.submissions.values():
        assert frame["submitted_at"].is_monotonic_increasing  # rows in submission order
        assert 0 < frame[list(QUESTIONNAIRE)].isna().to_numpy().mean() < 0.02


def test_headcount_counts_everyone_employed_at_each_wave(org, exports):
    written = yaml.safe_load((exports[FIRST].parent / demo.HEADCOUNT_FILE).read_text(encoding="utf-8"))["waves"]
    for i, w in enumerate(WAVES):
        active = active_at(org.people, i)
        assert written[w.label]["total"] == len(active)
        assert written[w.label]["teams"]["ML"] == int((active["team"] == "ML").sum())
        assert sum(written[w.label]["teams"].values()) == len(active)
    assert written[FIRST]["total"] == 480  # the team sizes of the first wave: 105+65+40+48+40+52+40+45+45


# --- the export files -------------------------------------------------------------------------

def read_csv_records(path) -> list[list[str]]:
    data = path.read_bytes()
    text = data[3:].decode("utf-8") if data.startswith(b"\xef\xbb\xbf") else data.decode("utf-8")
    return list(csv.reader(io.StringIO(text, newline="")))


def test_english_csv_looks_like_a_google_forms_export(org, exports):
    records = read_csv_records(exports[FIRST])
    header, rows = records[0], records[1:]
    assert header[:5] == ["Timestamp", "Email Address", "Team", "Role", "Location"]
    assert header[-3:] == ["Which cloud do you prefer?", "Which clouds do you use at work?",
                           "Which skills do you want to learn next?"]
    assert "Rate your proficiency [Terraform]" in header
    assert len(header) == 5 + len(org.questionnaire) + 3
    assert len(rows) == len(org.submissions[FIRST])
    dt.datetime.strptime(rows[0][0], "%Y/%m/%d %H:%M:%S")
    grid = [cell for row in rows for cell in row[5:-3]]
    assert set(grid) <= set(EN_LABELS) | {""}
    assert "" in grid
    assert any(";" in row[-2] for row in rows)
    assert all(row[-3] in {"AWS", "GCP", "Azure"} for row in rows)


def test_english_csv_round_trips_to_the_generated_levels(org, exports):
    records = read_csv_records(exports[LAST])
    header, rows = records[0], records[1:]
    names = dict(zip(builtin().skills["name_en"], builtin().skills["skill_id"], strict=True))
    skill_of = {i: names[h[len("Rate your proficiency ["):-1]] for i, h in enumerate(header) if h.startswith("Rate")}
    frame = org.submissions[LAST]
    for row, (_, expected) in zip(rows, frame.iterrows(), strict=True):
        assert row[1] == expected["email"]
        for i, skill in skill_of.items():
            level = expected[skill]
            assert row[i] == ("" if pd.isna(level) else list(EN_LABELS)[int(level)])


def test_japanese_wave_is_utf8_with_bom_and_japanese_labels(org, exports):
    ja = next(w for w in WAVES if w.language == "ja")
    path = exports[ja.label]
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    records = read_csv_records(path)
    header = records[0]
    assert header[:5] == ["タイムスタンプ", "メールアドレス", "チーム", "職種", "勤務地"]
    assert "スキルレベル [インフラのコード化]" not in header  # areas are not asked, skills are
    assert "スキルレベル [VPCネットワーク設計]" in header
    assert any("クラウド" in h for h in header[-3:])
    assert any("学び" in h for h in header[-3:])
    grid = {cell for row in records[1:] for cell in row[5:-3]}
    assert grid <= set(JA_LABELS) | {""}
    assert {"未経験", "エキスパート"} <= grid


def test_xlsx_wave_has_real_dates_and_empty_cells(org, exports):
    xl = next(w for w in WAVES if w.fmt == "xlsx")
    book = openpyxl.load_workbook(exports[xl.label], read_only=True)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert rows[0][0] == "Timestamp"
    assert isinstance(rows[1][0], dt.datetime)
    assert len(rows) - 1 == len(org.submissions[xl.label])
    assert any(cell is None for row in rows[1:] for cell in row[5:-3])


# --- through the real pipeline ----------------------------------------------------------------

@pytest.fixture(scope="module")
def built(tmp_path_factory):
    pytest.importorskip("pipelines.ingest")
    root = tmp_path_factory.mktemp("built")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SKILLS_SECRET_FILE", str(root / "secret.key"))
        db = str(root / "demo.duckdb")
        results = demo.build_demo(db, out_dir=root / "exports")
        again = demo.build_demo(db, out_dir=root / "exports")
    return db, results, again


def test_demo_loads_every_wave_with_the_generated_respondents(org, built):
    db, results, _ = built
    assert [r.wave for r in results] == [w.label for w in WAVES]
    assert all(r.status == "loaded" for r in results), [r.message for r in results]
    con = duckdb.connect(db, read_only=True)
    try:
        counts = dict(con.execute(
            "SELECT w.label, count(*) FROM respondents r JOIN waves w USING (wave_id) GROUP BY w.label").fetchall())
        answers = dict(con.execute(
            "SELECT w.label, count(*) FROM answers a JOIN waves w USING (wave_id) GROUP BY w.label").fetchall())
        preferred = dict(con.execute(
            "SELECT w.label, count(*) FROM cloud_preferences c JOIN waves w USING (wave_id) "
            "WHERE kind = 'preferred' AND provider = 'AWS' GROUP BY w.label").fetchall())
        uses_gcp = dict(con.execute(
            "SELECT w.label, count(*) FROM cloud_preferences c JOIN waves w USING (wave_id) "
            "WHERE kind = 'uses' AND provider = 'GCP' GROUP BY w.label").fetchall())
        interests = dict(con.execute(
            "SELECT w.label, count(*) FROM learning_interests i JOIN waves w USING (wave_id) GROUP BY w.label").fetchall())
        stored = {row[0] for row in con.execute("SELECT respondent_id FROM respondents").fetchall()}
    finally:
        con.close()
    for w in WAVES:
        frame = latest(org.submissions[w.label])
        assert counts[w.label] == frame["email"].nunique()
        assert answers[w.label] == int(frame[list(QUESTIONNAIRE)].notna().to_numpy().sum())
        assert preferred[w.label] == int((frame["preferred"] == "AWS").sum())
        assert uses_gcp[w.label] == sum("GCP" in u for u in frame["uses"])
        assert interests[w.label] == int(frame["learn"].map(len).sum())
    # The same person has the same id in every wave, and no email is stored.
    everyone = set().union(*(set(f["email"]) for f in org.submissions.values()))
    assert len(stored) == len(everyone)
    assert not any("@" in r for r in stored)


def test_superseded_duplicates_are_counted_as_rejected_rows(org, built):
    _, results, _ = built
    for r, w in zip(results, WAVES, strict=True):
        frame = org.submissions[w.label]
        assert r.rows_read == len(frame)
        assert r.rows_read == r.rows_loaded + r.rows_rejected
        assert r.respondents == frame["email"].nunique()


def test_building_again_is_a_no_op(built):
    _, _, again = built
    assert [r.status for r in again] == ["already_loaded"] * len(WAVES)


def test_command_line_builds_into_the_given_database(tmp_path, monkeypatch, capsys):
    pytest.importorskip("pipelines.ingest")
    monkeypatch.setenv("SKILLS_SECRET_FILE", str(tmp_path / "secret.key"))
    db = tmp_path / "cli.duckdb"
    assert demo.main(["--db", str(db), "--out", str(tmp_path / "out")]) == 0
    out = capsys.readouterr().out
    assert all(w.label in out for w in WAVES)
    assert db.exists()
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(
        [w.file_name for w in WAVES] + [demo.HEADCOUNT_FILE])
