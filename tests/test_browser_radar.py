"""Headless Chromium: the tech radar is drawn in the page (not stripped by a sanitiser), and a
blip opens the Skill coverage page on that blip's area with the other filters kept."""
from __future__ import annotations

import pytest
from test_browser_smoke import ARGS, CHROMIUM, streamlit_server

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's /usr/bin/chromium (apt-get install chromium)"),
]


def test_radar_is_drawn_and_a_blip_links_to_its_area(dashboard_db, tmp_path):
    from playwright.sync_api import sync_playwright

    with streamlit_server(tmp_path, {"SKILLS_DB": dashboard_db}) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(base + "/radar?wave=2024-H2")
            page.get_by_role("heading", name="Tech radar", exact=True).wait_for(timeout=30000)
            radar = page.locator("svg a")
            radar.first.wait_for(timeout=30000)
            assert radar.count() == 6  # the six placed blips of the fixture's wave 2 (CloudFormation is hidden)
            page.locator("svg a", has=page.locator("title", has_text="Terraform")).click()
            page.get_by_role("heading", name="Skill coverage", exact=True).wait_for(timeout=30000)
            assert "area=infrastructure_as_code" in page.url and "wave=2024-H2" in page.url
        finally:
            browser.close()
