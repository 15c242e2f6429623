"""The portal in a real browser: headless Chromium (Debian's package) driven by Playwright.

An agency lead opens an emailed link, confirms, fills a whole questionnaire, hits a
validation error, fixes it, submits and raises a concern (what it is, the risk, check, raised);
the front door follows its emailed alert and records a referral; axe-core checks the start page,
the task list, the questionnaire and the error page for WCAG 2.2 A and AA violations. A
coordinator signs in, lands on the rounds list and opens a round, a change form with an
error, a confirmation page and the identities step; axe-core checks those too. Another sets the
partnership up from its page (the example registry, after a copy with a located error; an agency
added, changed and deactivated; the registry downloaded), then imports a register, loads a
programme, launches a balanced round and re-audits it.
"""

from __future__ import annotations

import json
import re
import socket
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from playwright.sync_api import expect
from sqlmodel import Session, col, select

from agencies.registry_file import read_registry
from models.db import create_db_engine
from models.partnership import Person
from models.settings import Settings
from notifications.tokens import mint_sign_in_token
from tests.agencies.portal.browser_helpers import (
    CHROMIUM,
    CHROMIUM_ARGS,
    check_with_axe,
    seeded_portal_database,
    serving,
    signed_in_page,
    skip_unless_browser,
)
from tests.builders import (
    NOW,
    register_of,
    write_csv,
    write_yaml,
)

pytestmark = pytest.mark.browser

LEAD = "lead@police.example.org"
COORDINATOR = "casey@testshire.example.org"
EXAMPLE_REGISTRY = Path(__file__).resolve().parents[3] / "agencies" / "example" / "agencies.yaml"
EXAMPLE_AGENCIES = "police;csc;icb"


@pytest.fixture
def server(tmp_path: Path, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """`jointaudit serve` on a free loopback port, against a prepared SQLite database."""
    skip_unless_browser()
    url, round_id = seeded_portal_database(tmp_path, settings)
    monkeypatch.setenv("JOINTAUDIT_DATABASE_URL", url)
    engine = create_db_engine(url)
    with Session(engine, expire_on_commit=False) as session:
        tokens = {}
        for email in (LEAD, COORDINATOR):
            person = session.exec(select(Person).where(col(Person.email) == email)).one()
            tokens[email] = mint_sign_in_token(
                session=session,
                person_id=person.id or 0,
                round_id=round_id,
                now=NOW,
                ttl=timedelta(days=3650),
            )
        session.commit()
    engine.dispose()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with serving(port, {"JOINTAUDIT_DATABASE_URL": url}, tmp_path / "serve.log") as base:
        yield base, tokens


def _raise_concern(page: Any, text: str, *, risk: str, shots: Path | None = None) -> None:
    """Walk the journey from its first page to the confirmation, checking each page."""

    def look(name: str, what: str) -> None:
        check_with_axe(page, what)
        if shots is not None:
            page.screenshot(path=str(shots / f"{name}.png"), full_page=True)

    expect(page.locator("h1")).to_have_text("What is the concern?")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    look("concern-1-what-error", "the concern's first step with an error")
    page.fill("#description", text)
    look("concern-1-what", "the concern's first step")
    page.get_by_role("button", name="Continue").click()
    page.get_by_label(risk, exact=True).check()
    look("concern-2-risk", "the immediate risk step")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("h1")).to_have_text("Check your answers before raising the concern")
    look("concern-3-check", "check your answers")
    page.get_by_role("button", name="Raise the concern").click()
    expect(page.locator("h1")).to_have_text("Concern raised")
    look("concern-4-raised", "the confirmation")


