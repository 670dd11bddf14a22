"""Respondent ids: keyed hashes (HMAC) of the normalised email / employee id; no raw email stored anywhere."""
from __future__ import annotations

import hashlib
import hmac
import os
import re
import stat
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from pipeline_fixtures import email, levels_by_team, write_csv, write_xlsx

from pipelines import identity
from pipelines.text import norm

EMAIL_RE = re.compile(rb"[\w.+-]+@[\w-]+\.[\w.-]+")



def loaded(result):
    assert result.status == "loaded", result.message
    assert result.rows_read == result.rows_loaded + result.rows_rejected
    return result


def ids_by_team(env, wave: str | None = None) -> dict[str, str]:
    sql = "SELECT r.team, r.respondent_id FROM respondents r JOIN waves w USING (wave_id)"
    return dict(env.rows(sql + (" WHERE w.label = ?" if wave else ""), [wave] if wave else None))


def every_text_cell(env) -> list[str]:
    """All VARCHAR values in every table of the database (one connection, one query per column)."""
    con = duckdb.connect(env.db, read_only=True)
    try:
        cols = con.execute("SELECT table_name, column_name FROM duckdb_columns() WHERE data_type = 'VARCHAR' "
                           "AND database_name = current_database() AND NOT internal").fetchall()
        out = []
        for table, column in cols:
            out += [r[0] for r in con.execute(f'SELECT DISTINCT "{column}" FROM "{table}"').fetchall() if r[0]]
        return out
    finally:
        con.close()


def db_bytes(env) -> bytes:
    data = b""
    for suffix in ("", ".wal"):
        path = Path(env.db + suffix)
        if path.exists():
            data += path.read_bytes()
    return data


# --- the hash ----------------------------------------------------------------------------------------

def test_respondent_id_is_a_keyed_hash_not_the_email(env):
    people = ["alice@example.com", "bob.smith@corp.example.org", "carol+survey@example.jp"]
    rows = [["Email Address", "Team", "Docker"]] + [[e, f"T{i}", "3"] for i, e in enumerate(people)]
    loaded(env.ingest(write_csv(env.tmp / "f.csv", rows), wave="2025-H1"))
    ids = ids_by_team(env)
    assert len(set(ids.values())) == 3
    for i, e in enumerate(people):
        rid = ids[f"T{i}"]
        local = e.split("@")[0]
        assert e not in rid and local not in rid and "@" not in rid
        # Not an unkeyed digest a dictionary attack could reverse.
        for algo in ("md5", "sha1", "sha256", "sha512"):
            digest = hashlib.new(algo, e.encode()).hexdigest()
            assert rid not in digest and digest not in rid
    # The key was created on first use, at SKILLS_SECRET_FILE, readable by the owner only.
    assert env.secret.exists()
    assert stat.S_IMODE(env.secret.stat().st_mode) == 0o600
    assert not str(env.secret).startswith(str(Path(__file__).resolve().parent.parent))


def test_same_person_same_id_across_waves_and_files(env):
    wave1 = [["Timestamp", "Email Address", "Team", "Docker"],
             ["2025/03/01 10:00:00", " Alice@Example.COM ", "alice-1", "2"],
             ["2025/03/01 11:00:00", "bob@example.com", "bob-1", "1"]]
    loaded(env.ingest(write_csv(env.tmp / "w1.csv", wave1)))
    wave2 = [["タイムスタンプ", "メールアドレス", "部署", "Docker"],
             ["2025-09-01 10:00:00", "alice@example.com", "alice-2", "4"],
             ["2025-09-01 11:00:00", "ＢＯＢ@example.com", "bob-2", "3"],
             ["2025-09-01 12:00:00", "carol@example.com", "carol-2", "0"]]
    loaded(env.ingest(write_xlsx(env.tmp / "w2.xlsx", {"Responses": wave2})))
    ids = ids_by_team(env)
    assert ids["alice-1"] == ids["alice-2"]  # case, spacing
    assert ids["bob-1"] == ids["bob-2"]  # full-width letters (NFKC)
    assert len({ids["alice-1"], ids["bob-1"], ids["carol-2"]}) == 3
    assert sorted(r[0] for r in env.rows("SELECT label FROM waves")) == ["2025-H1", "2025-H2"]


def test_email_is_the_identity_even_when_a_survey_tool_response_id_is_present(env):
    """SurveyMonkey's 'Respondent ID' changes every survey; the email identifies the person."""
    def export(resp_id, team, level):
        return [["Respondent ID", "Email Address", "Team", "Docker"], [resp_id, "dana@example.com", team, level],
                [str(int(resp_id) + 1), "eve@example.com", team + "-eve", level]]
    loaded(env.ingest(write_csv(env.tmp / "a.csv", export("1001", "w1", "1")), wave="2024-H2"))
    loaded(env.ingest(write_csv(env.tmp / "b.csv", export("2002", "w2", "3")), wave="2025-H1"))
    ids = ids_by_team(env)
    assert ids["w1"] == ids["w2"]
    assert ids["w1-eve"] == ids["w2-eve"]


