"""End-to-end ingests into a temporary database: rejections, refusals, idempotence, deletion, waves."""
from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import threading
import time

import duckdb
import pytest
from pipeline_fixtures import email, levels_by_team, write_csv

from pipelines import db as dbmod
from pipelines import load
from pipelines.ingest import delete

GOOD = [["Timestamp", "Email Address", "Team", "Docker", "Kubernetes", "What would you like to learn next?",
         "Preferred cloud"],
        ["2025/02/01 10:00:00", "a@example.com", "A", "Expert", "Basic", "Terraform", "AWS"],
        ["2025/02/02 10:00:00", "b@example.com", "B", "Aware", "", "Istio;Terraform", "GCP"],
        ["2025/02/03 10:00:00", "c@example.com", "C", "None", "Proficient", "", "Azure"]]



def loaded(result):
    assert result.status == "loaded", result.message
    assert result.rows_read == result.rows_loaded + result.rows_rejected
    return result


def load_good(env, name="good.csv", wave=None):
    return loaded(env.ingest(write_csv(env.tmp / name, GOOD), wave=wave))


def test_good_file_loads_every_table(env):
    result = load_good(env)
    assert result.wave == "2025-H1"
    assert (result.rows_read, result.rows_loaded, result.rows_rejected, result.respondents, result.answers) == \
        (3, 3, 0, 3, 5)
    assert levels_by_team(env) == {"A": {"docker": 4, "kubernetes": 2}, "B": {"docker": 1},
                                   "C": {"docker": 0, "kubernetes": 3}}
    assert env.rows("SELECT count(*) FROM learning_interests") == [(3,)]
    assert env.rows("SELECT count(*) FROM cloud_preferences WHERE kind = 'preferred'") == [(3,)]
    sha = hashlib.sha256((env.tmp / "good.csv").read_bytes()).hexdigest()
    assert env.rows("SELECT ingestion_id, file_name, file_sha256, rows_read, rows_loaded, rows_rejected, status "
                    "FROM ingestions") == [(result.ingestion_id, "good.csv", sha, 3, 3, 0, "loaded")]
    assert env.rows("SELECT label, survey_date FROM waves")[0][0] == "2025-H1"
    # The taxonomy is in place for analysts to join to.
    assert env.rows("SELECT count(*) FROM skill_areas") == [(20,)]


# --- row-level rejections ----------------------------------------------------------------------------

def test_rejected_rows_carry_spreadsheet_row_column_value_and_reason(env):
    rows = [["Timestamp", "Email Address", "Team", "Docker", "Kubernetes", "Comment"],
            ["2025/05/01 10:00:00", "a@example.com", "A", "Expert", "Basic", "multi\nline\ncomment"],  # row 2
            ["2025/05/01 11:00:00", "b@example.com", "B", "guru", "Basic", ""],  # row 3: bad label
            ["2025/05/01 12:00:00", "c@example.com", "C", "Basic", "Aware", "ok"],  # row 4
            ["2025/05/01 13:00:00", "d@example.com", "D", "7", "Aware", ""],  # row 5: out of range
            ["not a date", "e@example.com", "E", "Basic", "Aware", ""],  # row 6: bad timestamp
            ["2025/05/01 15:00:00", "", "F", "Basic", "Aware", ""],  # row 7: no id
            ["2025/05/01 16:00:00", "g@example.com", "G", "x", "y", "two bad cells"],  # row 8
            ["2025/05/01 17:00:00", "h@example.com", "H", "Proficient", "Expert", ""],  # row 9
            ["2025/05/01 18:00:00", "i@example.com", "I", "Proficient", "Expert", ""],  # row 10
            ["2025/05/01 19:00:00", "j@example.com", "J", "Proficient", "Expert", ""],  # row 11
            ["2025/05/01 20:00:00", "k@example.com", "K", "Proficient", "Expert", ""],  # row 12
            ["2025/05/01 21:00:00", "l@example.com", "L", "Proficient", "Expert", ""]]  # row 13
    result = loaded(env.ingest(write_csv(env.tmp / "bad.csv", rows)))
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (12, 7, 5)
    got = env.rows("SELECT source_row, column_name, value, reason FROM rejected_rows ORDER BY source_row, column_name")
    by_row = {}
    for row, column, value, reason in got:
        assert reason and "\n" not in reason
        by_row.setdefault(row, []).append((column, value))
    assert sorted(by_row) == [3, 5, 6, 7, 8]
    assert by_row[3] == [("Docker", "guru")]
    assert by_row[5] == [("Docker", "7")]  # the spreadsheet's column, not an internal field name
    assert by_row[6] == [("Timestamp", "not a date")]
    assert [c for c, _ in by_row[7]] == ["Email Address"]
    assert by_row[8] == [("Docker", "x"), ("Kubernetes", "y")]
    assert set(levels_by_team(env)) == {"A", "C", "H", "I", "J", "K", "L"}
    stored = env.rows("SELECT rows_read, rows_loaded, rows_rejected FROM ingestions")
    assert stored == [(12, 7, 5)]


