"""The `console` channel: messages printed on standard output (development)."""

from __future__ import annotations

import sys
from typing import ClassVar, TextIO

from notifications.channels.base import MessageChannel, SendResult
from notifications.render import RenderedMessage


class ConsoleChannel(MessageChannel):
    """Prints each message with its recipient and subject."""

    name: ClassVar[str] = "console"

    def __init__(self, *, stream: TextIO | None = None) -> None:
        self.stream = stream

    def send(self, message: RenderedMessage) -> SendResult:
        """Print one message."""
        stream = self.stream or sys.stdout
        rule = "-" * 72
        stream.write(
            f"{rule}\nMessage {message.message_id} ({message.template})\nTo: {message.address}\n"
            f"Subject: {message.subject}\n\n{message.text}{rule}\n"
        )
        stream.flush()
        return SendResult(provider_message_id=None, delivery_status="printed")
