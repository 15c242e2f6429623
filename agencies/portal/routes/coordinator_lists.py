"""A round's overdue cases, chase history, delivery failures and concerns (with their actions)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from agencies.deps import Coordinator, Now, SessionDep, actor, not_found
from agencies.portal.coordinator_forms import readable
from agencies.portal.coordinator_views import (
    last_activity,
    overdue_cases,
    page,
    person_names,
    round_or_404,
)
from flows.answers.concern_access import read_notes
from flows.answers.concerns import (
    acknowledge_concern,
    concern_state_wording,
    people_names,
    round_concerns,
)
from flows.chase.history import chase_history
from flows.rounds.views import round_detail
from models.crypto import load_cipher
from models.errors import JointauditError, NotFoundError
from models.outbox import OutboxMessage
from notifications.outbox import list_messages, retry_message

router = APIRouter(prefix="/coordinator/rounds/{round_id}")
ListPage = Callable[..., HTMLResponse]


@router.get("/overdue", response_class=HTMLResponse)
def overdue(
    request: Request,
    _coordinator: Coordinator,
    round_id: int,
    session: SessionDep,
    at: Now,
) -> HTMLResponse:
    """Every unanswered case past its agency's due date."""
    round_ = round_or_404(session=session, round_id=round_id)
    detail = round_detail(session=session, round_id=round_id, now=at)
    activity = last_activity(session=session, round_id=round_id)
    return page(request, "overdue.html", round=round_, cases=overdue_cases(detail, activity))


@router.get("/chases", response_class=HTMLResponse)
def chases(
    request: Request,
    _coordinator: Coordinator,
    round_id: int,
    session: SessionDep,
) -> HTMLResponse:
    """Every reminder, overdue notice, escalation and digest of the round."""
    round_ = round_or_404(session=session, round_id=round_id)
    entries = chase_history(session=session, round_id=round_id)
    names = person_names(
        session=session, person_ids={e.person_id for e in entries if e.person_id is not None}
    )
    return page(request, "chases.html", round=round_, entries=entries, names=names)


def _row_change(
    request: Request,
    session: Session,
    round_id: int,
    change: Callable[[], object],
    *,
    field: str,
    show: ListPage,
    done: str,
    missing: tuple[type[Exception], ...] = (),
) -> Response:
    """Change one row of a list: back to the list, or the list with the row's error (409)."""
    try:
        change()
    except missing:
        raise not_found() from None
    except JointauditError as error:
        session.rollback()
        return show(request, session, round_id, errors={field: readable(error)}, status_code=409)
    session.commit()
    return RedirectResponse(f"/coordinator/rounds/{round_id}/{done}", status_code=303)


def _messages_page(
    request: Request,
    session: Session,
    round_id: int,
    *,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    round_ = round_or_404(session=session, round_id=round_id)
    failures = list_messages(session=session, round_id=round_id, failures_only=True, limit=None)
    names = person_names(
        session=session, person_ids={m.person_id for m in failures if m.person_id is not None}
    )
    return page(
        request,
        "messages.html",
        status_code=status_code,
        round=round_,
        messages=failures,
        names=names,
        errors=errors or {},
        retried=request.query_params.get("retried") == "1",
    )


@router.get("/messages", response_class=HTMLResponse)
def messages(
    request: Request,
    _coordinator: Coordinator,
    round_id: int,
    session: SessionDep,
) -> HTMLResponse:
    """The round's messages that failed to send or were not delivered."""
    return _messages_page(request, session, round_id)


@router.post("/messages/{message_id}/retry", response_model=None)
def retry(
    request: Request,
    who: Coordinator,
    round_id: int,
    message_id: int,
    session: SessionDep,
    at: Now,
) -> Response:
    """Send a failed message of the round again."""
    round_or_404(session=session, round_id=round_id)
    message = session.get(OutboxMessage, message_id)
    if message is None or message.round_id != round_id:
        raise not_found()
    run = partial(retry_message, session=session, message_id=message_id, actor=actor(who), now=at)
    return _row_change(
        request,
        session,
        round_id,
        run,
        field=f"message-{message_id}",
        show=_messages_page,
        done="messages?retried=1",
    )


def _concerns_page(
    request: Request,
    session: Session,
    round_id: int,
    *,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    round_ = round_or_404(session=session, round_id=round_id)
    rows = round_concerns(session=session, round_id=round_id)
    notes = read_notes(
        session=session,
        concerns=[concern for concern, _, _ in rows],
        cipher=load_cipher(request.app.state.settings),
        actor=f"person:{request.state.session.person_id}",
        now=request.app.state.clock(),
    )
    session.commit()  # the audit log of what was read, before it is shown
    return page(
        request,
        "concerns.html",
        status_code=status_code,
        round=round_,
        rows=rows,
        names=people_names(session=session, concerns=[concern for concern, _, _ in rows]),
        notes=notes,
        wording=concern_state_wording,
        errors=errors or {},
        acknowledged=request.query_params.get("acknowledged") == "1",
    )


@router.get("/concerns", response_class=HTMLResponse)
def concerns(
    request: Request,
    _coordinator: Coordinator,
    round_id: int,
    session: SessionDep,
) -> HTMLResponse:
    """The round's immediate safeguarding concerns and who acknowledged them."""
    return _concerns_page(request, session, round_id)


@router.post("/concerns/{concern_id}/acknowledge", response_model=None)
def acknowledge(
    request: Request,
    who: Coordinator,
    round_id: int,
    concern_id: int,
    session: SessionDep,
    at: Now,
) -> Response:
    """The coordinator acknowledges a concern."""
    round_or_404(session=session, round_id=round_id)
    run = partial(
        acknowledge_concern,
        session=session,
        round_id=round_id,
        concern_id=concern_id,
        person_id=who.id or 0,
        now=at,
    )
    return _row_change(
        request,
        session,
        round_id,
        run,
        field=f"concern-{concern_id}",
        show=_concerns_page,
        done="concerns?acknowledged=1",
        missing=(NotFoundError,),
    )