def test_ragged_record_is_rejected_with_its_row_and_the_rest_loads(env):
    text = ("Email Address,Team,Docker,Comment\n"
            'a@example.com,A,Expert,"line one\nline two"\n'  # row 2 (two physical lines)
            "b@example.com,B,Basic\n"  # row 3: a field short
            "c@example.com,C,Aware,ok\n"  # row 4
            "d@example.com,D,Basic,ok,extra\n"  # row 5: a field too many
            "e@example.com,E,wrong,ok\n"  # row 6: bad label
            "f@example.com,F,None,ok\n"  # row 7
            "g@example.com,G,Expert,ok\n")  # row 8
    path = env.tmp / "ragged.csv"
    path.write_text(text, encoding="utf-8")
    result = loaded(env.ingest(path, wave="2025-H1"))
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (7, 4, 3)
    assert sorted({r[0] for r in env.rows("SELECT source_row FROM rejected_rows")}) == [3, 5, 6]
    assert levels_by_team(env) == {"A": {"docker": 4}, "C": {"docker": 1}, "F": {"docker": 0}, "G": {"docker": 4}}


def test_exactly_half_failing_still_loads(env):
    rows = [["Email Address", "Team", "Docker"], ["a@example.com", "A", "x"], ["b@example.com", "B", "y"],
            ["c@example.com", "C", "1"], ["d@example.com", "D", "2"]]
    result = loaded(env.ingest(write_csv(env.tmp / "half.csv", rows), wave="2025-H1"))
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (4, 2, 2)


# --- refusals write nothing --------------------------------------------------------------------------

def _refusal_files(tmp):
    files = {}
    (tmp / "empty.csv").write_bytes(b"")
    files["empty"] = tmp / "empty.csv"
    files["header-only"] = write_csv(tmp / "header_only.csv", [["Email Address", "Team", "Docker"]])
    (tmp / "binary.csv").write_bytes(b"\x00\x01\x02\x03\xff\xfe\xfd" * 400)
    files["binary"] = tmp / "binary.csv"
    (tmp / "image.xlsx").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    files["png-named-xlsx"] = tmp / "image.xlsx"
    files["no-skill-columns"] = write_csv(tmp / "noskills.csv", [
        ["Email Address", "Team", "Favourite food", "Shoe size"],
        ["a@example.com", "A", "Sushi", "42"], ["b@example.com", "B", "Pizza", "39"]])
    files["more-than-half-fail"] = write_csv(tmp / "mostlybad.csv", [
        ["Email Address", "Team", "Docker"], ["a@example.com", "A", "x"], ["b@example.com", "B", "y"],
        ["c@example.com", "C", "z"], ["d@example.com", "D", "2"], ["e@example.com", "E", "3"]])
    files["excel-joined-header"] = write_csv(tmp / "joined.csv", [
        ["Timestamp,Email Address,Team,Docker,Kubernetes,Terraform", "", "", ""],
        ["2025/01/01 10:00:00,a@example.com,A,Expert", "Basic", "", ""],
        ["2025/01/01 10:00:00,b@example.com,B,Aware", "", "", ""]], delimiter=";")
    return files


@pytest.mark.parametrize("kind", ["empty", "header-only", "binary", "png-named-xlsx", "no-skill-columns",
                                  "more-than-half-fail", "excel-joined-header"])
def test_refused_files_write_nothing(env, kind):
    load_good(env)
    before = env.snapshot()
    assert before["answers"]  # there is something to disturb
    path = _refusal_files(env.tmp)[kind]
    result = env.ingest(path, wave="2025-H1")
    assert result.status == "rejected"
    assert result.message and "\n" not in result.message and "Traceback" not in result.message
    assert result.ingestion_id is None
    assert (result.rows_loaded, result.respondents, result.answers) == (0, 0, 0)
    assert result.rows_read == result.rows_loaded + result.rows_rejected
    assert env.snapshot() == before


