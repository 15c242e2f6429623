"""The portal's launched round (police, csc, health) with an API key per agency and one for the
coordinator (under "coordinator")."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlmodel import Session, col, select

from models.api_key import issue_api_key, issue_coordinator_key
from models.audit_log import AuditEvent
from tests.agencies.portal.conftest import Portal, complete_answers, portal
from tests.builders import NOW

__all__ = ["portal"]
COORDINATOR = "casey@testshire.example.org"


@dataclass
class Api:
    """The portal (and its client), and a live key for each agency of the round and for the
    coordinator."""

    portal: Portal
    keys: dict[str, str]
    key_ids: dict[str, int]

    def call(
        self, method: str, path: str, *, agency: str | None = "police", **kwargs: Any
    ) -> httpx.Response:
        """Call /api/v1{path} with the agency's (or "coordinator"'s) key; none when None."""
        headers = kwargs.pop("headers", {})
        if agency is not None:
            headers["Authorization"] = f"Bearer {self.keys[agency]}"
        return self.portal.client.request(method, f"/api/v1{path}", headers=headers, **kwargs)

    def events(self, action: str) -> list[AuditEvent]:
        """The audit log's events of one kind, oldest first."""
        with Session(self.portal.engine) as session:
            return list(
                session.exec(
                    select(AuditEvent)
                    .where(col(AuditEvent.action) == action)
                    .order_by(col(AuditEvent.id))
                )
            )


@pytest.fixture
def api(portal: Portal) -> Api:
    """A key for police, csc and health, and the coordinator's own, issued by the coordinator."""
    keys, ids = {}, {}
    with Session(portal.engine) as session:
        for code in ("police", "csc", "health"):
            issued = issue_api_key(
                session=session, agency_code=code, name=f"{code} system", actor="cli:c", now=NOW
            )
            keys[code], ids[code] = issued.secret, issued.key.id or 0
        issued = issue_coordinator_key(
            session=session, email=COORDINATOR, name="round scripts", actor="cli:c", now=NOW
        )
        keys["coordinator"], ids["coordinator"] = issued.secret, issued.key.id or 0
        session.commit()
    return Api(portal=portal, keys=keys, key_ids=ids)


def json_answers(api: Api, agency: str) -> dict[str, Any]:
    """A complete, valid set of answers as JSON (the portal tests' answers, by question id)."""
    answers: dict[str, Any] = {}
    for field, value in complete_answers(api.portal, agency).items():
        answers[field.removeprefix("q__")] = int(value) if value.isdigit() else value
    return answers
