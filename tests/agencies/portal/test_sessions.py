"""Sessions end when they should, on every request: sign-out, registry changes, lost grants."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, col, select

from agencies.registry import load_registry_file
from flows.rounds.membership import withdraw_agency
from models.audit_log import AuditEvent
from models.partnership import Person
from models.round import AccessGrant
from tests.agencies.portal.conftest import Portal
from tests.builders import NOW, agency_entry, registry_data, write_yaml
from tests.cli import Run

COOKIE = "jointaudit_session"
COORDINATOR = "casey@testshire.example.org"


def reload_registry(portal: Portal, tmp_path: Path, data: dict[str, object]) -> None:
    with Session(portal.engine) as session:
        path = write_yaml(tmp_path / "changed.yaml", data)
        load_registry_file(session=session, path=path, actor="coordinator", now=NOW)
        session.commit()


def signed_in_cookie(portal: Portal, email: str) -> str:
    portal.client.cookies.clear()
    portal.sign_in(email)
    cookie = portal.client.cookies.get(COOKIE)
    assert cookie is not None
    return cookie


def status_with(portal: Portal, cookie: str, path: str = "/tasks") -> int:
    portal.client.cookies.clear()
    portal.client.cookies.set(COOKIE, cookie)
    return portal.client.get(path, follow_redirects=False).status_code


def live_grants(portal: Portal, email: str) -> list[AccessGrant]:
    with Session(portal.engine) as session:
        return list(
            session.exec(
                select(AccessGrant)
                .join(Person, col(Person.id) == col(AccessGrant.person_id))
                .where(col(Person.email) == email, col(AccessGrant.revoked_at).is_(None))
            )
        )


def test_a_copied_cookie_stops_working_once_its_session_has_signed_out(portal: Portal) -> None:
    copied = signed_in_cookie(portal, "lead@police.example.org")
    assert status_with(portal, copied) == 200
    portal.post("/sign-out")
    assert status_with(portal, copied) == 303


def test_signing_out_ends_only_that_session(portal: Portal) -> None:
    first = signed_in_cookie(portal, "lead@police.example.org")
    second = signed_in_cookie(portal, "lead@police.example.org")
    portal.post("/sign-out")
    assert status_with(portal, first) == 200
    assert status_with(portal, second) == 303


def test_a_lead_whose_agency_leaves_the_registry_is_signed_out_at_once(
    portal: Portal, tmp_path: Path
) -> None:
    police = signed_in_cookie(portal, "lead@police.example.org")
    csc = signed_in_cookie(portal, "lead@csc.example.org")
    reload_registry(portal, tmp_path, registry_data(codes=("csc", "health")))
    assert status_with(portal, police) == 303
    assert status_with(portal, csc) == 200
    assert live_grants(portal, "lead@police.example.org") == []
    portal.client.cookies.clear()
    token = portal.token_for("lead@police.example.org")
    page = portal.client.get(f"/sign-in/{token}")
    found = portal.csrf(f"/sign-in/{token}")
    assert page.status_code == 200
    pressed = portal.client.post(
        f"/sign-in/{token}", data={"csrf_token": found}, follow_redirects=False
    )
    assert pressed.status_code == 400  # an unused link from before the change signs nobody in
    assert portal.client.get("/tasks", follow_redirects=False).status_code == 303


def test_a_replaced_lead_loses_access_and_the_new_lead_takes_over_the_round(
    portal: Portal, tmp_path: Path
) -> None:
    old = signed_in_cookie(portal, "lead@police.example.org")
    data = registry_data(codes=("police", "csc", "health", "education", "probation"))
    data["agencies"][0] = agency_entry(code="police") | {
        "lead": {"name": "New Police Lead", "email": "new.lead@police.example.org"}
    }
    reload_registry(portal, tmp_path, data)
    assert status_with(portal, old) == 303
    new = signed_in_cookie(portal, "new.lead@police.example.org")
    assert status_with(portal, new) == 200
    assert "Domestic abuse joint audit" in portal.client.get("/tasks").text
    with Session(portal.engine) as session:
        revoked = session.exec(
            select(AuditEvent).where(col(AuditEvent.action) == "access.revoked")
        ).all()
    assert len(revoked) == 1 and revoked[0].actor == "coordinator"


def revocations_of(portal: Portal, email: str) -> list[AuditEvent]:
    with Session(portal.engine) as session:
        person = session.exec(select(Person).where(col(Person.email) == email)).one()
        return list(
            session.exec(
                select(AuditEvent).where(
                    col(AuditEvent.action) == "access.revoked",
                    col(AuditEvent.entity_id) == str(person.id),
                )
            )
        )


@pytest.mark.parametrize("role", ["deputy", "escalation"])
def test_a_replaced_deputy_or_escalation_contact_is_signed_out_revoked_and_audited(
    portal: Portal, tmp_path: Path, role: str
) -> None:
    old_email = f"{'deputy' if role == 'deputy' else 'manager'}@police.example.org"
    old = signed_in_cookie(portal, old_email)
    assert status_with(portal, old) == 200
    data = registry_data()
    data["agencies"][0][role] = {"name": "Someone New", "email": f"new.{role}@police.example.org"}
    reload_registry(portal, tmp_path, data)
    assert status_with(portal, old) == 303
    assert live_grants(portal, old_email) == []
    (event,) = revocations_of(portal, old_email)
    assert any(
        what.startswith("contact:") and what.endswith(f":{role}") for what in event.details["lost"]
    )
    assert event.actor == "coordinator"
    if role == "deputy":  # the deputy held the round's grant, and the new deputy holds it now
        assert any(what.startswith("grant:") for what in event.details["lost"])
        new = signed_in_cookie(portal, "new.deputy@police.example.org")
        assert status_with(portal, new) == 200
        assert "Domestic abuse joint audit" in portal.client.get("/tasks").text


def test_a_board_reader_dropped_from_the_registry_loses_the_reports_at_once(
    portal: Portal, tmp_path: Path
) -> None:
    board = "board@testshire.example.org"
    data = registry_data()
    data["partnership"]["board_readers"] = [{"name": "Dr Board", "email": board}]
    reload_registry(portal, tmp_path, data)
    copied = signed_in_cookie(portal, board)
    assert status_with(portal, copied, "/reports") == 200
    reload_registry(portal, tmp_path, registry_data())
    assert status_with(portal, copied, "/reports") == 303
    (event,) = revocations_of(portal, board)
    assert event.details["lost"] == ["role:board_reader"]


def test_a_coordinator_dropped_from_the_registry_loses_the_coordinator_pages_at_once(
    portal: Portal, tmp_path: Path
) -> None:
    copied = signed_in_cookie(portal, COORDINATOR)
    assert status_with(portal, copied, "/coordinator/rounds") == 200
    data = registry_data()
    data["partnership"]["coordinators"] = [
        {"name": "Other", "email": "other@testshire.example.org"}
    ]
    reload_registry(portal, tmp_path, data)
    assert status_with(portal, copied, "/coordinator/rounds") == 303


def test_withdrawing_an_agency_from_a_round_ends_its_leads_sessions(portal: Portal) -> None:
    copied = signed_in_cookie(portal, "lead@health.example.org")
    with Session(portal.engine) as session:
        withdraw_agency(
            session=session,
            round_id=portal.round_id,
            code="health",
            reason="test",
            now=NOW,
            actor="coordinator",
        )
        session.commit()
    portal.client.cookies.clear()
    portal.client.cookies.set(COOKIE, copied)
    # Still a registry contact, so still let in, but as a new session: signed out first.
    assert portal.client.get("/tasks", follow_redirects=False).status_code == 303


def test_a_coordinator_signs_a_person_out_everywhere_from_the_command_line(
    portal: Portal, run: Run
) -> None:
    first = signed_in_cookie(portal, "lead@police.example.org")
    second = signed_in_cookie(portal, "lead@police.example.org")
    other = signed_in_cookie(portal, "lead@csc.example.org")
    code, out, _ = run("people", "sign-out", "Lead@Police.example.org")
    assert code == 0 and "2 portal session(s)" in out
    assert (status_with(portal, first), status_with(portal, second)) == (303, 303)
    assert status_with(portal, other) == 200
    code, _, err = run("people", "sign-out", "nobody@example.org")
    assert code != 0 and "nobody has the address" in err


def test_a_coordinator_signs_a_person_out_everywhere_from_the_partnership_page(
    portal: Portal,
) -> None:
    first = signed_in_cookie(portal, "lead@police.example.org")
    second = signed_in_cookie(portal, "lead@police.example.org")
    other = signed_in_cookie(portal, "lead@csc.example.org")
    assert portal.post("/coordinator/partnership/sign-out", {"person": "1"}).status_code == 404
    mine = signed_in_cookie(portal, COORDINATOR)
    with Session(portal.engine) as session:
        lead = session.exec(select(Person).where(col(Person.email) == "lead@police.example.org"))
        lead_id = lead.one().id
    page = portal.client.get("/coordinator/partnership").text
    assert "Sign a person out everywhere" in page and f'<option value="{lead_id}">' in page
    refused = portal.client.post(
        "/coordinator/partnership/sign-out", data={"person": str(lead_id)}, follow_redirects=False
    )
    assert refused.status_code == 403
    assert status_with(portal, first) == 200
    portal.client.cookies.clear()
    portal.client.cookies.set(COOKIE, mine)
    unchosen = portal.post("/coordinator/partnership/sign-out", {"person": ""})
    assert unchosen.status_code == 400
    assert "Choose the person to sign out everywhere" in unchosen.text
    assert 'href="#person"' in unchosen.text and status_with(portal, first) == 200
    portal.client.cookies.clear()
    portal.client.cookies.set(COOKIE, mine)
    done = portal.post("/coordinator/partnership/sign-out", {"person": str(lead_id)})
    assert done.status_code == 303
    assert (
        "signed out everywhere: 2 sessions ended"
        in portal.client.get(done.headers["location"]).text
    )
    assert (status_with(portal, first), status_with(portal, second)) == (303, 303)
    assert status_with(portal, other) == 200
    assert portal.post("/coordinator/partnership/sign-out", {"person": "99999"}).status_code == 404
    with Session(portal.engine) as session:
        audited = session.exec(
            select(AuditEvent).where(col(AuditEvent.action) == "portal.signed_out_everywhere")
        ).all()
    assert [(e.entity_id, e.details["sessions"]) for e in audited] == [(str(lead_id), 2)]


def test_a_session_ends_after_eight_hours_by_the_portals_clock(portal: Portal) -> None:
    copied = signed_in_cookie(portal, "lead@police.example.org")
    portal.client.app.state.clock = lambda: NOW + timedelta(hours=8, minutes=1)  # type: ignore[attr-defined]
    assert status_with(portal, copied) == 303
