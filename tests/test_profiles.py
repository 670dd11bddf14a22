"""Profiles (docs/profiles.md): parsing, refusing bad ones, and what each setting does to a load."""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import yaml
from pipeline_fixtures import levels_by_team, write_csv, write_profile

from pipelines.profile import ProfileError, load_profile, parse_profile

DOCS = Path(__file__).resolve().parent.parent / "docs" / "profiles.md"



def loaded(result):
    assert result.status == "loaded", result.message
    assert result.rows_read == result.rows_loaded + result.rows_rejected
    return result


def docs_example() -> str:
    text = DOCS.read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", text, flags=re.S)
    assert blocks, "docs/profiles.md has no yaml example"
    return blocks[0]


# --- parsing ---------------------------------------------------------------------------------------

def test_documented_full_example_parses_to_what_it_says():
    p = parse_profile(yaml.safe_load(docs_example()))
    assert p.name == "acme-skills-2025"
    assert (p.wave_label, p.wave_date) == ("2025-H1", dt.date(2025, 5, 15))
    assert (p.header_rows, p.header_style, p.name_row) == (2, "stacked", 1)
    assert p.missing == ["NA", "-"]
    assert set(p.fields) == {"id", "team", "role", "location", "submitted_at"}
    assert p.fields["id"].names == ["Email Address"]
    assert p.fields["role"].match == "^Job title"
    assert p.fields["submitted_at"].names == ["Timestamp"]
    assert (p.submitted_at_format, p.submitted_at_era) == ("%Y/%m/%d %I:%M:%S %p", "gregorian")
    assert p.scale == (1, 5)
    assert p.labels == {"guru": 4} and p.replace_labels is False
    assert [a["id"] for a in p.areas] == ["programming_languages"]
    assert [s["id"] for s in p.skills] == ["python"]
    kinds = [q.kind for q in p.questions]
    assert kinds == ["rating", "picked", "picked", "cloud", "interest"]
    rating, picked, gated, cloud, interest = p.questions
    assert picked.gate is None and gated.gate.match == "^Q36_A_" and gated.columns.match == "^Q37_A_"
    assert rating.columns.match == "^Rate your skills \\[" and rating.skills == {"K8s": "kubernetes"}
    assert rating.separator == ";"
    assert picked.level == 3 and picked.skill_from == "cell"
    assert picked.skills == {"Amazon SageMaker": "aws_sagemaker", "Google Cloud AI Platform": "gcp_ai_platform",
                             "None": None}
    assert cloud.cloud_kind == "uses" and cloud.providers == {"IBM Cloud": "Other"}
    assert interest.columns.names == ["What will you learn next?"] and interest.separator == ";"


ROUND_TRIP = r"""
name: round-trip
wave: {label: 2024-H2, date: 2024-10-01}
read: {header_rows: 2, header_style: surveymonkey, missing: [NA, "-"], encoding: cp932, delimiter: ";"}
columns:
  id: Email Address
  team: {match: "^Dept"}
  submitted_at: {column: Timestamp, format: "%Y/%m/%d %H:%M", era: buddhist}
levels: {scale: [1, 5], labels: {4: [guru]}}
questions:
  - {kind: rating, name: grid, match: '^Rate \[', skills: {K8s: kubernetes}}
  - {kind: picked, name: tools, columns: [Tools], level: 2, separator: ";", skills: {None: null}, gate: "Uses tools?"}
  - {kind: cloud, name: main, columns: [Main cloud], type: preferred, providers: {IBM Cloud: Other}}
  - {kind: interest, name: next, columns: ["Learn next?"], separator: ";"}
"""


def test_profile_round_trips_through_yaml():
    p = parse_profile(yaml.safe_load(ROUND_TRIP))
    again = parse_profile(yaml.safe_load(p.to_yaml()))
    for attr in ("name", "wave_label", "wave_date", "header_rows", "header_style", "missing", "encoding", "delimiter",
                 "submitted_at_format", "submitted_at_era", "scale", "labels"):
        assert getattr(again, attr) == getattr(p, attr), attr
    assert {k: (v.names, v.match) for k, v in again.fields.items()} == \
        {k: (v.names, v.match) for k, v in p.fields.items()}
    for q1, q2 in zip(p.questions, again.questions, strict=True):
        assert (q2.kind, q2.name, q2.columns.names, q2.columns.match, q2.skills, q2.level, q2.cloud_kind,
                q2.providers, q2.separator) == (q1.kind, q1.name, q1.columns.names, q1.columns.match, q1.skills,
                                                q1.level, q1.cloud_kind, q1.providers, q1.separator)
        assert (q2.gate and q2.gate.names) == (q1.gate and q1.gate.names)
    assert p.questions[1].gate.names == ["Uses tools?"]


