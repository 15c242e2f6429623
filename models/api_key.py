"""API keys: an agency system's (per agency) or a coordinator's (per person), shown once,
stored as a SHA-256 hash.

A key reads `ja_` followed by 43 URL-safe characters (`secrets.token_urlsafe(32)`). Its first
11 characters are kept in clear as the prefix that identifies it in lists; the rest is only
ever held as the hash of the whole key. Keys are revoked, never deleted.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, cast

from sqlalchemy import CheckConstraint, Connection, String, Table, bindparam, func, update
from sqlalchemy import select as select_rows
from sqlmodel import Field, Session, SQLModel, col, select

from models.agency import Agency
from models.audit_log import record_event
from models.errors import ConflictError, InputError, NotFoundError
from models.partnership import Person, is_coordinator
from models.types import UTCDateTime, utcnow

KEY_MARK = "ja_"
PREFIX_LENGTH = len(KEY_MARK) + 8
NAME_MAX = 120
LAST_USED_EVERY = timedelta(minutes=1)
"""How stale `last_used_at` may get before a request writes it again."""


class KeyKind(StrEnum):
    """Whose key it is: an agency system's, or a coordinator's (for scripting rounds)."""

    agency = "agency"
    coordinator = "coordinator"


class ApiKey(SQLModel, table=True):
    """One key: the hash of its secret, whose it is, who issued it, whether it still works."""

    __tablename__ = "api_key"
    __table_args__ = (
        CheckConstraint(
            "(kind = 'agency' AND agency_id IS NOT NULL AND person_id IS NULL) OR "
            "(kind = 'coordinator' AND person_id IS NOT NULL AND agency_id IS NULL)",
            name="ck_api_key_one_holder",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: KeyKind = Field(default=KeyKind.agency, sa_type=String(20))
    agency_id: int | None = Field(default=None, foreign_key="agency.id", index=True)
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    name: str = Field(max_length=NAME_MAX)
    prefix: str = Field(max_length=20, index=True)
    secret_hash: str = Field(sa_type=String(64), unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    created_by: str = Field(max_length=320)
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_by: str | None = Field(default=None, max_length=320)


@dataclass(frozen=True)
class IssuedKey:
    """A new key's record and its secret, which is shown this once and never stored."""

    key: ApiKey
    agency_code: str | None
    secret: str
    coordinator_email: str | None = None


@dataclass(frozen=True)
class KeyListing:
    """A key as lists show it: never the secret or its hash."""

    id: int
    kind: KeyKind
    agency_code: str | None
    coordinator_email: str | None
    name: str
    prefix: str
    created_at: datetime
    created_by: str
    last_used_at: datetime | None
    revoked_at: datetime | None

    @property
    def active(self) -> bool:
        """Whether the key still opens the API."""
        return self.revoked_at is None


