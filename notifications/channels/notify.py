"""The `notify` channel: GOV.UK Notify's REST API over one keep-alive httpcore pool per run.

Every request carries a fresh HS256 JWT (iss = service id, iat = now). Messages use one
generic Notify email template whose `((subject))` and `((body))` our templates fill, with
`reference` = the outbox id, which is how a message whose dispatcher died is looked up
before it is sent again.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import importlib.util
import json
import ssl
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar, Self
from urllib.parse import urlencode, urlsplit

import certifi
import httpcore

from models.errors import ConfigurationError
from models.settings import Settings
from notifications.channels.base import MessageChannel, SendResult
from notifications.errors import (
    PermanentDeliveryError,
    RateLimitedError,
    RetryableDeliveryError,
)
from notifications.render import RenderedMessage

HTTP2 = importlib.util.find_spec("h2") is not None
# HTTP/2 is offered (by TLS ALPN) when the h2 package is installed; else HTTP/1.1 keep-alive.
EMAIL_PATH = "/v2/notifications/email"
NOTIFICATIONS_PATH = "/v2/notifications"
# Notify's clock and ours may differ; a notification created a little before our row is ours.
LOOKUP_SKEW = timedelta(minutes=5)


def parse_api_key(api_key: str) -> tuple[str, str]:
    """The service id and secret of a Notify key `{name}-{service id}-{secret}`."""
    service_id, secret = api_key[-73:-37], api_key[-36:]
    try:
        uuid.UUID(service_id)
        uuid.UUID(secret)
    except ValueError as error:
        raise ConfigurationError(
            "JOINTAUDIT_NOTIFY_API_KEY is not a Notify API key ({name}-{service id}-{secret})"
        ) from error
    if len(api_key) < 74 or api_key[-74] != "-" or api_key[-37] != "-":
        raise ConfigurationError("JOINTAUDIT_NOTIFY_API_KEY is not a Notify API key")
    return service_id, secret


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


_JWT_HEADER = _b64(json.dumps({"typ": "JWT", "alg": "HS256"}, separators=(",", ":")).encode())


def notify_jwt(*, service_id: str, secret: str, issued_at: int) -> str:
    """A Notify bearer token: HS256 over {"iss": service id, "iat": issued_at}."""
    header = _JWT_HEADER
    claims = _b64(json.dumps({"iss": service_id, "iat": issued_at}, separators=(",", ":")).encode())
    signing_input = f"{header}.{claims}".encode("ascii")
    signature = hmac.new(secret.encode("utf-8"), signing_input, hashlib.sha256).digest()
    return f"{header}.{claims}.{_b64(signature)}"


def _reason(content: bytes) -> str:
    try:
        errors = json.loads(content).get("errors") or []
        reasons = [f"{e.get('error', '')}: {e.get('message', '')}" for e in errors]
        return "; ".join(reasons) or content[:300].decode("utf-8", "replace")
    except (ValueError, AttributeError):
        return content[:300].decode("utf-8", "replace")


def _raise_for_status(code: int, content: bytes) -> None:
    if code < 400:
        return
    reason = _reason(content)
    if code == 429:
        raise RateLimitedError(reason, status_code=code)
    if code >= 500:
        raise RetryableDeliveryError(reason, status_code=code)
    raise PermanentDeliveryError(reason, status_code=code)


class NotifyChannel(MessageChannel):
    """Sends email through GOV.UK Notify, and reads back what Notify knows of it."""

    name: ClassVar[str] = "notify"
    can_look_up: ClassVar[bool] = True

    def __init__(
        self,
        *,
        api_key: str,
        template_id: str,
        base_url: str,
        timeout: float = 10.0,
        clock: Callable[[], float] = time.time,
        concurrency: int = 1,
    ) -> None:
        self.service_id, self._secret = parse_api_key(api_key)
        self.template_id = template_id
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.clock = clock
        self.concurrency = concurrency
        self._pool: httpcore.ConnectionPool | None = None
        self._pool_lock = threading.Lock()
        self._host = urlsplit(self.base_url).netloc.encode("ascii")
        self._timeouts = {
            "timeout": {"connect": timeout, "read": timeout, "write": timeout, "pool": timeout}
        }

    @classmethod
    def from_settings(cls, settings: Settings) -> Self:
        """The channel as the settings configure it."""
        if settings.notify_api_key is None or not settings.notify_template_id:
            raise ConfigurationError(
                "the notify channel needs JOINTAUDIT_NOTIFY_API_KEY and "
                "JOINTAUDIT_NOTIFY_TEMPLATE_ID"
            )
        return cls(
            api_key=settings.notify_api_key.get_secret_value(),
            template_id=settings.notify_template_id,
            base_url=settings.notify_base_url,
            timeout=settings.http_timeout_seconds,
            concurrency=settings.notify_concurrency,
        )

    @property
    def pool(self) -> httpcore.ConnectionPool:
        """The run's keep-alive connection pool: HTTP/2 over TLS when the h2 package is there."""
        with self._pool_lock:  # lanes share the one pool
            if self._pool is None:
                self._pool = httpcore.ConnectionPool(
                    ssl_context=ssl.create_default_context(cafile=certifi.where()),
                    http2=HTTP2,
                    max_connections=max(self.concurrency, 1),
                )
            return self._pool

    def _request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, str] | None = None,
        body: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        token = notify_jwt(
            service_id=self.service_id, secret=self._secret, issued_at=int(self.clock())
        )
        headers = [
            (b"Host", self._host),
            (b"User-Agent", b"jointaudit"),
            (b"Authorization", f"Bearer {token}".encode("ascii")),
        ]
        content = b""
        if body is not None:
            content = json.dumps(body, separators=(",", ":")).encode()
            headers += [(b"Content-Type", b"application/json")]
        headers += [(b"Content-Length", str(len(content)).encode("ascii"))]
        url = self.base_url + path + ("?" + urlencode(params) if params else "")
        try:
            # httpcore, not httpx: the same pool and protocols at half the Python per request.
            response = self.pool.request(
                method, url, headers=headers, content=content, extensions=self._timeouts
            )
        except httpcore.TimeoutException as error:
            # The request may have reached Notify: look it up before sending again.
            raise RetryableDeliveryError(
                f"Notify timed out ({type(error).__name__})", ambiguous=method == "POST"
            ) from error
        except (httpcore.NetworkError, httpcore.ProtocolError, OSError) as error:
            raise RetryableDeliveryError(
                f"Notify unreachable ({type(error).__name__})", ambiguous=method == "POST"
            ) from error
        except httpcore.UnsupportedProtocol as error:
            raise ConfigurationError(
                f"JOINTAUDIT_NOTIFY_BASE_URL is not an http(s) address: {error}"
            ) from error
        _raise_for_status(response.status, response.content)
        try:
            data: dict[str, Any] = json.loads(response.content)
        except ValueError as error:
            raise RetryableDeliveryError("Notify answered without JSON") from error
        return data

    def send(self, message: RenderedMessage) -> SendResult:
        """POST one email; the outbox id is its reference."""
        data = self._request(
            "POST",
            EMAIL_PATH,
            body={
                "email_address": message.address,
                "template_id": self.template_id,
                "personalisation": {"subject": message.subject, "body": message.text},
                "reference": str(message.message_id),
            },
        )
        return SendResult(provider_message_id=str(data.get("id")), delivery_status="created")

    def find_sent(self, *, message_id: int, queued_at: datetime) -> SendResult | None:
        """Notify's notification with this outbox id as reference, if there is one."""
        data = self._request(
            "GET",
            NOTIFICATIONS_PATH,
            params={"reference": str(message_id), "template_type": "email"},
        )
        for notification in data.get("notifications") or []:
            created = _parse_time(notification.get("created_at"))
            # An older notification with the same reference belongs to another database.
            if created is None or created >= queued_at - LOOKUP_SKEW:
                return SendResult(
                    provider_message_id=str(notification.get("id")),
                    delivery_status=notification.get("status"),
                )
        return None

    def delivery_status(self, provider_message_id: str) -> str | None:
        """Notify's current status of a notification (delivered, permanent-failure...)."""
        try:
            data = self._request("GET", f"{NOTIFICATIONS_PATH}/{provider_message_id}")
        except PermanentDeliveryError as error:
            if error.status_code == 404:
                return None
            raise
        status = data.get("status")
        return str(status) if status is not None else None

    def close(self) -> None:
        """Close the connection pool."""
        if self._pool is not None:
            self._pool.close()
            self._pool = None


def _parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)
