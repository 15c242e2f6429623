"""A test-controlled provider on loopback that signs whatever ID token a test asks for."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

from tests.agencies.portal.oidc.harness import CLIENT_ID, CLIENT_SECRET


def new_key(kid: str) -> RSAKey:
    """A fresh RSA signing key."""
    return RSAKey.generate_key(2048, parameters={"kid": kid, "use": "sig", "alg": "RS256"})


@dataclass
class Forge:
    """What the forged provider does next: who signs in, which claims change, which key signs."""

    issuer: str = ""
    email: str = "lead@police.example.org"
    changes: dict[str, Any] = field(default_factory=dict)
    signing_key: RSAKey = field(default_factory=lambda: new_key("forge-1"))
    published: list[RSAKey] = field(default_factory=list)
    requests: dict[str, dict[str, str]] = field(default_factory=dict)
    answer_issuer: str | None = None
    answer_error: str | None = None

    def id_token(self, request: dict[str, str]) -> str:
        """The ID token for an authorization request, with the test's changes."""
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "sub": "forged-user",
            "aud": CLIENT_ID,
            "iat": now,
            "exp": now + 300,
            "auth_time": now,
            "nonce": request["nonce"],
            "email": self.email,
            "email_verified": True,
        }
        claims.update(self.changes)
        header = {"alg": "RS256", "kid": self.signing_key.kid}
        return jwt.encode(header, claims, self.signing_key)


def _challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _handler(forge: Forge) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *_args: object) -> None:
            return

        def _json(self, body: object, status: int = 200) -> None:
            data = json.dumps(body).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            url = urlparse(self.path)
            if url.path == "/.well-known/openid-configuration":
                self._json(
                    {
                        "issuer": forge.issuer,
                        "authorization_endpoint": f"{forge.issuer}/auth",
                        "token_endpoint": f"{forge.issuer}/token",
                        "jwks_uri": f"{forge.issuer}/jwks",
                    }
                )
            elif url.path == "/jwks":
                keys = KeySet(forge.published or [forge.signing_key])
                self._json(keys.as_dict(private=False))
            elif url.path == "/auth":
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                code = secrets.token_urlsafe(16)
                forge.requests[code] = query
                back = {"code": code, "state": query["state"]}
                if forge.answer_error is not None:
                    back = {"error": forge.answer_error, "state": query["state"]}
                if forge.answer_issuer is not None:
                    back["iss"] = forge.answer_issuer
                self.send_response(302)
                self.send_header("Location", f"{query['redirect_uri']}?{urlencode(back)}")
                self.end_headers()
            else:
                self._json({"error": "not_found"}, 404)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            basic = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
            request = forge.requests.pop(form.get("code", ""), None)
            if (
                self.headers.get("Authorization") != f"Basic {basic}"
                or request is None
                or _challenge(form.get("code_verifier", "")) != request["code_challenge"]
            ):
                self._json({"error": "invalid_grant"}, 400)
                return
            self._json({"id_token": forge.id_token(request), "token_type": "Bearer"})

    return Handler


@contextmanager
def running_forge() -> Iterator[Forge]:
    """The forged provider on a free loopback port."""
    forge = Forge()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(forge))
    forge.issuer = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield forge
    finally:
        server.shutdown()
        server.server_close()
