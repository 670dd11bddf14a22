"""Every export layout the issue lists, loaded end to end into a temporary database.

Each respondent gets a unique team marker so the test can find their answers without relying on
the id hash; expected levels are written out by hand next to the rows that produce them.
"""
from __future__ import annotations

import datetime as dt

import pytest
from pipeline_fixtures import levels_by_team, write_csv, write_profile, write_xlsx

TS = "2025/04/0{} 10:00:00"



def loaded(result):
    assert result.status == "loaded", result.message
    assert result.rows_read == result.rows_loaded + result.rows_rejected
    return result


# --- (1) wide grid --------------------------------------------------------------------------------

def test_google_forms_grid_question_skill_headers(env):
    q = "How would you rate your experience with each tool?"
    rows = [
        ["Timestamp", "Email Address", "Team", f"{q} [Docker]", f"{q} [Kubernetes]", f"{q} [Terraform]",
         "Anything else?"],
        [TS.format(1), "a@example.com", "A", "Expert", "Basic", "", "no"],
        [TS.format(2), "b@example.com", "B", "None", "Proficient", "Aware", ""],
        [TS.format(3), "c@example.com", "C", "", "", "", "nothing to add"],
    ]
    result = loaded(env.ingest(write_csv(env.tmp / "forms.csv", rows)))
    # Empty cells are skipped skills: no answers row. C answered no skill but is a respondent.
    assert levels_by_team(env) == {"A": {"docker": 4, "kubernetes": 2},
                                   "B": {"docker": 0, "kubernetes": 3, "terraform": 1}}
    assert (result.rows_read, result.rows_loaded, result.respondents, result.answers) == (3, 3, 3, 5)


def test_plain_skill_headers_match_names_aliases_ja_and_width_insensitively(env):
    headers = ["Email Address", "Team", "docker", "K8s", "ＴＥＲＲＡＦＯＲＭ", "AWS Lambda", "フィーチャートグル",
               "Compute Engine", " GCE ", "Favourite colour"]
    rows = [headers,
            ["a@example.com", "A", "4", "3", "2", "1", "0", "4", "", "blue"],
            ["b@example.com", "B", "0", "1", "2", "3", "4", "", "2", "red"]]
    loaded(env.ingest(write_csv(env.tmp / "plain.csv", rows), wave="2025-H1"))
    # 'Compute Engine' and 'GCE' are both aliases of gcp_gce: each respondent filled one of them.
    assert levels_by_team(env) == {
        "A": {"docker": 4, "kubernetes": 3, "terraform": 2, "aws_lambda": 1, "feature_toggles": 0, "gcp_gce": 4},
        "B": {"docker": 0, "kubernetes": 1, "terraform": 2, "aws_lambda": 3, "feature_toggles": 4, "gcp_gce": 2},
    }


def test_japanese_skill_names_as_headers(env):
    rows = [["メールアドレス", "部署", "VPCネットワーク設計", "アーキテクチャ構成図", "Docker"],
            ["a@example.jp", "開発", "実務", "基礎", "エキスパート"],
            ["b@example.jp", "運用", "未経験", "上級", "知っている"]]
    loaded(env.ingest(write_csv(env.tmp / "ja.csv", rows), wave="2025-H2"))
    assert levels_by_team(env) == {
        "開発": {"vpc_network_design": 3, "architecture_diagrams": 2, "docker": 4},
        "運用": {"vpc_network_design": 0, "architecture_diagrams": 4, "docker": 1},
    }


# --- (2) long ------------------------------------------------------------------------------------

def test_long_layout_one_row_per_respondent_and_skill(env):
    rows = [["Email", "Team", "Skill", "Level"],
            ["a@example.com", "A", "Docker", "Expert"],
            ["a@example.com", "A", "Terraform", "2"],
            ["a@example.com", "A", "K8s", "basic"],
            ["b@example.com", "B", "Kubernetes", "aware"],
            ["b@example.com", "B", "Docker", "none"],
            ["c@example.com", "C", "Docker", "3"]]
    result = loaded(env.ingest(write_csv(env.tmp / "long.csv", rows), wave="2025-H1"))
    assert levels_by_team(env) == {"A": {"docker": 4, "terraform": 2, "kubernetes": 2},
                                   "B": {"kubernetes": 1, "docker": 0},
                                   "C": {"docker": 3}}
    assert result.respondents == 3
    assert result.answers == 6
    # Six records, all fine: nothing is "superseded" just because a person has several skill rows.
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (6, 6, 0)
    assert env.rows("SELECT count(*) FROM rejected_rows") == [(0,)]


