"""Sign-in fails closed, tried as an adversary would (issue 18): broken or incomplete secrets,
lookalike addresses, unverified addresses, and a role revoked while a page is open."""
from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from analytics.access import Access
from pages import _auth
from schemas.config import ConfigError, email_key

AUTH_TOML = """[auth]
redirect_uri = "http://localhost:8501/oauth2callback"
cookie_secret = "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
client_id = "id"
client_secret = "secret"
server_metadata_url = "https://id.example.com/.well-known/openid-configuration"
"""
AUTH = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x" * 32,
        "client_id": "id", "client_secret": "secret",
        "server_metadata_url": "https://id.example.com/.well-known/openid-configuration"}


@pytest.fixture
def access_file(tmp_path, monkeypatch):
    path = tmp_path / "access.yaml"
    path.write_text("roles:\n  admin: [boss@example.com]\n  viewer: ['@example.com']\n", encoding="utf-8")
    monkeypatch.setenv("SKILLS_ACCESS_FILE", str(path))
    return path


@pytest.fixture
def secrets(tmp_path, monkeypatch):
    """Where the app looks for secrets: one file in tmp_path (not yet written)."""
    path = tmp_path / ".streamlit" / "secrets.toml"
    path.parent.mkdir()
    monkeypatch.setattr(_auth, "secrets_files", lambda: [path])
    return path


def closed(at: AppTest, needle: str) -> None:
    """Stopped with one line containing needle: no page offered, nothing drawn, no local mode."""
    at.run()
    assert not at.exception
    assert at.session_state["pages_offered"] == []
    assert len(at.error) == 1 and needle in at.error[0].value, [e.value for e in at.error]
    assert not at.dataframe and not at.metric and not at.get("plotly_chart")
    assert not any("Local mode" in c.value for c in at.sidebar.caption)


@pytest.mark.parametrize("text", [
    "\ufeff" + AUTH_TOML,  # saved with a byte-order mark by a Windows editor
    AUTH_TOML + "oops = \n",  # a typo on another line
    AUTH_TOML.replace('client_id = "id"', "client_id = id"),  # an unquoted value
], ids=["bom", "typo-elsewhere", "unquoted"])
def test_a_secrets_file_that_does_not_parse_stops_the_app(app_test, access_file, secrets, text):
    secrets.write_text(text, encoding="utf-8")
    closed(app_test(), str(secrets))


def test_a_secrets_file_in_another_encoding_stops_the_app(app_test, access_file, secrets):
    secrets.write_bytes(AUTH_TOML.replace("secret", "sécret").encode("cp1252"))
    closed(app_test(), str(secrets))


@pytest.mark.parametrize("missing", ["client_secret", "cookie_secret", "redirect_uri", "server_metadata_url"])
def test_an_incomplete_auth_section_stops_the_app_naming_the_key(app_test, access_file, secrets, missing):
    secrets.write_text("\n".join(line for line in AUTH_TOML.splitlines() if not line.startswith(missing)),
                       encoding="utf-8")
    at = app_test()
    closed(at, str(secrets))
    assert missing in at.error[0].value


def test_an_empty_value_counts_as_missing(app_test, access_file, secrets):
    secrets.write_text(AUTH_TOML.replace('client_secret = "secret"', 'client_secret = ""'), encoding="utf-8")
    closed(app_test(), "client_secret")


def test_a_secrets_file_without_auth_is_not_local_mode(app_test, access_file, secrets):
    secrets.write_text('motherduck_token = "abc"\n', encoding="utf-8")
    closed(app_test(), "no [auth] section")


def test_a_complete_secrets_file_asks_to_sign_in(app_test, access_file, secrets):
    secrets.write_text(AUTH_TOML, encoding="utf-8")
    at = app_test()
    at.run()
    assert at.session_state["pages_offered"] == []
    assert [b.label for b in at.button] == ["Sign in"]


def test_a_setting_forbids_local_mode(app_test, access_file, secrets, monkeypatch):
    monkeypatch.setenv("SKILLS_REQUIRE_LOGIN", "1")
    closed(app_test(), "SKILLS_REQUIRE_LOGIN")


def test_a_bad_environment_value_stops_the_app(app_test, access_file, secrets, monkeypatch):
    monkeypatch.setenv("SKILLS_REQUIRE_LOGIN", "perhaps")
    closed(app_test(), "SKILLS_REQUIRE_LOGIN")


def test_no_secrets_file_is_local_mode(app_test, access_file, secrets):
    at = app_test()
    at.run()
    assert "sql_console" in at.session_state["pages_offered"]
    assert any("Local mode" in c.value for c in at.sidebar.caption)


