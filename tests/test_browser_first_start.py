"""First start on a fresh machine, in a real browser: no database, so the app builds the demo
through the real pipeline, says so in a banner, and the overview shows the demo's latest wave."""
from __future__ import annotations

import pytest
from test_browser_smoke import ARGS, CHROMIUM, streamlit_server

from pipelines.demo_org import DEFAULT_SEED, generate

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's /usr/bin/chromium (apt-get install chromium)"),
]


@pytest.fixture
def fresh_server(tmp_path):
    env = {"SKILLS_DB": str(tmp_path / "fresh" / "skills.duckdb"), "SKILLS_SECRET_FILE": str(tmp_path / "key"),
           "SKILLS_LOG_DIR": str(tmp_path / "logs")}
    with streamlit_server(tmp_path, env) as base:
        yield base


def test_first_start_builds_the_demo_and_shows_it(fresh_server):
    from playwright.sync_api import sync_playwright

    org = generate(DEFAULT_SEED)
    last_wave = list(org.submissions)[-1]
    expected = org.submissions[last_wave]["email"].nunique()  # people, after duplicate submissions
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(fresh_server + "/")
            page.get_by_text("Built the demo database").wait_for(timeout=120000)
            page.get_by_role("heading", name="Overview", exact=True).wait_for(timeout=60000)
            page.wait_for_function("!document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60000)
            metric = page.locator('[data-testid="stMetric"]').filter(has_text="Respondents").first
            assert metric.locator('[data-testid="stMetricValue"]').inner_text().strip() == str(expected)
            errors = page.locator('[data-testid="stException"], [data-testid="stAlertContentError"]')
            assert errors.count() == 0, errors.all_inner_texts()
        finally:
            browser.close()
