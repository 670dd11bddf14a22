"""An organisation's own survey loads right with no profile (issue 16): its own skills, its own
scale, pick lists whose labels hold commas, Yes/No columns, one question per skill.

Each export is made by hand in the style of the tool named; the expected share of respondents
at proficient or above (level >= 3) per skill is counted by hand from the rows, in the comment
beside each expectation. Names typed into the exports must not reach the database.
"""
from __future__ import annotations

from fractions import Fraction

import duckdb
from pipeline_fixtures import write_csv, write_xlsx

from pipelines.levels import detect_scale, stated_scale
from pipelines.text import match_key
from pipelines.transform import split_joined


def loaded(result):
    assert result.status == "loaded", result.message
    assert result.rows_read == result.rows_loaded + result.rows_rejected
    return result


def shares(env) -> dict[str, Fraction]:
    """Skill name as stored -> share of those who answered it at level 3 or above."""
    rows = env.rows("SELECT s.name_en, count(*) FILTER (WHERE a.level >= 3), count(*) "
                    "FROM answers a JOIN skills s USING (skill_id) GROUP BY s.name_en")
    return {name: Fraction(good, total) for name, good, total in rows}


def stored_text(db: str) -> set[str]:
    """Every VARCHAR value in every table (a SQL scan: DuckDB compresses strings on disk)."""
    con = duckdb.connect(db, read_only=True)
    try:
        found = set()
        for table, column in con.execute(
                "SELECT table_name, column_name FROM duckdb_columns() WHERE data_type = 'VARCHAR' "
                "AND database_name = current_database() AND NOT internal").fetchall():
            found |= {v for (v,) in con.execute(f'SELECT DISTINCT "{column}"::VARCHAR FROM "{table}"').fetchall()
                      if v}
        return found
    finally:
        con.close()


def assert_not_stored(env, names: list[str], present: str) -> None:
    text = stored_text(env.db)
    assert any(present in v for v in text), "the scan sees stored text (positive control)"
    leaked = [n for n in names if any(n.lower() in v.lower() for v in text)]
    assert leaked == []


# --- Google Forms: a grid of the team's own skills rated 1 - No experience .. 5 - Expert ------

def test_google_forms_grid_of_own_skills_on_a_labelled_1_to_5_scale(env):
    q = "Rate your experience with each tool"
    label = {1: "1 - No experience", 2: "2 - Beginner", 3: "3 - Competent", 4: "4 - Proficient", 5: "5 - Expert"}
    people = [  # name, team, Ansible, Prometheus, Docker (0 = left empty)
        ("Hanako Yamadaberg", "Platform", 5, 1, 4),
        ("Quentin Oxleworth", "Platform", 4, 2, 3),
        ("Priyanka Venkataraghavan", "Data", 3, 0, 5),
        ("Zebulon Quickfoot", "Data", 2, 5, 1),
        ("Marisol Etxeberria", "Web", 1, 4, 2),
        ("Tobiah Wrenfield", "Web", 4, 3, 0),
    ]
    rows = [["Timestamp", "Email Address", "Full name", "Team", f"{q} [Ansible]", f"{q} [Prometheus]",
             f"{q} [Docker]", "Anything else you want to tell us?"]]
    for i, (name, team, *answers) in enumerate(people):
        rows.append([f"2025/04/0{i + 1} 10:00:00", f"p{i}@example.com", name, team,
                     *(label[a] if a else "" for a in answers), f"{name} says hi"])
    result = loaded(env.ingest(write_csv(env.tmp / "forms.csv", rows)))
    assert result.rows_rejected == 0
    # Answers >= 4 are level >= 3 (1 -> 0 ... 5 -> 4). Ansible: 5, 4, 4 of 6 answered; Prometheus:
    # 5, 4 of 5 answered; Docker: 4, 5 of 5 answered.
    assert shares(env) == {"Ansible": Fraction(3, 6), "Prometheus": Fraction(2, 5), "Docker": Fraction(2, 5)}
    # The bottom answer is no experience, not "aware".
    assert sorted(env.rows("SELECT level FROM answers a JOIN skills s USING (skill_id) "
                           "WHERE s.name_en = 'Ansible'")) == [(0,), (1,), (2,), (3,), (3,), (4,)]
    # Custom skills sit in a custom area named after their question.
    assert env.rows("SELECT DISTINCT a.name_en, a.track FROM skills s JOIN skill_areas a USING (area_id) "
                    "WHERE s.name_en IN ('Ansible', 'Prometheus')") == [(q, "Custom")]
    assert_not_stored(env, [name for name, *_ in people], present="Platform")


