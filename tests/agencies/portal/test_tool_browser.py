"""The tool library and editor in real Chromium: a coordinator copies `domestic-abuse`, builds a
small tool from it without JavaScript being needed, previews it, saves it and finds it in the
library; axe-core checks the library, editor, question, error, changes and preview pages for
WCAG 2.2 A and AA violations, and each page is photographed."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from models.questionnaire import read_tool
from tests.agencies.portal import test_browser
from tests.agencies.portal.browser_helpers import CHROMIUM, check_with_axe

pytestmark = pytest.mark.browser
server = test_browser.server  # the same `jointaudit serve` fixture
BROKEN = b"name: broken-local\ntitle: Broken\nsections: nothing\n"
WORDING = "Was information about the abuse shared with the agencies that needed it?"


@pytest.fixture
def tools_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The partnership's tools folder, named to the portal before it starts."""
    folder = tmp_path / "partnership-tools"
    folder.mkdir()
    monkeypatch.setenv("JOINTAUDIT_TOOL_DIRS", f'["{folder}"]')
    return folder


def _look(page: Any, shots: Path, name: str, what: str) -> None:
    check_with_axe(page, what)
    page.screenshot(path=str(shots / f"{name}.png"), full_page=True)


def test_a_coordinator_builds_a_small_tool_from_a_copy_previews_saves_and_finds_it(
    tools_dir: Path, server: Any, tmp_path: Path
) -> None:
    from playwright.sync_api import sync_playwright

    base, tokens = server
    shots = tmp_path / "screenshots"
    shots.mkdir()
    csp_errors: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_page()
        page.on(
            "console", lambda m: csp_errors.append(m.text) if "Security Policy" in m.text else None
        )
        page.goto(f"{base}/sign-in/{tokens[test_browser.COORDINATOR]}")
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(base + "/coordinator/rounds")
        page.get_by_role("link", name="Audit tools").click()
        expect(page.locator("h1")).to_have_text("Audit tools")
        _look(page, shots, "library", "the tool library")
        broken = {"name": "broken.yaml", "mimeType": "application/yaml", "buffer": BROKEN}
        page.set_input_files("#tool_file", files=[broken])
        page.get_by_role("button", name="Upload and check").click()
        summary = page.locator(".govuk-error-summary")
        expect(summary).to_contain_text("broken.yaml: line 3")
        _look(page, shots, "upload-error", "an upload with mistakes")

        page.locator("#tool-domestic-abuse").get_by_role("link", name="Copy").click()
        _look(page, shots, "copy", "the copy form")
        page.fill("#name", "da-small")
        page.fill("#title", "Small domestic abuse audit")
        page.get_by_role("button", name="Copy and edit").click()
        page.wait_for_url(base + "/coordinator/tools/da-small/edit")
        for question in ("chronology", "research_informed", "direct_work", "plan_tasks"):
            page.locator(f"form[action$='/questions/{question}/remove'] button").click()
            assert page.locator(f"form[action$='/questions/{question}/remove']").count() == 0
        _look(page, shots, "editor", "the editor")
        page.get_by_role("link", name="Add a section").click()
        page.get_by_role("button", name="Add the section").click()
        expect(page.locator(".govuk-error-summary")).to_be_visible()
        _look(page, shots, "section-error", "a new section with errors")
        page.get_by_role("link", name="Back to the draft").click()

        page.get_by_role("link", name="Change question 2").click()
        _look(page, shots, "question", "a question's page")
        page.fill("#text", WORDING)
        supervision = "/coordinator/tools/da-small/edit/questions/supervision"
        page.get_by_role("button", name="Save in the draft").click()
        page.wait_for_url(base + "/coordinator/tools/da-small/edit")
        page.goto(base + supervision)
        page.check("#rollup-4")  # "met if any agency says so", on an own-practice question
        page.get_by_role("button", name="Save in the draft").click()
        summary = page.locator(".govuk-error-summary")
        expect(summary).to_be_visible()
        expect(page).to_have_title(re.compile("^Error:"))
        _look(page, shots, "question-error", "a question with an error")
        summary.locator("a[href='#rollup']").click()
        page.check("#rollup")
        page.get_by_role("button", name="Save in the draft").click()
        page.wait_for_url(base + "/coordinator/tools/da-small/edit")

        page.get_by_role("link", name="Preview the draft").click()
        page.wait_for_url(base + "/coordinator/tools/da-small/edit/preview")
        assert WORDING in page.content()
        _look(page, shots, "preview-draft", "the draft's preview")
        page.select_option("#agency", "police")
        page.get_by_role("button", name="Show").click()
        page.wait_for_url("**agency=police")
        page.get_by_role("link", name="Back to the draft").click()

        page.get_by_role("button", name="Check changes and save").click()
        expect(page.locator("h1")).to_have_text("Check your changes")
        assert page.locator("td", has_text="Question removed").count() == 4
        _look(page, shots, "check", "the changes before saving")
        page.get_by_role("button", name="Save as a new version").click()
        page.wait_for_url(f"{base}/coordinator/tools?saved=da-small*")
        saved = read_tool(tools_dir / "da-small.yaml")
        card = page.locator("#tool-da-small")
        expect(page.locator(".govuk-notification-banner")).to_contain_text(
            f"version {saved.version}"
        )
        assert saved.version in card.inner_text()
        _look(page, shots, "library-saved", "the library after saving")

        card.get_by_role("link", name=f"Preview version {saved.version}").click()
        page.wait_for_url(f"**/versions/{saved.version}/preview")
        assert WORDING in page.content() and "chronology" not in page.content()
        _look(page, shots, "preview", "the saved version's preview")
        browser.close()
    assert csp_errors == []
    assert sorted(p.name for p in shots.iterdir())[0] == "check.png"