def test_long_layout_bad_level_rejects_that_record_with_its_row(env):
    rows = [["Email", "Team", "Skill", "Level"],
            ["a@example.com", "A", "Docker", "Expert"],
            ["a@example.com", "A", "Terraform", "wizard"],
            ["b@example.com", "B", "Docker", "1"],
            ["c@example.com", "C", "Docker", "2"]]
    loaded(env.ingest(write_csv(env.tmp / "long_bad.csv", rows), wave="2025-H1"))
    got = env.rows("SELECT source_row, column_name, value FROM rejected_rows WHERE reason NOT LIKE 'superseded%'")
    assert got == [(3, "Level", "wizard")]


# --- (3) multi-select joined in one cell -----------------------------------------------------------

JOINED_PROFILE = """
name: joined
wave: 2025-H1
columns: {{id: Email Address, team: Team}}
questions:
  - kind: picked
    name: tools
    columns: ["Which tools do you use?"]
    separator: "{sep}"
    level: 3
    skills: {{None of these: ~}}
"""


@pytest.mark.parametrize("sep", [";", ","])
def test_joined_multi_select(env, sep):
    """Options not in `skills:` fall back to taxonomy names (docs/profiles.md, Semantics: "Options map to
    skills through `skills:` first, then by taxonomy name/alias")."""
    rows = [["Email Address", "Team", "Which tools do you use?"],
            ["a@example.com", "A", f"Docker{sep}Kubernetes"],
            ["b@example.com", "B", "Terraform"],
            ["c@example.com", "C", ""],  # picked nothing: skipped the question
            ["d@example.com", "D", "None of these"],  # answered, has none of the offered skills
            ["e@example.com", "E", f" docker {sep} TERRAFORM "]]
    profile = write_profile(env.tmp / "p.yaml", JOINED_PROFILE.format(sep=sep))
    result = loaded(env.ingest(write_csv(env.tmp / "joined.csv", rows), profile=profile))
    # Offered options (seen in the answers): docker, kubernetes, terraform. Picked = 3, unpicked = 0.
    assert levels_by_team(env) == {
        "A": {"docker": 3, "kubernetes": 3, "terraform": 0},
        "B": {"docker": 0, "kubernetes": 0, "terraform": 3},
        "D": {"docker": 0, "kubernetes": 0, "terraform": 0},
        "E": {"docker": 3, "kubernetes": 0, "terraform": 3},
    }
    assert result.respondents == 5  # C is a respondent, just with no answers for this question
    assert result.answers == 12


def test_declared_options_count_as_offered_even_if_nobody_picked_them(env):
    profile = write_profile(env.tmp / "p.yaml", """
name: declared
wave: 2025-H1
columns: {id: Email Address, team: Team}
questions:
  - kind: picked
    columns: [Tools]
    separator: ";"
    level: 2
    skills: {Docker: docker, Istio: istio, "Nothing": null}
""")
    rows = [["Email Address", "Team", "Tools"],
            ["a@example.com", "A", "Docker"],
            ["b@example.com", "B", "Nothing"],
            ["c@example.com", "C", ""]]
    loaded(env.ingest(write_csv(env.tmp / "t.csv", rows), profile=profile))
    assert levels_by_team(env) == {"A": {"docker": 2, "istio": 0}, "B": {"docker": 0, "istio": 0}}


# --- (4) one column per option ---------------------------------------------------------------------

def test_one_column_per_option_cell_holds_label(env):
    profile = write_profile(env.tmp / "p.yaml", r"""
name: per-option
wave: 2025-H1
columns: {id: Email Address, team: Team}
questions:
  - kind: picked
    match: "^Tools used - "
    level: 3
    skills: {Docker: docker, Kubernetes: kubernetes, Terraform: terraform, None: ~}
""")
    rows = [["Email Address", "Team", "Tools used - Docker", "Tools used - Kubernetes", "Tools used - Terraform",
             "Tools used - None"],
            ["a@example.com", "A", "Docker", "Kubernetes", "", ""],
            ["b@example.com", "B", "", "", "", "None"],
            ["c@example.com", "C", "", "", "", ""],
            ["d@example.com", "D", "", "", "Terraform", ""]]
    result = loaded(env.ingest(write_csv(env.tmp / "options.csv", rows), profile=profile))
    assert levels_by_team(env) == {
        "A": {"docker": 3, "kubernetes": 3, "terraform": 0},
        "B": {"docker": 0, "kubernetes": 0, "terraform": 0},
        "D": {"docker": 0, "kubernetes": 0, "terraform": 3},
    }
    assert result.respondents == 4
    # The denominator for docker is the 3 who answered the question, not all 4 respondents.
    assert env.rows("SELECT count(DISTINCT respondent_id) FROM answers WHERE skill_id = 'docker'") == [(3,)]


