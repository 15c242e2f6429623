"""`jointaudit notify`: dispatch the outbox, list messages, retry or cancel one, test a channel."""

from __future__ import annotations

import uuid

import typer

from flows.cli.common import (
    JSON_HELP,
    cli_actor,
    console,
    done,
    error_console,
    print_json,
    print_table,
)
from models.agency import Channel
from models.db import session_scope
from models.outbox import MessageStatus, OutboxMessage
from models.partnership import Partnership
from models.types import utcnow
from notifications.contexts import ChannelCheckContext
from notifications.delivery import NOT_DELIVERED, poll_delivery_statuses
from notifications.dispatcher import dispatch_due, send_now
from notifications.outbox import cancel_message, list_messages, queue_message, retry_message

notify_app = typer.Typer(help="Messages: the outbox and its channels.", no_args_is_help=True)


@notify_app.command("dispatch")
def dispatch(
    batch_size: int | None = typer.Option(None, "--batch-size", help="Messages per batch."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Send every due message now (the scheduled flow does the same every two minutes)."""
    counts = dispatch_due(batch_size=batch_size).as_dict()
    counts["delivery_updates"] = poll_delivery_statuses()
    if as_json:
        print_json(counts)
        return
    done(
        f"{counts['sent']} sent, {counts['found_sent']} found already sent, "
        f"{counts['retrying']} to retry, {counts['failed']} failed"
        + (f", {counts['rate_limited']} held by the rate limit" if counts["rate_limited"] else "")
    )


def _when(message: object) -> str:
    sent_at = getattr(message, "sent_at", None)
    moment = sent_at or getattr(message, "next_attempt_at", None)
    return moment.strftime("%Y-%m-%d %H:%M") if moment else ""


@notify_app.command("list")
def list_(
    status: MessageStatus | None = typer.Option(None, "--status", help="Only this status."),
    limit: int = typer.Option(200, "--limit", help="At most this many, newest first."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """List messages, newest first, with their status and the provider's last word."""
    with session_scope() as session:
        messages = list_messages(session=session, status=status, limit=limit)
    if as_json:
        print_json([message.model_dump(mode="json") for message in messages])
        return
    if not messages:
        console.print("No messages.")
        return
    rows = [
        (
            m.id,
            m.template,
            m.channel,
            m.status.value,
            m.attempts,
            _when(m),
            "not delivered" if m.delivery_status in NOT_DELIVERED else (m.delivery_status or ""),
            m.last_error or "",
        )
        for m in messages
    ]
    columns = ("ID", "Template", "Channel", "Status", "Tries", "Sent / next", "Delivery", "Error")
    print_table(f"{len(messages)} messages", columns, rows)


@notify_app.command("retry")
def retry(
    message_id: int = typer.Argument(..., help="The message's ID (see `notify list`)."),
) -> None:
    """Send a failed or cancelled message again on the next dispatch."""
    with session_scope() as session:
        retry_message(session=session, message_id=message_id, actor=cli_actor(), now=utcnow())
    done(f"Message {message_id} will be sent on the next dispatch (`jointaudit notify dispatch`)")


@notify_app.command("cancel")
def cancel(
    message_id: int = typer.Argument(..., help="The message's ID (see `notify list`)."),
) -> None:
    """Cancel a pending or failed message."""
    with session_scope() as session:
        cancel_message(session=session, message_id=message_id, actor=cli_actor(), now=utcnow())
    done(f"Message {message_id} cancelled")


@notify_app.command("test")
def test(
    address: str = typer.Argument(..., help="Email address (or webhook URL) to send to."),
    channel: Channel | None = typer.Option(
        None, "--channel", help="Channel to test (default: the configured email channel)."
    ),
) -> None:
    """Send a test message through the configured channel, now, and say how it went."""
    now = utcnow()
    with session_scope() as session:
        partnership = session.get(Partnership, 1)
        message = queue_message(
            session=session,
            dedupe_key=f"channel-check:{uuid.uuid4().hex}",
            context=ChannelCheckContext(
                partnership_name=partnership.name if partnership else "jointaudit", sent_at=now
            ),
            now=now,
            address=address,
            channel_override=channel,
        )
        assert message is not None and message.id is not None
        message_id, channel_name = message.id, message.channel
    send_now(message_ids=[message_id])
    with session_scope() as session:
        sent = session.get(OutboxMessage, message_id)
        assert sent is not None
        status, error = sent.status, sent.last_error
    if status == MessageStatus.sent:
        done(f"Test message {message_id} sent through the {channel_name} channel")
        return
    if status == MessageStatus.pending:  # a test is now or never: no retry later
        with session_scope() as session:
            cancel_message(session=session, message_id=message_id, actor=cli_actor(), now=now)
    error_console.print(
        f"[red]Error:[/red] test message {message_id} was not sent through the {channel_name} "
        f"channel ({status}): {error}",
        soft_wrap=True,
    )
    raise typer.Exit(1)
