from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import select

from models.db import get_engine, session_scope, upgrade_database
from models.partnership import Person
from models.settings import Settings
from models.types import utcnow
from notifications.outbox import queue_message
from tests.builders import load_agencies
from tests.notifications.messages import invitation


@pytest.mark.prefect
def test_the_dispatch_flow_sends_due_messages_and_reports_only_counts(
    settings: Settings, tmp_path: Path
) -> None:
    from flows.dispatch.flow import dispatch_notifications
    from flows.orchestration import run_flow

    upgrade_database(get_engine())
    with session_scope() as session:
        load_agencies(session=session, tmp_path=tmp_path)
        people = [p.id for p in session.exec(select(Person))][:3]
        for person_id in people:
            queue_message(
                session=session,
                dedupe_key=f"invitation:1:{person_id}",
                context=invitation(),
                person_id=person_id,
                now=utcnow(),
            )
    counts = run_flow(dispatch_notifications())
    assert counts == {
        "claimed": 3,
        "sent": 3,
        "found_sent": 0,
        "retrying": 0,
        "failed": 0,
        "rate_limited": 0,
        "delivery_updates": 0,
    }
    assert len(list((settings.data_dir / "messages").glob("*.json"))) == 3
    assert run_flow(dispatch_notifications())["claimed"] == 0
    get_engine().dispose()