def test_a_lead_signs_in_fills_a_questionnaire_fixes_an_error_submits_and_raises_a_concern(
    server: Any, tmp_path: Path
) -> None:
    from playwright.sync_api import sync_playwright

    base, tokens = server
    token = tokens[LEAD]
    csp_errors: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=CHROMIUM_ARGS,
        )
        page = browser.new_page()
        page.on(
            "console", lambda m: csp_errors.append(m.text) if "Security Policy" in m.text else None
        )
        page.goto(base + "/")
        expect(page.locator("h1")).to_have_text("Complete your agency's joint case audit")
        check_with_axe(page, "the start page")

        page.goto(f"{base}/sign-in/{token}")
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(base + "/tasks")
        assert "0 of 6" in page.content()
        check_with_axe(page, "the task list")

        page.locator(".govuk-task-list__link").first.click()
        check_with_axe(page, "the questionnaire")
        for radios in page.locator(".govuk-radios").all():
            name = radios.locator("input").first.get_attribute("name")
            if name != "q__info_sharing":  # left out on purpose: a validation error
                radios.locator("input").first.check()
        page.fill("#q__good_practice", "Prompt referral to the MASH.")
        page.get_by_role("button", name="Submit answers").click()
        summary = page.locator(".govuk-error-summary")
        expect(summary).to_be_visible()
        expect(page).to_have_title(re.compile("^Error:"))
        assert page.input_value("#q__good_practice") == "Prompt referral to the MASH."
        check_with_axe(page, "the error page")
        summary.locator("a[href='#q__info_sharing']").click()
        page.check("#q__info_sharing")
        page.get_by_role("button", name="Submit answers").click()
        expect(page.get_by_role("button", name="Amend answers")).to_be_visible()

        case_url = page.url
        page.get_by_role("button", name="Raise an immediate concern").click()
        _raise_concern(page, "Disclosure at school not passed on.", risk="No")
        page.goto(case_url)
        expect(page.locator("strong.govuk-tag", has_text="Raised")).to_be_visible()

        page.goto(base + "/tasks")
        assert "1 of 6" in page.content()
        page.screenshot(path=str(tmp_path / "task-list.png"), full_page=True)
        browser.close()
    assert (tmp_path / "task-list.png").stat().st_size > 0
    assert csp_errors == []


def test_a_coordinator_signs_in_lands_on_the_rounds_and_opens_a_round(server: Any) -> None:
    from playwright.sync_api import sync_playwright

    base, tokens = server
    csp_errors: list[str] = []
    with sync_playwright() as playwright:
        browser, page = signed_in_page(
            playwright,
            base,
            tokens[COORDINATOR],
            lands_on="/coordinator/rounds",
            csp_errors=csp_errors,
        )
        check_with_axe(page, "the rounds list")

        page.get_by_role("link", name="1: Domestic abuse joint audit").click()
        expect(page.locator("h1")).to_have_text("Domestic abuse joint audit")
        check_with_axe(page, "the round page")

        page.get_by_role("link", name="Extend the deadline").click()
        page.fill("#due-day", "19")
        page.fill("#due-month", "12")
        page.fill("#due-year", "2026")
        page.get_by_role("button", name="Extend the deadline").click()
        expect(page.locator(".govuk-error-summary")).to_be_visible()
        check_with_axe(page, "a change form with an error")

        page.goto(f"{base}/coordinator/rounds/1/changes/cancel")
        page.fill("#reason", "Inspection announced")
        page.get_by_role("button", name="Cancel the round").click()
        expect(page.locator("h1")).to_have_text("Are you sure you want to cancel this round?")
        check_with_axe(page, "a confirmation page")

        page.goto(f"{base}/coordinator/rounds/1")
        page.fill("#reason", "Moderation meeting")
        page.get_by_role("button", name="Show identities").click()
        expect(page.locator("h2#identities")).to_be_visible()
        check_with_axe(page, "the round page with identities")
        browser.close()
    assert csp_errors == []


def _front_door_link(settings: Settings, base: str) -> str:
    for _ in range(50):
        for path in sorted((settings.data_dir / "messages").glob("*-immediate_concern.json")):
            message = json.loads(path.read_text(encoding="utf-8"))
            if message["to"] == "mash@testshire.example.org":
                link = next(w for w in message["text"].split() if "/sign-in/" in w)
                return base + "/sign-in/" + link.rsplit("/", 1)[1]
        time.sleep(0.1)
    raise AssertionError("no alert was written for the front door")


