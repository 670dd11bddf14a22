"""One email redaction for every stored text: NFKC-equivalent at-signs, dots and letters, dotless
domains; applied to file names, every stored text cell, profile-added names, the audit log."""
from __future__ import annotations

import hashlib
import hmac
import sys
import unicodedata

import duckdb
import pytest
from pipeline_fixtures import write_csv, write_profile

from pipelines import audit
from pipelines import db as dbmod
from pipelines.ingest import ingest_file
from pipelines.redaction import AT_SIGNS, redact
from pipelines.text import norm
from schemas import settings as config


def no_address_left(text: str) -> bool:
    """Independent check: the NFKC form holds no at-sign with a word character on both sides."""
    folded = unicodedata.normalize("NFKC", text)
    return not any(c == "@" and 0 < i < len(folded) - 1 and folded[i - 1].isalnum() and folded[i + 1].isalnum()
                   for i, c in enumerate(folded))


def test_every_code_point_that_normalises_to_an_at_sign_is_known():
    found = {chr(c) for c in range(sys.maxunicode + 1) if "@" in unicodedata.normalize("NFKC", chr(c))}
    assert found == set(AT_SIGNS)
    for sign in found:
        assert redact(f"alice{sign}example.com") == "<email>"


@pytest.mark.parametrize("text, expected", [
    ("alice@example.com", "<email>"),
    ("ask alice@localhost now", "ask <email> now"),  # dotless domains
    ("bob@corp", "<email>"),
    ("ｃａｒｏｌ＠ｅｘａｍｐｌｅ．ｃｏｍ", "<email>"),  # full-width: at-sign, letters and dot
    ("lead: dave﹫corp.example", "lead: <email>"),  # small commercial at
    ("o'brien+x@mail.example.org; eve@x.io", "o'<email>; <email>"),  # no quote: SQL quotes stay
    ("Platform (ask frank＠corp)", "Platform (ask <email>)"),
])
def test_addresses_are_replaced(text, expected):
    got = redact(text)
    assert got == expected
    assert no_address_left(got)


@pytest.mark.parametrize("text", ["Platform", "Ｐｌａｔｆｏｒｍ", "team @ Tokyo", "@channel", "", "R&D"])
def test_text_without_an_address_is_returned_unchanged(text):
    assert redact(text) is text


def test_non_text_passes_through():
    assert redact(None) is None and redact(3) == 3


# --- stored everywhere --------------------------------------------------------------------------

LEAKS = {"team": "Ｐｌａｔｆｏｒｍ lead ｇｒａｃｅ＠ｅｘａｍｐｌｅ．ｃｏｍ", "role": "heidi@localhost",
         "location": "ivan﹫corp"}
LOCAL_PARTS = ["grace", "ｇｒａｃｅ", "heidi", "ivan", "judy.filename", "mallory.profile"]


def every_text(db: str) -> list[tuple[str, str, str]]:
    con = duckdb.connect(db, read_only=True)
    try:
        cols = con.execute("SELECT table_name, column_name FROM duckdb_columns() WHERE data_type = 'VARCHAR' "
                           "AND database_name = current_database() AND NOT internal").fetchall()
        return [(t, c, r[0]) for t, c in cols
                for r in con.execute(f'SELECT DISTINCT "{c}" FROM "{t}" WHERE "{c}" IS NOT NULL').fetchall()]
    finally:
        con.close()


