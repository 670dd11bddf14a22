"""First start on a fresh machine, in a real browser: no database, so the app builds the demo
through the real pipeline, says so in a banner, and the overview shows the demo's latest wave."""
from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request

import pytest
from test_browser_smoke import ARGS, CHROMIUM, ROOT, free_port

from pipelines.demo_org import DEFAULT_SEED, generate

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's /usr/bin/chromium (apt-get install chromium)"),
]


@pytest.fixture
def fresh_server(tmp_path):
    port = free_port()
    log = open(tmp_path / "streamlit.log", "w")  # noqa: SIM115 - closed below
    env = {**os.environ, "SKILLS_DB": str(tmp_path / "fresh" / "skills.duckdb"),
           "SKILLS_SECRET_FILE": str(tmp_path / "key"), "SKILLS_LOG_DIR": str(tmp_path / "logs")}
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
                             "--server.port", str(port), "--server.address", "127.0.0.1"],
                            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if urllib.request.urlopen(base + "/_stcore/health", timeout=2).status == 200:
                    break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"streamlit did not start: {(tmp_path / 'streamlit.log').read_text()[-2000:]}")
            time.sleep(0.3)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


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