@pytest.mark.parametrize("data", [
    {"name": "x", "colums": {}},  # typo in a top-level key
    {"questions": [{"kind": "slider", "columns": ["A"]}]},
    {"questions": [{"kind": "rating"}]},  # no columns
    {"questions": [{"kind": "picked", "columns": ["A"], "level": 7}]},
    {"questions": [{"kind": "cloud", "columns": ["A"], "type": "favourite"}]},
    {"questions": [{"kind": "rating", "columns": ["A"], "colour": "red"}]},
    {"levels": {"scale": [5, 1]}},
    {"levels": {"scale": "one to five"}},
    {"read": {"header_style": "sideways"}},
    {"wave": {"label": "2025-H1", "date": "15/05/2025"}},
    {"columns": {"email": "Email"}},
    {"layout": "diagonal"},
    {"layout": "long"},  # long layout without its skill/level columns
    {"questions": [{"kind": "rating", "columns": ["A"], "gate": "B"}]},  # only a picked question has a gate
    {"questions": [{"kind": "picked", "columns": ["A"], "gate": {"exclude": "x"}}]},  # a gate selects nothing
    ["not", "a", "mapping"],
], ids=lambda d: str(d)[:40])
def test_invalid_profiles_are_refused_with_a_one_line_reason(data):
    with pytest.raises(ProfileError) as info:
        parse_profile(data)
    assert str(info.value) and "\n" not in str(info.value)


def test_unreadable_profile_files(tmp_path):
    with pytest.raises(ProfileError):
        load_profile(tmp_path / "missing.yaml")
    bad = write_profile(tmp_path / "bad.yaml", "name: [unclosed\n")
    with pytest.raises(ProfileError) as info:
        load_profile(bad)
    assert "\n" not in str(info.value)


def test_bad_profile_makes_ingest_refuse_not_crash(env):
    path = write_csv(env.tmp / "f.csv", [["Email Address", "Docker"], ["a@example.com", "3"]])
    profile = write_profile(env.tmp / "p.yaml", "questions: [{kind: rating, columns: [No such column]}]\n")
    result = env.ingest(path, profile=profile, wave="2025-H1")
    assert result.status == "rejected"
    assert "\n" not in result.message and result.message
    assert env.snapshot() == {}


# --- what the settings do ----------------------------------------------------------------------------

BASE = """
name: t
wave: 2025-H1
columns: {id: Email Address, team: Team}
"""


def test_na_is_text_unless_declared_missing(env):
    rows = [["Email Address", "Team", "Role", "Docker", "Kubernetes"],
            ["a@example.com", "A", "NA", "NA", "Expert"],
            ["b@example.com", "B", "None", "None", "Basic"],
            ["c@example.com", "C", "Dev", "Basic", "Aware"]]
    path = write_csv(env.tmp / "na.csv", rows)
    # No profile: 'NA' is not a level (row 2 rejected); 'None' is the label for level 0; Role keeps 'None'.
    result = loaded(env.ingest(path, wave="2025-H1"))
    assert result.rows_rejected == 1
    assert env.rows("SELECT source_row, column_name, value FROM rejected_rows") == [(2, "Docker", "NA")]
    assert levels_by_team(env) == {"B": {"docker": 0, "kubernetes": 2}, "C": {"docker": 2, "kubernetes": 1}}
    assert dict(env.rows("SELECT team, role FROM respondents")) == {"B": "None", "C": "Dev"}


def test_declared_missing_marker_means_no_answer(env):
    rows = [["Email Address", "Team", "Role", "Docker", "Kubernetes"],
            ["a@example.com", "A", "NA", "NA", "Expert"],
            ["b@example.com", "B", "None", "None", "Basic"],
            ["c@example.com", "C", "Dev", "Basic", "NA"]]
    path = write_csv(env.tmp / "na.csv", rows)
    profile = write_profile(env.tmp / "p.yaml", """
name: t
wave: 2025-H1
columns: {id: Email Address, team: Team, role: Role}
read: {missing: [NA]}
questions:
  - {kind: rating, columns: [Docker, Kubernetes]}
""")
    result = loaded(env.ingest(path, profile=profile))
    assert result.rows_rejected == 0
    assert levels_by_team(env) == {"A": {"kubernetes": 4}, "B": {"docker": 0, "kubernetes": 2}, "C": {"docker": 2}}
    assert dict(env.rows("SELECT team, role FROM respondents")) == {"A": None, "B": "None", "C": "Dev"}


