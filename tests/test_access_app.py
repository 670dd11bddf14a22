"""Sign-in and roles through AppTest's user mocking: each role sees exactly its pages."""
import pytest
from streamlit.testing.v1 import AppTest

AUTH = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x" * 32,
        "client_id": "id", "client_secret": "secret",
        "server_metadata_url": "https://id.example.com/.well-known/openid-configuration"}
ALL_PAGES = {"overview", "coverage", "cloud", "trends", "radar", "sql_console", "upload"}


@pytest.fixture
def access_file(tmp_path, monkeypatch):
    path = tmp_path / "access.yaml"
    path.write_text("""
require_login: false
default_role: null
roles:
  admin: [boss@example.com]
  hr: [hana@example.com]
  analyst: ["@analytics.example.com"]
  viewer: ["@example.com"]
""", encoding="utf-8")
    monkeypatch.setenv("SKILLS_ACCESS_FILE", str(path))
    return path


def pages_offered(at: AppTest) -> set[str]:
    """The pages app.py handed to st.navigation on this run (what the menu offers)."""
    at.run()
    return set(at.session_state["pages_offered"])


def signed_in(app_test, email):
    at = app_test()
    at.secrets["auth"] = AUTH
    at.user = {"is_logged_in": True, "email": email, "name": email.split("@")[0]}
    return at


@pytest.mark.parametrize("email, expected", [
    ("dev@example.com", {"overview", "coverage", "cloud", "trends", "radar"}),
    ("hana@example.com", {"overview", "coverage", "cloud", "trends", "radar", "upload"}),
    ("ana@analytics.example.com", {"overview", "coverage", "cloud", "trends", "radar", "sql_console"}),
    ("boss@example.com", ALL_PAGES),
])
def test_each_role_sees_exactly_its_pages(app_test, access_file, email, expected):
    at = signed_in(app_test, email)
    assert pages_offered(at) == expected
    assert not at.exception


def test_unknown_account_gets_no_pages(app_test, access_file):
    at = signed_in(app_test, "stranger@elsewhere.org")
    assert pages_offered(at) == set()
    assert any("no access" in e.value for e in at.error)


def test_signed_out_user_sees_only_sign_in(app_test, access_file):
    at = app_test()
    at.secrets["auth"] = AUTH
    at.user = {"is_logged_in": False}
    assert pages_offered(at) == set()
    assert [b.label for b in at.button] == ["Sign in"]


def test_local_mode_without_auth_is_labelled_and_has_every_page(app_test, access_file):
    at = app_test()
    assert pages_offered(at) == ALL_PAGES
    assert any("Local mode" in c.value for c in at.sidebar.caption)


def test_mandatory_sign_in_without_auth_refuses_to_run(app_test, access_file):
    access_file.write_text("require_login: true\n", encoding="utf-8")
    at = app_test()
    assert pages_offered(at) == set()
    assert any("Sign-in is required" in e.value for e in at.error)


def test_viewer_cannot_open_upload_even_directly(app_test, access_file, tmp_path, monkeypatch):
    monkeypatch.setenv("SKILLS_DB", str(tmp_path / "x.duckdb"))
    at = AppTest.from_file("../pages/upload.py", default_timeout=30)
    at.secrets["auth"] = AUTH
    at.session_state["role"] = "viewer"
    at.run()
    assert any("can't open this page" in e.value for e in at.error)
    assert not at.file_uploader