def test_one_column_per_option_named_by_header(env):
    profile = write_profile(env.tmp / "p.yaml", r"""
name: per-option-header
wave: 2025-H1
columns: {id: Email Address, team: Team}
questions:
  - kind: picked
    match: "^Which do you use\\? \\["
    skill_from: header
    level: 4
""")
    rows = [["Email Address", "Team", "Which do you use? [Docker]", "Which do you use? [Istio]",
             "Which do you use? [Terraform]"],
            ["a@example.com", "A", "Yes", "", ""],
            ["b@example.com", "B", "", "", ""],
            ["c@example.com", "C", "x", "x", "x"]]
    loaded(env.ingest(write_csv(env.tmp / "hdr.csv", rows), profile=profile))
    assert levels_by_team(env) == {"A": {"docker": 4, "istio": 0, "terraform": 0},
                                   "C": {"docker": 4, "istio": 4, "terraform": 4}}


# --- (5) extra header rows ---------------------------------------------------------------------------

def test_code_row_over_question_row_with_profile(env):
    profile = write_profile(env.tmp / "p.yaml", r"""
name: kaggle-like
wave: 2025-H1
read: {header_rows: 2}
columns: {id: Q1, team: Q2}
questions:
  - kind: picked
    match: "^Q9_Part_"
    level: 3
    skills: {Docker: docker, Kubernetes: kubernetes, None: ~}
  - kind: rating
    columns: [Q10]
    skills: {"How would you rate your Terraform skills?": terraform}
""")
    rows = [["Q1", "Q2", "Q9_Part_1", "Q9_Part_2", "Q9_Part_3", "Q10"],
            ["What is your work email?", "Which team are you in?",
             "Which tools do you use regularly? (Select all that apply) - Selected Choice - Docker",
             "Which tools do you use regularly? (Select all that apply) - Selected Choice - Kubernetes",
             "Which tools do you use regularly? (Select all that apply) - Selected Choice - None",
             "How would you rate your Terraform skills?"],
            ["a@example.com", "A", "Docker", "", "", "sorcerer"],  # spreadsheet row 3: bad rating
            ["b@example.com", "B", "Docker", "Kubernetes", "", "Expert"],
            ["c@example.com", "C", "", "", "None", "1"],
            ["d@example.com", "D", "", "", "", ""]]
    result = loaded(env.ingest(write_csv(env.tmp / "kaggle.csv", rows), profile=profile))
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (4, 3, 1)
    assert env.rows("SELECT source_row, column_name, value FROM rejected_rows") == [(3, "Q10", "sorcerer")]
    assert levels_by_team(env) == {"B": {"docker": 3, "kubernetes": 3, "terraform": 4},
                                   "C": {"docker": 0, "kubernetes": 0, "terraform": 1}}


def test_code_row_over_question_row_auto_detected(env):
    text = "Please rate your hands-on experience with each of the following tools"
    rows = [["Q1", "Q2", "Q3_1", "Q3_2"],
            ["Which team do you belong to at the moment?", "When did you submit this questionnaire?",
             f"{text} [Docker]", f"{text} [Kubernetes]"],
            ["A", "x", "Expert", "Aware"],
            ["B", "x", "Basic", "Proficient"],
            ["C", "x", "nonsense", "None"]]
    result = env.ingest(write_csv(env.tmp / "codes.csv", rows), wave="2025-H1")
    loaded(result)
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (3, 2, 1)
    # The first response is spreadsheet row 3 (two header rows); the bad cell is on row 5.
    assert [r[0] for r in env.rows("SELECT source_row FROM rejected_rows")] == [5]
    assert sorted(r[0] for r in env.rows("SELECT level FROM answers")) == [1, 2, 3, 4]