# --- Google Forms checkbox question whose labels hold commas ---------------------------------

R_CLI = "R Command Line (i.e., the native R terminal interface)"
VSCODE = "Visual Studio Code, with the R extension"


def test_checkbox_labels_with_commas_survive_the_join(env):
    picks = [[R_CLI], [R_CLI, "RStudio"], ["RStudio", "Jupyter Notebook"],
             ["Jupyter Notebook", R_CLI, VSCODE], [VSCODE]]
    rows = [["Timestamp", "Email Address", "Team", "Which tools do you use regularly?"]]
    for i, chosen in enumerate(picks):
        rows.append([f"2025/05/0{i + 1} 10:00:00", f"p{i}@example.com", f"T{i}", ", ".join(chosen)])
    result = loaded(env.ingest(write_csv(env.tmp / "checkbox.csv", rows)))
    assert result.warnings == []
    # Everyone answered, a pick is level 3 and an option not picked level 0. R_CLI picked by rows
    # 1, 2, 4 of 5; RStudio 2, 3; Jupyter 3, 4; VSCODE 4, 5.
    assert shares(env) == {R_CLI: Fraction(3, 5), "RStudio": Fraction(2, 5), "Jupyter Notebook": Fraction(2, 5),
                           VSCODE: Fraction(2, 5)}


def test_split_joined_takes_known_labels_longest_first():
    options = [match_key(R_CLI), match_key(VSCODE), match_key("RStudio")]
    cell = f"{VSCODE}, RStudio, {R_CLI}, Emacs"
    assert split_joined(cell, ",", options) == [VSCODE, "RStudio", R_CLI, "Emacs"]


# --- LimeSurvey: one Yes/No column per option -------------------------------------------------

def test_limesurvey_yes_no_columns_per_option(env):
    q = "Which of these do you use at work?"
    answers = [("Yes", "Yes", "No"), ("No", "Yes", "No"), ("No", "No", "No"), ("Yes", "No", "Yes")]
    rows = [["id", "submitdate", "Email address", "Team", f"{q} [Ansible]", f"{q} [Grafana]", f"{q} [Docker]"]]
    for i, (a, g, d) in enumerate(answers):
        rows.append([str(i + 1), f"2025-06-0{i + 1} 09:00:00", f"p{i}@example.com", f"T{i}", a, g, d])
    loaded(env.ingest(write_csv(env.tmp / "lime.csv", rows), wave="2025-H1"))
    # Yes is a pick (level 3), No is answered-but-not-picked (level 0); the third person said No
    # to all and counts in every denominator. Ansible: rows 1, 4 of 4; Grafana: 1, 2; Docker: 4.
    assert shares(env) == {"Ansible": Fraction(2, 4), "Grafana": Fraction(2, 4), "Docker": Fraction(1, 4)}


# --- Microsoft Forms workbook: one single-choice question per skill ---------------------------

def test_microsoft_forms_one_question_per_skill(env):
    header = ["ID", "Start time", "Completion time", "Email", "Name", "How experienced are you with Terraform?",
              "How experienced are you with Pulumi?", "How experienced are you with Crossplane?"]
    scale = ["No experience", "Little experience", "Some experience", "Experienced", "Very experienced"]
    answers = [(3, 1, 0), (4, 0, 0), (0, 2, 1), (2, None, 3), (3, 4, 2)]  # points on the scale above
    names = ["Ingeborg Halvorsrud", "Cornelius Vandersloot", "Aurelio Fenwick", "Oksana Drummelow", "Wilhelmina Tarr"]
    rows = [header]
    for i, (name, points) in enumerate(zip(names, answers, strict=True)):
        rows.append([i + 1, f"2025-03-0{i + 1} 09:00:00", f"2025-03-0{i + 1} 09:05:00", f"p{i}@example.com", name,
                     *(scale[p] if p is not None else None for p in points)])
    result = loaded(env.ingest(write_xlsx(env.tmp / "msforms.xlsx", {"Form1": rows})))
    assert result.wave == "2025-H1"
    # Five points map onto 0-4 one to one. Terraform: 3, 4, 0, 2, 3 -> 3 of 5 at 3+; Pulumi: 1, 0,
    # 2, 4 -> 1 of 4; Crossplane: 0, 0, 1, 3, 2 -> 1 of 5. The response number is no skill.
    assert shares(env) == {"Terraform": Fraction(3, 5), "Pulumi": Fraction(1, 4), "Crossplane": Fraction(1, 5)}
    assert_not_stored(env, names, present="Crossplane")