@pytest.mark.parametrize("question", [
    "{kind: rating, columns: [Docker], skills: {Docker: no_such_skill}}",
    # a multi-select's map offers the skill even though nobody picked that option
    "{kind: picked, columns: [Tools], separator: ';', level: 2, skills: {Docker: docker, Helm: no_such_skill}}",
])
def test_a_profile_naming_a_skill_outside_the_taxonomy_is_refused_in_one_line(env, question):
    rows = [["Email Address", "Team", "Docker", "Tools"], ["a@example.com", "A", "3", "Docker"]]
    profile = write_profile(env.tmp / "p.yaml", BASE + f"questions: [{question}]\n")
    result = env.ingest(write_csv(env.tmp / "f.csv", rows), profile=profile)
    assert result.status == "rejected"
    assert result.message.endswith("maps answers to skills missing from the taxonomy: ['no_such_skill']")
    assert env.snapshot() == {}


def test_extra_labels_extend_the_built_in_ones(env):
    profile = write_profile(env.tmp / "p.yaml", BASE + """
levels: {labels: {4: [guru], 1: [heard of it]}}
questions: [{kind: rating, columns: [Docker]}]
""")
    rows = [["Email Address", "Team", "Docker"], ["a@example.com", "A", "Guru"], ["b@example.com", "B", "Expert"],
            ["c@example.com", "C", "Heard of it"]]
    loaded(env.ingest(write_csv(env.tmp / "l.csv", rows), profile=profile))
    assert levels_by_team(env) == {"A": {"docker": 4}, "B": {"docker": 4}, "C": {"docker": 1}}


def test_replaced_labels_drop_the_built_in_ones(env):
    profile = write_profile(env.tmp / "p.yaml", BASE + """
levels: {labels: {0: [nope], 4: [guru]}, replace: true}
questions: [{kind: rating, columns: [Docker]}]
""")
    rows = [["Email Address", "Team", "Docker"], ["a@example.com", "A", "guru"], ["b@example.com", "B", "nope"],
            ["c@example.com", "C", "Expert"]]
    result = loaded(env.ingest(write_csv(env.tmp / "l.csv", rows), profile=profile))
    assert levels_by_team(env) == {"A": {"docker": 4}, "B": {"docker": 0}}
    assert result.rows_rejected == 1
    assert env.rows("SELECT source_row, value FROM rejected_rows") == [(4, "Expert")]


def test_question_scale_overrides_profile_scale(env):
    profile = write_profile(env.tmp / "p.yaml", BASE + """
questions:
  - {kind: rating, columns: [Docker], scale: [1, 5]}
  - {kind: rating, columns: [Terraform]}
""")
    rows = [["Email Address", "Team", "Docker", "Terraform"], ["a@example.com", "A", "5", "4"],
            ["b@example.com", "B", "1", "0"]]
    loaded(env.ingest(write_csv(env.tmp / "s.csv", rows), profile=profile))
    assert levels_by_team(env) == {"A": {"docker": 4, "terraform": 4}, "B": {"docker": 0, "terraform": 0}}


def test_taxonomy_additions_from_a_profile(env):
    profile = write_profile(env.tmp / "p.yaml", BASE + """
taxonomy:
  areas:
    - {id: programming_languages, track: Custom, en: Programming languages, ja: プログラミング言語}
  skills:
    - {id: python, area: programming_languages, en: Python, ja: Python, aliases: [Python 3]}
    - {id: rust_lang, area: programming_languages, en: Rust, ja: Rust}
questions:
  - {kind: rating, match: "^Rate \\\\["}
""")
    rows = [["Email Address", "Team", "Rate [Python 3]", "Rate [Rust]", "Rate [Docker]"],
            ["a@example.com", "A", "Expert", "Aware", "3"], ["b@example.com", "B", "1", "", "0"]]
    loaded(env.ingest(write_csv(env.tmp / "py.csv", rows), profile=profile))
    assert levels_by_team(env) == {"A": {"python": 4, "rust_lang": 1, "docker": 3}, "B": {"python": 1, "docker": 0}}
    assert env.rows("SELECT area_id, track, name_en, name_ja FROM skill_areas WHERE area_id = 'programming_languages'") \
        == [("programming_languages", "Custom", "Programming languages", "プログラミング言語")]
    assert sorted(env.rows("SELECT skill_id, area_id FROM skills WHERE area_id = 'programming_languages'")) == \
        [("python", "programming_languages"), ("rust_lang", "programming_languages")]
    # The built-in 20 areas are still there.
    assert env.rows("SELECT count(*) FROM skill_areas WHERE area_id <> 'programming_languages'") == [(20,)]


