"""Builders for the action-plan, action-update and report page tests: answers, findings, people."""

from __future__ import annotations

import re
from typing import Any

from sqlmodel import Session, col, select

from flows.reconcile.run import reconcile_round
from models.audit_log import AuditEvent
from models.case import Case
from models.partnership import PartnershipRole, Person, PersonRole
from models.round import RoundCase
from tests.agencies.portal.conftest import Portal
from tests.builders import NOW, submit_answers

SCRIPT = "<script>alert('x')</script> More joint visits"
COORDINATOR = "casey@testshire.example.org"
BOARD = "board@testshire.example.org"
# info_sharing per case, as (csc, health, police): agencies disagree on cases 2 and 4.
ANSWERS = (
    ("yes", "yes", "yes"),
    ("yes", "no", "yes"),
    ("no", "no", "no"),
    ("yes", "yes", "partly"),
    ("yes", "yes", "yes"),
    ("no", "no", "no"),
)


def reconciled(portal: Portal) -> list[str]:
    """Every agency answers every case (health quoting a script), then the round is reconciled."""
    with Session(portal.engine) as session:
        refs = list(
            session.exec(
                select(Case.case_ref)
                .join(RoundCase, col(RoundCase.case_id) == col(Case.id))
                .where(col(RoundCase.round_id) == portal.round_id)
                .order_by(col(Case.case_ref))
            )
        )
        for case_ref, values in zip(refs, ANSWERS, strict=True):
            for agency, value in zip(("csc", "health", "police"), values, strict=True):
                extra = {"areas_for_development": SCRIPT} if agency == "health" else {}
                submit_answers(
                    session=session,
                    round_id=portal.round_id,
                    agency=agency,
                    case_ref=case_ref,
                    answers={"info_sharing": value, **extra},
                )
        session.commit()
        reconcile_round(session=session, round_id=portal.round_id, now=NOW, actor="c")
        session.commit()
    return refs


def add_board_reader(portal: Portal) -> None:
    """A board reader who holds no agency role."""
    with Session(portal.engine) as session:
        person = Person(name="Dr Board Reader", email=BOARD)
        session.add(person)
        session.flush()
        session.add(PersonRole(person_id=person.id or 0, role=PartnershipRole.board_reader))
        session.commit()


def person_id(portal: Portal, email: str) -> int:
    """The id of the person with this address."""
    with Session(portal.engine) as session:
        found = session.exec(select(Person.id).where(col(Person.email) == email)).one()
    return int(found or 0)


def events(portal: Portal, action: str) -> list[AuditEvent]:
    """The audit events of one kind, oldest first."""
    with Session(portal.engine) as session:
        return list(
            session.exec(
                select(AuditEvent)
                .where(col(AuditEvent.action) == action)
                .order_by(col(AuditEvent.id))
            )
        )


def post(portal: Portal, path: str, data: dict[str, Any] | None = None) -> Any:
    """POST a form with the session's CSRF token."""
    return portal.post(path, data)


def has_script(html: str) -> bool:
    """Whether the page holds the test's script unescaped."""
    return re.search(r"<script>alert", html) is not None
