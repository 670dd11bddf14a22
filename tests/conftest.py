"""Shared test fixtures: the project on sys.path, the dashboards' fixture database, AppTest."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # plain `pytest` puts tests/ on the path, not the project
    sys.path.insert(0, str(ROOT))


@pytest.fixture(autouse=True)
def _no_shared_read_instance():
    """Each test starts without the dashboards' shared read-only instances (analytics.read_instance)."""
    yield
    from analytics import read_instance

    read_instance.close_all()


@pytest.fixture(scope="session")
def dashboard_db(tmp_path_factory) -> str:
    """Path of the hand-made database (built once per test session; tests only read it)."""
    from dashboard_fixture import build_fixture_db

    path = str(tmp_path_factory.mktemp("skills") / "fixture.duckdb")
    build_fixture_db(path)
    return path


@pytest.fixture
def app_test(monkeypatch, dashboard_db):
    """Factory for an AppTest of app.py on the fixture database (``db=`` to use another file).

    Streamlit treats an app with a pages/ folder as an old-style multipage app until
    st.navigation has run once in the process; AppTest resets that on every run. A real server
    sets it once (pages/_common.ensure_shell), so the tests pin it the same way.
    """
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.testing.v1 import AppTest

    original = PagesManager.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    monkeypatch.setattr(PagesManager, "__init__", init)

    def make(db: str | None = None, query: dict | None = None) -> AppTest:
        monkeypatch.setenv("SKILLS_DB", db or dashboard_db)
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
        for key, value in (query or {}).items():
            at.query_params[key] = value
        return at

    return make


@pytest.fixture
def env(tmp_path, monkeypatch):
    """A private database and respondent-id key in tmp_path (pipeline tests)."""
    from pipeline_fixtures import make_env

    return make_env(tmp_path, monkeypatch)