def hash_secret(secret: str) -> str:
    """The SHA-256 of a whole key, as 64 hex digits."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _agency(*, session: Session, code: str) -> Agency:
    agency = session.exec(select(Agency).where(col(Agency.code) == code)).first()
    if agency is None:
        raise NotFoundError(f"no agency with code {code!r} (see `jointaudit agencies list`)")
    if not agency.active:
        raise ConflictError(f"agency {code!r} is inactive: it cannot be given an API key")
    return agency


def _coordinator(*, session: Session, email: str) -> Person:
    person = session.exec(
        select(Person).where(func.lower(col(Person.email)) == email.strip().lower())
    ).first()
    if person is None or not is_coordinator(session=session, person_id=person.id or 0):
        raise NotFoundError(
            f"no coordinator with the address {email!r} (see the registry's coordinators)"
        )
    return person


def _label(name: str) -> str:
    label = name.strip()
    if not label or len(label) > NAME_MAX:
        raise InputError(f"an API key needs a name of 1 to {NAME_MAX} characters")
    return label


def _create(
    *,
    session: Session,
    key: ApiKey,
    actor: str,
    now: datetime,
    holder: dict[str, object],
) -> str:
    """Give the key a secret, store it with the hash and audit the issue; returns the secret."""
    secret = KEY_MARK + secrets.token_urlsafe(32)
    key.prefix, key.secret_hash = secret[:PREFIX_LENGTH], hash_secret(secret)
    key.created_at, key.created_by = now, actor
    session.add(key)
    session.flush()
    record_event(
        session=session,
        actor=actor,
        action="api_key.issued",
        entity_type="api_key",
        entity_id=key.id,
        now=now,
        details={**holder, "name": key.name, "prefix": key.prefix},
    )
    return secret


def issue_api_key(
    *, session: Session, agency_code: str, name: str, actor: str, now: datetime
) -> IssuedKey:
    """Create a key for the agency; the secret is returned once, only its hash is stored."""
    key = ApiKey(kind=KeyKind.agency, name=_label(name), prefix="", secret_hash="", created_by="")
    agency = _agency(session=session, code=agency_code)
    key.agency_id = agency.id
    secret = _create(session=session, key=key, actor=actor, now=now, holder={"agency": agency.code})
    return IssuedKey(key=key, agency_code=agency.code, secret=secret)


def issue_coordinator_key(
    *, session: Session, email: str, name: str, actor: str, now: datetime
) -> IssuedKey:
    """Create a key for a current coordinator (it stops working when they stop being one)."""
    key = ApiKey(
        kind=KeyKind.coordinator, name=_label(name), prefix="", secret_hash="", created_by=""
    )
    person = _coordinator(session=session, email=email)
    key.person_id = person.id
    holder: dict[str, object] = {"coordinator": person.id}
    secret = _create(session=session, key=key, actor=actor, now=now, holder=holder)
    return IssuedKey(key=key, agency_code=None, secret=secret, coordinator_email=person.email)


def list_api_keys(
    *,
    session: Session,
    agency_code: str | None = None,
    include_revoked: bool = True,
    kind: KeyKind | None = None,
) -> list[KeyListing]:
    """Agency keys by agency, then coordinators' keys, in issue order (no secrets, no hashes)."""
    query = (
        select(ApiKey, Agency.code, Person.email)
        .outerjoin(Agency, col(Agency.id) == col(ApiKey.agency_id))
        .outerjoin(Person, col(Person.id) == col(ApiKey.person_id))
        .order_by(col(ApiKey.kind), col(Agency.code), col(Person.email), col(ApiKey.id))
    )
    if agency_code is not None:
        query = query.where(col(Agency.code) == agency_code)
    if kind is not None:
        query = query.where(col(ApiKey.kind) == kind)
    if not include_revoked:
        query = query.where(col(ApiKey.revoked_at).is_(None))
    return [
        KeyListing(
            id=key.id or 0,
            kind=KeyKind(key.kind),
            agency_code=code,
            coordinator_email=email,
            name=key.name,
            prefix=key.prefix,
            created_at=key.created_at,
            created_by=key.created_by,
            last_used_at=key.last_used_at,
            revoked_at=key.revoked_at,
        )
        for key, code, email in session.exec(query)
    ]


def revoke_api_key(*, session: Session, key_id: int, actor: str, now: datetime) -> ApiKey:
    """Revoke a key at once: every later request with it is refused."""
    key = session.get(ApiKey, key_id)
    if key is None:
        raise NotFoundError(f"no API key with id {key_id} (see `jointaudit apikey list`)")
    if key.revoked_at is not None:
        raise ConflictError(f"API key {key_id} was already revoked on {key.revoked_at:%Y-%m-%d}")
    key.revoked_at, key.revoked_by = now, actor
    session.add(key)
    record_event(
        session=session,
        actor=actor,
        action="api_key.revoked",
        entity_type="api_key",
        entity_id=key_id,
        now=now,
        details={"prefix": key.prefix},
    )
    return key


