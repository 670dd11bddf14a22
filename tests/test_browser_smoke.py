"""Headless Chromium opens every page of the running app and finds no error on it.

Starts `streamlit run app.py` on a free port against the fixture database. The first request is
a deep link (a fresh server's hardest case), then every page in turn.
"""
from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parent.parent
PAGES = {"/coverage": "Skill coverage", "/": "Overview", "/cloud": "Cloud preference", "/trends": "Trends",
         "/upload": "Upload survey results", "/sql_console": "SQL console"}
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's /usr/bin/chromium (apt-get install chromium)"),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def streamlit_server(tmp_path, env: dict):
    """`streamlit run app.py` on a free port with `env` added; yields its base URL."""
    port = free_port()
    log = open(tmp_path / "streamlit.log", "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT,
    )
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


@pytest.fixture
def server(dashboard_db, tmp_path):
    with streamlit_server(tmp_path, {"SKILLS_DB": dashboard_db}) as base:
        yield base


def test_every_page_opens_without_errors(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            for path, title in PAGES.items():
                page.goto(server + path + "?wave=2024-H1")
                page.get_by_role("heading", name=title, exact=True).wait_for(timeout=30000)
                # Drawn when the skeletons are gone and the script is no longer running.
                page.wait_for_function(
                    "!document.querySelector('[data-testid=\"stSkeleton\"]')"
                    " && !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=30000)
                page.wait_for_timeout(500)
                errors = page.locator('[data-testid="stException"], [data-testid="stAlertContentError"]')
                assert errors.count() == 0, f"{path}: {errors.all_inner_texts()}"
                assert page.get_by_text("Filters", exact=True).count() == 1, f"{path}: no sidebar filters"
                assert "wave=2024-H1" in page.url  # the filters stay in the link
        finally:
            browser.close()
