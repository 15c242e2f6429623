"""The portal with two providers: the real one (oidc-provider) and a forging one for bad tokens."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import httpx
import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import Engine

from agencies.app import create_app
from models.settings import OidcProvider, Settings
from models.types import utcnow
from tests.agencies.portal.conftest import Portal
from tests.agencies.portal.oidc.forge import Forge, running_forge
from tests.agencies.portal.oidc.harness import (
    CLIENT_ID,
    CLIENT_SECRET,
    available,
    log_in,
    running_provider,
)

BASE = "http://testserver"


class MovableClock:
    """The real time, moved on by the test (ID tokens carry the real time)."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def __call__(self) -> datetime:
        return utcnow() + self.offset


@pytest.fixture(scope="session")
def issuer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The real provider, once per test process."""
    if not available():
        pytest.skip("Node.js or oidc-provider missing: run make test (it installs them)")
    with running_provider(tmp_path_factory.mktemp("provider"), redirect_base=BASE) as found:
        yield found


@pytest.fixture
def forge() -> Iterator[Forge]:
    """A provider that signs whatever ID token the test asks for."""
    with running_forge() as found:
        yield found


@dataclass
class SSO:
    """The portal (with providers) and a browser at the provider."""

    client: TestClient
    engine: Engine
    round_id: int
    clock: MovableClock
    browser: httpx.Client
    portal: Portal

    def sign_in(self, login: str, *, provider: str = "council", start: str = "") -> httpx.Response:
        """Press "Sign in with ..." and log in at the provider; the portal's callback answer."""
        path = start or f"/sign-in/provider/{provider}"
        begin = self.client.get(path, follow_redirects=False)
        assert begin.status_code == 303, begin.text
        return self.finish(begin.headers["location"], login=login)

    def finish(self, authorization_url: str, *, login: str) -> httpx.Response:
        """Log in at the provider from its authorization URL; the portal's callback answer."""
        back = log_in(self.browser, authorization_url, login=login, back_to=BASE)
        return self.client.get(back.removeprefix(BASE), follow_redirects=False)

    def query_of(self, url: str) -> dict[str, str]:
        """An address's query parameters."""
        return {k: v[0] for k, v in parse_qs(urlparse(url).query).items()}


def providers(issuer: str, forged: str) -> tuple[OidcProvider, ...]:
    """The council's provider (the real one) and the forging one."""
    secret = SecretStr(CLIENT_SECRET)
    domains = ("police.example.org", "testshire.example.org", "health.example.org")
    council = OidcProvider(
        key="council",
        name="Testshire Council",
        issuer=issuer,
        client_id=CLIENT_ID,
        client_secret=secret,
        domains=domains,
    )
    forging = OidcProvider(
        key="forged",
        name="Forged",
        issuer=forged,
        client_id=CLIENT_ID,
        client_secret=secret,
        domains=domains,
    )
    return (council, forging)


@pytest.fixture
def sso_settings(settings: Settings, issuer: str, forge: Forge) -> Settings:
    """The test settings with both providers and the test client's base address."""
    return settings.model_copy(
        update={"portal_base_url": BASE, "oidc_providers": providers(issuer, forge.issuer)}
    )


@pytest.fixture
def sso(portal: Portal, sso_settings: Settings, tmp_path: Path) -> Iterator[SSO]:
    """The launched round's portal, signing in with the providers, on a movable real clock."""
    clock = MovableClock()
    app = create_app(sso_settings, engine=portal.engine, clock=clock)
    with (
        TestClient(app, base_url=BASE) as client,
        httpx.Client(follow_redirects=False, timeout=10) as browser,
    ):
        yield SSO(
            client=client,
            engine=portal.engine,
            round_id=portal.round_id,
            clock=clock,
            browser=browser,
            portal=Portal(client=client, engine=portal.engine, round_id=portal.round_id),
        )
