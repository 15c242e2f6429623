"""A lead's calendar file: their own agency's due date (with its extension), from the task list
and the invitation; nobody else's."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, col, select

from flows.rounds.changes import extend_due_date
from models.outbox import OutboxMessage
from models.settings import get_settings
from notifications.contexts import InvitationContext
from notifications.render import MessageRenderer
from tests.agencies.portal.conftest import Portal
from tests.agencies.portal.plan_helpers import BOARD, add_board_reader
from tests.builders import NOW

LEAD = "lead@police.example.org"
MANAGER = "manager@police.example.org"
COORDINATOR = "casey@testshire.example.org"


def test_a_lead_downloads_their_agencys_due_date_with_its_extension(portal: Portal) -> None:
    with Session(portal.engine) as session:
        extend_due_date(
            session=session,
            round_id=portal.round_id,
            due=date(2026, 12, 18),
            now=NOW,
            actor="test",
            settings=get_settings(),
            code="police",
        )
        session.commit()
    portal.sign_in(LEAD)
    tasks = portal.client.get("/tasks").text
    assert f'href="/rounds/{portal.round_id}/calendar.ics"' in tasks
    ics = portal.client.get(f"/rounds/{portal.round_id}/calendar.ics")
    assert ics.status_code == 200
    assert ics.headers["content-type"].startswith("text/calendar")
    assert "DTSTART;VALUE=DATE:20261218" in ics.text  # the police extension
    assert "DTSTART;VALUE=DATE:20261216" not in ics.text  # the other agencies' date
    assert "Answers due from Police agency" in ics.text
    assert "csc" not in ics.text.lower() and ics.text.endswith("END:VCALENDAR\r\n")


def test_only_people_auditing_in_the_round_get_its_calendar_file(portal: Portal) -> None:
    where = f"/rounds/{portal.round_id}/calendar.ics"
    assert portal.client.get(where, follow_redirects=False).status_code == 303
    add_board_reader(portal)
    for email in (BOARD, MANAGER):  # the escalation contact audits nothing
        portal.sign_in(email)
        assert portal.client.get(where).status_code == 404
    portal.sign_in(LEAD)
    assert portal.client.get("/rounds/999/calendar.ics").status_code == 404


def test_the_invitation_links_to_the_leads_calendar_file(portal: Portal) -> None:
    with Session(portal.engine) as session:
        invitation = session.exec(
            select(OutboxMessage).where(col(OutboxMessage.template) == "invitation")
        ).first()
    assert invitation is not None
    context = InvitationContext.model_validate(invitation.context)
    assert context.round_id == portal.round_id
    renderer = MessageRenderer(
        override_dir=None, timezone="Europe/London", portal_base_url="https://audit.example.org"
    )
    _, text, _ = renderer.render(context, sign_in_url=None, with_html=False)
    assert f"https://audit.example.org/rounds/{portal.round_id}/calendar.ics" in text