def test_a_concern_with_text_reaches_the_front_door_which_records_a_referral(
    server: Any, settings: Settings, tmp_path: Path
) -> None:
    from playwright.sync_api import sync_playwright

    base, tokens = server
    shots = tmp_path / "screenshots"
    shots.mkdir()
    text = 'Mum told the school "he hits me" <script>alert(1)</script>'
    csp_errors: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=CHROMIUM_ARGS,
        )
        lead = browser.new_context().new_page()
        lead.on("dialog", lambda d: csp_errors.append("a script ran: " + d.message))
        lead.on(
            "console", lambda m: csp_errors.append(m.text) if "Security Policy" in m.text else None
        )
        lead.goto(f"{base}/sign-in/{tokens[LEAD]}")
        lead.get_by_role("button", name="Sign in").click()
        lead.locator(".govuk-task-list__link").first.click()
        lead.get_by_role("button", name="Raise an immediate concern").click()
        _raise_concern(lead, text, risk="Yes", shots=shots)
        assert "Testshire MASH" in lead.content() and "01632 960 123" in lead.content()
        assert "@" not in lead.locator("main").inner_text()

        door = browser.new_context().new_page()
        door.on("dialog", lambda d: csp_errors.append("a script ran: " + d.message))
        door.goto(_front_door_link(settings, base))
        door.get_by_role("button", name="Sign in").click()
        door.wait_for_url(base + "/concerns/1")
        assert text in door.locator("main").inner_text() and "POL-" in door.content()
        expect(door.locator("dd", has_text="Police Lead, Police agency")).to_be_visible()
        check_with_axe(door, "the front door's concern page")
        door.screenshot(path=str(shots / "concern-5-front-door.png"), full_page=True)
        door.get_by_role("button", name="Save the decision").click()
        expect(door.locator(".govuk-error-summary")).to_be_visible()
        check_with_axe(door, "the decision with an error")
        door.check("#outcome-referred")
        door.fill("#reference", "MASH-2026-0042")
        door.get_by_role("button", name="Save the decision").click()
        expect(door.locator(".govuk-notification-banner")).to_be_visible()
        assert "MASH-2026-0042" in door.content()
        check_with_axe(door, "the concern page after the referral")
        door.screenshot(path=str(shots / "concern-6-referred.png"), full_page=True)
        door.goto(base + "/concerns")
        check_with_axe(door, "the front door's concerns")
        door.screenshot(path=str(shots / "concern-7-list.png"), full_page=True)

        coordinator = browser.new_context().new_page()
        coordinator.goto(f"{base}/sign-in/{tokens[COORDINATOR]}")
        coordinator.get_by_role("button", name="Sign in").click()
        coordinator.goto(base + "/coordinator/rounds/1/concerns")
        assert "MASH-2026-0042" in coordinator.content()
        check_with_axe(coordinator, "the coordinator's concerns")
        coordinator.screenshot(path=str(shots / "concern-8-coordinator.png"), full_page=True)
        coordinator.get_by_role("link", name="Open concern 1").click()
        coordinator.wait_for_url(base + "/concerns/1")
        expect(coordinator.get_by_role("button", name="Show identities")).to_be_visible()
        assert "POL-" not in coordinator.content()
        check_with_axe(coordinator, "the coordinator's concern page")
        coordinator.screenshot(path=str(shots / "concern-9-coordinator-page.png"), full_page=True)
        coordinator.get_by_role("button", name="Show identities").click()
        # The button posts; wait for the answer page, not the page being left.
        coordinator.wait_for_url(base + "/concerns/1/identities")
        expect(coordinator.locator("main")).to_contain_text("POL-")
        check_with_axe(coordinator, "the coordinator's concern page with the identity")
        coordinator.screenshot(path=str(shots / "concern-10-identities.png"), full_page=True)
        browser.close()
    assert csp_errors == []
    assert len(list(shots.glob("*.png"))) == 11


