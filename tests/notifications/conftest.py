"""Fixtures for notifications: people to write to, settings per channel, loopback servers."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, select

from models.partnership import Person
from models.settings import Settings, get_settings
from tests.builders import load_agencies
from tests.notifications.fake_notify import TEMPLATE_ID, FakeNotify
from tests.notifications.loopback import SmtpSink, WebhookInbox, start_smtp

WEBHOOK_SECRET = "webhook-test-secret"
Configure = Callable[..., Settings]


@pytest.fixture(autouse=True)
def _fail_fast_on_a_held_sqlite_lock(monkeypatch: pytest.MonkeyPatch) -> None:
    """A test that leaves a write transaction open fails in seconds, not after 30."""
    monkeypatch.setenv("JOINTAUDIT_SQLITE_BUSY_TIMEOUT_MS", "5000")
    get_settings.cache_clear()


@pytest.fixture
def configure(monkeypatch: pytest.MonkeyPatch) -> Configure:
    """Set JOINTAUDIT_* settings for this test: configure(email_channel="smtp", ...)."""

    def configure_(**values: Any) -> Settings:
        for name, value in values.items():
            monkeypatch.setenv(f"JOINTAUDIT_{name.upper()}", str(value))
        get_settings.cache_clear()
        return get_settings()

    return configure_


@pytest.fixture
def people(session: Session, tmp_path: Path) -> dict[str, int]:
    """The five test agencies' contacts, as person ids by email address."""
    load_agencies(session=session, tmp_path=tmp_path)
    ids = {p.email: p.id for p in session.exec(select(Person)) if p.id is not None}
    session.commit()  # SQLite: a transaction left open would hold the write lock
    return ids


@pytest.fixture
def smtp_sink() -> Iterator[SmtpSink]:
    """A plain SMTP server on loopback keeping what it receives."""
    sink = SmtpSink()
    controller = start_smtp(sink)
    yield sink
    controller.stop()


@pytest.fixture
def fake_notify() -> Iterator[FakeNotify]:
    """GOV.UK Notify's API on loopback."""
    server = FakeNotify().start()
    yield server
    server.stop()


@pytest.fixture
def notify_settings(fake_notify: FakeNotify, configure: Configure) -> Settings:
    """Email goes through the fake Notify."""
    return configure(
        email_channel="notify",
        notify_api_key=fake_notify.api_key,
        notify_base_url=fake_notify.url,
        notify_template_id=TEMPLATE_ID,
    )


@pytest.fixture
def smtp_settings(smtp_sink: SmtpSink, configure: Configure) -> Settings:
    """Email goes through the loopback SMTP server, unencrypted and without auth."""
    return configure(
        email_channel="smtp",
        smtp_host="127.0.0.1",
        smtp_port=smtp_sink.port,
        smtp_security="none",
        smtp_from_address="audits@testshire.example.org",
    )


@pytest.fixture
def webhook_inbox(configure: Configure) -> Iterator[WebhookInbox]:
    """A webhook receiver checking signatures made with the configured secret."""
    configure(webhook_signing_secret=WEBHOOK_SECRET)
    inbox = WebhookInbox(secret=WEBHOOK_SECRET)
    server = inbox.start()
    yield inbox
    server.shutdown()
    server.server_close()
