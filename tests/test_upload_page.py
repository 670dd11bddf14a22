"""The upload page, step by step, through AppTest (the same pipeline code as the CLI)."""
import duckdb
import pytest
from streamlit.testing.v1 import AppTest

GRID = (
    "Timestamp,Email Address,Team,Rate your skills [Docker],Rate your skills [Terraform],Which cloud do you prefer?\n"
    "2025/05/01 10:00:00,a@example.com,Platform,Expert,Proficient,AWS\n"
    "2025/05/01 11:00:00,b@example.com,Platform,Basic,None,GCP\n"
    "2025/05/02 09:00:00,c@example.com,Data,wizard,Basic,Azure\n"
)


@pytest.fixture
def env(tmp_path, monkeypatch):
    db = tmp_path / "skills.duckdb"
    monkeypatch.setenv("SKILLS_DB", str(db))
    monkeypatch.setenv("SKILLS_SECRET_FILE", str(tmp_path / "key"))
    monkeypatch.setenv("SKILLS_PROFILES_DIR", str(tmp_path / "profiles"))
    return db


def page() -> AppTest:
    at = AppTest.from_file("../pages/upload.py", default_timeout=60)
    at.run()
    return at


def button(at, prefix):
    return next(b for b in at.button if b.label.startswith(prefix))


def metrics(at):
    return {m.label: m.value for m in at.metric}


def test_upload_check_load_and_reupload(env):
    at = page()
    assert not at.exception
    at.file_uploader[0].upload("survey.csv", GRID.encode(), "text/csv").run()
    found = metrics(at)
    assert found["Responses"] == "3" and found["Skill columns"] == "2 of 6" and found["Encoding"] == "utf-8"
    assert not env.exists()  # nothing is written by looking at a file

    button(at, "Check the file").click().run()
    found = metrics(at)
    # Row 4 (c@) holds 'wizard': rejected; rows 2 and 3 load.
    assert (found["Rows read"], found["Rows to load"], found["Rows with problems"]) == ("3", "2", "1")
    problems = next(d.value for d in at.dataframe if "reason" in d.value.columns)
    assert problems["row"].tolist() == [4] and "wizard" in problems["reason"].iloc[0]
    assert not env.exists()

    button(at, "Load 2 rows").click().run()
    assert not at.exception
    assert any("2 respondents" in s.value for s in at.success)
    con = duckdb.connect(str(env), read_only=True)
    assert con.execute("SELECT count(*) FROM respondents").fetchall()[0][0] == 2
    con.close()

    # The same file again: detected as already loaded, nothing changes.
    button(at, "Upload another file").click().run()
    at.file_uploader[0].upload("survey.csv", GRID.encode(), "text/csv").run()
    at.radio[0].set_value("An existing wave").run()
    assert at.selectbox[1].value == "2025-H1"
    button(at, "Check the file").click().run()
    button(at, "Load 2 rows").click().run()
    assert any("Nothing changed" in i.value for i in at.info)
    con = duckdb.connect(str(env), read_only=True)
    assert con.execute("SELECT count(*) FROM ingestions").fetchall()[0][0] == 1
    con.close()


def test_mapping_edit_changes_what_loads(env):
    at = page()
    at.file_uploader[0].upload("survey.csv", GRID.encode(), "text/csv").run()
    table = at.data_editor[0].value
    terraform = int(table.index[table["column"] == "Rate your skills [Terraform]"][0])
    assert table.loc[terraform, "role"] == "skill_rating" and table.loc[terraform, "skill"] == "terraform"
    # What the browser sends when a person sets that row's role to "ignore".
    at.session_state["mapping_editor"] = {"edited_rows": {terraform: {"role": "ignore"}}, "added_rows": [],
                                          "deleted_rows": []}
    at.run()
    button(at, "Check the file").click().run()
    # Only Docker remains: 2 valid rows x 1 skill.
    assert metrics(at)["Answers"] == "2"


def test_unreadable_file_is_one_line_error(env):
    at = page()
    at.file_uploader[0].upload("binary.csv", bytes(range(256)) * 50, "text/csv").run()
    assert not at.exception
    assert len(at.error) == 1 and "binary" in at.error[0].value
    assert not env.exists()


def test_delete_ingestion_after_confirmation(env):
    at = page()
    at.file_uploader[0].upload("survey.csv", GRID.encode(), "text/csv").run()
    button(at, "Check the file").click().run()
    button(at, "Load 2 rows").click().run()
    at.run()
    button(at, "Delete ingestion").click().run()
    confirm = [b for b in at.button if b.key == "confirm_delete"]
    assert confirm, "the confirmation dialog shows a Delete button"
    confirm[0].click().run()
    con = duckdb.connect(str(env), read_only=True)
    assert con.execute("SELECT count(*) FROM ingestions").fetchall()[0][0] == 0
    assert con.execute("SELECT count(*) FROM answers").fetchall()[0][0] == 0
    con.close()
    assert any("Deleted ingestion" in m.value for m in at.success)
