"""A small GOV.UK Notify on loopback: the email endpoint, the reference lookup, the status read.

It verifies each request's JWT as Notify does (HS256 with the key's secret, iss = service id,
iat within 30 s) and answers the POSTs with the statuses a test scripts (201 by default).
Run standalone for a bench: `python -m tests.notifications.fake_notify`.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections import deque
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt

SERVICE_ID = "11111111-2222-4333-8444-555555555555"
SECRET = "66666666-7777-4888-9999-000000000000"
TEMPLATE_ID = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"
API_KEY = f"jointaudit_test-{SERVICE_ID}-{SECRET}"

ERRORS = {
    400: ("BadRequestError", "Can't send to this recipient using a team-only API key"),
    403: ("AuthError", "Invalid token: API key not found"),
    404: ("NoResultFound", "No result found"),
    429: (
        "RateLimitError",
        "Exceeded rate limit for key type LIVE of 3000 requests per 60 seconds",
    ),
    500: ("Exception", "Internal server error"),
}


class FakeNotify:
    """A threaded HTTP server speaking the parts of Notify's API that jointaudit uses."""

    def __init__(
        self,
        *,
        service_id: str = SERVICE_ID,
        secret: str = SECRET,
        template_id: str = TEMPLATE_ID,
        record_bodies: bool = True,
    ) -> None:
        self.service_id, self.secret, self.template_id = service_id, secret, template_id
        self.api_key = f"jointaudit_test-{service_id}-{secret}"
        self.script: deque[int] = deque()
        self.notifications: list[dict[str, Any]] = []
        self.requests: list[tuple[str, str, int]] = []
        self.delivery_status = "delivered"
        self.slow_answers = 0  # the next N created notifications are answered after `delay`
        self.delay = 1.0
        self.record_bodies = record_bodies
        self.lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), daemon=True
        )

    @property
    def url(self) -> str:
        """The base URL to configure as JOINTAUDIT_NOTIFY_BASE_URL."""
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeNotify:
        """Serve in a background thread."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self._server.shutdown()
        self._server.server_close()

    def sent_references(self) -> list[str]:
        """The reference of every notification created, in order."""
        with self.lock:
            return [n["reference"] for n in self.notifications]

    def check_token(self, header: str | None) -> str | None:
        """Why a bearer token is refused, or None when Notify would accept it."""
        if not header or not header.startswith("Bearer "):
            return "Unauthorized: authentication token must be provided"
        try:
            claims = jwt.decode(
                header[7:],
                self.secret,
                algorithms=["HS256"],
                options={"require": ["iss", "iat"], "verify_iat": False},
            )
        except jwt.PyJWTError as error:
            return f"Invalid token: {error}"
        if claims["iss"] != self.service_id:
            return "Invalid token: service not found"
        if abs(time.time() - int(claims["iat"])) > 30:
            return "Error: Your system clock must be accurate to within 30 seconds"
        return None

    def create(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """Handle POST /v2/notifications/email."""
        if body.get("template_id") != self.template_id:
            return 400, _errors(400, "BadRequestError", "Template not found")
        personalisation = body.get("personalisation") or {}
        if not {"subject", "body"} <= personalisation.keys() or not body.get("email_address"):
            return 400, _errors(400, "BadRequestError", "Missing personalisation: subject, body")
        with self.lock:
            status = self.script.popleft() if self.script else 201
            if status != 201:
                return status, _errors(status, *ERRORS[status])
            notification = {
                "id": str(uuid.uuid4()),
                "reference": body.get("reference"),
                "email_address": body["email_address"],
                "type": "email",
                "status": "created",
                "template": {"id": self.template_id, "version": 1},
                "created_at": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
                "subject": personalisation["subject"],
                "body": personalisation["body"] if self.record_bodies else "",
            }
            self.notifications.append(notification)
        return 201, {
            "id": notification["id"],
            "reference": notification["reference"],
            "content": {
                "subject": notification["subject"],
                "body": notification["body"],
                "from_email": "test@notifications.service.gov.uk",
            },
            "uri": f"{self.url}/v2/notifications/{notification['id']}",
            "template": {"id": self.template_id, "version": 1, "uri": ""},
        }

    def find(self, query: dict[str, list[str]]) -> dict[str, Any]:
        """Handle GET /v2/notifications?reference=..."""
        reference = (query.get("reference") or [None])[0]
        with self.lock:
            found = [n for n in self.notifications if n["reference"] == reference]
        return {"notifications": found, "links": {"current": f"{self.url}/v2/notifications"}}

    def get(self, notification_id: str) -> tuple[int, dict[str, Any]]:
        """Handle GET /v2/notifications/{id}."""
        with self.lock:
            for notification in self.notifications:
                if notification["id"] == notification_id:
                    return 200, {**notification, "status": self.delivery_status}
        return 404, _errors(404, *ERRORS[404])

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # else each answer waits 40 ms for a delayed ACK

            def log_message(self, format: str, *args: Any) -> None:  # quiet
                return

            def _answer(self, status: int, data: dict[str, Any]) -> None:
                payload = json.dumps(data).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True  # the client gave up waiting
                with fake.lock:
                    fake.requests.append((self.command, urlsplit(self.path).path, status))

            def _authorised(self) -> bool:
                reason = fake.check_token(self.headers.get("Authorization"))
                if reason is not None:
                    self._answer(403, _errors(403, "AuthError", reason))
                return reason is None

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                if not self._authorised():
                    return
                if urlsplit(self.path).path != "/v2/notifications/email":
                    self._answer(404, _errors(404, *ERRORS[404]))
                    return
                answer = fake.create(json.loads(raw or b"{}"))
                with fake.lock:
                    slow, fake.slow_answers = fake.slow_answers > 0, max(fake.slow_answers - 1, 0)
                if slow:  # created, but the client gives up waiting: it cannot know
                    time.sleep(fake.delay)
                self._answer(*answer)

            def do_GET(self) -> None:
                if not self._authorised():
                    return
                parts = urlsplit(self.path)
                if parts.path == "/v2/notifications":
                    self._answer(200, fake.find(parse_qs(parts.query)))
                elif parts.path.startswith("/v2/notifications/"):
                    self._answer(*fake.get(parts.path.rsplit("/", 1)[1]))
                else:
                    self._answer(404, _errors(404, *ERRORS[404]))

        return Handler


def _errors(status: int, error: str, message: str) -> dict[str, Any]:
    return {"status_code": status, "errors": [{"error": error, "message": message}]}


if __name__ == "__main__":
    server = FakeNotify(record_bodies=False).start()
    print(server.url, flush=True)
    threading.Event().wait()
