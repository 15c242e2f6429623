"""Checking an ID token: signature (the provider's keys), issuer, audience, expiry, nonce."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from authlib.oidc.core import CodeIDToken
from joserfc import jws, jwt
from joserfc.errors import ClaimError, ExpiredTokenError, JoseError
from joserfc.jwk import KeySet

from models.errors import SignInRefusedError
from models.settings import OidcProvider

# Asymmetric only: "none" and HS256 (keyed with the client secret) are refused.
ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512")
LEEWAY_SECONDS = 60


@dataclass(frozen=True)
class Identity:
    """Who the provider says signed in, and when they proved it."""

    email: str
    subject: str
    authenticated_at: datetime | None  # None: the provider did not say (never fresh)


def key_id(raw: str) -> str | None:
    """The `kid` in the token's header (None if it has none), before any check."""
    try:
        header = jws.extract_compact(raw.encode("ascii")).protected
    except (JoseError, ValueError, UnicodeEncodeError):
        raise SignInRefusedError("malformed_token") from None
    if header.get("alg") not in ALGORITHMS:
        raise SignInRefusedError("algorithm")
    kid = header.get("kid")
    return kid if isinstance(kid, str) else None


def verified_claims(
    raw: str,
    *,
    keys_for: Callable[[str | None], KeySet],
    provider: OidcProvider,
    issuer: str,
    nonce: str,
    now: datetime,
) -> Mapping[str, Any]:
    """The token's claims once its signature, issuer, audience, times and nonce all hold."""
    keys = keys_for(key_id(raw))
    try:
        token = jwt.decode(raw, keys, algorithms=list(ALGORITHMS))
    except (JoseError, ValueError):
        raise SignInRefusedError("signature") from None
    claims = CodeIDToken(
        dict(token.claims),
        dict(token.header),
        options={
            "iss": {"essential": True, "value": issuer},
            "aud": {"essential": True, "value": provider.client_id},
        },
        params={"nonce": nonce, "client_id": provider.client_id},
    )
    try:
        claims.validate(now=int(now.timestamp()), leeway=LEEWAY_SECONDS)
    except ExpiredTokenError:
        raise SignInRefusedError("expired") from None
    except ClaimError as error:
        raise SignInRefusedError(f"{error.error}_{error.claim}") from None
    except JoseError as error:
        raise SignInRefusedError(error.error) from None
    checked: Mapping[str, Any] = dict(claims)
    return checked


def identity_of(
    claims: Mapping[str, Any],
    *,
    provider: OidcProvider,
    now: datetime,
    max_age: int | None = None,
) -> Identity:
    """The verified address the claims carry, refused when unverified or out of the domains."""
    if claims.get("email_verified") is False:
        raise SignInRefusedError("email_unverified")
    value = claims.get(provider.email_claim)
    email = value.strip().lower() if isinstance(value, str) else ""
    if "@" not in email or len(email) > 320:
        raise SignInRefusedError("no_email")
    if not provider.serves(email):
        raise SignInRefusedError("domain")
    # How long before the token was issued the person proved who they are, by the
    # provider's own clock, so that a skew between the two clocks does not matter.
    issued, proved = claims.get("iat"), claims.get("auth_time")
    ago = None
    if isinstance(issued, int | float) and isinstance(proved, int | float):
        ago = max(0, int(issued - proved))
    if max_age is not None and (ago is None or ago > max_age + LEEWAY_SECONDS):
        raise SignInRefusedError("not_fresh")
    return Identity(
        email=email,
        subject=str(claims.get("sub")),
        authenticated_at=None if ago is None else now - timedelta(seconds=ago),
    )
