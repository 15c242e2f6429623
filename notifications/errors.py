"""Errors of the notifications package; their classes decide whether a send is retried.

JointauditError (models.errors)
├── DeliveryError                    a provider did not take a message
│   ├── PermanentDeliveryError       400, 403, SMTP 5xx, a refused address: never retried
│   │   └── TemplateError            a template is missing or does not render with its context
│   └── RetryableDeliveryError       timeouts, refused connections, 5xx, SMTP 4xx: retried with
│       │                            backoff (also a TransientError, so `is_retryable` agrees)
│       └── RateLimitedError         429, or our own shared limiter said "not yet"
└── InputError (models.errors)
    └── SignInTokenError             a sign-in link is unknown, expired or already used
"""

from __future__ import annotations

from models.errors import InputError, JointauditError, TransientError

MAX_REASON_LENGTH = 900


class DeliveryError(JointauditError):
    """Raised when a channel could not deliver a message to its provider."""

    def __init__(self, reason: str, *, status_code: int | None = None) -> None:
        self.reason = reason[:MAX_REASON_LENGTH]
        self.status_code = status_code
        prefix = f"{status_code}: " if status_code is not None else ""
        super().__init__(f"{prefix}{self.reason}")


class PermanentDeliveryError(DeliveryError):
    """Raised when sending again would fail the same way (bad request, auth, refused address)."""


class TemplateError(PermanentDeliveryError):
    """Raised when a message template is missing or cannot render its context."""


class RetryableDeliveryError(DeliveryError, TransientError):
    """Raised when the provider may take the message later (timeout, 5xx, SMTP 4xx).

    `ambiguous` says the provider may have taken it already (a timeout after the request
    went out): a channel that can look messages up checks before sending again.
    """

    retryable = True

    def __init__(
        self, reason: str, *, status_code: int | None = None, ambiguous: bool = False
    ) -> None:
        super().__init__(reason, status_code=status_code)
        self.ambiguous = ambiguous


class RateLimitedError(RetryableDeliveryError):
    """Raised when the provider answered 429: too many messages for now."""


class SignInTokenError(InputError):
    """Raised when a sign-in link is unknown, expired or already used (never says which)."""
