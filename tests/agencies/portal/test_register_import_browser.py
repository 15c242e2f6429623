"""A large import's progress page in headless Chromium: axe-core finds no WCAG 2.2 A/AA issue
while it waits, once it is done and once it has failed; its refresh is one the user turns on."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlmodel import Session

from models.crypto import load_cipher
from models.db import create_db_engine
from models.register_import import (
    ImportStatus,
    RegisterImport,
    queue_register_import,
    record_problems,
)
from models.settings import get_settings
from tests.agencies.portal.browser_helpers import (
    AXE,
    WCAG_TAGS,
    check_with_axe,
    screenshot_folder,
    signed_in_page,
)
from tests.agencies.portal.test_browser import COORDINATOR, LEAD, server
from tests.builders import NOW

pytestmark = pytest.mark.browser
__all__ = ["server"]  # the fixture, used by name


def _change(import_id: int | None = None, **values: Any) -> int:
    """Queue an import (no id given) or change one, in the served portal's database."""
    engine = create_db_engine(os.environ["JOINTAUDIT_DATABASE_URL"])
    with Session(engine, expire_on_commit=False) as session:
        if import_id is None:
            upload = queue_register_import(
                session=session,
                data=b"case_ref\n",
                source_name="register-2026-12.csv",
                rows_estimated=100_000,
                cipher=load_cipher(get_settings()),
                actor="test",
                now=NOW,
            )
        else:
            found = session.get(RegisterImport, import_id)
            assert found is not None
            upload = found
        for name, value in values.items():
            setattr(upload, name, value)
        if values.get("status") == ImportStatus.failed:
            problems = [("12", "category", "Unknown category; expected one of EH, CIN, CP, LAC")]
            problems.append(("40", "referral_date", "Not a date: expected YYYY-MM-DD"))
            record_problems(session=session, import_id=upload.id or 0, problems=problems)
        session.add(upload)
        session.commit()
        found_id = upload.id or 0
    engine.dispose()
    return found_id


def _violations(page: Any) -> list[str]:
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
    )
    return sorted(v["id"] for v in result["violations"])


def test_the_progress_page_passes_axe_and_refreshes_only_when_asked(
    server: Any, tmp_path: Path
) -> None:
    from playwright.sync_api import sync_playwright

    base, tokens = server
    shots = screenshot_folder(tmp_path)
    waiting = _change()
    with sync_playwright() as playwright:
        browser, page = signed_in_page(
            playwright, base, tokens[COORDINATOR], lands_on="/coordinator/rounds"
        )
        page.goto(f"{base}/coordinator/register")
        expect(page.get_by_role("link", name="See its progress")).to_be_visible()
        page.screenshot(path=str(shots / "register-with-an-import-waiting.png"), full_page=True)
        check_with_axe(page, "the register page with an import waiting")
        page.get_by_role("link", name="See its progress").click()
        expect(page.locator("h1")).to_have_text("Register import")
        expect(page.get_by_text("Waiting to start")).to_be_visible()
        assert page.locator('meta[http-equiv="refresh"]').count() == 0
        page.screenshot(path=str(shots / "register-import-waiting.png"), full_page=True)
        check_with_axe(page, "a waiting import's progress page")

        page.get_by_role("link", name="Refresh this page every 5 seconds").click()
        expect(page.get_by_role("link", name="Stop refreshing this page")).to_be_visible()
        assert page.locator('meta[http-equiv="refresh"]').get_attribute("content") == "5"
        page.screenshot(path=str(shots / "register-import-refreshing.png"), full_page=True)
        # The refresh the coordinator turned on is the one thing axe objects to (WCAG 2.2.1
        # asks that the user can turn it off: the link beside it does).
        assert _violations(page) == ["meta-refresh"]
        _change(waiting, status=ImportStatus.running)
        expect(page.get_by_text("Importing")).to_be_visible(timeout=15_000)  # it refreshed
        page.get_by_role("link", name="Stop refreshing this page").click()
        expect(page.get_by_role("link", name="Refresh this page every 5 seconds")).to_be_visible()
        assert page.locator('meta[http-equiv="refresh"]').count() == 0

        _change(
            waiting,
            status=ImportStatus.done,
            rows=100_000,
            created=120,
            updated=40,
            unchanged=99_840,
            deactivated=12,
            finished_at=NOW,
        )
        page.get_by_role("button", name="Check progress again").click()
        expect(page.get_by_text("The register was imported")).to_be_visible()
        page.screenshot(path=str(shots / "register-import-done.png"), full_page=True)
        check_with_axe(page, "a finished import's page")

        failed = _change()
        _change(failed, status=ImportStatus.failed, problem_count=2, finished_at=NOW)
        page.goto(f"{base}/coordinator/register/imports/{failed}?refresh=5")
        expect(page.get_by_text("Not imported")).to_be_visible()
        assert page.locator('meta[http-equiv="refresh"]').count() == 0
        page.screenshot(path=str(shots / "register-import-failed.png"), full_page=True)
        check_with_axe(page, "a failed import's page")

        lead = browser.new_page()
        lead.goto(f"{base}/sign-in/{tokens[LEAD]}")
        lead.get_by_role("button", name="Sign in").click()
        calendar = lead.get_by_role("link", name="Add the due date to your calendar")
        expect(calendar).to_be_visible()
        lead.screenshot(path=str(shots / "tasks-with-the-calendar-link.png"), full_page=True)
        check_with_axe(lead, "the task list with its calendar link")
        with lead.expect_download() as download:
            calendar.click()
        assert download.value.suggested_filename == "round-1.ics"
        browser.close()
