"""Reading delivery status back from GOV.UK Notify, so the coordinator sees "not delivered"."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import Engine, update
from sqlmodel import col, or_, select

from models.db import get_engine, session_scope
from models.outbox import MessageStatus, OutboxMessage
from models.settings import Settings, get_settings
from models.types import utcnow
from notifications.channels.notify import NotifyChannel
from notifications.errors import DeliveryError
from notifications.rate_limit import NOTIFY_LIMITER, acquire_permits

logger = logging.getLogger(__name__)
FINAL_STATUSES = ("delivered", "permanent-failure", "temporary-failure", "technical-failure")
NOT_DELIVERED = frozenset(FINAL_STATUSES) - {"delivered"}
# Notify keeps notifications for 7 days; after that there is nothing to ask.
LOOKBACK = timedelta(days=7)


def poll_delivery_statuses(
    *,
    engine: Engine | None = None,
    now: datetime | None = None,
    settings: Settings | None = None,
    limit: int = 500,
) -> int:
    """Ask Notify about sent messages without a final status; returns how many changed."""
    settings = settings or get_settings()
    engine = engine or get_engine()
    now = now or utcnow()
    if settings.notify_api_key is None or not settings.notify_template_id:
        return 0
    with session_scope(engine) as session:
        rows = session.execute(
            select(
                OutboxMessage.id, OutboxMessage.provider_message_id, OutboxMessage.delivery_status
            )
            .where(
                col(OutboxMessage.channel) == "notify",
                col(OutboxMessage.status) == MessageStatus.sent.value,
                col(OutboxMessage.provider_message_id).is_not(None),
                col(OutboxMessage.sent_at) >= now - LOOKBACK,
                or_(
                    col(OutboxMessage.delivery_status).is_(None),
                    col(OutboxMessage.delivery_status).not_in(FINAL_STATUSES),
                ),
            )
            .order_by(col(OutboxMessage.delivery_checked_at).is_not(None), col(OutboxMessage.id))
            .limit(limit)
        ).all()
        allowed = acquire_permits(
            session=session,
            name=NOTIFY_LIMITER,
            wanted=len(rows),
            limit_per_minute=settings.notify_rate_limit_per_minute,
            now=now,
        )
    changed = 0
    with NotifyChannel.from_settings(settings) as channel:
        for message_id, provider_id, known in rows[:allowed]:
            try:
                status = channel.delivery_status(str(provider_id))
            except DeliveryError as error:
                logger.warning("delivery status of message %s: %s", message_id, error)
                continue
            with session_scope(engine) as session:
                session.execute(
                    update(OutboxMessage)
                    .where(col(OutboxMessage.id) == message_id)
                    .values(delivery_status=status or known, delivery_checked_at=now)
                )
            changed += int(status is not None and status != known)
    return changed