def test_a_lead_sees_sections_a_saved_banner_named_errors_and_the_next_case(
    server: Any, tmp_path: Path
) -> None:
    from playwright.sync_api import sync_playwright

    base, tokens = server
    csp_errors: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=CHROMIUM_ARGS,
        )
        page = browser.new_page(viewport={"width": 1024, "height": 900})
        page.on(
            "console", lambda m: csp_errors.append(m.text) if "Security Policy" in m.text else None
        )
        page.goto(f"{base}/sign-in/{tokens[LEAD]}")
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(base + "/tasks")
        assert "Date of birth" not in page.content() and "NHS number" not in page.content()
        page.screenshot(path=str(tmp_path / "task-list-before.png"), full_page=True)

        page.locator(".govuk-task-list__link").first.click()
        expect(page.get_by_role("heading", name="Plans")).to_be_visible()
        rest = page.locator("#questions-after-known")
        page.check("#q__known_to_agency-2")  # No
        expect(rest).to_be_hidden()
        expect(page.locator("#not-known-note")).to_be_visible()
        page.check("#q__known_to_agency")  # Yes
        expect(rest).to_be_visible()
        expect(page.locator("#not-known-note")).to_be_hidden()

        for radios in page.locator(".govuk-radios").all():
            name = radios.locator("input").first.get_attribute("name")
            if name not in ("q__info_sharing", "q__known_to_agency"):
                radios.locator("input").first.check()
        page.get_by_role("button", name="Save as draft").click()
        banner = page.locator(".govuk-notification-banner--success")
        expect(banner).to_contain_text("Draft saved at ")
        check_with_axe(page, "the questionnaire after saving a draft")
        page.screenshot(path=str(tmp_path / "case-saved.png"))

        page.get_by_role("button", name="Submit answers").click()
        summary = page.locator(".govuk-error-summary")
        message = "Select whether information about the domestic abuse was shared between"
        assert message in summary.inner_text()
        assert message in page.locator("#q__info_sharing-error").inner_text()
        check_with_axe(page, "the questionnaire with errors")
        page.screenshot(path=str(tmp_path / "case-errors.png"))
        field = page.locator(".govuk-form-group--error").first
        field.scroll_into_view_if_needed()
        page.screenshot(path=str(tmp_path / "case-error-field.png"))

        summary.locator("a[href='#q__info_sharing']").click()
        page.check("#q__info_sharing")
        page.get_by_role("button", name="Submit answers").click()
        next_link = page.locator(".govuk-notification-banner__link", has_text="Next case")
        expect(next_link).to_be_visible()
        check_with_axe(page, "the submitted case with the next case link")
        page.screenshot(path=str(tmp_path / "case-submitted.png"))
        next_link.click()
        expect(page.get_by_role("button", name="Submit answers")).to_be_visible()

        page.goto(base + "/tasks")
        assert "1 of 6 answered: 1 submitted, 0 not known" in page.content()
        check_with_axe(page, "the task list after a submission")
        page.screenshot(path=str(tmp_path / "task-list.png"), full_page=True)
        browser.close()
    assert csp_errors == []
    assert all(
        (tmp_path / f"{name}.png").stat().st_size > 0 for name in ("case-saved", "case-errors")
    )


def _look(page: Any, shot: Path, what: str) -> None:
    check_with_axe(page, what)
    page.screenshot(path=str(shot), full_page=True)


