"""The SMTP channel's MIME bytes read back exactly as the email package's own build does."""

from __future__ import annotations

from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import cast

import pytest

from notifications.channels.mime import message_bytes
from notifications.channels.smtp import SmtpChannel
from notifications.render import RenderedMessage

TEXT = "Dear lead,\n\nPlease audit 8 cases \u2013 by 18 December.\n" + "A long line. " * 40 + "\n"
HTML = "<p>Dear lead, café</p>\n" * 30


def _read(raw: bytes) -> EmailMessage:
    return cast(EmailMessage, message_from_bytes(raw, policy=policy.default))


def _bodies(email: EmailMessage) -> tuple[str, str | None]:
    text = email.get_body(("plain",))
    html = email.get_body(("html",))
    assert text is not None
    return text.get_content(), html.get_content() if html is not None else None


@pytest.mark.parametrize("html", [HTML, None])
def test_direct_bytes_hold_the_same_headers_and_bodies_as_email_mime_would(
    html: str | None,
) -> None:
    headers = [("From", "Audits <audits@example.org>"), ("To", "lead@example.org")]
    subject = "Joint case audit: Domestic abuse \u2013 please audit 8 cases"
    email = _read(message_bytes(headers=headers, subject=subject, text=TEXT, html=html))
    assert (email["From"], email["To"], email["Subject"]) == (
        "Audits <audits@example.org>",
        "lead@example.org",
        subject,
    )
    assert email.get_content_type() == ("multipart/alternative" if html else "text/plain")
    assert _bodies(email) == (TEXT, html)
    assert email.defects == [] and all(part.defects == [] for part in email.walk())


def test_a_recipient_address_that_is_not_plain_ascii_goes_through_email_mime() -> None:
    channel = SmtpChannel(
        host="127.0.0.1", port=1, security="none", from_address="audits@example.org"
    )
    message = RenderedMessage(
        message_id=7,
        template="invitation",
        address="léad@example.org",
        subject="Subject",
        text="Text\n",
        html="<p>HTML</p>",
    )
    message_id, email = channel._build(message)
    assert not isinstance(email, bytes) and email["Message-ID"] == message_id
    plain = channel._build(RenderedMessage(**{**message.__dict__, "address": "lead@example.org"}))
    assert isinstance(plain[1], bytes)
    assert _read(plain[1])["X-Jointaudit-Message"] == "7"
