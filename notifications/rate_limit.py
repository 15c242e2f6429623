"""A send-rate limiter held in the database, so every dispatcher on every machine shares it.

Grants are counted in one-second buckets. The window sums the current bucket and the 60
before it, which always covers the last 60 seconds (and up to one more): the rolling-minute
total can only err on the safe side of the provider's limit.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col

from models.outbox import RateLimitBucket

WINDOW_SECONDS = 60
NOTIFY_LIMITER = "notify"


def _serialise(session: Session, name: str) -> None:
    """Make concurrent acquirers of one limiter take turns until their transaction ends."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:name))"), {"name": name})
    # SQLite: every jointaudit transaction begins IMMEDIATE, which already holds the write lock.


def used_in_window(*, session: Session, name: str, now: datetime) -> int:
    """How many sends the limiter granted in the rolling minute ending now."""
    second = int(now.timestamp())
    total = session.execute(
        select(func.coalesce(func.sum(RateLimitBucket.granted), 0)).where(
            col(RateLimitBucket.name) == name,
            col(RateLimitBucket.second) >= second - WINDOW_SECONDS,
        )
    ).scalar_one()
    return int(total)


def acquire_permits(
    *, session: Session, name: str, wanted: int, limit_per_minute: int, now: datetime
) -> int:
    """Grant up to `wanted` sends at `now` without the rolling minute passing the limit."""
    if wanted <= 0:
        return 0
    _serialise(session, name)
    granted = max(
        0, min(wanted, limit_per_minute - used_in_window(session=session, name=name, now=now))
    )
    second = int(now.timestamp())
    session.execute(
        delete(RateLimitBucket).where(
            col(RateLimitBucket.name) == name,
            col(RateLimitBucket.second) < second - 2 * WINDOW_SECONDS,
        )
    )
    if granted:
        dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
        insert = dialect.insert(RateLimitBucket).values(name=name, second=second, granted=granted)
        session.execute(
            insert.on_conflict_do_update(
                index_elements=["name", "second"],
                set_={"granted": col(RateLimitBucket.granted) + insert.excluded.granted},
            )
        )
    return granted