def test_no_stored_text_holds_an_address_in_any_form(env):
    rows = [["Email Address", "Team", "Role", "Location", "Docker"]]
    rows += [[f"p{i}@example.com", LEAKS["team"], LEAKS["role"], LEAKS["location"], "3"] for i in range(6)]
    profile = write_profile(env.tmp / "p.yaml", """
name: survey by mallory.profile@corp
columns: {id: Email Address, team: Team, role: Role, location: Location}
taxonomy:
  areas: [{id: extra_area, track: "Owner judy@corp", en: "Extra (ask judy＠corp)", ja: Extra}]
  skills: [{id: extra_skill, area: extra_area, en: "Extra skill mallory@localhost", ja: Extra}]
questions:
  - {kind: rating, columns: [Docker]}
""")
    path = write_csv(env.tmp / "judy.filename@example.com export.csv", rows)
    result = ingest_file(path, db=env.db, wave="2025-H1", profile=profile)
    assert result.status == "loaded", result.message
    stored = every_text(env.db)
    leaks = [(t, c, v) for t, c, v in stored if not no_address_left(v) or any(p in v for p in LOCAL_PARTS)]
    assert leaks == []
    # The redacted forms are there (the scan looked at the right cells).
    found = {v for _, _, v in stored}
    assert "Platform lead <email>" in found and "<email>" in found  # team (NFKC form), role
    assert "<email> export.csv" in found  # ingestions.file_name
    assert any(v.startswith("<email> export.csv into 2025-H1") for v in found)  # audit_log.detail
    assert "Extra (ask <email>)" in found and "survey by <email>" in found
    aggregated = {r[0] for r in duckdb.connect(env.db, read_only=True).execute(
        "SELECT DISTINCT team FROM agg_respondents").fetchall()}
    assert aggregated == {"Platform lead <email>"}


def test_audit_targets_and_details_are_redacted(env):
    with dbmod.writer(env.db) as con:
        audit.record_in(con, "local", "sql_query", "ok by x@corp", "SELECT * FROM t WHERE who = 'y＠corp'")
    rows = duckdb.connect(env.db, read_only=True).execute("SELECT target, detail FROM audit_log").fetchall()
    assert rows == [("ok by <email>", "SELECT * FROM t WHERE who = '<email>'")]


# --- who is stored as the actor -----------------------------------------------------------------

def expected_pseudonym(env, user: str) -> str:
    key = env.secret.read_text(encoding="ascii").strip().encode("ascii")
    mac = hmac.new(key, b"skills-survey audit actor v1\x00" + norm(user).encode(), hashlib.sha256)
    return "staff-" + mac.hexdigest()[:12]


@pytest.mark.parametrize("form", [None, "email", "role", "pseudonym"])
def test_loaded_by_and_actor_are_stored_as_configured(env, monkeypatch, form):
    if form:
        monkeypatch.setenv("SKILLS_STORE_ACTOR_AS", form)
    else:
        monkeypatch.delenv("SKILLS_STORE_ACTOR_AS", raising=False)
    rows = [["Email Address", "Team", "Docker"], ["a@example.com", "A", "3"]]
    result = ingest_file(write_csv(env.tmp / "f.csv", rows), db=env.db, wave="2025-H1",
                         loaded_by=audit.stored_actor("Hr.Person@Example.com", "hr"))
    assert result.status == "loaded", result.message
    expected = {"email": "Hr.Person@Example.com", "role": "hr"}.get(form) or expected_pseudonym(env, "hr.person@example.com")
    con = duckdb.connect(env.db, read_only=True)
    assert con.execute("SELECT loaded_by FROM ingestions").fetchall() == [(expected,)]
    assert con.execute("SELECT actor FROM audit_log").fetchall() == [(expected,)]
    con.close()


def test_the_command_line_actor_follows_the_setting(env, monkeypatch):
    import getpass

    monkeypatch.setattr(getpass, "getuser", lambda: "opsadmin")
    env.secret.parent.mkdir(parents=True)
    env.secret.write_text("k" * 64, encoding="ascii")
    env.secret.chmod(0o600)
    monkeypatch.setenv("SKILLS_STORE_ACTOR_AS", "email")
    assert audit.command_line_actor() == "opsadmin"
    monkeypatch.setenv("SKILLS_STORE_ACTOR_AS", "role")
    assert audit.command_line_actor() == "cli"
    monkeypatch.setenv("SKILLS_STORE_ACTOR_AS", "pseudonym")
    assert audit.command_line_actor() == expected_pseudonym(env, "opsadmin")
    assert audit.stored_actor("local", "admin") == "local"  # the no-sign-in mode names no one


def test_a_bad_actor_setting_is_one_line(monkeypatch):
    monkeypatch.setenv("SKILLS_STORE_ACTOR_AS", "full-name")
    with pytest.raises(ValueError) as err:
        config.actor_form()
    assert "\n" not in str(err.value) and "pseudonym" in str(err.value)
