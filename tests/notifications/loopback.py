"""Real servers on loopback for channel tests: an SMTP server (aiosmtpd) and a webhook inbox.

Run the SMTP sink standalone for a bench: `python -m tests.notifications.loopback smtp`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import ipaddress
import json
import socket
import sys
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword, Session

USERNAME, PASSWORD = "jointaudit", "relay-password"


def free_port() -> int:
    """An unused TCP port on 127.0.0.1."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class SmtpSink:
    """An aiosmtpd handler keeping every message; DATA answers follow `script` when set."""

    messages: list[EmailMessage] = field(default_factory=list)
    script: deque[str] = field(default_factory=deque)
    keep: bool = True
    count: int = 0
    port: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Session, envelope: Envelope) -> str:
        with self.lock:
            answer = self.script.popleft() if self.script else "250 Message accepted"
            if answer.startswith("250"):
                self.count += 1
                if self.keep:
                    raw = envelope.original_content or b""
                    self.messages.append(
                        message_from_bytes(raw, policy=policy.default)  # type: ignore[arg-type]
                    )
        return answer


def authenticate(
    server: Any, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
) -> AuthResult:
    """Accept only the test credentials."""
    ok = isinstance(auth_data, LoginPassword) and (
        auth_data.login == USERNAME.encode() and auth_data.password == PASSWORD.encode()
    )
    return AuthResult(success=ok, handled=False)


def start_smtp(sink: SmtpSink, **kwargs: Any) -> Controller:
    """An SMTP server on 127.0.0.1 serving `sink` (kwargs go to aiosmtpd's SMTP)."""
    controller = Controller(sink, hostname="127.0.0.1", port=free_port(), **kwargs)
    controller.start()
    sink.port = controller.port
    return controller


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """A certificate and key for 127.0.0.1 and localhost (the client trusts the certificate)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "smtp.crt", folder / "smtp.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


@dataclass
class WebhookInbox:
    """A webhook receiver that checks each request's HMAC signature before accepting it."""

    secret: str
    script: deque[int] = field(default_factory=deque)
    received: list[dict[str, Any]] = field(default_factory=list)
    refused: int = 0
    url: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)

    def verify(self, headers: Any, body: bytes) -> bool:
        """Whether the signature matches and the timestamp is fresh."""
        timestamp = headers.get("X-Jointaudit-Timestamp") or ""
        expected = (
            "sha256="
            + hmac.new(
                self.secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256
            ).hexdigest()
        )
        fresh = timestamp.isdigit() and abs(time.time() - int(timestamp)) < 300
        return fresh and hmac.compare_digest(expected, headers.get("X-Jointaudit-Signature", ""))

    def start(self) -> ThreadingHTTPServer:
        """Serve on 127.0.0.1 in a background thread."""
        inbox = self

        class Handler(BaseHTTPRequestHandler):
            disable_nagle_algorithm = True

            def log_message(self, format: str, *args: Any) -> None:
                return

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with inbox.lock:
                    if not inbox.verify(self.headers, body):
                        inbox.refused += 1
                        status = 401
                    else:
                        status = inbox.script.popleft() if inbox.script else 200
                        if status == 200:
                            inbox.received.append(json.loads(body))
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok" if status == 200 else b"no")

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        self.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
        threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
        return server


if __name__ == "__main__" and sys.argv[1:] == ["smtp"]:
    controller = start_smtp(SmtpSink(keep=False))
    print(f"{controller.hostname}:{controller.port}", flush=True)
    threading.Event().wait()