def test_header_only_file_is_refused_with_a_plain_reason(env):
    result = env.ingest(_refusal_files(env.tmp)["header-only"], wave="2025-H1")
    assert result.status == "rejected"
    # The user learns the file has no responses, not a CSV library's internal parse error.
    assert "parse error" not in result.message.lower()
    assert "no responses" in result.message.lower() or "header" in result.message.lower()


def test_refusal_on_a_fresh_database_creates_no_data(env):
    result = env.ingest(_refusal_files(env.tmp)["no-skill-columns"], wave="2025-H1")
    assert result.status == "rejected"
    snap = env.snapshot()
    for table in ("waves", "ingestions", "respondents", "answers", "rejected_rows", "cloud_preferences",
                  "learning_interests"):
        assert snap.get(table, []) == [], table


def test_failure_mid_write_leaves_no_trace(env, monkeypatch):
    """One ingestion is one transaction: an error at the very end rolls everything back."""
    load_good(env)
    before = env.snapshot()

    def boom(*args, **kwargs):
        raise RuntimeError("simulated crash after the inserts")

    monkeypatch.setattr(load, "refresh_aggregates", boom)
    rows = [["Email Address", "Team", "Docker"], ["z@example.com", "Z", "4"]]
    with contextlib.suppress(RuntimeError):  # raising or reporting the failure are both fine here
        env.ingest(write_csv(env.tmp / "crash.csv", rows), wave="2025-H2")
    assert env.snapshot() == before


def test_a_person_twice_in_a_wave_is_refused_whole(env, monkeypatch):
    """respondents' primary key (wave_id, respondent_id) refuses a second row of a person in a
    wave. Switch off the in-file dedup so a repeated person reaches the write."""
    from pipelines import ingest

    load_good(env)
    before = env.snapshot()
    monkeypatch.setattr(ingest, "_latest_submission", lambda rows: (rows, ingest._no_rows()))
    rows = [["Email Address", "Team", "Docker"], ["z@example.com", "Z", "4"], ["Z@Example.com ", "Z", "2"]]
    with pytest.raises(duckdb.ConstraintException, match="duplicate key"):
        env.ingest(write_csv(env.tmp / "twice.csv", rows), wave="2025-H2")
    assert env.snapshot() == before


# --- idempotence and deletion --------------------------------------------------------------------------

def test_same_file_same_wave_is_already_loaded_and_changes_nothing(env):
    first = load_good(env)
    before = env.snapshot()
    again = env.ingest(env.tmp / "good.csv")
    assert again.status == "already_loaded"
    assert again.ingestion_id == first.ingestion_id
    assert str(first.ingestion_id) in again.message
    assert again.rows_read == again.rows_loaded + again.rows_rejected
    assert env.snapshot() == before
    # Same bytes under another name: still the same content, still a no-op.
    copy = env.tmp / "renamed copy.csv"
    copy.write_bytes((env.tmp / "good.csv").read_bytes())
    assert env.ingest(copy).status == "already_loaded"
    assert env.snapshot() == before


def test_same_file_into_another_wave_loads_again(env):
    first = load_good(env)
    second = loaded(env.ingest(env.tmp / "good.csv", wave="2025-H2"))
    assert second.ingestion_id != first.ingestion_id
    assert env.rows("SELECT w.label, count(*) FROM respondents JOIN waves w USING (wave_id) GROUP BY 1 ORDER BY 1") \
        == [("2025-H1", 3), ("2025-H2", 3)]


def test_delete_removes_everything_of_one_ingestion(env):
    a = load_good(env, "a.csv", wave="2024-H2")
    rows_b = [["Email Address", "Team", "Docker", "What would you like to learn next?", "Preferred cloud"],
              ["x@example.com", "X", "Basic", "Docker", "AWS"], ["y@example.com", "Y", "bogus", "", "GCP"],
              ["z@example.com", "Z", "Expert", "Istio", "None"]]
    b = loaded(env.ingest(write_csv(env.tmp / "b.csv", rows_b), wave="2025-H1"))
    tables = ("respondents", "answers", "cloud_preferences", "learning_interests", "rejected_rows", "ingestions")
    keep_b = {t: sorted(env.rows(f"SELECT * FROM {t} WHERE ingestion_id = ?", [b.ingestion_id])) for t in tables}
    assert all(env.rows(f"SELECT count(*) FROM {t} WHERE ingestion_id = ?", [a.ingestion_id])[0][0]
               for t in ("respondents", "answers", "cloud_preferences", "learning_interests", "ingestions"))
    assert delete(env.db, a.ingestion_id) is True
    for t in tables:
        assert env.rows(f"SELECT count(*) FROM {t} WHERE ingestion_id = ?", [a.ingestion_id]) == [(0,)], t
        assert sorted(env.rows(f"SELECT * FROM {t} WHERE ingestion_id = ?", [b.ingestion_id])) == keep_b[t], t
    assert [r[0] for r in env.rows("SELECT label FROM waves")] == ["2025-H1"]
    assert delete(env.db, 999) is False
    # Deleted content can be loaded again afterwards.
    assert loaded(env.ingest(env.tmp / "a.csv", wave="2024-H2")).status == "loaded"


