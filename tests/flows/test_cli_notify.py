from __future__ import annotations

import json

import pytest

from models.db import session_scope
from models.settings import Settings, get_settings
from models.types import utcnow
from notifications.outbox import queue_message
from tests.cli import Run
from tests.notifications.fake_notify import TEMPLATE_ID, FakeNotify
from tests.notifications.messages import invitation


def _queue(count: int) -> list[int]:
    from sqlmodel import select

    from models.partnership import Person

    with session_scope() as session:
        person = session.exec(select(Person).where(Person.email == "lead@police.example.org")).one()
        messages = [
            queue_message(
                session=session,
                dedupe_key=f"k{n}",
                context=invitation(),
                person_id=person.id,
                now=utcnow(),
            )
            for n in range(count)
        ]
    return [m.id for m in messages if m is not None and m.id is not None]


@pytest.mark.usefixtures("partnership")
def test_notify_test_sends_through_the_configured_channel_and_list_shows_it(
    run: Run, settings: Settings
) -> None:
    code, out, _ = run("notify", "test", "someone@example.org")
    assert code == 0 and "sent through the file channel" in out
    [written] = (settings.data_dir / "messages").glob("*.json")
    assert json.loads(written.read_text())["subject"] == "jointaudit test message"
    code, out, _ = run("notify", "list", "--json")
    [message] = json.loads(out)
    assert message["template"] == "channel_check" and message["status"] == "sent"
    assert "context" not in message


@pytest.mark.usefixtures("partnership")
def test_dispatch_then_a_notify_400_shows_failed_with_notifys_reason(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = FakeNotify().start()
    try:
        for name, value in {
            "EMAIL_CHANNEL": "notify",
            "NOTIFY_API_KEY": fake.api_key,
            "NOTIFY_BASE_URL": fake.url,
            "NOTIFY_TEMPLATE_ID": TEMPLATE_ID,
        }.items():
            monkeypatch.setenv(f"JOINTAUDIT_{name}", value)
        get_settings.cache_clear()
        fake.script.append(400)
        _queue(2)
        code, out, _ = run("notify", "dispatch", "--json")
        assert code == 0
        assert {"sent": 1, "failed": 1}.items() <= json.loads(out).items()
        code, out, _ = run("notify", "list", "--status", "failed", "--json")
        [failed] = json.loads(out)
        assert "Can't send to this recipient using a team-only API key" in failed["last_error"]
        code, out, _ = run("notify", "list")
        assert "failed" in out and "sent" in out
    finally:
        fake.stop()


@pytest.mark.usefixtures("partnership")
def test_a_message_can_be_cancelled_then_retried_but_a_sent_one_cannot(run: Run) -> None:
    first, second = _queue(2)
    assert run("notify", "cancel", str(first))[0] == 0
    code, out, _ = run("notify", "dispatch")
    assert code == 0 and "1 sent" in out
    code, _, err = run("notify", "cancel", str(second))
    assert code == 1 and f"message {second} is sent" in err
    assert run("notify", "retry", str(first))[0] == 0
    code, out, _ = run("notify", "dispatch", "--json")
    assert json.loads(out)["sent"] == 1
    code, _, err = run("notify", "retry", "999")
    assert code == 1 and "no message with id 999" in err
