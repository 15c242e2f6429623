"""The findings page in headless Chromium: it renders, axe-core finds no WCAG 2.2 A/AA issue."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.agencies.portal.browser_helpers import (
    check_with_axe,
    reconcile_served_round,
    screenshot_folder,
    signed_in_page,
)
from tests.agencies.portal.test_browser import COORDINATOR, server

pytestmark = pytest.mark.browser
__all__ = ["server"]  # the fixture, used by name


def test_the_findings_page_passes_axe_and_downloads_its_csv(server: Any, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    base, tokens = server
    reconcile_served_round()
    shots = screenshot_folder(tmp_path)
    with sync_playwright() as playwright:
        browser, page = signed_in_page(
            playwright, base, tokens[COORDINATOR], lands_on="/coordinator/rounds"
        )
        page.goto(f"{base}/coordinator/rounds/1/findings")
        expect(page.locator("h1")).to_have_text("Findings")
        expect(page.get_by_text("Discrepancies for the moderation meeting")).to_be_visible()
        page.screenshot(path=str(shots / "findings.png"), full_page=True)
        check_with_axe(page, "the findings page")
        with page.expect_download() as download:
            page.get_by_role("link", name="Download the findings as a spreadsheet (CSV)").click()
        assert download.value.suggested_filename == "round-1-findings.csv"
        browser.close()
