"""The `webhook` channel: JSON posted to a Teams- or Slack-style inbox, signed with HMAC-SHA256.

The receiver checks `X-Jointaudit-Signature: sha256=HEX`, the HMAC-SHA256 with the shared
secret of `{X-Jointaudit-Timestamp}.{raw body}`, and refuses old timestamps (replays).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Callable
from typing import ClassVar, Self

import httpx

from models.errors import ConfigurationError
from models.settings import Settings
from notifications.channels.base import MessageChannel, SendResult
from notifications.errors import PermanentDeliveryError, RetryableDeliveryError
from notifications.render import RenderedMessage

SIGNATURE_HEADER = "X-Jointaudit-Signature"
TIMESTAMP_HEADER = "X-Jointaudit-Timestamp"
RETRYABLE_STATUSES = frozenset({408, 425, 429})


def webhook_signature(*, secret: str, timestamp: str, body: bytes) -> str:
    """The signature header's value for a body sent at `timestamp`."""
    signed = timestamp.encode("ascii") + b"." + body
    return "sha256=" + hmac.new(secret.encode("utf-8"), signed, hashlib.sha256).hexdigest()


class WebhookChannel(MessageChannel):
    """Posts each message as JSON: `text` for chat inboxes, and the parts for programs."""

    name: ClassVar[str] = "webhook"

    def __init__(
        self, *, secret: str, timeout: float = 10.0, clock: Callable[[], float] = time.time
    ) -> None:
        self._secret = secret
        self.timeout = timeout
        self.clock = clock
        self._client: httpx.Client | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> Self:
        """The channel as the settings configure it."""
        if settings.webhook_signing_secret is None:
            raise ConfigurationError("the webhook channel needs JOINTAUDIT_WEBHOOK_SIGNING_SECRET")
        return cls(
            secret=settings.webhook_signing_secret.get_secret_value(),
            timeout=settings.http_timeout_seconds,
        )

    def send(self, message: RenderedMessage) -> SendResult:
        """POST one message to its webhook URL."""
        body = json.dumps(
            {
                "text": f"**{message.subject}**\n\n{message.text}",
                "subject": message.subject,
                "body": message.text,
                "template": message.template,
                "message_id": message.message_id,
            },
            ensure_ascii=False,
        ).encode("utf-8")
        timestamp = str(int(self.clock()))
        headers = {
            "Content-Type": "application/json",
            TIMESTAMP_HEADER: timestamp,
            SIGNATURE_HEADER: webhook_signature(
                secret=self._secret, timestamp=timestamp, body=body
            ),
        }
        if self._client is None:
            self._client = httpx.Client(timeout=self.timeout)
        try:
            response = self._client.post(message.address, content=body, headers=headers)
        except httpx.TimeoutException as error:
            raise RetryableDeliveryError("webhook timed out", ambiguous=True) from error
        except (httpx.InvalidURL, httpx.UnsupportedProtocol) as error:
            raise PermanentDeliveryError(f"not a webhook URL ({error})") from error
        except httpx.TransportError as error:
            raise RetryableDeliveryError(f"webhook unreachable ({type(error).__name__})") from error
        code = response.status_code
        if code >= 500 or code in RETRYABLE_STATUSES:
            raise RetryableDeliveryError(response.text[:300], status_code=code)
        if code >= 400:
            raise PermanentDeliveryError(response.text[:300], status_code=code)
        return SendResult(
            provider_message_id=response.headers.get("X-Request-Id"), delivery_status="accepted"
        )

    def close(self) -> None:
        """Close the HTTP client."""
        if self._client is not None:
            self._client.close()
            self._client = None
