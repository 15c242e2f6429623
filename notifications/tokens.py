"""Single-use sign-in links: minted when a message is rendered, stored only as a hash."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import Connection, Table, insert, update
from sqlmodel import Session, col, select

from models.outbox import SignInToken
from notifications.errors import SignInTokenError

TOKEN_BYTES = 32  # 256 random bits; the design asks for at least 128
INVALID_LINK = "this sign-in link is not valid: ask for a new one"
_INSERT_TOKEN = insert(cast(Table, SignInToken.__table__))  # type: ignore[attr-defined]


def hash_token(raw_token: str) -> str:
    """The SHA-256 hex digest under which a token is stored."""
    return hashlib.sha256(raw_token.encode("utf-8")).hexdigest()


def sign_in_url(portal_base_url: str, raw_token: str) -> str:
    """The link a message carries: the portal's confirm page for the token."""
    return f"{portal_base_url.rstrip('/')}/sign-in/{raw_token}"


def safe_landing(path: str | None) -> str | None:
    """The path when it is one of the portal's own (never another site), else None."""
    if not path or not path.startswith("/") or path.startswith("//") or "\\" in path:
        return None
    return path


def mint_sign_in_token(
    *,
    session: Session,
    person_id: int,
    round_id: int | None,
    now: datetime,
    ttl: timedelta,
    message_id: int | None = None,
    landing: str | None = None,
) -> str:
    """Store a new token's hash for the person and return the raw token (the only copy);
    `landing` is the portal page signing in opens (a path of our own, e.g. a concern)."""
    [raw_token] = mint_sign_in_tokens(
        session=session,
        holders=[(person_id, round_id, message_id, landing)],
        now=now,
        ttl=ttl,
    )
    return raw_token


def mint_sign_in_tokens(
    *,
    session: Session | Connection,
    holders: Sequence[tuple[int, int | None, int | None, str | None]],
    now: datetime,
    ttl: timedelta,
) -> list[str]:
    """One token per (person, round, message, landing page) in one statement; the raw tokens,
    in order (a landing page that is not one of the portal's own paths is dropped)."""
    raw_tokens = [secrets.token_urlsafe(TOKEN_BYTES) for _ in holders]
    if holders:
        session.execute(
            _INSERT_TOKEN,
            [
                {
                    "token_hash": hash_token(raw_token),
                    "person_id": person_id,
                    "round_id": round_id,
                    "message_id": message_id,
                    "landing": safe_landing(landing),
                    "created_at": now,
                    "expires_at": now + ttl,
                }
                for raw_token, (person_id, round_id, message_id, landing) in zip(
                    raw_tokens, holders, strict=True
                )
            ],
        )
    return raw_tokens


def consume_sign_in_token(*, session: Session, raw_token: str, now: datetime) -> SignInToken:
    """Use a token once: return its row, or raise SignInTokenError if unknown, expired or used."""
    digest = hash_token(raw_token)
    token = session.exec(select(SignInToken).where(SignInToken.token_hash == digest)).first()
    # Lookup is by hash, so timing reveals nothing about the raw token; compare anyway.
    if token is None or not hmac.compare_digest(token.token_hash, digest):
        raise SignInTokenError(INVALID_LINK)
    if token.used_at is not None or token.expires_at <= now:
        raise SignInTokenError(INVALID_LINK)
    # The guarded update makes two simultaneous presses of one link sign in only once.
    claimed = session.execute(
        update(SignInToken)
        .where(col(SignInToken.id) == token.id, col(SignInToken.used_at).is_(None))
        .values(used_at=now)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        raise SignInTokenError(INVALID_LINK)
    session.refresh(token)
    return token