def _set_up_the_partnership(page: Any, base: str, tmp_path: Path) -> None:
    """Upload the example registry (a bad copy first), then add, change and deactivate an agency."""
    page.get_by_role("link", name="The partnership: agencies and their contacts").click()
    expect(page.locator("h1")).to_have_text("Partnership")
    _look(page, tmp_path / "partnership-before.png", "the partnership page")
    text = EXAMPLE_REGISTRY.read_text(encoding="utf-8")
    line = text[: text.index("mark.ellis@")].count("\n") + 1
    bad = tmp_path / "bad-agencies.yaml"
    bad.write_text(text.replace("mark.ellis@police", "mark.ellis.police"), encoding="utf-8")
    page.set_input_files("#registry_file", str(bad))
    page.get_by_role("button", name="Upload the registry").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("nothing was loaded")
    expect(summary).to_contain_text(f"Line {line}, agencies[0].lead.email")
    _look(page, tmp_path / "partnership-problems.png", "the partnership page with problems")
    example = yaml.safe_load(text)  # signed in as the tests' coordinator: the file must name her
    example["partnership"]["coordinators"].append(
        {"name": "Casey Coordinator", "email": COORDINATOR}
    )
    page.set_input_files("#registry_file", str(write_yaml(tmp_path / "agencies.yaml", example)))
    page.get_by_role("button", name="Upload the registry").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "The registry was loaded: 4 agencies added, 4 changed, 1 deactivated"
    )
    expect(page.get_by_role("heading", name="Northbridge CAMHS")).to_be_visible()
    _look(page, tmp_path / "partnership.png", "the partnership page after the upload")

    page.get_by_role("button", name="Add an agency").click()
    page.get_by_role("button", name="Add the agency").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the agency's name")
    _look(page, tmp_path / "agency-add-error.png", "the add-an-agency form with errors")
    page.fill("#code", "youth-justice")
    page.fill("#name", "Northbridge Youth Justice Service")
    page.fill("#lead_name", "Sam Okafor")
    page.fill("#lead_email", "sam.okafor@yjs.example.org")
    page.get_by_role("button", name="Add the agency").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Youth Justice Service was added"
    )

    page.get_by_role(
        "link", name="Change the contacts of Northbridge Youth Justice Service"
    ).click()
    expect(page.locator("h1")).to_have_text("Change the agency's contacts")
    _look(page, tmp_path / "agency-change.png", "the change-contacts form")
    page.fill("#deputy_name", "Ife Adebayo")
    page.fill("#deputy_email", "ife.adebayo@yjs.example.org")
    page.get_by_role("button", name="Save the contacts").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("were saved")
    expect(page.locator("main")).to_contain_text("Ife Adebayo")

    page.get_by_role("link", name="Deactivate Northbridge Youth Justice Service").click()
    expect(page.locator("h1")).to_have_text("Are you sure you want to deactivate this agency?")
    _look(page, tmp_path / "agency-deactivate.png", "the deactivation's confirmation page")
    page.get_by_role("button", name="Yes, deactivate Northbridge Youth Justice Service").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("was deactivated")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the registry (YAML)").click()
    saved = tmp_path / "downloaded.yaml"
    download.value.save_as(saved)
    assert len(read_registry(saved).agencies) == 8
    page.goto(base + "/coordinator/rounds")


