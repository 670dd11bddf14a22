"""The HR flow in a real browser: upload an export, check it, load it, see the overview change.

Drives Debian's Chromium with Playwright against `streamlit run app.py` on a copy of the fixture
database (2 waves; the latest, 2024-H2, has 25 respondents).
"""
from __future__ import annotations

import shutil

import pytest
from test_browser_smoke import ARGS, CHROMIUM, streamlit_server

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's /usr/bin/chromium (apt-get install chromium)"),
]

PEOPLE = 12  # >= k, so the overview shows the number
EXPORT = "Timestamp,Email Address,Team,Rate your skills [Docker],Rate your skills [Terraform]\n" + "".join(
    f"2026/02/{i + 1:02d} 10:00:00,newhire{i}@example.com,Platform,Proficient,Basic\n" for i in range(PEOPLE))


@pytest.fixture
def writable_db(dashboard_db, tmp_path):
    path = tmp_path / "copy.duckdb"
    shutil.copy(dashboard_db, path)
    return str(path)


@pytest.fixture
def app_server(writable_db, tmp_path):
    with streamlit_server(tmp_path, {"SKILLS_DB": writable_db, "SKILLS_SECRET_FILE": str(tmp_path / "key")}) as base:
        yield base


def settle(page) -> None:
    page.wait_for_function("!document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60000)
    page.wait_for_timeout(400)


def respondents_metric(page) -> str:
    metric = page.locator('[data-testid="stMetric"]').filter(has_text="Respondents").first
    metric.wait_for(timeout=30000)
    return metric.locator('[data-testid="stMetricValue"]').inner_text().strip()


def test_upload_map_load_and_see_the_overview_change(app_server, tmp_path):
    from playwright.sync_api import sync_playwright

    export = tmp_path / "new_wave.csv"
    export.write_text(EXPORT, encoding="utf-8")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1200})
            page.goto(app_server + "/")
            page.get_by_role("heading", name="Overview", exact=True).wait_for(timeout=60000)
            settle(page)
            assert respondents_metric(page) == "25"  # latest wave of the fixture

            page.goto(app_server + "/upload")
            page.get_by_role("heading", name="Upload survey results").wait_for(timeout=60000)
            page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(export))
            page.get_by_text("What we found").wait_for(timeout=60000)
            settle(page)
            # The detected mapping is shown for review: both skill columns are recognised.
            found = page.locator('[data-testid="stMetric"]').filter(has_text="Skill columns")
            assert "2 of 5" in found.inner_text()
            page.get_by_role("button", name="Check the file").click()
            load = page.get_by_role("button", name=f"Load {PEOPLE} rows into 2026-H1")
            load.wait_for(timeout=60000)
            load.click()
            page.get_by_text("Loaded into wave").wait_for(timeout=60000)
            settle(page)
            errors = page.locator('[data-testid="stException"], [data-testid="stAlertContentError"]')
            assert errors.count() == 0, errors.all_inner_texts()

            page.get_by_role("link", name="Open the overview").click()
            page.get_by_role("heading", name="Overview", exact=True).wait_for(timeout=60000)
            settle(page)
            page.wait_for_function(
                "Array.from(document.querySelectorAll('[data-testid=\"stMetric\"]')).some("
                "m => m.innerText.includes('Respondents') && m.innerText.includes('12'))", timeout=60000)
            assert respondents_metric(page) == str(PEOPLE)  # the new latest wave, at once
        finally:
            browser.close()
