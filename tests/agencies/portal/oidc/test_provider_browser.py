"""Signing in with the provider in a real browser: Chromium through oidc-provider's own pages.

A lead signs in with the council's account; a stranger sees the refusal page; a coordinator
whose sign-in is old is asked to sign in again before the identities and comes back to them;
a required domain asking for a link is sent to its provider; signing out offers the provider's
own sign-out. axe-core checks each new page; each is photographed.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import update
from sqlmodel import Session

from models.db import create_db_engine
from models.partnership import PortalSessionRow
from models.settings import Settings
from models.types import utcnow
from tests.agencies.portal.browser_helpers import (
    CHROMIUM,
    CHROMIUM_ARGS,
    check_with_axe,
    seeded_portal_database,
    serving,
    skip_unless_browser,
)
from tests.agencies.portal.oidc.harness import (
    CLIENT_ID,
    CLIENT_SECRET,
    available,
    free_port,
    running_provider,
)

pytestmark = pytest.mark.browser

SHOTS = (
    Path(os.environ.get("JOINTAUDIT_SCREENSHOTS", ""))
    if os.environ.get("JOINTAUDIT_SCREENSHOTS")
    else None
)
COUNCIL = "Sign in with your Testshire Council account"


@dataclass
class Running:
    """The portal's address and database."""

    base: str
    database_url: str
    shots: Path


@pytest.fixture
def running(
    tmp_path: Path, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Running]:
    """`jointaudit serve` with the council's provider, the provider, and a launched round."""
    skip_unless_browser(None if available() else "Node.js or oidc-provider is missing")
    url, _round_id = seeded_portal_database(tmp_path, settings)
    monkeypatch.setenv("JOINTAUDIT_DATABASE_URL", url)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with running_provider(tmp_path, redirect_base=base) as issuer:
        providers = [
            {
                "key": "council",
                "name": "Testshire Council",
                "issuer": issuer,
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
                "domains": ["police.example.org", "testshire.example.org"],
            },
            {
                "key": "trust",
                "name": "Closed Trust",
                "issuer": f"http://127.0.0.1:{free_port()}",  # nobody listens there
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
                "domains": ["trust.example.org"],
            },
        ]
        env = {
            "JOINTAUDIT_DATABASE_URL": url,
            "JOINTAUDIT_PORTAL_BASE_URL": base,
            "JOINTAUDIT_OIDC_PROVIDERS": json.dumps(providers),
            "JOINTAUDIT_SSO_REQUIRED_DOMAINS": "police.example.org",
        }
        with serving(port, env, tmp_path / "serve.log") as served:
            shots = SHOTS or tmp_path
            shots.mkdir(parents=True, exist_ok=True)
            yield Running(base=served, database_url=url, shots=shots)


def _check(page: Any, running: Running, name: str) -> None:
    """axe-core (no rule disabled) on the page, and a full-page photograph of it."""
    check_with_axe(page, name)
    page.screenshot(path=str(running.shots / f"oidc-{name}.png"), full_page=True)


def _log_in_at_provider(page: Any, login: str) -> None:
    """The provider's own login page: any password is accepted for a known login."""
    expect(page.locator("input[name=login]")).to_be_visible()
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", "any password")
    page.locator("button[type=submit]").click()


def _age_sessions(running: Running) -> None:
    """An hour passes since everyone proved who they are (the portal runs on the real clock)."""
    engine = create_db_engine(running.database_url)
    with Session(engine) as session:
        session.execute(
            update(PortalSessionRow).values(authenticated_at=utcnow() - timedelta(hours=1))
        )
        session.commit()
    engine.dispose()


def _browser(playwright: Any) -> Any:
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)


def test_a_lead_and_a_stranger_sign_in_through_the_providers_own_pages(running: Running) -> None:
    from playwright.sync_api import sync_playwright

    base = running.base
    with sync_playwright() as playwright:
        browser = _browser(playwright)
        page = browser.new_page()
        page.goto(base + "/")
        expect(page.get_by_role("button", name=COUNCIL)).to_be_visible()
        _check(page, running, "start")

        page.fill("#email", "lead@police.example.org")
        page.get_by_role("button", name="Email me a sign-in link").click()
        expect(page.locator("h1")).to_have_text("Sign in with your organisation's account")
        _check(page, running, "use-provider")

        page.get_by_role("button", name=COUNCIL).click()
        _log_in_at_provider(page, "lead")
        expect(page).to_have_url(base + "/tasks")
        expect(page.get_by_role("button", name="Sign out")).to_be_visible()

        page.get_by_role("button", name="Sign out").click()
        expect(page.locator("h1")).to_have_text("You have signed out")
        _check(page, running, "signed-out")
        page.get_by_role("button", name="Sign out of your Testshire Council account").click()
        page.get_by_role("button", name="Yes, sign me out").click()  # the provider's own page
        expect(page).to_have_url(base + "/")

        stranger = browser.new_page()
        stranger.goto(base + "/")
        stranger.get_by_role("button", name=COUNCIL).click()
        _log_in_at_provider(stranger, "stranger")
        expect(stranger.locator("h1")).to_have_text("We could not sign you in")
        _check(stranger, running, "refused")

        stranger.goto(base + "/")
        stranger.get_by_role("button", name="Sign in with your Closed Trust account").click()
        expect(stranger.locator("h1")).to_contain_text("is not working")
        _check(stranger, running, "provider-unavailable")
        browser.close()


def test_a_coordinator_signs_in_again_before_the_identities_and_comes_back_to_them(
    running: Running,
) -> None:
    from playwright.sync_api import sync_playwright

    base = running.base
    with sync_playwright() as playwright:
        browser = _browser(playwright)
        page = browser.new_page()
        page.goto(base + "/")
        page.get_by_role("button", name=COUNCIL).click()
        _log_in_at_provider(page, "coordinator")
        expect(page).to_have_url(base + "/coordinator/rounds")

        _age_sessions(running)
        page.get_by_role("link", name="1: Domestic abuse joint audit").click()
        expect(page.locator("h1")).to_have_text("Domestic abuse joint audit")
        page.fill("#reason", "moderation meeting")
        page.get_by_role("button", name="Show identities").click()
        expect(page.locator("h1")).to_have_text("Sign in again to continue")
        _check(page, running, "sign-in-again")

        page.get_by_role("button", name="Sign in again with your Testshire Council account").click()
        expect(page.get_by_text("You have signed in again")).to_be_visible()
        _check(page, running, "round-after-signing-in-again")
        page.fill("#reason", "moderation meeting")
        page.get_by_role("button", name="Show identities").click()
        expect(page.get_by_text("Child 0").first).to_be_visible()
        browser.close()
