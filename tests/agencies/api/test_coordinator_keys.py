from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from models.api_key import (
    ApiKey,
    KeyKind,
    find_api_key,
    hash_secret,
    issue_api_key,
    issue_coordinator_key,
    list_api_keys,
    revoke_api_key,
)
from models.audit_log import AuditEvent
from models.errors import InputError, NotFoundError
from models.partnership import Person
from tests.builders import NOW, load_agencies

COORDINATOR = "casey@testshire.example.org"


@pytest.fixture
def agencies(session: Session, tmp_path: Path) -> None:
    load_agencies(session=session, tmp_path=tmp_path, codes=("police", "csc"))


@pytest.mark.usefixtures("agencies")
def test_a_coordinators_key_belongs_to_the_person_and_only_its_hash_is_stored(
    session: Session,
) -> None:
    issued = issue_coordinator_key(
        session=session, email=COORDINATOR, name="Round scripts", actor="cli:c", now=NOW
    )
    session.commit()
    assert issued.secret.startswith("ja_") and len(issued.secret) == 46
    assert issued.agency_code is None and issued.coordinator_email == COORDINATOR
    [row] = session.exec(select(ApiKey)).all()
    casey = session.exec(select(Person).where(col(Person.email) == COORDINATOR)).one()
    assert row.kind == KeyKind.coordinator and row.person_id == casey.id and row.agency_id is None
    assert row.secret_hash == hash_secret(issued.secret) and row.prefix == issued.secret[:11]
    assert issued.secret not in [str(value) for value in row.model_dump().values()]
    assert find_api_key(session=session, secret=issued.secret) == row
    [event] = session.exec(select(AuditEvent).where(col(AuditEvent.action) == "api_key.issued"))
    assert event.details == {"coordinator": casey.id, "name": "Round scripts", "prefix": row.prefix}


@pytest.mark.usefixtures("agencies")
def test_only_a_current_coordinator_can_be_given_a_key(session: Session) -> None:
    for email in ("lead@police.example.org", "nobody@testshire.example.org"):
        with pytest.raises(NotFoundError, match="no coordinator with the address"):
            issue_coordinator_key(session=session, email=email, name="x", actor="c", now=NOW)
    with pytest.raises(InputError, match="needs a name"):
        issue_coordinator_key(session=session, email=COORDINATOR, name=" ", actor="c", now=NOW)
    assert session.exec(select(ApiKey)).all() == []
    issued = issue_coordinator_key(
        session=session, email=COORDINATOR.upper(), name="x", actor="c", now=NOW
    )
    assert issued.coordinator_email == COORDINATOR


@pytest.mark.usefixtures("agencies")
def test_coordinators_keys_are_listed_after_the_agencies_and_revoked_alike(
    session: Session,
) -> None:
    coordinator = issue_coordinator_key(
        session=session, email=COORDINATOR, name="scripts", actor="c", now=NOW
    )
    issue_api_key(session=session, agency_code="police", name="RMS", actor="c", now=NOW)
    listed = list_api_keys(session=session)
    assert [(k.kind, k.agency_code, k.coordinator_email, k.name) for k in listed] == [
        (KeyKind.agency, "police", None, "RMS"),
        (KeyKind.coordinator, None, COORDINATOR, "scripts"),
    ]
    assert [k.name for k in list_api_keys(session=session, kind=KeyKind.coordinator)] == ["scripts"]
    revoke_api_key(session=session, key_id=coordinator.key.id or 0, actor="c", now=NOW)
    assert [k.name for k in list_api_keys(session=session, include_revoked=False)] == ["RMS"]


@pytest.mark.usefixtures("agencies")
def test_a_key_cannot_belong_to_an_agency_and_a_person_at_once(session: Session) -> None:
    issued = issue_api_key(session=session, agency_code="csc", name="LCS", actor="c", now=NOW)
    session.commit()
    casey = session.exec(select(Person).where(col(Person.email) == COORDINATOR)).one()
    issued.key.person_id = casey.id
    session.add(issued.key)
    with pytest.raises(IntegrityError):
        session.commit()