def test_a_different_key_gives_different_ids_once_adopted_with_new_key(env, tmp_path, monkeypatch):
    rows = [["Email Address", "Team", "Docker"], ["alice@example.com", "A", "3"]]
    path = write_csv(env.tmp / "f.csv", rows)
    loaded(env.ingest(path, wave="2025-H1"))
    first = ids_by_team(env)["A"]
    loaded(env.ingest(path, wave="2025-H2"))
    assert ids_by_team(env, "2025-H2")["A"] == first  # same key: same id
    monkeypatch.setenv("SKILLS_SECRET_FILE", str(tmp_path / "other" / "key"))
    assert env.ingest(path, wave="2026-H1").status == "rejected"  # tests/test_key_guard.py has the details
    loaded(env.ingest(path, wave="2026-H1", new_key=True))
    assert ids_by_team(env, "2026-H1")["A"] != first


def test_employee_id_column_is_hashed(env):
    rows = [["社員番号", "部署", "Docker"], ["100234", "A", "3"], ["100235", "B", "1"]]
    loaded(env.ingest(write_csv(env.tmp / "emp.csv", rows), wave="2025-H1"))
    ids = ids_by_team(env)
    assert len(set(ids.values())) == 2
    assert not any("100234" in v or "100235" in v for v in every_text_cell(env))


def test_without_an_id_column_ids_are_per_ingestion(env):
    rows = [["Team", "Docker"], ["A", "3"], ["B", "3"], ["C", "3"]]
    path = write_csv(env.tmp / "anon.csv", rows)
    loaded(env.ingest(path, wave="2025-H1"))
    loaded(env.ingest(path, wave="2025-H2"))
    first, second = ids_by_team(env, "2025-H1"), ids_by_team(env, "2025-H2")
    assert len(set(first.values())) == 3 and len(set(second.values())) == 3
    assert not set(first.values()) & set(second.values())


# --- duplicate submissions ---------------------------------------------------------------------------

def test_duplicate_submission_in_one_file_latest_wins(env):
    rows = [["Timestamp", "Email Address", "Team", "Docker"],
            ["2025/05/03 10:00:00", "a@example.com", "A-late", "4"],  # row 2: the latest of a@
            ["2025/05/01 10:00:00", "b@example.com", "B", "1"],  # row 3
            ["2025/05/02 10:00:00", "A@EXAMPLE.COM", "A-early", "0"],  # row 4: same person, earlier
            ["2025/05/02 12:00:00", "c@example.com", "C", "2"]]  # row 5
    result = loaded(env.ingest(write_csv(env.tmp / "dup.csv", rows)))
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (4, 3, 1)
    assert levels_by_team(env) == {"A-late": {"docker": 4}, "B": {"docker": 1}, "C": {"docker": 2}}
    rejected = env.rows("SELECT source_row, reason FROM rejected_rows")
    assert len(rejected) == 1 and rejected[0][0] == 4 and "superseded" in rejected[0][1]


def test_duplicate_without_timestamps_the_later_row_wins(env):
    rows = [["Email Address", "Team", "Docker"], ["a@example.com", "first", "1"], ["b@example.com", "B", "2"],
            ["a@example.com", "second", "3"]]
    result = loaded(env.ingest(write_csv(env.tmp / "dup2.csv", rows), wave="2025-H1"))
    assert (result.rows_loaded, result.rows_rejected) == (2, 1)
    assert levels_by_team(env) == {"second": {"docker": 3}, "B": {"docker": 2}}
    assert [(r[0], "superseded" in r[1]) for r in env.rows("SELECT source_row, reason FROM rejected_rows")] == \
        [(2, True)]


def test_a_later_file_in_the_same_wave_replaces_an_earlier_submission(env):
    first = [["Timestamp", "Email Address", "Team", "Docker", "Kubernetes"],
             ["2025/03/01 10:00:00", "a@example.com", "A-old", "1", "2"],
             ["2025/03/01 10:00:00", "b@example.com", "B", "2", "2"]]
    second = [["Timestamp", "Email Address", "Team", "Docker"],
              ["2025/03/05 10:00:00", "a@example.com", "A-new", "4"],
              ["2025/02/01 10:00:00", "b@example.com", "B-older", "0"]]
    loaded(env.ingest(write_csv(env.tmp / "one.csv", first), wave="2025-H1"))
    result = loaded(env.ingest(write_csv(env.tmp / "two.csv", second), wave="2025-H1"))
    # a@ resubmitted later: only the new answers count (no stale kubernetes row). b@'s older copy is superseded.
    assert levels_by_team(env) == {"A-new": {"docker": 4}, "B": {"docker": 2, "kubernetes": 2}}
    assert env.rows("SELECT count(*) FROM respondents") == [(2,)]
    assert (result.rows_loaded, result.rows_rejected) == (1, 1)
    rejected = env.rows("SELECT r.source_row, r.reason FROM rejected_rows r WHERE ingestion_id = ?",
                        [result.ingestion_id])
    assert [r[0] for r in rejected] == [3] and "superseded" in rejected[0][1]


