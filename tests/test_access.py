"""Role resolution from data/access.yaml (hand-written configs)."""
import pytest

from analytics.access import Access, AccessError, load, pages_for


def write(tmp_path, text):
    path = tmp_path / "access.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_exact_email_then_domain_then_default(tmp_path):
    access = load(write(tmp_path, """
require_login: true
default_role: viewer
roles:
  admin: [boss@example.com]
  hr: ["@hr.example.com"]
  analyst: [Ana@Example.com]
"""))
    assert access.require_login is True
    assert access.role_for("boss@example.com") == "admin"
    assert access.role_for("ana@example.com") == "analyst"  # case-insensitive
    assert access.role_for("kim@hr.example.com") == "hr"
    assert access.role_for("someone@elsewhere.org") == "viewer"
    assert access.role_for(None) is None


def test_highest_role_wins_when_listed_twice(tmp_path):
    access = load(write(tmp_path, "roles:\n  viewer: ['@example.com']\n  admin: [boss@example.com]\n"))
    assert access.role_for("boss@example.com") == "admin"
    assert access.role_for("dev@example.com") == "viewer"
    assert access.role_for("dev@other.com") is None  # no default: no access


def test_pages_per_role():
    assert pages_for("viewer") == {"overview", "coverage", "cloud", "trends", "radar"}
    assert pages_for("hr") == {"overview", "coverage", "cloud", "trends", "radar", "upload"}
    assert pages_for("analyst") == {"overview", "coverage", "cloud", "trends", "radar", "sql_console"}
    assert pages_for("admin") == {"overview", "coverage", "cloud", "trends", "radar", "upload", "sql_console"}
    assert pages_for(None) == frozenset()


@pytest.mark.parametrize("text, needle", [("roles:\n  superuser: [a@b.c]\n", "superuser"),
                                          ("default_role: god\n", "default_role"),
                                          ("roles: [\n", "YAML")])
def test_bad_config_is_one_line(tmp_path, text, needle):
    with pytest.raises(AccessError, match=needle):
        load(write(tmp_path, text))


def test_missing_file_means_local_defaults(tmp_path):
    assert load(tmp_path / "absent.yaml") == Access()
