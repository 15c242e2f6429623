"""The `file` channel: each message a JSON file in a folder (the default; no mail server)."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import ClassVar

from models.errors import ConfigurationError
from notifications.channels.base import MessageChannel, SendResult
from notifications.render import RenderedMessage


class FileChannel(MessageChannel):
    """Writes `{id}-{template}.json` files into a folder under the data directory."""

    name: ClassVar[str] = "file"
    wants_html: ClassVar[bool] = True

    def __init__(self, *, folder: Path) -> None:
        self.folder = folder

    def send(self, message: RenderedMessage) -> SendResult:
        """Write the message atomically (a reader never sees half a file)."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise ConfigurationError(f"cannot create the message folder {self.folder}") from error
        path = self.folder / f"{message.message_id:08d}-{message.template}.json"
        content = {
            "message_id": message.message_id,
            "template": message.template,
            "to": message.address,
            "subject": message.subject,
            "text": message.text,
            "html": message.html,
            "written_at": datetime.now(UTC).isoformat(),
        }
        partial = path.with_suffix(".json.partial")
        partial.write_text(json.dumps(content, indent=2, ensure_ascii=False), encoding="utf-8")
        os.replace(partial, path)
        return SendResult(provider_message_id=path.name, delivery_status="written")
