"""An ASGI middleware bounding request bodies, for the portal's forms and the agency API alike.

A declared `Content-Length` over the limit is answered 413 before a byte of the body is read;
a chunked body is counted as it arrives and refused (413) the moment it passes the limit.
Named paths (the register uploads) may have a larger limit of their own.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from starlette.types import ASGIApp, Message, Receive, Scope, Send

TOO_LARGE = "The request is too large"


class BodyLimit:
    """Refuse request bodies over `max_bytes` (413), or over the path's own limit in `larger`
    (exact paths), declared or streamed."""

    def __init__(
        self, app: ASGIApp, *, max_bytes: int, larger: Mapping[str, int] | None = None
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.larger = dict(larger or {})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.larger.get(scope["path"], self.max_bytes)
        declared = _content_length(scope)
        if declared is None or declared > limit:
            await _refuse(scope, send, 400 if declared is None else 413)
            return
        received, started, refused = 0, False, False

        async def limited() -> Message:
            nonlocal received, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    # Answer now and tell the app the client has gone: it reads no further.
                    refused = True
                    if not started:
                        await _refuse(scope, send, 413)
                    return {"type": "http.disconnect"}
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            if refused:
                return
            started = True
            await send(message)

        try:
            await self.app(scope, limited, watched)
        except Exception:
            if not refused:
                raise


def _content_length(scope: Scope) -> int | None:
    """The declared length (0 when none is declared), or None when it is not a number."""
    for name, value in scope["headers"]:
        if name == b"content-length":
            text = value.decode("latin-1").strip()
            return int(text) if text.isdigit() and len(text) < 20 else None
    return 0


async def _refuse(scope: Scope, send: Send, status: int) -> None:
    api = scope["path"].startswith("/api/")
    detail = TOO_LARGE if status == 413 else "Content-Length is not a number"
    body = json.dumps({"detail": detail}).encode() if api else detail.encode()
    kind = b"application/json" if api else b"text/plain; charset=utf-8"
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", kind),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
