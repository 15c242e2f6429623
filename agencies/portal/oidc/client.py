"""One provider as the portal sees it: its discovery document, its keys, its two endpoints."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

import httpx
from authlib.common.urls import add_params_to_uri
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from joserfc.jwk import KeySet

from models.errors import SignInRefusedError, TransientError
from models.settings import OidcProvider

SCOPES = "openid email profile"
DISCOVERY_LIFETIME = timedelta(hours=1)


@dataclass(frozen=True)
class Discovery:
    """The parts of the provider's discovery document the portal uses."""

    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    end_session_endpoint: str | None


class ProviderClient:
    """Talks to one provider; its discovery document and keys are cached per process."""

    def __init__(self, provider: OidcProvider, *, base_url: str, timeout: float) -> None:
        self.provider = provider
        self.redirect_uri = f"{base_url.rstrip('/')}/sign-in/provider/{provider.key}/callback"
        self._timeout = timeout
        self._lock = threading.Lock()
        self._discovery: tuple[Discovery, datetime] | None = None
        self._keys: KeySet | None = None

    def _get(self, url: str) -> dict[str, Any]:
        try:
            response = httpx.get(url, timeout=self._timeout, follow_redirects=False)
            response.raise_for_status()
            body = response.json()
        except (httpx.HTTPError, ValueError) as error:
            raise TransientError(f"{self.provider.key}: {type(error).__name__}") from None
        if not isinstance(body, dict):
            raise TransientError(f"{self.provider.key}: not a JSON object")
        return body

    def discovery(self, now: datetime) -> Discovery:
        """The discovery document (read again after an hour), naming the configured issuer."""
        with self._lock:
            if self._discovery is not None and now < self._discovery[1] + DISCOVERY_LIFETIME:
                return self._discovery[0]
        issuer = self.provider.issuer.rstrip("/")
        body = self._get(f"{issuer}/.well-known/openid-configuration")
        if str(body.get("issuer", "")).rstrip("/") != issuer:
            raise TransientError(f"{self.provider.key}: discovery names another issuer")
        try:
            found = Discovery(
                issuer=str(body["issuer"]),
                authorization_endpoint=str(body["authorization_endpoint"]),
                token_endpoint=str(body["token_endpoint"]),
                jwks_uri=str(body["jwks_uri"]),
                end_session_endpoint=body.get("end_session_endpoint"),
            )
        except KeyError as missing:
            raise TransientError(f"{self.provider.key}: discovery lacks {missing}") from None
        with self._lock:
            self._discovery = (found, now)
        return found

    def keys_for(self, kid: str | None, *, now: datetime) -> KeySet:
        """The provider's keys, fetched again when the token names a key not yet seen."""
        # ID tokens reach us only from the provider's token endpoint over TLS, so an
        # unknown kid is the provider rotating its keys, not someone making us fetch.
        with self._lock:
            cached = self._keys
        if cached is None or (kid is not None and not _has_kid(cached, kid)):
            body = self._get(self.discovery(now).jwks_uri)
            try:
                cached = KeySet.import_key_set(body)  # type: ignore[arg-type]
            except (ValueError, KeyError, TypeError):
                raise TransientError(f"{self.provider.key}: unreadable key set") from None
            with self._lock:
                self._keys = cached
        if kid is not None and not _has_kid(cached, kid):
            raise SignInRefusedError("unknown_key")
        return cached

    def authorization_url(
        self, *, state: str, nonce: str, verifier: str, now: datetime, max_age: int | None
    ) -> str:
        """Where the browser goes to sign in (PKCE S256; `max_age` asks for a recent sign-in)."""
        params: list[tuple[str, str]] = [
            ("response_type", "code"),
            ("client_id", self.provider.client_id),
            ("redirect_uri", self.redirect_uri),
            ("scope", SCOPES),
            ("state", state),
            ("nonce", nonce),
            ("code_challenge", create_s256_code_challenge(verifier)),
            ("code_challenge_method", "S256"),
        ]
        if max_age is not None:
            params.append(("max_age", str(max_age)))
        return str(add_params_to_uri(self.discovery(now).authorization_endpoint, params))

    def exchange(self, *, code: str, verifier: str, now: datetime) -> str:
        """The ID token the token endpoint gives for the code (client_secret_basic)."""
        secret = self.provider.client_secret.get_secret_value()
        try:
            response = httpx.post(
                self.discovery(now).token_endpoint,
                data={
                    "grant_type": "authorization_code",
                    "code": code,
                    "redirect_uri": self.redirect_uri,
                    "code_verifier": verifier,
                },
                # RFC 6749 2.3.1: both are form-encoded before Basic encoding.
                auth=(quote(self.provider.client_id, safe=""), quote(secret, safe="")),
                timeout=self._timeout,
                follow_redirects=False,
            )
        except httpx.HTTPError as error:
            raise TransientError(f"{self.provider.key}: {type(error).__name__}") from None
        if response.status_code != 200:
            raise SignInRefusedError("token_request")
        try:
            token = response.json().get("id_token")
        except (ValueError, AttributeError):
            token = None
        if not isinstance(token, str):
            raise SignInRefusedError("no_id_token")
        return token

    def end_session_url(self, *, post_logout_redirect_uri: str, now: datetime) -> str | None:
        """The provider's sign-out page for this client, if it has one."""
        try:
            endpoint = self.discovery(now).end_session_endpoint
        except TransientError:
            return None
        if not endpoint:
            return None
        params = [
            ("client_id", self.provider.client_id),
            ("post_logout_redirect_uri", post_logout_redirect_uri),
        ]
        return str(add_params_to_uri(endpoint, params))


def _has_kid(keys: KeySet, kid: str) -> bool:
    return any(key.kid == kid for key in keys.keys)