def test_selector_match_exclude_and_skill_map(env):
    profile = write_profile(env.tmp / "p.yaml", BASE + r"""
questions:
  - kind: rating
    match: "^Skills \\["
    exclude: "Comment"
    skills: {"K8s (orchestration)": kubernetes}
""")
    rows = [["Email Address", "Team", "Skills [Docker]", "Skills [K8s (orchestration)]", "Skills [Comment]"],
            ["a@example.com", "A", "Expert", "Basic", "free text here"],
            ["b@example.com", "B", "Aware", "None", "more text"]]
    result = loaded(env.ingest(write_csv(env.tmp / "sel.csv", rows), profile=profile))
    assert result.rows_rejected == 0
    assert levels_by_team(env) == {"A": {"docker": 4, "kubernetes": 2}, "B": {"docker": 1, "kubernetes": 0}}


def test_highest_level_counts_when_several_questions_feed_a_skill(env):
    profile = write_profile(env.tmp / "p.yaml", BASE + """
questions:
  - {kind: rating, columns: [Docker]}
  - {kind: picked, columns: [Tools], separator: ";", level: 3}
""")
    rows = [["Email Address", "Team", "Docker", "Tools"],
            ["a@example.com", "A", "Basic", "Docker;Kubernetes"],  # docker: max(2, 3) = 3
            ["b@example.com", "B", "Expert", "Docker"],  # docker: max(4, 3) = 4; kubernetes unpicked: 0
            ["c@example.com", "C", "Aware", ""]]  # docker: 1; skipped Tools: no kubernetes row
    loaded(env.ingest(write_csv(env.tmp / "max.csv", rows), profile=profile))
    assert levels_by_team(env) == {"A": {"docker": 3, "kubernetes": 3}, "B": {"docker": 4, "kubernetes": 0},
                                   "C": {"docker": 1}}


def test_a_gated_question_counts_everyone_who_answered_its_gate(env):
    profile = write_profile(env.tmp / "p.yaml", BASE + """
questions:
  - {kind: rating, columns: [Docker]}
  - {kind: picked, columns: [Tools], separator: ";", level: 3, gate: Uses tools?,
     skills: {Docker: docker, Kubernetes: kubernetes}}
""")
    rows = [["Email Address", "Team", "Docker", "Uses tools?", "Tools"],
            ["a@example.com", "A", "Basic", "Yes", "Kubernetes"],  # shown Tools, picked kubernetes
            ["b@example.com", "B", "Basic", "No", ""],  # answered the gate, never shown Tools: 0s
            ["c@example.com", "C", "Basic", "", ""]]  # skipped the gate: no Tools rows
    loaded(env.ingest(write_csv(env.tmp / "gate.csv", rows), profile=profile))
    # Kubernetes: 1 of the 2 who answered the gate (50%), not 1 of the 1 shown the follow-up.
    assert levels_by_team(env) == {"A": {"docker": 2, "kubernetes": 3}, "B": {"docker": 2, "kubernetes": 0},
                                   "C": {"docker": 2}}


def test_preferred_cloud_with_several_providers_rejects_the_row(env):
    profile = write_profile(env.tmp / "p.yaml", BASE + """
questions:
  - {kind: rating, columns: [Docker]}
  - {kind: cloud, type: preferred, columns: [Main cloud], separator: ";", providers: {IBM Cloud: Other}}
""")
    rows = [["Email Address", "Team", "Docker", "Main cloud"],
            ["a@example.com", "A", "3", "AWS"],
            ["b@example.com", "B", "3", "AWS;Azure"],
            ["c@example.com", "C", "3", "IBM Cloud"],
            ["d@example.com", "D", "3", "Oracle Cloud"]]
    result = loaded(env.ingest(write_csv(env.tmp / "pref.csv", rows), profile=profile))
    assert result.rows_rejected == 1
    assert [r[0] for r in env.rows("SELECT source_row FROM rejected_rows")] == [3]
    got = sorted(env.rows("SELECT r.team, c.provider, c.kind FROM cloud_preferences c "
                          "JOIN respondents r USING (wave_id, respondent_id)"))
    assert got == [("A", "AWS", "preferred"), ("C", "Other", "preferred"), ("D", "Other", "preferred")]


