"""The `smtp` channel: multipart (text and HTML) mail over one connection per dispatch run.

SMTP has no way to ask whether a message went out, so a message whose dispatcher died
mid-send is sent again: delivery is at-least-once (docs/notifications.md).
"""

from __future__ import annotations

import smtplib
import ssl
from email.header import Header
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import formatdate, make_msgid, parseaddr
from pathlib import Path
from typing import ClassVar, Literal, Self

from models.errors import ConfigurationError
from models.settings import Settings
from notifications.channels.base import MessageChannel, SendResult
from notifications.channels.mime import message_bytes, plain_header_value
from notifications.errors import (
    DeliveryError,
    PermanentDeliveryError,
    RetryableDeliveryError,
)
from notifications.render import RenderedMessage

Security = Literal["starttls", "ssl", "none"]


def _by_code(code: int, reason: str) -> DeliveryError:
    """SMTP 4xx is temporary (retried), 5xx permanent."""
    if 400 <= code < 500:
        return RetryableDeliveryError(reason, status_code=code)
    return PermanentDeliveryError(reason, status_code=code)


def _text(raw: bytes | str) -> str:
    return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw


class SmtpChannel(MessageChannel):
    """Sends through an SMTP server with STARTTLS, implicit TLS or neither, and optional auth."""

    name: ClassVar[str] = "smtp"
    wants_html: ClassVar[bool] = True

    def __init__(
        self,
        *,
        host: str,
        port: int,
        security: Security,
        from_address: str,
        username: str | None = None,
        password: str | None = None,
        timeout: float = 10.0,
        ca_file: Path | None = None,
    ) -> None:
        self.host, self.port, self.security = host, port, security
        self.from_address = from_address
        self.username, self.password = username, password
        self.timeout = timeout
        self.ca_file = ca_file
        self._smtp: smtplib.SMTP | None = None
        self._envelope_from = parseaddr(from_address)[1] or from_address
        self._domain = self._envelope_from.rpartition("@")[2] or "localhost"

    @classmethod
    def from_settings(cls, settings: Settings) -> Self:
        """The channel as the settings configure it."""
        password = settings.smtp_password.get_secret_value() if settings.smtp_password else None
        return cls(
            host=settings.smtp_host,
            port=settings.smtp_port,
            security=settings.smtp_security,
            from_address=settings.smtp_from_address,
            username=settings.smtp_username,
            password=password,
            timeout=settings.http_timeout_seconds,
            ca_file=settings.smtp_ca_file,
        )

    def _tls(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.ca_file) if self.ca_file else None)

    def _connect(self) -> smtplib.SMTP:
        smtp: smtplib.SMTP
        if self.security == "ssl":
            smtp = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=self._tls())
        else:
            smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        try:
            if self.security == "starttls":
                smtp.starttls(context=self._tls())
            if self.username:
                smtp.login(self.username, self.password or "")
        except BaseException:
            smtp.close()
            raise
        return smtp

    def _build(self, message: RenderedMessage) -> tuple[str, bytes | MIMEBase]:
        """The Message-ID and the message: its bytes, or an email.mime tree for odd addresses."""
        message_id = make_msgid(idstring=f"ja{message.message_id}", domain=self._domain)
        headers = [
            ("From", self.from_address),
            ("To", message.address),
            ("Date", formatdate(localtime=False)),
            ("Message-ID", message_id),
            ("X-Jointaudit-Message", str(message.message_id)),
        ]
        if all(plain_header_value(value) for _, value in headers[:2]):
            raw = message_bytes(
                headers=headers, subject=message.subject, text=message.text, html=message.html
            )
            return message_id, raw
        body = MIMEText(message.text, "plain", "utf-8")
        email: MIMEBase = body
        if message.html is not None:
            email = MIMEMultipart("alternative")
            email.attach(body)
            email.attach(MIMEText(message.html, "html", "utf-8"))
        for name, value in headers:
            email[name] = value
        email["Subject"] = Header(message.subject, "utf-8", header_name="Subject").encode()
        return message_id, email

    def send(self, message: RenderedMessage) -> SendResult:
        """Send one message, connecting (again) when the batch has no live connection."""
        message_id, email = self._build(message)
        try:
            if self._smtp is None:
                self._smtp = self._connect()
            if isinstance(email, bytes):
                self._smtp.sendmail(self._envelope_from, [message.address], email)
            else:
                self._smtp.send_message(email)
        except smtplib.SMTPAuthenticationError as error:
            self._drop()
            raise ConfigurationError(
                f"the SMTP server refused our credentials ({error.smtp_code})"
            ) from error
        except smtplib.SMTPNotSupportedError as error:
            self._drop()
            raise ConfigurationError(f"the SMTP server does not support this: {error}") from error
        except smtplib.SMTPRecipientsRefused as error:
            code, reason = next(iter(error.recipients.values()))
            raise _by_code(code, _text(reason)) from error
        except smtplib.SMTPServerDisconnected as error:
            self._drop()
            raise RetryableDeliveryError(
                f"SMTP connection lost: {error}", ambiguous=True
            ) from error
        except smtplib.SMTPResponseException as error:
            if error.smtp_code in (421,):  # the server is closing the connection
                self._drop()
            raise _by_code(error.smtp_code, _text(error.smtp_error)) from error
        except ssl.SSLCertVerificationError as error:
            self._drop()
            raise ConfigurationError(
                f"the SMTP server's certificate: {error.verify_message}"
            ) from error
        except (OSError, smtplib.SMTPException) as error:
            self._drop()
            raise RetryableDeliveryError(f"SMTP {type(error).__name__}: {error}") from error
        return SendResult(provider_message_id=message_id, delivery_status="accepted")

    def _drop(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.close()
            finally:
                self._smtp = None

    def close(self) -> None:
        """Say goodbye to the server."""
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (OSError, smtplib.SMTPException):
                pass
            finally:
                self._smtp = None
