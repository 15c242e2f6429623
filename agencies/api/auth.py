"""Bearer API keys: who is calling (an agency system), or 401 with `WWW-Authenticate: Bearer`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from fastapi import Depends, HTTPException
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlmodel import Session

from agencies.deps import db_session, now
from models.agency import Agency
from models.api_key import find_api_key, mark_used
from models.audit_log import record_event

MISSING = "send an API key: Authorization: Bearer <key>"
INVALID = "this API key is not valid"
REVOKED = "this API key has been revoked"
INACTIVE = "this API key's agency no longer takes part"

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="AgencyApiKey",
    description="An agency API key issued by the coordinator (`jointaudit apikey issue`).",
)


@dataclass(frozen=True)
class Caller:
    """The agency system behind a valid key."""

    key_id: int
    agency_id: int
    agency_code: str

    @property
    def actor(self) -> str:
        """Who acted, for the audit log."""
        return f"api-key:{self.key_id}"


def unauthorized(detail: str) -> HTTPException:
    """A 401 that tells the client to send a bearer key."""
    return HTTPException(status_code=401, detail=detail, headers={"WWW-Authenticate": "Bearer"})


def caller(
    credentials: HTTPAuthorizationCredentials | None = Depends(bearer),
    session: Session = Depends(db_session),
    at: datetime = Depends(now),
) -> Caller:
    """The agency system whose live key is in the Authorization header, else 401."""
    if credentials is None:
        raise unauthorized(MISSING)
    key = find_api_key(session=session, secret=credentials.credentials)
    if key is None or key.id is None:
        raise unauthorized(INVALID)
    if key.revoked_at is not None:
        record_event(
            session=session,
            actor=f"api-key:{key.id}",
            action="api_key.refused",
            entity_type="api_key",
            entity_id=key.id,
            now=at,
            details={"reason": "revoked"},
        )
        session.commit()
        raise unauthorized(REVOKED)
    if key.agency_id is None:  # a coordinator's key: agency endpoints do not exist for it
        raise HTTPException(status_code=404, detail="not found")
    agency = session.get(Agency, key.agency_id)
    if agency is None or not agency.active:
        raise unauthorized(INACTIVE)
    mark_used(key, at)
    session.add(key)
    return Caller(key_id=key.id, agency_id=key.agency_id, agency_code=agency.code)
