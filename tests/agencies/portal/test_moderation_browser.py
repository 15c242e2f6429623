"""A moderation meeting run in headless Chromium through the pages, checked by axe-core."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlmodel import Session, col, select

from models.agency import Agency
from models.answers import Answer, AnswerSet
from models.db import create_db_engine
from models.round import Assignment
from tests.agencies.portal.browser_helpers import (
    check_with_axe,
    reconcile_served_round,
    screenshot_folder,
    signed_in_page,
)
from tests.agencies.portal.test_browser import COORDINATOR, server

pytestmark = pytest.mark.browser
__all__ = ["server"]  # the fixture, used by name


COMMENT = "Joint visits were not recorded in the chronology."


def _health_comments_on_every_case() -> None:
    """Health's submitted answers gain a free-text answer (text questions enter no figure)."""
    engine = create_db_engine(os.environ["JOINTAUDIT_DATABASE_URL"])
    with Session(engine) as session:
        sets = session.exec(
            select(AnswerSet.id)
            .join(Assignment, col(Assignment.id) == col(AnswerSet.assignment_id))
            .join(Agency, col(Agency.id) == col(Assignment.agency_id))
            .where(col(Agency.code) == "health")
        ).all()
        session.add_all(
            Answer(answer_set_id=i or 0, question_id="areas_for_development", text=COMMENT)
            for i in sets
        )
        session.commit()
    engine.dispose()


def _agree_every_agenda_item(page: Any) -> int:
    """Save each card still "Not yet agreed", the first one changed to No; how many there were."""
    saved = 0
    while True:
        waiting = page.locator(".govuk-summary-card").filter(has_text="Not yet agreed")
        if waiting.count() == 0:
            return saved
        card = waiting.first
        if saved == 0:
            card.get_by_label("No", exact=True).check()
        card.get_by_label(re.compile("How the disagreement was resolved")).fill(
            "Records compared at the meeting"
        )
        card.get_by_role("button", name=re.compile("Save the agreed answer")).click()
        page.wait_for_load_state()
        banner = page.locator(".govuk-notification-banner").inner_text()
        assert "The agreed answer is saved" in banner
        saved += 1


def test_a_coordinator_runs_the_moderation_meeting_and_the_findings_become_moderated(
    server: Any, tmp_path: Path
) -> None:
    from playwright.sync_api import sync_playwright

    base, tokens = server
    reconcile_served_round(reconcile=False)
    _health_comments_on_every_case()
    shots = screenshot_folder(tmp_path)
    with sync_playwright() as playwright:
        browser, page = signed_in_page(
            playwright, base, tokens[COORDINATOR], lands_on="/coordinator/rounds"
        )
        page.goto(f"{base}/coordinator/rounds/1/findings")
        expect(page.get_by_text("This round has not been reconciled yet")).to_be_visible()
        page.screenshot(path=str(shots / "findings-not-reconciled.png"), full_page=True)
        check_with_axe(page, "the findings page before reconciling")
        page.get_by_role("button", name="Close collection and reconcile now").click()
        expect(page.locator(".govuk-tag", has_text="Provisional").first).to_be_visible()
        page.goto(f"{base}/coordinator/rounds/1")
        page.get_by_role("link", name="Moderation meeting").click()
        expect(page.locator("h1")).to_have_text("Moderation meeting")
        assert re.search(r"0 of \d+ items agreed", page.locator("#progress").inner_text())
        expect(page.locator("#item-1").get_by_text(COMMENT)).to_be_visible()
        page.screenshot(path=str(shots / "moderation.png"), full_page=True)
        check_with_axe(page, "the moderation meeting page")

        page.get_by_role("button", name="Record the meeting").click()
        expect(page.locator(".govuk-error-summary")).to_be_visible()
        page.screenshot(path=str(shots / "moderation-error.png"), full_page=True)
        check_with_axe(page, "the moderation meeting page with errors")
        page.get_by_label("Day").fill("27")
        page.get_by_label("Month").fill("11")
        page.get_by_label("Year").fill("2026")
        for name in ("Csc agency", "Health agency", "Police agency"):
            page.get_by_label(name).check()
        page.get_by_label("Notes").fill("All three agencies attended.")
        page.get_by_role("button", name="Record the meeting").click()
        expect(page.locator(".govuk-notification-banner")).to_contain_text(
            "The meeting is recorded"
        )

        assert _agree_every_agenda_item(page) == 2
        page.get_by_role("button", name=re.compile("with no discrepancy")).click()
        progress = page.locator("#progress").inner_text()
        agreed, total = map(int, re.findall(r"\d+", progress)[:2])
        assert agreed == total and total > 2, progress
        page.screenshot(path=str(shots / "moderation-agreed.png"), full_page=True)
        check_with_axe(page, "the moderation meeting page, every item agreed")

        change = page.locator("#undisputed + p + table details").first
        change.locator("summary").click()
        change.get_by_role("button", name=re.compile("Save the agreed answer")).click()
        expect(page.locator(".govuk-error-summary")).to_contain_text(
            "Enter why the agreed answer was changed"
        )
        opened = page.locator("details[open]").first
        page.screenshot(path=str(shots / "moderation-change-error.png"), full_page=True)
        check_with_axe(page, "the moderation meeting page, a confirmed answer being changed")
        opened.get_by_label(re.compile("Why the answer was changed")).fill("Records re-read")
        opened.get_by_role("button", name=re.compile("Save the agreed answer")).click()
        expect(page.locator(".govuk-notification-banner")).to_contain_text(
            "The agreed answer is saved"
        )

        page.get_by_role("link", name=re.compile("Present the agenda on a screen")).click()
        expect(page.get_by_text("Case 1 of 2 on the agenda")).to_be_visible()
        first = page.locator("h1").inner_text()
        assert page.get_by_text(COMMENT).count() == 0
        expect(page.get_by_text("Agreed: No").first).to_be_visible()
        page.screenshot(path=str(shots / "present-1.png"), full_page=True)
        check_with_axe(page, "the presenting view")
        page.get_by_role("link", name=re.compile("Next")).click()
        expect(page.get_by_text("Case 2 of 2 on the agenda")).to_be_visible()
        assert page.locator("h1").inner_text() not in ("", first)
        page.screenshot(path=str(shots / "present-2.png"), full_page=True)
        check_with_axe(page, "the presenting view's second case")

        page.goto(f"{base}/coordinator/rounds/1/findings")
        expect(page.locator(".govuk-tag", has_text="Moderated").first).to_be_visible()
        expect(page.get_by_text("Case level, all agencies (moderated)").first).to_be_visible()
        assert page.get_by_text("(provisional)").count() == 0
        page.screenshot(path=str(shots / "findings-moderated.png"))
        check_with_axe(page, "the findings page, moderated")
        browser.close()