def test_surveymonkey_auto_detected_question_carried_over_options(env):
    rows = [["Respondent ID", "Start Date", "End Date", "Email Address", "Department",
             "How would you rate your skills?", "", ""],
            ["", "", "", "", "Response", "Docker", "Kubernetes", "Terraform"],
            ["11", "05/01/2025 09:00:00", "05/01/2025 09:10:00", "a@example.com", "A", "Expert", "", "Aware"],
            ["12", "05/02/2025 09:00:00", "05/02/2025 09:10:00", "b@example.com", "B", "Basic", "Proficient", "??"],
            ["13", "05/03/2025 09:00:00", "05/03/2025 09:10:00", "c@example.com", "C", "None", "None", "None"]]
    result = loaded(env.ingest(write_csv(env.tmp / "sm.csv", rows)))
    assert result.wave == "2025-H1"
    assert levels_by_team(env) == {"A": {"docker": 4, "terraform": 1},
                                   "C": {"docker": 0, "kubernetes": 0, "terraform": 0}}
    # B's '??' is on spreadsheet row 4 (two header rows, B is the second response).
    assert env.rows("SELECT source_row, value FROM rejected_rows") == [(4, "??")]


def test_surveymonkey_multi_select_with_profile(env):
    profile = write_profile(env.tmp / "p.yaml", r"""
name: surveymonkey
wave: 2025-H2
read: {header_rows: 2, header_style: surveymonkey}
columns: {id: Email Address, team: Department}
questions:
  - kind: picked
    match: "^Which of these tools do you use"
    level: 3
    skills: {Docker: docker, Kubernetes: kubernetes, None of the above: ~}
""")
    rows = [["Email Address", "Department", "Which of these tools do you use?", "", "", "Comments"],
            ["", "Response", "Docker", "Kubernetes", "None of the above", "Open-Ended Response"],
            ["a@example.com", "A", "Docker", "", "", "hello"],
            ["b@example.com", "B", "", "", "None of the above", ""],
            ["c@example.com", "C", "", "", "", ""],
            ["d@example.com", "D", "Docker", "Kubernetes", "", ""]]
    result = loaded(env.ingest(write_csv(env.tmp / "sm_multi.csv", rows), profile=profile))
    assert levels_by_team(env) == {"A": {"docker": 3, "kubernetes": 0},
                                   "B": {"docker": 0, "kubernetes": 0},
                                   "D": {"docker": 3, "kubernetes": 3}}
    assert result.respondents == 4


def test_xlsx_wide_grid(env):
    survey = [["Timestamp", "Email Address", "Team", "Docker", "Kubernetes"],
              [dt.datetime(2024, 10, 1, 9), "a@example.com", "A", 4, "Basic"],
              [dt.datetime(2024, 10, 2, 9), "b@example.com", "B", 0, None]]
    result = loaded(env.ingest(write_xlsx(env.tmp / "grid.xlsx", {"Form Responses 1": survey})))
    assert result.wave == "2024-H2"
    assert levels_by_team(env) == {"A": {"docker": 4, "kubernetes": 2}, "B": {"docker": 0}}


# --- standard columns ---------------------------------------------------------------------------------

@pytest.mark.parametrize("headers", [
    ["Timestamp", "Email Address", "Team", "Role", "Location"],
    ["Completion time", "E-mail", "Department", "Job title", "Office"],
    ["Submitted at", "Employee ID", "DEPARTMENT", "JOB TITLE", " Office "],
    ["End Date", "Respondent ID", "team", "role", "location"],
    ["タイムスタンプ", "メールアドレス", "チーム", "職種", "拠点"],
    ["タイムスタンプ", "社員番号", "部署", "職種", "勤務地"],
    ["タイムスタンプ", "ｅｍａｉｌ", "所属", "職種", "勤務地"],
], ids=["google", "msforms", "employee-id", "respondent-id", "ja1", "ja2", "ja-fullwidth"])
def test_standard_columns_recognised(env, headers):
    rows = [[*headers, "Docker"],
            ["2025/08/01 10:00:00", "u1@example.com", "Platform", "SRE", "Tokyo", "Expert"],
            ["2025/08/02 11:00:00", "u2@example.com", "Data", "Analyst", "Osaka", "Basic"],
            ["2025/08/03 12:00:00", "u3@example.com", "Data", "Engineer", "Remote", "Aware"]]
    result = loaded(env.ingest(write_csv(env.tmp / "std.csv", rows)))
    assert result.wave == "2025-H2"  # median submission 2025-08-02
    got = sorted(env.rows("SELECT team, role, location, submitted_at FROM respondents"))
    assert got == [("Data", "Analyst", "Osaka", dt.datetime(2025, 8, 2, 11)),
                   ("Data", "Engineer", "Remote", dt.datetime(2025, 8, 3, 12)),
                   ("Platform", "SRE", "Tokyo", dt.datetime(2025, 8, 1, 10))]
    # The id column is recognised: three distinct hashed ids, none equal to the raw value.
    ids = [r[0] for r in env.rows("SELECT respondent_id FROM respondents")]
    assert len(set(ids)) == 3 and not any("@" in i for i in ids)


