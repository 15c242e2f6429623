from __future__ import annotations

import ssl
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import Engine
from sqlmodel import Session

from models.errors import ConfigurationError
from models.outbox import MessageStatus, OutboxMessage
from models.settings import Settings
from notifications.channels.smtp import SmtpChannel
from notifications.dispatcher import dispatch_due
from notifications.errors import PermanentDeliveryError, RetryableDeliveryError
from notifications.render import RenderedMessage
from tests.builders import NOW
from tests.notifications.loopback import (
    PASSWORD,
    USERNAME,
    SmtpSink,
    authenticate,
    self_signed_certificate,
    start_smtp,
)
from tests.notifications.messages import queue_many

LEAD = "lead@police.example.org"


def _message(n: int = 1) -> RenderedMessage:
    return RenderedMessage(
        message_id=n,
        template="invitation",
        address=f"p{n}@example.org",
        subject=f"Subject {n}",
        text=f"Text {n}\n",
        html=f"<p>HTML {n}</p>",
    )


def test_the_smtp_server_receives_exactly_the_expected_multipart_messages(
    engine: Engine,
    session: Session,
    people: dict[str, int],
    smtp_sink: SmtpSink,
    smtp_settings: Settings,
) -> None:
    ids = queue_many(session=session, person_id=people[LEAD], count=3)
    report = dispatch_due(engine=engine, now=NOW)
    assert report.sent == 3
    assert [m["X-Jointaudit-Message"] for m in smtp_sink.messages] == [str(i) for i in ids]
    first = smtp_sink.messages[0]
    assert first["To"] == LEAD and first["From"] == "audits@testshire.example.org"
    assert first["Subject"].startswith("Joint case audit: Domestic abuse joint audit 2026")
    assert first.get_content_type() == "multipart/alternative"
    text = first.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    html = first.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert "/sign-in/" in text and 'href="http://127.0.0.1:8000/sign-in/' in html
    session.expire_all()
    row = session.get(OutboxMessage, ids[0])
    assert row is not None and row.provider_message_id == first["Message-ID"].strip()


def test_smtp_4xx_is_retried_later_and_5xx_fails_for_good(
    engine: Engine,
    session: Session,
    people: dict[str, int],
    smtp_sink: SmtpSink,
    smtp_settings: Settings,
) -> None:
    smtp_sink.script.extend(["451 4.3.0 Try again later", "550 5.1.1 Mailbox unavailable"])
    temporary, permanent, fine = queue_many(session=session, person_id=people[LEAD], count=3)
    report = dispatch_due(engine=engine, now=NOW)
    assert (report.sent, report.retrying, report.failed) == (1, 1, 1)
    session.expire_all()
    rows = {i: session.get(OutboxMessage, i) for i in (temporary, permanent, fine)}
    assert rows[temporary].status == MessageStatus.pending  # type: ignore[union-attr]
    assert rows[temporary].next_attempt_at > NOW  # type: ignore[union-attr]
    assert rows[permanent].status == MessageStatus.failed  # type: ignore[union-attr]
    assert "550: 5.1.1 Mailbox unavailable" in rows[permanent].last_error  # type: ignore
    assert len(smtp_sink.messages) == 1


def test_starttls_with_authentication_reaches_a_server_that_requires_both(
    tmp_path: Path,
) -> None:
    cert, key = self_signed_certificate(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    sink = SmtpSink()
    controller = start_smtp(
        sink,
        tls_context=context,
        require_starttls=True,
        auth_required=True,
        authenticator=authenticate,
    )
    try:
        channel = SmtpChannel(
            host="127.0.0.1",
            port=sink.port,
            security="starttls",
            from_address="a@example.org",
            username=USERNAME,
            password=PASSWORD,
            ca_file=cert,
        )
        with channel:
            channel.send(_message(1))
            channel.send(_message(2))
        assert [m["Subject"] for m in sink.messages] == ["Subject 1", "Subject 2"]
        wrong = SmtpChannel(
            host="127.0.0.1",
            port=sink.port,
            security="starttls",
            from_address="a@example.org",
            username=USERNAME,
            password="wrong",
            ca_file=cert,
        )
        with wrong, pytest.raises(ConfigurationError, match="refused our credentials"):
            wrong.send(_message(3))
        untrusted = SmtpChannel(
            host="127.0.0.1", port=sink.port, security="starttls", from_address="a@example.org"
        )
        with untrusted, pytest.raises(ConfigurationError, match="certificate"):
            untrusted.send(_message(4))
    finally:
        controller.stop()


def test_implicit_tls_reaches_an_smtps_server(tmp_path: Path) -> None:
    cert, key = self_signed_certificate(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    sink = SmtpSink()
    controller = start_smtp(sink, ssl_context=context)
    try:
        with SmtpChannel(
            host="127.0.0.1",
            port=sink.port,
            security="ssl",
            from_address="a@example.org",
            ca_file=cert,
        ) as channel:
            channel.send(_message(1))
        assert len(sink.messages) == 1
    finally:
        controller.stop()


def test_a_server_that_is_down_is_a_retryable_failure() -> None:
    from tests.notifications.loopback import free_port

    channel = SmtpChannel(
        host="127.0.0.1", port=free_port(), security="none", from_address="a@example.org", timeout=2
    )
    with channel, pytest.raises(RetryableDeliveryError):
        channel.send(_message())


def test_a_refused_recipient_is_a_permanent_failure() -> None:
    class RefuseRecipients(SmtpSink):
        async def handle_RCPT(self, server, session, envelope, address, options):
            return "550 5.1.1 No such user"

    sink = RefuseRecipients()
    controller: Controller = start_smtp(sink)
    try:
        with (
            SmtpChannel(
                host="127.0.0.1", port=sink.port, security="none", from_address="a@example.org"
            ) as channel,
            pytest.raises(PermanentDeliveryError, match="No such user"),
        ):
            channel.send(_message())
    finally:
        controller.stop()