# --- no raw email anywhere ----------------------------------------------------------------------------

def test_database_holds_no_raw_email_after_a_file_full_of_emails(env):
    n = 30
    rows = [["Timestamp", "Email Address", "Team", "Docker", "Kubernetes", "Manager's email", "Comments"]]
    for i in range(1, n + 1):
        bad = f"ask {email(900 + i)}" if i % 10 == 0 else "Basic"  # an email typed into a rating cell
        rows.append([f"2025/04/{i % 28 + 1:02d} 10:00:00", email(i), f"T{i % 3}", "Expert", bad,
                     email(500 + i), f"contact me at {email(700 + i)}"])
    rows.append(["2025/04/02 10:00:00", "", "T0", "Expert", "Basic", "", ""])  # no id: rejected
    result = loaded(env.ingest(write_csv(env.tmp / "emails.csv", rows)))
    assert result.rows_rejected == n // 10 + 1
    text = every_text_cell(env)
    assert not [v for v in text if "@" in v], "an email is stored in a text column"
    raw = db_bytes(env)
    assert not EMAIL_RE.findall(raw)
    assert b"example.com" not in raw and b"person0" not in raw
    # Nor the key, which would let anyone confirm a guessed email.
    assert env.secret.read_bytes().strip() not in raw


def test_emails_in_team_or_role_columns_are_not_stored(env):
    rows = [["Email Address", "Team", "Role", "Docker"],
            ["a@example.com", "manager: boss@example.com", "SRE", "3"],
            ["b@example.com", "Data", "reports to ceo@example.com", "2"],
            ["c@example.com", "Data", "SRE", "1"]]
    loaded(env.ingest(write_csv(env.tmp / "leaky.csv", rows), wave="2025-H1"))
    assert not [v for v in every_text_cell(env) if "@" in v]
    assert not EMAIL_RE.findall(db_bytes(env))


def test_secret_key_is_created_once_and_reused(env):
    rows = [["Email Address", "Team", "Docker"], ["a@example.com", "A", "3"]]
    loaded(env.ingest(write_csv(env.tmp / "k1.csv", rows), wave="2025-H1"))
    key = env.secret.read_bytes()
    mtime = os.stat(env.secret).st_mtime_ns
    loaded(env.ingest(write_csv(env.tmp / "k2.csv", rows + [["b@example.com", "B", "1"]]), wave="2025-H2"))
    assert env.secret.read_bytes() == key and os.stat(env.secret).st_mtime_ns == mtime


def test_a_damaged_key_refuses_the_load_in_one_line_and_writes_nothing(env):
    """The ids are hashed in a helper thread beside the answers' mapping: its failure still comes
    back as the file's one-line refusal, and the database stays as it was."""
    rows = [["Timestamp", "Email Address", "Team", "Docker"], ["2025/02/01 10:00:00", "a@example.com", "A", "2"]]
    loaded(env.ingest(write_csv(env.tmp / "first.csv", rows)))
    before = env.snapshot()
    env.secret.write_text("short", encoding="ascii")
    rows[1][1] = "b@example.com"
    result = env.ingest(write_csv(env.tmp / "second.csv", rows))
    assert result.status == "rejected"
    assert "respondent id key" in result.message and "damaged" in result.message
    assert "\n" not in result.message
    assert env.snapshot() == before


@pytest.mark.parametrize("key", ["k" * 32, "0123456789abcdef" * 4, "a-long-key-longer-than-one-sha256-block;" * 3],
                         ids=["short", "64-char hex", "longer than a block"])
def test_hash_ids_is_hmac_sha256_of_the_normalised_value(tmp_path, monkeypatch, key):
    """The id function must never drift: a person's id links their answers across waves. The oracle
    is the standard library's hmac, over the same normal form."""
    path = tmp_path / "key"
    path.write_text(key, encoding="ascii")
    path.chmod(0o600)
    monkeypatch.setenv("SKILLS_SECRET_FILE", str(path))
    values = pd.Series(["Ann@Example.com", "  ann@example.COM ", "Ｂｏｂ　Smith", "straße", 7, None, "7",
                        "a\u00a0b", "Ann@Example.com"], dtype=object)
    expected = [None if v is None else hmac.new(key.encode("ascii"), norm(str(v)).encode("utf-8"),
                                                 "sha256").hexdigest()[:32] for v in values]
    got = identity.hash_ids(values)
    assert got.tolist() == expected
    assert got[0] == got[1] and got[4] == got[6] and got[0] != got[3]  # normal forms shared, not all alike
