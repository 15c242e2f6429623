"""FastAPI dependencies shared by the portal and the API: the database session, the clock, the
signed-in person and the role guards, as `Annotated` types (`SessionDep`, `Now`, `SignedIn`,
`Coordinator`, `ReportReader`) so that a route states its guard in its signature.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from sqlmodel import Session, col, select

from models.partnership import PartnershipRole, Person, PersonRole


class SignInRequired(Exception):
    """The page needs a signed-in person; the handler sends them to the start page."""


def db_session(request: Request) -> Iterator[Session]:
    """A session on the portal's database; handlers commit what they change."""
    with Session(request.app.state.engine, expire_on_commit=False) as session:
        yield session


def now(request: Request) -> datetime:
    """The current time (tests set the clock on the app)."""
    clock: Callable[[], datetime] = request.app.state.clock
    return clock()


def person_id(request: Request) -> int:
    """The signed-in person's id, or SignInRequired."""
    found = request.state.session.person_id
    if found is None:
        raise SignInRequired
    return int(found)


def person(session: Session, request: Request) -> Person:
    """The signed-in person, who must still exist."""
    found = session.get(Person, person_id(request))
    if found is None:
        raise SignInRequired
    return found


def not_found() -> HTTPException:
    """The only answer to anything a person may not see."""
    return HTTPException(status_code=404, detail="not found")


MAX_ID = 2**31 - 1  # the largest value of an integer id column on PostgreSQL


async def ids_in_range(request: Request) -> None:
    """App-wide: an `..._id` in the path beyond any row's id is "not found", not a database
    error (SQLite and PostgreSQL both refuse to compare an integer column with it); async, so
    that every request does not hop to a worker thread and back for a check of its path."""
    for name, value in request.path_params.items():
        digits = name.endswith("_id") and isinstance(value, str) and value.isdigit()
        if digits and (len(value) > 10 or int(value) > MAX_ID):
            raise not_found()


def person_with_role(session: Session, request: Request, *roles: PartnershipRole) -> Person:
    """The signed-in person if they hold one of these partnership roles, else "not found"."""
    who = person(session, request)
    held = session.exec(
        select(PersonRole.role).where(
            col(PersonRole.person_id) == who.id, col(PersonRole.role).in_(roles)
        )
    ).first()
    if held is None:
        raise not_found()
    return who


def coordinator(session: Session, request: Request) -> Person:
    """The signed-in coordinator; anyone else gets "not found"."""
    return person_with_role(session, request, PartnershipRole.coordinator)


def report_reader(session: Session, request: Request) -> Person:
    """A coordinator or board reader: the people who may open a round's report pages."""
    return person_with_role(
        session, request, PartnershipRole.coordinator, PartnershipRole.board_reader
    )


def actor(who: Person) -> str:
    """The audit log's name for a person acting through the portal."""
    return f"person:{who.id}"


SessionDep = Annotated[Session, Depends(db_session)]
Now = Annotated[datetime, Depends(now)]


def _signed_in(session: SessionDep, request: Request) -> Person:
    return person(session, request)


def _coordinator(session: SessionDep, request: Request) -> Person:
    return coordinator(session, request)


def _report_reader(session: SessionDep, request: Request) -> Person:
    return report_reader(session, request)


SignedIn = Annotated[Person, Depends(_signed_in)]
Coordinator = Annotated[Person, Depends(_coordinator)]
ReportReader = Annotated[Person, Depends(_report_reader)]