def find_api_key(*, session: Session, secret: str) -> ApiKey | None:
    """The key this secret belongs to, revoked or not; None when it is no key of ours."""
    if not secret.startswith(KEY_MARK) or len(secret) > 200:
        return None
    wanted = hash_secret(secret)
    candidates = session.exec(
        select(ApiKey).where(col(ApiKey.prefix) == secret[:PREFIX_LENGTH])
    ).all()
    for key in candidates:
        if hmac.compare_digest(key.secret_hash, wanted):
            return key
    return None


def mark_used(key: ApiKey, now: datetime) -> None:
    """Note when the key was last used (at most once a minute, to spare the database)."""
    if _use_is_due(key.last_used_at, now):
        key.last_used_at = now


def _use_is_due(last_used_at: datetime | None, now: datetime) -> bool:
    return last_used_at is None or now - last_used_at >= LAST_USED_EVERY


@dataclass(frozen=True)
class KeyHolder:
    """What a request needs of the key it carries and of the key's agency."""

    key_id: int
    agency_id: int | None
    """None for a coordinator's key."""
    agency_code: str | None
    agency_active: bool
    revoked_at: datetime | None
    last_used_at: datetime | None


KEYS = cast(Table, ApiKey.__table__)  # type: ignore[attr-defined]
AGENCIES = cast(Table, Agency.__table__)  # type: ignore[attr-defined]
HOLDER_COLUMNS = (
    KEYS.c.id,
    KEYS.c.agency_id,
    KEYS.c.secret_hash,
    KEYS.c.revoked_at,
    KEYS.c.last_used_at,
    AGENCIES.c.code,
    AGENCIES.c.active,
)
"""What `holder_in` reads of a row: the first columns of any statement built on HOLDERS."""
HOLDERS = (
    select_rows(*HOLDER_COLUMNS)
    .outerjoin(AGENCIES, AGENCIES.c.id == KEYS.c.agency_id)
    .where(KEYS.c.prefix == bindparam("prefix"))
)
_NOTE_USE = (
    update(KEYS).where(KEYS.c.id == bindparam("key_id")).values(last_used_at=bindparam("at"))
)


@dataclass(frozen=True)
class Presented:
    """A secret shaped like one of our keys: the prefix its key is found by, and its hash."""

    prefix: str
    secret_hash: str


def presented(secret: str) -> Presented | None:
    """The secret's prefix and hash; None when it is no key of ours (nothing to look up)."""
    if not secret.startswith(KEY_MARK) or len(secret) > 200:
        return None
    return Presented(secret[:PREFIX_LENGTH], hash_secret(secret))


def holder_in(row: Any, key: Presented) -> KeyHolder | None:
    """The key of a row of a statement built on HOLDERS, when it is the presented one."""
    if not hmac.compare_digest(row[2], key.secret_hash):
        return None
    key_id, agency_id, _, revoked_at, last_used_at, code, active = row[:7]
    return KeyHolder(
        key_id=key_id,
        agency_id=agency_id,
        agency_code=code,
        agency_active=bool(active),
        revoked_at=revoked_at,
        last_used_at=last_used_at,
    )


def find_key_holder(*, connection: Connection, secret: str) -> KeyHolder | None:
    """The key this secret belongs to (revoked or not) with its agency, in one statement; None
    when it is no key of ours. `find_api_key`'s rule, without loading the key as an object."""
    key = presented(secret)
    if key is None:
        return None
    for row in connection.execute(HOLDERS, {"prefix": key.prefix}):
        holder = holder_in(row, key)
        if holder is not None:
            return holder
    return None


def note_use(*, session: Session, holder: KeyHolder, now: datetime) -> None:
    """`mark_used` for a key read by `find_key_holder`, in the caller's transaction."""
    if _use_is_due(holder.last_used_at, now):
        session.connection().execute(_NOTE_USE, {"key_id": holder.key_id, "at": now})