# --- cloud and learning interests ---------------------------------------------------------------------

def test_cloud_preferred_single_value_and_uses_joined(env):
    rows = [["Email Address", "Team", "Docker", "Preferred cloud", "Which clouds do you use?", "Cloud comments"],
            ["a@example.com", "A", "3", "AWS", "AWS;GCP", "we love it"],
            ["b@example.com", "B", "3", "Google Cloud Platform", "Azure", "too pricey"],
            ["c@example.com", "C", "3", "Microsoft Azure", "Amazon Web Services; Google Cloud", ""],
            ["d@example.com", "D", "3", "None", "", ""],
            ["e@example.com", "E", "3", "Amazon Web Services", "None", ""],
            ["f@example.com", "F", "3", "なし", "Other; Microsoft Azure", ""],
            ["g@example.com", "G", "3", "Other", "GCP", ""]]
    loaded(env.ingest(write_csv(env.tmp / "cloud.csv", rows), wave="2025-H1"))
    got = sorted(env.rows("SELECT r.team, c.kind, c.provider FROM cloud_preferences c "
                          "JOIN respondents r USING (wave_id, respondent_id)"))
    expected = sorted([
        ("A", "preferred", "AWS"), ("B", "preferred", "GCP"), ("C", "preferred", "Azure"),
        ("D", "preferred", "None"), ("E", "preferred", "AWS"), ("F", "preferred", "None"),
        ("G", "preferred", "Other"),
        ("A", "uses", "AWS"), ("A", "uses", "GCP"), ("B", "uses", "Azure"), ("C", "uses", "AWS"),
        ("C", "uses", "GCP"), ("E", "uses", "None"), ("F", "uses", "Other"), ("F", "uses", "Azure"),
        ("G", "uses", "GCP"),
    ])
    assert got == expected
    # Denominators: everyone has one 'preferred' row; 6 people (not D) have 'uses' rows.
    assert env.rows("SELECT kind, count(DISTINCT respondent_id) FROM cloud_preferences GROUP BY kind ORDER BY kind") \
        == [("preferred", 7), ("uses", 6)]


def test_cloud_uses_joined_with_commas(env):
    """Google Forms joins checkbox answers with ', '."""
    rows = [["Email Address", "Team", "Docker", "Cloud platforms you use"],
            ["a@example.com", "A", "3", "Amazon Web Services, Google Cloud Platform"],
            ["b@example.com", "B", "3", "Microsoft Azure"],
            ["c@example.com", "C", "3", "AWS, Azure, GCP"]]
    loaded(env.ingest(write_csv(env.tmp / "cloud_comma.csv", rows), wave="2025-H1"))
    got = sorted(env.rows("SELECT r.team, c.kind, c.provider FROM cloud_preferences c "
                          "JOIN respondents r USING (wave_id, respondent_id)"))
    assert got == [("A", "uses", "AWS"), ("A", "uses", "GCP"), ("B", "uses", "Azure"),
                   ("C", "uses", "AWS"), ("C", "uses", "Azure"), ("C", "uses", "GCP")]


def test_cloud_header_with_non_provider_answers_is_not_a_cloud_question(env):
    rows = [["Email Address", "Team", "Docker", "Cloud experience notes"],
            ["a@example.com", "A", "3", "AWS mostly, some hobby projects"],
            ["b@example.com", "B", "3", "I run a homelab"]]
    loaded(env.ingest(write_csv(env.tmp / "cloud_notes.csv", rows), wave="2025-H1"))
    assert env.rows("SELECT count(*) FROM cloud_preferences") == [(0,)]


def test_japanese_cloud_header(env):
    rows = [["メールアドレス", "部署", "Docker", "主に使うクラウド"],
            ["a@example.jp", "A", "3", "AWS"],
            ["b@example.jp", "B", "3", "Google Cloud"],
            ["c@example.jp", "C", "3", "なし"]]
    loaded(env.ingest(write_csv(env.tmp / "cloud_ja.csv", rows), wave="2025-H1"))
    got = sorted(env.rows("SELECT r.team, c.kind, c.provider FROM cloud_preferences c "
                          "JOIN respondents r USING (wave_id, respondent_id)"))
    assert got == [("A", "preferred", "AWS"), ("B", "preferred", "GCP"), ("C", "preferred", "None")]