def test_the_default_secrets_locations_are_streamlits(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    assert tmp_path / ".streamlit" / "secrets.toml" in [p.resolve() for p in _auth.secrets_files()]


# --- addresses ----------------------------------------------------------------------------------

def signed_in(app_test, user: dict) -> AppTest:
    at = app_test()
    at.secrets["auth"] = AUTH
    at.user = {"is_logged_in": True, **user}
    return at


@pytest.mark.parametrize("email", [
    "bo\u017fs@example.com",  # LATIN SMALL LETTER LONG S: NFKC and casefold both make it "boss"
    "ｂｏｓｓ@example.com",  # full-width letters
    "boss@ｅｘａｍｐｌｅ.com",
    "boss\u200b@example.com",  # a zero-width space
    "boss@example.com@evil.org",  # two @: neither the address nor @example.com
    "x@evil.org@example.com",
    "BOSS@EXAMPLE.COM\u0130",  # dotted capital I: lowercases to two characters
])
def test_lookalike_addresses_get_no_access(app_test, access_file, email):
    at = signed_in(app_test, {"email": email})
    at.run()
    assert at.session_state["pages_offered"] == []
    assert any("no access" in e.value for e in at.error)


def test_the_real_address_in_any_case_is_the_admin(app_test, access_file):
    at = signed_in(app_test, {"email": " Boss@Example.COM "})
    at.run()
    assert "sql_console" in at.session_state["pages_offered"]


@pytest.mark.parametrize("verified, pages", [
    (False, []), ("false", []), ("False", []), (0, []),
    (True, ["overview", "coverage", "cloud", "trends", "radar", "sql_console", "upload"]),
    ("true", ["overview", "coverage", "cloud", "trends", "radar", "sql_console", "upload"]),
])
def test_email_verified_is_required_when_the_provider_sends_it(app_test, access_file, verified, pages):
    at = signed_in(app_test, {"email": "boss@example.com", "email_verified": verified})
    at.run()
    assert at.session_state["pages_offered"] == pages


def test_email_key_by_hand():
    assert email_key(" Ana@Example.com ") == "ana@example.com"
    assert email_key("bo\u017fs@example.com") is None
    assert email_key("no-at-sign") is None
    assert email_key(None) is None
    access = Access(roles={"admin": ("boss@example.com",)}, default_role="viewer")
    assert access.role_for("bo\u017fs@example.com") is None  # not even the default role


def test_allow_list_entries_are_checked(tmp_path):
    from analytics.access import load

    path = tmp_path / "access.yaml"
    path.write_text("roles:\n  admin: [ｂｏｓｓ＠example.com]\n", encoding="utf-8")  # typed with an IME
    assert load(path).role_for("boss@example.com") == "admin"
    path.write_text("roles:\n  admin: [boss@exämple.com]\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"^access\.yaml: roles\.admin\[0\]: must be an email address"):
        load(path)


# --- a role revoked while the page is open ------------------------------------------------------

@pytest.mark.parametrize("button", ["sql_console_run", "sql_console_save"])
def test_a_revoked_role_s_pending_callback_does_nothing(app_test, access_file, tmp_path, monkeypatch, button):
    """The page was drawn for an admin; the role is withdrawn; the click that follows runs its
    callback (before any rerun of the page), which must neither query, audit nor save."""
    store, saved = tmp_path / "audit.jsonl", tmp_path / "saved.json"
    monkeypatch.setenv("SKILLS_AUDIT_FILE", str(store))
    monkeypatch.setenv("SKILLS_SAVED_QUERIES", str(saved))
    at = signed_in(app_test, {"email": "boss@example.com"})
    at.run()
    at.switch_page("pages/sql_console.py").run()
    assert not at.exception and not at.error
    at.text_area(key="sql_console_editor").input("SELECT count(*) AS n FROM respondents")
    at.text_input(key="sql_console_save_name").input("mine")
    access_file.write_text("roles:\n  viewer: ['@example.com']\n", encoding="utf-8")  # boss is demoted
    at.button(key=button).click().run()
    assert not at.exception
    assert at.session_state["sql_console_result"] is None
    assert at.session_state["sql_console_error"] == _auth.MESSAGES["revoked"]
    assert not store.exists() and not saved.exists()  # nothing run, audited or saved
    assert "sql_console" not in at.session_state["pages_offered"]  # and the shell no longer offers the page


def test_the_same_clicks_work_while_the_role_holds(app_test, access_file, tmp_path, monkeypatch):
    """The control: without the demotion, Run queries and audits, Save saves."""
    store, saved = tmp_path / "audit.jsonl", tmp_path / "saved.json"
    monkeypatch.setenv("SKILLS_AUDIT_FILE", str(store))
    monkeypatch.setenv("SKILLS_SAVED_QUERIES", str(saved))
    at = signed_in(app_test, {"email": "boss@example.com"})
    at.run()
    at.switch_page("pages/sql_console.py").run()
    at.text_area(key="sql_console_editor").input("SELECT 7 AS n")
    at.text_input(key="sql_console_save_name").input("mine")
    at.button(key="sql_console_run").click().run()
    assert at.session_state["sql_console_result"].frame.to_dict("list") == {"n": [7]}
    assert store.exists()
    at.button(key="sql_console_save").click().run()
    assert saved.exists()
