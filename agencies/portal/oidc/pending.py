"""A sign-in on its way to the provider and back: state, nonce and PKCE verifier in a cookie."""

from __future__ import annotations

import hmac
import secrets
from dataclasses import asdict, dataclass

from fastapi import Request, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer

COOKIE = "jointaudit_oidc"
COOKIE_PATH = "/sign-in/provider/"
LIFETIME_SECONDS = 600


@dataclass(frozen=True)
class Pending:
    """What the callback must find again: the provider, the secrets, where to go after."""

    provider: str
    state: str
    nonce: str
    verifier: str
    landing: str | None = None
    max_age: int | None = None


def new_pending(provider: str, *, landing: str | None, max_age: int | None) -> Pending:
    """Fresh random state, nonce and verifier (256 bits each)."""
    return Pending(
        provider=provider,
        state=secrets.token_urlsafe(32),
        nonce=secrets.token_urlsafe(32),
        verifier=secrets.token_urlsafe(48),
        landing=landing,
        max_age=max_age,
    )


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt="jointaudit-oidc-pending")


def remember(response: Response, pending: Pending, *, secret_key: str, secure: bool) -> None:
    """Keep the pending sign-in in a short-lived cookie sent only to the callback."""
    response.set_cookie(
        COOKIE,
        _serializer(secret_key).dumps(asdict(pending)),
        max_age=LIFETIME_SECONDS,
        httponly=True,
        samesite="lax",  # sent on the provider's top-level redirect back to us
        secure=secure,
        path=COOKIE_PATH,
    )


def forget(response: Response, *, secure: bool) -> None:
    """Drop the cookie: a pending sign-in is used once."""
    response.delete_cookie(COOKIE, path=COOKIE_PATH, secure=secure, httponly=True, samesite="lax")


def recall(request: Request, *, provider: str, state: str, secret_key: str) -> Pending | None:
    """The pending sign-in this callback answers, if the cookie and the state match."""
    raw = request.cookies.get(COOKIE)
    if not raw:
        return None
    try:
        data = _serializer(secret_key).loads(raw, max_age=LIFETIME_SECONDS)
        found = Pending(**data)
    except (BadSignature, TypeError):
        return None
    if found.provider != provider or not hmac.compare_digest(found.state, state):
        return None
    return found