def test_interest_question_from_profile(env):
    profile = write_profile(env.tmp / "p.yaml", BASE + """
questions:
  - {kind: rating, columns: [Docker]}
  - {kind: interest, columns: [Next], separator: "/"}
""")
    rows = [["Email Address", "Team", "Docker", "Next"], ["a@example.com", "A", "3", "Terraform / Istio"],
            ["b@example.com", "B", "3", ""]]
    loaded(env.ingest(write_csv(env.tmp / "int.csv", rows), profile=profile))
    assert sorted(env.rows("SELECT skill_id FROM learning_interests")) == [("istio",), ("terraform",)]


def test_submitted_at_format_and_buddhist_era(env):
    profile = write_profile(env.tmp / "p.yaml", """
name: thai
columns:
  id: Email Address
  team: Team
  submitted_at: {column: Timestamp, format: "%d/%m/%Y %H:%M:%S", era: buddhist}
questions: [{kind: rating, columns: [Docker]}]
""")
    rows = [["Timestamp", "Email Address", "Team", "Docker"],
            ["15/03/2568 10:00:00", "a@example.com", "A", "3"],
            ["02/04/2568 11:30:00", "b@example.com", "B", "2"],
            ["20/08/2568 09:00:00", "c@example.com", "C", "1"]]
    result = loaded(env.ingest(write_csv(env.tmp / "th.csv", rows), profile=profile))
    # 2568 BE = 2025 CE; median submission 2025-04-02 -> 2025-H1.
    assert result.wave == "2025-H1"
    assert dict(env.rows("SELECT team, submitted_at FROM respondents")) == {
        "A": dt.datetime(2025, 3, 15, 10), "B": dt.datetime(2025, 4, 2, 11, 30), "C": dt.datetime(2025, 8, 20, 9)}


def test_profile_wave_is_used_and_command_line_wave_wins(env):
    profile = write_profile(env.tmp / "p.yaml", BASE + "questions: [{kind: rating, columns: [Docker]}]\n")
    rows = [["Timestamp", "Email Address", "Team", "Docker"], ["2019/11/01 10:00:00", "a@example.com", "A", "3"]]
    path = write_csv(env.tmp / "w.csv", rows)
    assert loaded(env.ingest(path, profile=profile)).wave == "2025-H1"  # profile beats the 2019-H2 timestamps
    assert loaded(env.ingest(path, profile=profile, wave="Autumn survey")).wave == "Autumn survey"
    assert sorted(r[0] for r in env.rows("SELECT label FROM waves")) == ["2025-H1", "Autumn survey"]


def test_declared_encoding_and_delimiter(env):
    profile = write_profile(env.tmp / "p.yaml", BASE + """
read: {encoding: cp1252, delimiter: ";"}
questions: [{kind: rating, columns: [Docker]}]
""")
    rows = [["Email Address", "Team", "Docker"], ["a@example.com", "Équipe Zürich, Süd", "3"],
            ["b@example.com", "Straße", "1"]]
    path = write_csv(env.tmp / "enc.csv", rows, encoding="cp1252", delimiter=";")
    loaded(env.ingest(path, profile=profile))
    assert levels_by_team(env) == {"Équipe Zürich, Süd": {"docker": 3}, "Straße": {"docker": 1}}


def test_name_row_selects_columns_by_the_second_header_row(env):
    profile = write_profile(env.tmp / "p.yaml", """
name: codes-below
wave: 2025-H1
read: {header_rows: 2, name_row: 2}
columns: {id: email, team: team}
questions: [{kind: rating, columns: [docker_level], skills: {docker_level: docker}}]
""")
    rows = [["Your work email", "Your team", "How well do you know Docker?"],
            ["email", "team", "docker_level"],
            ["a@example.com", "A", "Expert"], ["b@example.com", "B", "1"]]
    loaded(env.ingest(write_csv(env.tmp / "nr.csv", rows), profile=profile))
    assert levels_by_team(env) == {"A": {"docker": 4}, "B": {"docker": 1}}


def test_employee_id_kind(env):
    profile = write_profile(env.tmp / "p.yaml", """
name: emp
wave: 2025-H1
id_kind: employee_id
columns: {id: Staff number, team: Team}
questions: [{kind: rating, columns: [Docker]}]
""")
    rows = [["Staff number", "Team", "Docker"], ["E-0001", "A", "3"], ["E-0002", "B", "2"]]
    loaded(env.ingest(write_csv(env.tmp / "emp.csv", rows), profile=profile))
    ids = [r[0] for r in env.rows("SELECT respondent_id FROM respondents")]
    assert len(set(ids)) == 2 and not any("0001" in i or "0002" in i for i in ids)
