"""Coordinators' bearer keys: the coordinator calling, 401 for a dead key, 404 for an agency's."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from fastapi import Depends, HTTPException
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlmodel import Session

from agencies.api.auth import INVALID, MISSING, REVOKED, record_refusal, unauthorized
from agencies.deps import db_session, now
from models.api_key import find_api_key, mark_used
from models.partnership import is_coordinator

NOT_COORDINATOR = "this API key's holder is no longer a coordinator"
NOT_FOUND = "not found"

coordinator_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="CoordinatorApiKey",
    description="A coordinator's API key (`jointaudit apikey issue --coordinator EMAIL`).",
)


@dataclass(frozen=True)
class CoordinatorCaller:
    """The coordinator behind a valid key."""

    key_id: int
    person_id: int

    @property
    def actor(self) -> str:
        """Who acted, for the audit log."""
        return f"api-key:{self.key_id}"


def coordinator_caller(
    credentials: HTTPAuthorizationCredentials | None = Depends(coordinator_bearer),
    session: Session = Depends(db_session),
    at: datetime = Depends(now),
) -> CoordinatorCaller:
    """The current coordinator whose live key is in the Authorization header, else 401 (404
    for an agency's key: coordinator endpoints do not exist for agencies)."""
    if credentials is None:
        raise unauthorized(MISSING)
    key = find_api_key(session=session, secret=credentials.credentials)
    if key is None or key.id is None:
        raise unauthorized(INVALID)
    if key.revoked_at is not None:
        record_refusal(session=session, key_id=key.id, reason="revoked", now=at)
        raise unauthorized(REVOKED)
    if key.person_id is None:
        raise HTTPException(status_code=404, detail=NOT_FOUND)
    if not is_coordinator(session=session, person_id=key.person_id):
        record_refusal(session=session, key_id=key.id, reason="not a coordinator", now=at)
        raise unauthorized(NOT_COORDINATOR)
    mark_used(key, at)
    session.add(key)
    return CoordinatorCaller(key_id=key.id, person_id=key.person_id)
