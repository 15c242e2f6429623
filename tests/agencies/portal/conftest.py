"""A launched round and a portal client per test; helpers to sign in and fill forms."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from agencies.app import create_app
from flows.rounds.launch import launch_round
from models.agency import Agency
from models.partnership import Person
from models.round import Assignment
from models.settings import Settings
from notifications.tokens import mint_sign_in_token
from tests.builders import NOW, import_register, launch_parameters, load_agencies, register_of

CSRF = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')


@dataclass
class Portal:
    """The test client, the round and ways to act as someone."""

    client: TestClient
    engine: Engine
    round_id: int

    def token_for(self, email: str, *, ttl: timedelta = timedelta(days=1)) -> str:
        """A fresh sign-in token for the person with this address."""
        with Session(self.engine) as session:
            person = session.exec(select(Person).where(col(Person.email) == email)).one()
            raw = mint_sign_in_token(
                session=session, person_id=person.id or 0, round_id=self.round_id, now=NOW, ttl=ttl
            )
            session.commit()
        return raw

    def csrf(self, path: str = "/") -> str:
        """The CSRF token of the current session, read from a page's form."""
        found = CSRF.search(self.client.get(path).text)
        assert found, f"no CSRF token on {path}"
        return found.group(1)

    def sign_in(self, email: str, *, ttl: timedelta = timedelta(days=1)) -> None:
        """Open an emailed link and press the button."""
        token = self.token_for(email, ttl=ttl)
        page = self.client.get(f"/sign-in/{token}")
        csrf = CSRF.search(page.text)
        assert csrf
        response = self.client.post(
            f"/sign-in/{token}", data={"csrf_token": csrf.group(1)}, follow_redirects=False
        )
        assert response.status_code == 303, response.text

    def assignments(self, agency: str) -> list[int]:
        """The ids of an agency's assignments in the round, by case."""
        with Session(self.engine) as session:
            return list(
                session.exec(
                    select(Assignment.id)
                    .join(Agency, col(Agency.id) == col(Assignment.agency_id))
                    .where(col(Agency.code) == agency, col(Assignment.round_id) == self.round_id)
                    .order_by(col(Assignment.case_id))
                )
            )

    def post(self, path: str, data: dict[str, str | list[str]] | None = None) -> object:
        """POST a form with the session's CSRF token."""
        body = {"csrf_token": self.csrf("/tasks" if path != "/sign-in/request" else "/")}
        body.update(data or {})
        return self.client.post(path, data=body, follow_redirects=False)


@pytest.fixture
def portal(
    session: Session, engine: Engine, settings: Settings, tmp_path: Path
) -> Iterator[Portal]:
    """A launched round (police, csc, health; six cases with identities) and a client."""
    load_agencies(session=session, tmp_path=tmp_path)
    rows = register_of(counts={"CP": 2, "CIN": 4, "EH": 2})
    for index, row in enumerate(rows):
        row.update(
            child_name=f"Child {index}",
            date_of_birth="2015-04-0" + str(index % 9 + 1),
            ref_police=f"POL-{index}",
            ref_csc=f"CSC-{index}",
        )
    import_register(session=session, tmp_path=tmp_path, rows=rows)
    result = launch_round(
        session=session,
        params=launch_parameters(),
        seed=42,
        idempotency_key="portal",
        now=NOW,
        actor="coordinator",
        settings=settings,
    )
    session.commit()
    app = create_app(settings, engine=engine, clock=lambda: NOW)
    with TestClient(app, base_url="http://testserver") as client:
        yield Portal(client=client, engine=engine, round_id=result.round_id)


def complete_answers(portal: Portal, agency: str) -> dict[str, str | list[str]]:
    """A valid answer to every question the agency is asked."""
    from models.round import AuditRound
    from models.tool_version import ToolVersion, load_frozen_tool

    with Session(portal.engine) as session:
        round_ = session.get(AuditRound, portal.round_id)
        assert round_ is not None
        version = session.get(ToolVersion, round_.tool_version_id)
        assert version is not None
        tool = load_frozen_tool(session=session, name=version.name, version=version.version)
    data: dict[str, str | list[str]] = {}
    for question in tool.questions_for(agency):
        if question.type == "text":
            data[f"q__{question.id}"] = "Recorded well."
        else:
            data[f"q__{question.id}"] = question.choices()[0][0]
    return data


@pytest.fixture
def tools_dir(tmp_path: Path) -> Path:
    """The partnership's tools folder."""
    folder = tmp_path / "partnership-tools"
    folder.mkdir()
    return folder


@pytest.fixture
def tools(portal: Portal, settings: Settings, tools_dir: Path) -> Iterator[Portal]:
    """The portal of the launched round, its settings naming the partnership's tools folder."""
    configured = settings.model_copy(update={"tool_dirs": (tools_dir,)})
    app = create_app(configured, engine=portal.engine, clock=lambda: NOW)
    with TestClient(app, base_url="http://testserver") as client:
        yield Portal(client=client, engine=portal.engine, round_id=portal.round_id)