# --- SurveyMonkey: a question over an option row, numbers 1-5 stated in the question ---------

def test_surveymonkey_style_rating_matrix_1_to_5(env):
    q = "How would you rate your skill with each of these? (1 = none, 5 = expert)"
    rows = [["Respondent ID", "Collector ID", "Start Date", "End Date", "Email Address", "First Name", "Last Name",
             "Department", q, "", ""],
            ["", "", "", "", "", "", "", "Response", "Ansible", "Grafana", "Kubernetes"]]
    answers = [(5, 3, 1), (4, 5, 1), (1, 4, 5), (2, 1, 4), (None, 2, 3)]
    names = [("Ottoline", "Brackwater"), ("Severin", "Mallowby"), ("Delphine", "Quarrington"),
             ("Anselm", "Thistlewood"), ("Rosalind", "Pennycuick")]
    for i, ((first, last), points) in enumerate(zip(names, answers, strict=True)):
        rows.append([str(9000 + i), "42", f"05/0{i + 1}/2025 09:00:00", f"05/0{i + 1}/2025 09:10:00",
                     f"p{i}@example.com", first, last, "Ops" if i < 3 else "Dev",
                     *(str(p) if p is not None else "" for p in points)])
    loaded(env.ingest(write_csv(env.tmp / "monkey.csv", rows)))
    # 1-5 -> 0-4, so answers 4 and 5 are level 3+. Ansible: 5, 4 of 4 answered; Grafana: 5, 4 of 5;
    # Kubernetes: 5, 4 of 5.
    assert shares(env) == {"Ansible": Fraction(2, 4), "Grafana": Fraction(2, 5), "Kubernetes": Fraction(2, 5)}
    assert_not_stored(env, [n for pair in names for n in pair], present="Ops")


# --- the scale rule -----------------------------------------------------------------------------

def test_scales_are_read_from_the_answers_and_the_header():
    # Numbers: ends from what was answered, 1-5 -> 0-4 linearly.
    assert detect_scale(["1", "2", "3", "4", "5"]).points == {"1": 0, "2": 1, "3": 2, "4": 3, "5": 4}
    # 1-10: (x - 1) * 4 / 9 rounded: 1 -> 0, 4 -> 1.33 -> 1, 7 -> 2.67 -> 3, 10 -> 4.
    assert detect_scale(["1", "4", "7", "10"]).points == {"1": 0, "4": 1, "7": 3, "10": 4}
    # A header that states the scale wins over the answers seen (nobody answered 1 or 5 here).
    assert stated_scale("Docker (1 = no experience, 5 = expert)") == (1, 5)
    assert detect_scale(["2", "3", "4"], "Docker (1 = no experience, 5 = expert)").points == {"2": 1, "3": 2, "4": 3}
    # A known label set in its own order; Japanese too.
    assert detect_scale(["Never", "Sometimes", "Always", "Rarely", "Often"]).points == {
        "Never": 0, "Sometimes": 2, "Always": 4, "Rarely": 1, "Often": 3}
    assert detect_scale(["全くない", "いつも", "時々"]).points == {"全くない": 0, "いつも": 4, "時々": 2}
    # 1-4 could be a 1-5 scale nobody topped: said, not silently assumed.
    assert detect_scale(["1", "2", "3", "4"]).warning
    # Not scales: yes/no, a 0/1 pick, free text.
    assert detect_scale(["Yes", "No"]) is None
    assert detect_scale(["0", "1"]) is None
    assert detect_scale(["I like it", "too slow", "fine"]) is None
