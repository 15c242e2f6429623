from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, col, select

from models.agency import Agency
from models.api_key import (
    ApiKey,
    find_api_key,
    hash_secret,
    issue_api_key,
    list_api_keys,
    mark_used,
    revoke_api_key,
)
from models.audit_log import AuditEvent
from models.errors import ConflictError, InputError, NotFoundError
from tests.builders import NOW, load_agencies


@pytest.fixture
def agencies(session: Session, tmp_path: Path) -> None:
    load_agencies(session=session, tmp_path=tmp_path, codes=("police", "csc"))


@pytest.mark.usefixtures("agencies")
def test_a_key_is_returned_once_and_only_its_hash_is_stored(session: Session) -> None:
    issued = issue_api_key(
        session=session, agency_code="police", name="Niche RMS", actor="cli:c", now=NOW
    )
    session.commit()
    assert issued.secret.startswith("ja_") and len(issued.secret) == 46
    [row] = session.exec(select(ApiKey)).all()
    stored = [str(value) for value in row.model_dump().values()]
    assert issued.secret not in stored
    assert row.secret_hash == hash_secret(issued.secret) and len(row.secret_hash) == 64
    assert row.prefix == issued.secret[:11] and row.created_by == "cli:c"
    [event] = session.exec(select(AuditEvent).where(col(AuditEvent.action) == "api_key.issued"))
    assert event.details == {"agency": "police", "name": "Niche RMS", "prefix": row.prefix}
    assert issued.secret not in str(event.details)


@pytest.mark.usefixtures("agencies")
def test_a_key_is_found_by_its_secret_and_nothing_else(session: Session) -> None:
    issued = issue_api_key(session=session, agency_code="csc", name="LCS", actor="c", now=NOW)
    assert find_api_key(session=session, secret=issued.secret) == issued.key
    for wrong in (issued.secret[:-1] + "x", issued.secret[3:], "", issued.key.secret_hash):
        assert find_api_key(session=session, secret=wrong) is None


@pytest.mark.usefixtures("agencies")
def test_revoking_is_audited_and_cannot_happen_twice(session: Session) -> None:
    issued = issue_api_key(session=session, agency_code="police", name="a", actor="c", now=NOW)
    later = NOW + timedelta(hours=1)
    revoked = revoke_api_key(session=session, key_id=issued.key.id or 0, actor="cli:b", now=later)
    assert revoked.revoked_at == later and revoked.revoked_by == "cli:b"
    with pytest.raises(ConflictError, match="already revoked"):
        revoke_api_key(session=session, key_id=issued.key.id or 0, actor="c", now=later)
    with pytest.raises(NotFoundError, match="no API key with id 999"):
        revoke_api_key(session=session, key_id=999, actor="c", now=later)
    assert session.exec(select(AuditEvent).where(col(AuditEvent.action) == "api_key.revoked")).one()


@pytest.mark.usefixtures("agencies")
def test_keys_are_listed_by_agency_without_secrets(session: Session) -> None:
    first = issue_api_key(session=session, agency_code="police", name="a", actor="c", now=NOW)
    issue_api_key(session=session, agency_code="csc", name="b", actor="c", now=NOW)
    revoke_api_key(session=session, key_id=first.key.id or 0, actor="c", now=NOW)
    listed = list_api_keys(session=session)
    assert [(k.agency_code, k.name, k.active) for k in listed] == [
        ("csc", "b", True),
        ("police", "a", False),
    ]
    assert [k.name for k in list_api_keys(session=session, include_revoked=False)] == ["b"]
    assert [k.name for k in list_api_keys(session=session, agency_code="police")] == ["a"]
    assert not hasattr(listed[0], "secret_hash")


@pytest.mark.usefixtures("agencies")
def test_a_key_needs_a_name_and_a_live_agency(session: Session) -> None:
    with pytest.raises(InputError, match="needs a name"):
        issue_api_key(session=session, agency_code="police", name="  ", actor="c", now=NOW)
    with pytest.raises(NotFoundError, match="no agency with code 'fire'"):
        issue_api_key(session=session, agency_code="fire", name="x", actor="c", now=NOW)
    police = session.exec(select(Agency).where(col(Agency.code) == "police")).one()
    police.active = False
    with pytest.raises(ConflictError, match="inactive"):
        issue_api_key(session=session, agency_code="police", name="x", actor="c", now=NOW)


def test_last_use_is_written_at_most_once_a_minute() -> None:
    key = ApiKey(agency_id=1, name="a", prefix="ja_x", secret_hash="0" * 64, created_by="c")
    first = datetime(2026, 11, 25, 10, tzinfo=UTC)
    mark_used(key, first)
    mark_used(key, first + timedelta(seconds=30))
    assert key.last_used_at == first
    mark_used(key, first + timedelta(minutes=1))
    assert key.last_used_at == first + timedelta(minutes=1)