def test_a_coordinator_checks_a_selection_launches_a_balanced_round_and_re_audits_it(
    server: Any, tmp_path: Path
) -> None:
    from playwright.sync_api import sync_playwright

    base, tokens = server
    csp_errors: list[str] = []
    with sync_playwright() as playwright:
        browser, page = signed_in_page(
            playwright,
            base,
            tokens[COORDINATOR],
            lands_on="/coordinator/rounds",
            csp_errors=csp_errors,
        )
        _set_up_the_partnership(page, base, tmp_path)
        page.get_by_role("link", name="The case register").click()
        bad = register_of(counts={"CP": 2, "CIN": 2, "EH": 2}, agencies=EXAMPLE_AGENCIES)
        bad[1]["category"] = "XX"
        page.set_input_files("#register_file", str(write_csv(tmp_path / "bad.csv", bad)))
        page.get_by_role("button", name="Import the register").click()
        expect(page.locator(".govuk-error-summary")).to_contain_text("nothing was imported")
        check_with_axe(page, "the register page with problems")
        page.screenshot(path=str(tmp_path / "register-problems.png"), full_page=True)
        good = register_of(counts={"CP": 2, "CIN": 2, "EH": 2}, agencies=EXAMPLE_AGENCIES)
        good += register_of(counts={"CIN": 3}, prefix="N", agencies=EXAMPLE_AGENCIES)
        page.set_input_files("#register_file", str(write_csv(tmp_path / "good.csv", good)))
        page.get_by_role("button", name="Import the register").click()
        expect(page.locator("main")).to_contain_text("The register was imported")
        check_with_axe(page, "the register page")
        page.screenshot(path=str(tmp_path / "register.png"), full_page=True)

        page.goto(base + "/coordinator/programme")
        plan = {"year": 2026, "rounds": [{
            "key": "neglect-spring", "theme": "neglect", "tool": "neglect",
            "launch": "2027-02-02", "sample": 3, "agencies": ["police", "csc"],
        }]}  # fmt: skip
        page.set_input_files("#programme_file", str(write_yaml(tmp_path / "p.yaml", plan)))
        page.get_by_role("button", name="Upload the programme").click()
        expect(page.locator("main")).to_contain_text("The programme was loaded")
        check_with_axe(page, "the programme page")
        page.screenshot(path=str(tmp_path / "programme.png"), full_page=True)

        page.goto(base + "/coordinator/rounds")
        page.get_by_role("button", name="Launch a round", exact=True).click()
        expect(page.locator("h1")).to_have_text("Launch a round")
        check_with_axe(page, "the launch form")
        page.screenshot(path=str(tmp_path / "launch-form.png"), full_page=True)

        page.fill("#title", "Domestic abuse, balanced")
        page.check("#tool")
        for label in (
            "Northbridge Police, Public Protection Unit",
            "Northbridge Children's Social Care",
            "Northbridge Integrated Care Board (designated nurse)",
        ):
            page.get_by_label(label).check()
        page.get_by_label("Domestic abuse (9 cases)").check()
        page.fill("#sample_size", "3")
        page.get_by_label("In proportion to the register, by the attribute below").check()
        page.select_option("#stratify_by", "category")
        page.fill("#due-day", "25")
        page.fill("#due-month", "12")
        page.fill("#due-year", "2026")
        page.get_by_role("button", name="Check the selection").click()
        summary = page.locator(".govuk-error-summary")
        expect(summary).to_contain_text("Christmas Day")
        check_with_axe(page, "the launch form with an error")
        page.screenshot(path=str(tmp_path / "launch-error.png"), full_page=True)
        page.fill("#due-day", "15")
        page.fill("#due-month", "1")
        page.fill("#due-year", "2027")
        page.get_by_role("button", name="Check the selection").click()
        expect(page.locator("h1")).to_have_text("Domestic abuse, balanced")
        assert page.locator("#cases li").count() == 3
        check_with_axe(page, "the checked selection")
        page.screenshot(path=str(tmp_path / "check.png"), full_page=True)
        page.get_by_role("button", name="Launch").click()
        page.wait_for_url(base + "/coordinator/rounds/2?launched=1")
        expect(page.locator(".govuk-notification-banner")).to_contain_text("Round launched")
        chasing = page.locator("#chasing")
        expect(chasing).to_be_visible()
        assert "Reminder" in page.content()
        check_with_axe(page, "the new round with its chase schedule")
        page.screenshot(path=str(tmp_path / "round.png"), full_page=True)

        page.get_by_role("link", name="Re-audit using the same parameters").click()
        check_with_axe(page, "the re-audit form")
        page.screenshot(path=str(tmp_path / "reaudit-form.png"), full_page=True)
        page.fill("#due-day", "15")
        page.fill("#due-month", "6")
        page.fill("#due-year", "2027")
        page.get_by_label("The very same cases").check()
        page.get_by_role("button", name="Check the re-audit").click()
        expect(page.locator("main")).to_contain_text("The same cases as round 2")
        check_with_axe(page, "the checked re-audit")
        page.screenshot(path=str(tmp_path / "reaudit-check.png"), full_page=True)
        page.get_by_role("button", name="Launch").click()
        page.wait_for_url(base + "/coordinator/rounds/3?launched=1")
        assert "Re-audit of" in page.content()

        page.goto(base + "/coordinator/rounds/new/named")
        check_with_axe(page, "the named cases form")
        page.screenshot(path=str(tmp_path / "named-form.png"), full_page=True)
        page.goto(base + "/coordinator/tools/domestic-abuse")
        check_with_axe(page, "the tool preview")
        page.screenshot(path=str(tmp_path / "tool-preview.png"), full_page=True)
        browser.close()
    assert csp_errors == []