# --- waves --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("stamps, expected", [
    (["2025/06/28 10:00:00", "2025/07/02 10:00:00", "2025/07/03 10:00:00"], "2025-H2"),
    (["2024/01/15 10:00:00", "2024/12/30 10:00:00", "2024/02/01 10:00:00"], "2024-H1"),
    (["2023/06/30 23:59:00", "2023/06/29 08:00:00", "2024/01/01 00:00:00"], "2023-H1"),
])
def test_wave_defaults_to_half_year_of_median_submission(env, stamps, expected):
    rows = [["Timestamp", "Email Address", "Team", "Docker"]] + \
        [[s, email(i), f"T{i}", "2"] for i, s in enumerate(stamps)]
    result = loaded(env.ingest(write_csv(env.tmp / "w.csv", rows)))
    assert result.wave == expected
    assert [r[0] for r in env.rows("SELECT label FROM waves")] == [expected]


def test_submission_times_with_differing_utc_offsets_load_as_stated_local_times(env):
    """An export merged from tools in two time zones (and one without a zone): each time is kept
    as the wall-clock time it states, rather than the file being refused."""
    rows = [["Timestamp", "Email Address", "Team", "Docker"],
            ["2025-03-01 09:30:00+09:00", "a@example.com", "A", "2"],
            ["2025-03-02 10:15:00+01:00", "b@example.com", "B", "3"],
            ["2025-03-03 11:45:00", "c@example.com", "C", "1"],
            ["not a time", "d@example.com", "D", "4"]]
    result = loaded(env.ingest(write_csv(env.tmp / "tz.csv", rows)))
    assert (result.rows_loaded, result.rows_rejected, result.wave) == (3, 1, "2025-H1")
    assert sorted(r[0] for r in env.rows("SELECT submitted_at FROM respondents")) == [
        dt.datetime(2025, 3, 1, 9, 30), dt.datetime(2025, 3, 2, 10, 15), dt.datetime(2025, 3, 3, 11, 45)]
    assert env.rows("SELECT source_row, value FROM rejected_rows") == [(5, "not a time")]


def test_wave_option_wins_and_wave_date_is_stored(env):
    rows = [["Timestamp", "Email Address", "Team", "Docker"], ["2025/02/01 10:00:00", "a@example.com", "A", "2"]]
    path = write_csv(env.tmp / "w.csv", rows)
    result = loaded(env.ingest(path, wave="FY2024 autumn", wave_date=dt.date(2024, 10, 15)))
    assert result.wave == "FY2024 autumn"
    assert env.rows("SELECT label, survey_date FROM waves") == [("FY2024 autumn", dt.date(2024, 10, 15))]


# --- one writer at a time --------------------------------------------------------------------------------

def test_second_writer_waits_instead_of_failing(env):
    load_good(env, "first.csv", wave="2025-H1")
    holding = threading.Event()
    release = threading.Event()

    def hold_writer():
        with dbmod.writer(env.db):
            holding.set()
            release.wait(10)

    t = threading.Thread(target=hold_writer)
    t.start()
    assert holding.wait(10)
    outcome = {}

    def second():
        outcome["result"] = env.ingest(write_csv(env.tmp / "second.csv", [
            ["Email Address", "Team", "Docker"], ["q@example.com", "Q", "3"]]), wave="2025-H2")

    s = threading.Thread(target=second)
    s.start()
    time.sleep(0.3)  # give the second writer time to hit the lock (no assertion on timing)
    assert "result" not in outcome  # still waiting, not failed
    release.set()
    t.join(10)
    s.join(30)
    loaded(outcome["result"])
    assert env.rows("SELECT count(*) FROM ingestions") == [(2,)]
