"""The `notify` channel: GOV.UK Notify's REST API over httpx.

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
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar, Self

import httpx

from models.errors import ConfigurationError
from models.settings import Settings
from notifications.channels import MessageChannel, SendResult
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


def _reason(response: httpx.Response) -> str:
    try:
        errors = response.json().get("errors") or []
        reasons = [f"{e.get('error', '')}: {e.get('message', '')}" for e in errors]
        return "; ".join(reasons) or response.text[:300]
    except (ValueError, AttributeError):
        return response.text[:300]


def _raise_for_status(response: httpx.Response) -> None:
    code = response.status_code
    if code < 400:
        return
    reason = _reason(response)
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
        self._client: httpx.Client | None = None
        self._client_lock = threading.Lock()

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
    def client(self) -> httpx.Client:
        """The run's keep-alive HTTP client: HTTP/2 over TLS when the h2 package is there."""
        with self._client_lock:  # lanes share the one client
            if self._client is None:
                self._client = httpx.Client(
                    base_url=self.base_url,
                    timeout=self.timeout,
                    http2=HTTP2,
                    headers={"User-Agent": "jointaudit"},
                )
            return self._client

    def _request(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        token = notify_jwt(
            service_id=self.service_id, secret=self._secret, issued_at=int(self.clock())
        )
        headers = {"Authorization": f"Bearer {token}"}
        if "json" in kwargs:  # compact and without httpx's content negotiation per request
            kwargs["content"] = json.dumps(kwargs.pop("json"), separators=(",", ":")).encode()
            headers["Content-Type"] = "application/json"
        try:
            response = self.client.request(method, path, headers=headers, **kwargs)
        except httpx.TimeoutException as error:
            # The request may have reached Notify: look it up before sending again.
            raise RetryableDeliveryError(
                f"Notify timed out ({type(error).__name__})", ambiguous=method == "POST"
            ) from error
        except httpx.TransportError as error:
            raise RetryableDeliveryError(
                f"Notify unreachable ({type(error).__name__})", ambiguous=method == "POST"
            ) from error
        _raise_for_status(response)
        try:
            data: dict[str, Any] = response.json()
        except ValueError as error:
            raise RetryableDeliveryError("Notify answered without JSON") from error
        return data

    def send(self, message: RenderedMessage) -> SendResult:
        """POST one email; the outbox id is its reference."""
        data = self._request(
            "POST",
            EMAIL_PATH,
            json={
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
        """Close the HTTP client."""
        if self._client is not None:
            self._client.close()
            self._client = None


def _parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)
