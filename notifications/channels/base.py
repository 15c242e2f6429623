"""The channel base class and what a provider says when it takes a message."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import ClassVar, Self

from notifications.render import RenderedMessage


@dataclass(frozen=True)
class SendResult:
    """What the provider said when it took a message."""

    provider_message_id: str | None
    delivery_status: str | None = None


class MessageChannel(ABC):
    """Base of every channel; a context manager holding the batch's connection."""

    name: ClassVar[str]
    wants_html: ClassVar[bool] = False
    can_look_up: ClassVar[bool] = False
    """Whether `find_sent` can tell if a message already reached the provider."""
    concurrency: int = 1
    """How many sends a large batch may have in flight at once (through one channel object)."""

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _error: BaseException | None,
        _traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:  # noqa: B027 - most channels hold no connection to release
        """Release the batch's connection."""

    @abstractmethod
    def send(self, message: RenderedMessage) -> SendResult:
        """Hand one message to the provider."""

    def find_sent(self, *, message_id: int, queued_at: datetime) -> SendResult | None:
        """The provider's record of an earlier send, or None (then the message is resent)."""
        return None
