"""FastAPI dependencies: the database session, the clock and the signed-in person."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime

from fastapi import HTTPException, Request
from sqlmodel import Session

from models.partnership import Person


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
