"""Message channels: each delivers rendered messages to one kind of provider.

A channel is opened once per batch (one SMTP connection, one HTTP client), sends messages one
by one and raises the errors of `notifications.errors`, whose classes decide retries.
The base class lives in base.py, so a channel module never imports this package. May import
models/ and the rest of notifications/; never flows/ or agencies/.
"""

from __future__ import annotations

from models.errors import ConfigurationError
from models.settings import Settings
from notifications.channels.base import MessageChannel, SendResult

__all__ = ["MessageChannel", "SendResult", "open_channel"]


def open_channel(name: str, settings: Settings) -> MessageChannel:
    """The channel called `name`, configured by settings."""
    # Imported here so that a process using one channel never loads the others' clients.
    if name == "file":
        from notifications.channels.file import FileChannel

        return FileChannel(folder=settings.data_dir / "messages")
    if name == "console":
        from notifications.channels.console import ConsoleChannel

        return ConsoleChannel()
    if name == "smtp":
        from notifications.channels.smtp import SmtpChannel

        return SmtpChannel.from_settings(settings)
    if name == "notify":
        from notifications.channels.notify import NotifyChannel

        return NotifyChannel.from_settings(settings)
    if name == "webhook":
        from notifications.channels.webhook import WebhookChannel

        return WebhookChannel.from_settings(settings)
    raise ConfigurationError(f"unknown message channel {name!r}")
