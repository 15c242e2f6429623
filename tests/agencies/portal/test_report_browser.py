"""The board report page and its edit forms in headless Chromium, checked by axe-core."""

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
from tests.agencies.portal.test_browser import COORDINATOR, LEAD, server

pytestmark = pytest.mark.browser
__all__ = ["server"]  # the fixture, used by name
NARRATIVE = "The partnership asked for this audit after a <b>serious case</b> review."


def test_a_coordinator_writes_the_reports_commentary_and_the_pages_pass_axe(
    server: Any, tmp_path: Path
) -> None:
    from playwright.sync_api import sync_playwright

    base, tokens = server
    reconcile_served_round()
    shots = screenshot_folder(tmp_path)
    with sync_playwright() as playwright:
        browser, page = signed_in_page(
            playwright, base, tokens[COORDINATOR], lands_on="/coordinator/rounds"
        )
        page.goto(f"{base}/reports/1")
        expect(page.get_by_role("heading", name="1. The issue under consideration")).to_be_visible()
        expect(page.get_by_role("link", name="Rounds", exact=True)).to_be_visible()
        expect(page.get_by_role("link", name="Word (DOCX)")).to_be_visible()
        check_with_axe(page, "the board report page")
        page.screenshot(path=str(shots / "report.png"), full_page=True)
        page.get_by_role(
            "link", name="Write the commentary for 1. The issue under consideration"
        ).click()
        page.wait_for_url(f"{base}/reports/1/edit/issue")
        check_with_axe(page, "the commentary form")
        page.fill("#issue", NARRATIVE)
        page.get_by_role("button", name="Save").click()
        page.wait_for_url(f"{base}/reports/1*")
        # Escaped, as in every format: the tags show as typed and make nothing bold.
        expect(page.locator("main")).to_contain_text(NARRATIVE)
        assert page.locator("main b").count() == 0
        check_with_axe(page, "the report with its commentary")
        page.goto(f"{base}/reports/1/edit/front-sheet")
        expect(page.locator("h1")).to_contain_text("Front sheet")
        check_with_axe(page, "the front sheet form")
        page.screenshot(path=str(shots / "report-front-sheet.png"), full_page=True)
        browser.close()
        lead, lead_page = signed_in_page(playwright, base, tokens[LEAD], lands_on="/tasks")
        response = lead_page.goto(f"{base}/reports/1")
        assert response is not None and response.status == 404
        lead.close()