def test_learning_interests(env):
    rows = [["Email Address", "Team", "Docker", "What would you like to learn next?"],
            ["a@example.com", "A", "2", "Terraform;Kubernetes"],
            ["b@example.com", "B", "1", "Docker"],
            ["c@example.com", "C", "0", ""],
            ["d@example.com", "D", "4", "Istio; AWS Lambda"]]
    loaded(env.ingest(write_csv(env.tmp / "learn.csv", rows), wave="2025-H1"))
    got = sorted(env.rows("SELECT r.team, l.skill_id FROM learning_interests l "
                          "JOIN respondents r USING (wave_id, respondent_id)"))
    assert got == [("A", "kubernetes"), ("A", "terraform"), ("B", "docker"), ("D", "aws_lambda"), ("D", "istio")]
    assert levels_by_team(env) == {"A": {"docker": 2}, "B": {"docker": 1}, "C": {"docker": 0}, "D": {"docker": 4}}


# --- levels ------------------------------------------------------------------------------------------

LABELS = {
    "Ｅｘｐｅｒｔ ": 4, " BASIC": 2, "No Experience": 0, "no  experience": 0, "Intermediate": 3, "ADVANCED": 4,
    "beginner": 2, "知っている": 1, "未経験": 0, "なし": 0, "初級": 2, "中級": 3, "上級": 4, "エキスパート": 4,
    "実務": 3, "基礎": 2, "ｴｷｽﾊﾟｰﾄ": 4, "３": 3, "2 - Basic": 2, "none": 0, "None": 0, "aware": 1,
    "\u00a0Proficient\u00a0": 3, "AWARE": 1, "0": 0, "4": 4,
}


def test_default_labels_after_nfkc_trim_casefold(env):
    rows = [["Email Address", "Team", "Docker"]]
    expected = {}
    for i, (label, level) in enumerate(LABELS.items()):
        rows.append([f"p{i}@example.com", f"T{i}", label])
        expected[f"T{i}"] = {"docker": level}
    result = loaded(env.ingest(write_csv(env.tmp / "labels.csv", rows), wave="2025-H1"))
    assert result.rows_rejected == 0, env.rows("SELECT value, reason FROM rejected_rows")
    assert levels_by_team(env) == expected


def test_numbers_outside_default_scale_are_rejected(env):
    rows = [["Email Address", "Team", "Docker"],
            ["a@example.com", "A", "5"], ["b@example.com", "B", "-1"], ["c@example.com", "C", "2.5"],
            ["d@example.com", "D", "3"], ["e@example.com", "E", "1"], ["f@example.com", "F", "4"],
            ["g@example.com", "G", "0"]]
    result = loaded(env.ingest(write_csv(env.tmp / "scale.csv", rows), wave="2025-H1"))
    assert (result.rows_loaded, result.rows_rejected) == (4, 3)
    assert sorted(r[0] for r in env.rows("SELECT source_row FROM rejected_rows")) == [2, 3, 4]
    assert levels_by_team(env) == {"D": {"docker": 3}, "E": {"docker": 1}, "F": {"docker": 4}, "G": {"docker": 0}}


def test_numeric_scale_1_to_5_via_profile(env):
    profile = write_profile(env.tmp / "p.yaml", """
name: five-point
wave: 2025-H1
columns: {id: Email Address, team: Team}
levels: {scale: [1, 5]}
questions:
  - {kind: rating, columns: [Docker]}
""")
    rows = [["Email Address", "Team", "Docker"],
            ["a@example.com", "A", "1"], ["b@example.com", "B", "2"], ["c@example.com", "C", "3"],
            ["d@example.com", "D", "4"], ["e@example.com", "E", "5"], ["f@example.com", "F", "Expert"],
            ["g@example.com", "G", "6"], ["h@example.com", "H", "0"], ["i@example.com", "I", "3 - Proficient"]]
    result = loaded(env.ingest(write_csv(env.tmp / "five.csv", rows), profile=profile))
    # 1..5 -> 0..4 linearly; labels still mean their level; 6 and 0 are outside the scale.
    assert levels_by_team(env) == {"A": {"docker": 0}, "B": {"docker": 1}, "C": {"docker": 2}, "D": {"docker": 3},
                                   "E": {"docker": 4}, "F": {"docker": 4}, "I": {"docker": 2}}
    assert sorted(r[0] for r in env.rows("SELECT source_row FROM rejected_rows")) == [8, 9]
    assert result.rows_rejected == 2
