"""The preview file in headless Chromium: it stands alone, reads as prose and passes axe-core."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from agencies.portal.tool_preview import govuk_stylesheet, write_preview
from models.questionnaire.catalog import catalog, load_tool
from tests.agencies.portal.browser_helpers import CHROMIUM, check_with_axe, skip_unless_browser

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("name", [entry.name for entry in catalog()])
def test_the_preview_file_reads_as_prose_anywhere_and_has_no_wcag_violations(
    tmp_path: Path, name: str
) -> None:
    skip_unless_browser(None if govuk_stylesheet() else "run `make assets` first")
    from playwright.sync_api import sync_playwright

    written = write_preview(load_tool(name), tmp_path / "written" / "preview.html")
    moved = tmp_path / "elsewhere" / "preview.html"  # a file sent on by email, say
    moved.parent.mkdir()
    shutil.move(written, moved)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM))
        try:
            page = browser.new_page(viewport={"width": 1000, "height": 800})
            requests: list[str] = []
            page.on("request", lambda request: requests.append(request.url))
            page.goto(moved.as_uri())
            assert requests == [moved.as_uri()]  # nothing else is fetched
            summary = page.locator(".govuk-summary-list").bounding_box()
            cite = page.locator(".govuk-summary-list__row").last.bounding_box()
            assert summary is not None and cite is not None
            assert summary["width"] > 800 and cite["height"] < 200  # prose, not a letter a line
            height = page.evaluate("document.documentElement.scrollHeight")
            questions = page.locator(".govuk-form-group").count()
            assert height < 400 * questions
            headings = page.locator("h2.govuk-heading-m").all_inner_texts()
            assert headings[0] == "About this child" and headings[-1] == "Summary"
            page.screenshot(path=str(tmp_path / "preview.png"), full_page=True)
            check_with_axe(page, f"the preview of {name}")
        finally:
            browser.close()
